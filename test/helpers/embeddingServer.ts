/**
 * A real OpenAI-compatible embeddings server on 127.0.0.1 for tests and benchmarks. Vectors are
 * a deterministic function of the input text. Faults can be scripted per request: 429 with
 * Retry-After, 500, a slow reply, a dropped connection, a wrong dimension, shuffled order.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from './mulberry32.ts';

export type Fault = 'ok' | '429' | '500' | 'slow' | 'drop' | 'wrong-dims' | 'shuffle';

export interface EmbeddingServerOptions {
  readonly dims?: number;
  /** Fault of the n-th request (0-based); later requests are 'ok'. */
  readonly faults?: readonly Fault[];
  /** Pick a fault at random with these probabilities (seeded by request number). */
  readonly faultRate?: number;
  /** Delay of 'slow' faults, ms (default 2000). */
  readonly slowMs?: number;
  /** Fixed service time per batch, ms (default 0). */
  readonly serviceMs?: number;
  /** Parallel slots: requests beyond this wait (default unlimited). */
  readonly slots?: number;
  /** Simulate a misconfigured server that drops Qwen-style instructions (default false). */
  readonly stripInstruction?: boolean;
  /** Simulate silent truncation: only the first N characters are embedded. */
  readonly truncateChars?: number;
  /** Required bearer token (default none). */
  readonly apiKey?: string;
}

export interface RunningServer {
  readonly url: string;
  readonly requests: { n: number; inputs: number; faults: Record<string, number> };
  /** Resolves once no connection is open and no request is being answered (a killed client's last request included). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Deterministic unit vector of a text: one SHA-256 seeds a small PRNG (cheap, so the server's CPU does not limit benchmarks). */
export function vectorOf(text: string, dims: number): number[] {
  const next = mulberry32(createHash('sha256').update(text).digest().readUInt32BE(0) || 1);
  const out: number[] = [];
  for (let i = 0; i < dims; i++) out.push(next() - 0.5);
  const norm = Math.sqrt(out.reduce((s, x) => s + x * x, 0));
  return out.map((x) => x / norm);
}

export async function startEmbeddingServer(o: EmbeddingServerOptions = {}): Promise<RunningServer> {
  const dims = o.dims ?? 8;
  const stats = { n: 0, inputs: 0, faults: {} as Record<string, number> };
  let active = 0;
  const queue: (() => void)[] = [];
  const acquire = async (): Promise<void> => {
    if (o.slots === undefined || active < o.slots) {
      active++;
      return;
    }
    await new Promise<void>((r) => queue.push(r));
    active++;
  };
  const release = (): void => {
    active--;
    queue.shift()?.();
  };
  // Idle: no open connection (so every byte a client sent, even one killed since, has been read)
  // and no request between its first byte and its finished response.
  let inFlight = 0;
  let connections = 0;
  let idleWaiters: (() => void)[] = [];
  const isIdle = (): boolean => inFlight === 0 && connections === 0;
  const wake = (): void => {
    if (!isIdle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };
  const settled = (): void => {
    inFlight--;
    wake();
  };
  const server: Server = createServer((req, res) => {
    inFlight++;
    let done = false;
    const finish = (): void => {
      if (!done) {
        done = true;
        settled();
      }
    };
    // Settled when the handler below has finished (its counts are in), or when the request closes
    // before its body ended (the handler never runs): not when the socket closes mid-handler.
    let started = false;
    req.once('close', () => {
      if (!started) finish();
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      started = true;
      void (async () => {
        const n = stats.n++;
        let fault: Fault = o.faults?.[n] ?? 'ok';
        if (fault === 'ok' && o.faultRate !== undefined) {
          const h = createHash('sha256').update(String(n)).digest().readUInt32BE(0) / 2 ** 32;
          if (h < o.faultRate) fault = (['429', '500', 'slow', 'drop'] as const)[n % 4] as Fault;
        }
        stats.faults[fault] = (stats.faults[fault] ?? 0) + 1;
        if (req.url !== '/v1/embeddings' || req.method !== 'POST') {
          res.writeHead(404).end('not found');
          return;
        }
        if (o.apiKey !== undefined && req.headers.authorization !== `Bearer ${o.apiKey}`) {
          res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'invalid api key' } }));
          return;
        }
        if (fault === 'drop') {
          req.socket.destroy();
          return;
        }
        if (fault === '429') {
          res.writeHead(429, { 'retry-after': '0' }).end('slow down');
          return;
        }
        if (fault === '500') {
          res.writeHead(500).end('boom');
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { input: string[]; model: string; encoding_format?: string };
        await acquire();
        let reply: string;
        try {
          // The service time covers the whole batch, computing the reply included, as on a real
          // server: work done after the slot is freed would delay the other slots' timers and
          // make the server slower than its stated capacity.
          const started = performance.now();
          if (fault === 'slow') await new Promise((r) => setTimeout(r, o.slowMs ?? 2000));
          const seen = (t: string): string => {
            let x = o.stripInstruction ? t.replace(/^Instruct: [^\n]*\nQuery:\n/, '') : t;
            if (o.truncateChars !== undefined) x = x.slice(0, o.truncateChars);
            return x;
          };
          let data = body.input.map((text, index) => ({
            object: 'embedding',
            index,
            embedding: vectorOf(seen(text), fault === 'wrong-dims' ? dims + 1 : dims),
          }));
          if (fault === 'shuffle' || n % 3 === 2) data = [...data].reverse();
          reply = JSON.stringify({ object: 'list', data, model: body.model });
          const left = (o.serviceMs ?? 0) - (performance.now() - started);
          if (left > 0) await new Promise((r) => setTimeout(r, left));
        } finally {
          release();
        }
        stats.inputs += body.input.length;
        if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(reply);
      })().finally(finish);
    });
  });
  server.on('connection', (socket) => {
    connections++;
    socket.once('close', () => {
      connections--;
      wake();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests: stats,
    idle: () => (isIdle() ? Promise.resolve() : new Promise<void>((r) => idleWaiters.push(r))),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
