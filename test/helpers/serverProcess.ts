/**
 * The test embedding server in its own process, so a test or benchmark can kill it (SIGKILL) or
 * freeze it (SIGSTOP) mid-run like a real inference server that crashes or hangs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { EmbeddingServerOptions } from './embeddingServer.ts';

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Send a signal (SIGKILL, SIGSTOP, SIGCONT). */
  signal(sig: NodeJS.Signals): void;
  /** Stop the process (SIGCONT first, in case it was frozen) and wait for it to exit. */
  stop(): Promise<void>;
}

/** Start `embeddingServerMain.ts` with `opts`; resolves once it prints its URL. */
export function startServerProcess(opts: EmbeddingServerOptions = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'embeddingServerMain.ts'), JSON.stringify(opts)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolveStart, rejectStart) => {
    let buf = '';
    child.once('exit', (code) => rejectStart(new Error(`test embedding server exited early (code ${code})`)));
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n')[0];
      if (buf.includes('\n') && line !== undefined) {
        resolveStart({
          url: line.trim(),
          child,
          signal: (sig) => {
            if (child.exitCode === null && child.signalCode === null) child.kill(sig);
          },
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) {
              child.kill('SIGCONT');
              child.kill('SIGKILL');
            }
            await exited;
          },
        });
      }
    });
  });
}
