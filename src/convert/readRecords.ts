/**
 * Stream the JSON records of FHIR input: a Bundle or resource `.json` file, NDJSON (optionally
 * gzip) of Bundles or of bare resources, or a directory of such files. Each record comes with
 * its file and line so that problems can be reported where they are.
 */
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { UsageError } from '../errors.ts';

/** One JSON line or file, parsed or not. */
export interface RawRecord {
  readonly file: string;
  readonly line: number;
  /** The parsed value, or undefined when it did not parse. */
  readonly value: unknown;
  /** Parse error message when `value` is undefined. */
  readonly error?: string;
}

const EXTENSIONS = /\.(json|ndjson|jsonl)(\.gz)?$/i;

/** Files to read, in a stable order; bulk-export `Medication*` files first so references resolve. */
export function listFhirFiles(input: string): string[] {
  const st = statSync(input);
  if (st.isFile()) return [input];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && EXTENSIONS.test(e.name)) out.push(p);
    }
  };
  walk(input);
  if (out.length === 0) throw new UsageError('no .json, .ndjson or .ndjson.gz files found', { file: input });
  const rank = (p: string): number => (/(^|\/)Medication[^/]*$/i.test(p) ? 0 : 1);
  return out.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Total input bytes (for progress). */
export function totalBytes(files: readonly string[]): number {
  return files.reduce((n, f) => n + statSync(f).size, 0);
}

/**
 * Yield records from the files. `onBytes` receives the bytes of input consumed so far (compressed
 * bytes for .gz).
 */
export async function* readRecords(files: readonly string[], root: string, onBytes?: (bytes: number) => void): AsyncGenerator<RawRecord> {
  let before = 0;
  for (const file of files) {
    const name = relative(root, file) || file;
    const isNdjson = /\.(ndjson|jsonl)(\.gz)?$/i.test(file);
    const gz = /\.gz$/i.test(file);
    if (!isNdjson && !gz) {
      // A single JSON document (Bundle or resource).
      const text = readFileSync(file, 'utf8');
      before += Buffer.byteLength(text);
      onBytes?.(before);
      yield parse(name, 1, text);
      continue;
    }
    const raw = createReadStream(file);
    let consumed = 0;
    raw.on('data', (chunk) => {
      consumed += chunk.length;
    });
    const stream = gz ? raw.pipe(createGunzip()) : raw;
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    let line = 0;
    try {
      for await (const text of rl) {
        line++;
        if (text.trim() === '') continue;
        if ((line & 63) === 0) onBytes?.(before + consumed);
        yield parse(name, line, text);
      }
    } catch (err) {
      // A truncated gzip stream: report where it ended; lines before it were converted.
      yield { file: name, line: line + 1, value: undefined, error: `unreadable input (${(err as Error).message})` };
    }
    before += statSync(file).size;
    onBytes?.(before);
  }
}

function parse(file: string, line: number, text: string): RawRecord {
  try {
    return { file, line, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { file, line, value: undefined, error: `invalid JSON (${(err as Error).message.split('\n')[0]})` };
  }
}
