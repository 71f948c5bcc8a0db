/**
 * Stream the JSON records of FHIR input: a Bundle or resource `.json` file, NDJSON (optionally
 * gzip) of Bundles or of bare resources, or a directory of such files. Each record comes with
 * its file and line so that problems can be reported where they are.
 */
import { closeSync, createReadStream, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { UsageError } from '../errors.ts';
import { jsonErrorReason } from '../jsonErrorReason.ts';

/** One JSON line or file, parsed or not. */
export interface RawRecord {
  readonly file: string;
  readonly line: number;
  /** The parsed value, or undefined when it did not parse. */
  readonly value: unknown;
  /** Parse error message when `value` is undefined. */
  readonly error?: string;
  /**
   * True when the text has a number literal too small for a double (`1e-400`): `JSON.parse`
   * reads it as 0 without a word, so the converter counts it.
   */
  readonly underflow?: boolean;
}

/** A number literal with an exponent of -324 or below (smaller than the smallest double). */
const UNDERFLOW = /\d[eE]-0*(?:3[2-9]\d|[4-9]\d\d|[1-9]\d{3,})(?!\d)/;

const EXTENSIONS = /\.(json|ndjson|jsonl)(\.gz)?$/i;

/** Files to read, in a stable order; bulk-export `Medication*` files first so references resolve. */
export function listFhirFiles(input: string): string[] {
  const st = statSync(input);
  if (st.isFile()) return [input];
  const out: string[] = [];
  const visited = new Set<string>();
  const walk = (d: string): void => {
    // A link back to a parent directory must not loop forever.
    const real = realpathSync(d);
    if (visited.has(real)) return;
    visited.add(real);
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      // Follow symbolic links (a directory of links into an export is common); a broken one is skipped.
      const kind = e.isSymbolicLink() ? linkTarget(p) : e.isDirectory() ? 'dir' : e.isFile() ? 'file' : null;
      if (kind === 'dir') walk(p);
      else if (kind === 'file' && EXTENSIONS.test(e.name)) out.push(p);
    }
  };
  walk(input);
  if (out.length === 0) throw new UsageError('no .json, .ndjson or .ndjson.gz files found', { file: input });
  const rank = (p: string): number => (/(^|\/)Medication[^/]*$/i.test(p) ? 0 : 1);
  return out.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function linkTarget(p: string): 'dir' | 'file' | null {
  try {
    const st = statSync(p);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : null;
  } catch {
    return null;
  }
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
    const head = firstBytes(file, 4);
    const gz = head[0] === 0x1f && head[1] === 0x8b;
    const unreadable = gz ? null : encodingProblem(head, /\.gz$/i.test(file));
    if (unreadable !== null) {
      // One reject for the whole file: its lines are not text we can split.
      before += statSync(file).size;
      onBytes?.(before);
      yield { file: name, line: 1, value: undefined, error: unreadable };
      continue;
    }
    if (!isNdjson && !gz) {
      // A single JSON document (Bundle or resource).
      const text = readFileSync(file, 'utf8');
      before += Buffer.byteLength(text);
      onBytes?.(before);
      if (text.trim() === '') {
        yield { file: name, line: 1, value: undefined, error: 'empty file' };
        continue;
      }
      yield parse(name, 1, stripBom(text));
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
    let records = 0;
    try {
      for await (const text of rl) {
        line++;
        const t = line === 1 ? stripBom(text) : text;
        if (line === 1 && (t.includes('\u0000') || t.startsWith('\ufffd'))) {
          // Decompressed UTF-16 or binary: one reject for the file rather than one per "line".
          yield { file: name, line: 1, value: undefined, error: 'binary data or UTF-16 text: expected UTF-8 JSON' };
          records++;
          break;
        }
        if (t.trim() === '') continue;
        records++;
        if ((line & 63) === 0) onBytes?.(before + consumed);
        yield parse(name, line, t);
      }
      if (records === 0) yield { file: name, line: 1, value: undefined, error: 'empty file' };
    } catch (err) {
      // A truncated gzip stream: report where it ended; lines before it were converted.
      yield { file: name, line: line + 1, value: undefined, error: `unreadable input (${(err as Error).message})` };
    } finally {
      raw.destroy();
    }
    before += statSync(file).size;
    onBytes?.(before);
  }
}

/** The first `n` bytes of a file (fewer when it is shorter). */
function firstBytes(file: string, n: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(n);
    return b.subarray(0, readSync(fd, b, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** Why a file cannot be read as UTF-8 JSON text, from its first bytes; null when it may be. */
function encodingProblem(head: Buffer, gzName: boolean): string | null {
  if (gzName) return 'not gzip data (the file name ends in .gz)';
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return 'UTF-16 text: expected UTF-8 JSON';
  if (head.includes(0)) return 'binary data or UTF-16 text: expected UTF-8 JSON';
  return null;
}

/** Drop a UTF-8 byte-order mark (some Windows tools write one). */
function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function parse(file: string, line: number, text: string): RawRecord {
  try {
    const value = JSON.parse(text) as unknown;
    return UNDERFLOW.test(text) ? { file, line, value, underflow: true } : { file, line, value };
  } catch (err) {
    return { file, line, value: undefined, error: jsonErrorReason(err, text) };
  }
}
