/** Shared by the benchmarks: the machine line and appending a section to bench/RESULTS.md. */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** One line describing this machine. */
export function machineLine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/** Append `## title (date)` with machine, command, a two-column table and a closing note. */
export function appendResult(title: string, command: string, rows: readonly (readonly [string, string])[], note = ''): void {
  const file = join(import.meta.dirname, 'RESULTS.md');
  if (!existsSync(file)) writeFileSync(file, '# Benchmarks\n\nEach section: date, machine, command, numbers. Newest last.\n');
  const table = `| measure | value |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}`;
  appendFileSync(
    file,
    `\n## ${title} (${new Date().toISOString().slice(0, 10)})\n\nMachine: ${machineLine()}\n\nCommand: \`${command}\`\n\n${table}\n${note ? `\n${note}\n` : ''}`,
  );
}
