/**
 * Content-addressed embedding cache on LMDB: key = SHA-256 of (model spec, family, instruction,
 * exact text); value = the float32 vector. LMDB commits are atomic and crash-safe, so a run killed
 * with `kill -9` loses only the batch in flight, and a rerun embeds only what is missing. Several
 * processes may share one cache directory.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, type RootDatabase } from 'lmdb';
import { UsageError } from '../errors.ts';
import type { EmbedInput } from './Embedder.ts';

/** Default cache location (per user project): `.ehr-embed-cache/embeddings` in the working directory. */
export const DEFAULT_CACHE_DIR = '.ehr-embed-cache/embeddings';

/** A persistent map from embedding inputs to vectors. */
export class EmbeddingCache {
  private readonly db: RootDatabase<Buffer, string>;
  readonly dir: string;

  private constructor(dir: string, db: RootDatabase<Buffer, string>) {
    this.dir = dir;
    this.db = db;
  }

  /** Open (creating if needed) the cache at `dir`. */
  static open(dir: string = DEFAULT_CACHE_DIR): EmbeddingCache {
    try {
      mkdirSync(dir, { recursive: true });
      const db = open<Buffer, string>({ path: dir, encoding: 'binary', compression: false, mapSize: 2 ** 34 });
      return new EmbeddingCache(dir, db);
    } catch (err) {
      throw new UsageError(`cannot open the embedding cache: ${(err as Error).message}`, { file: dir }, { cause: err });
    }
  }

  /** Cache key of one input for a model (spec plus family; pooling/dims are part of the spec). */
  static key(modelKey: string, input: EmbedInput): string {
    return createHash('sha256').update(modelKey).update('\u0000').update(input.instruction ?? '\u0001none').update('\u0000').update(input.text).digest('hex');
  }

  /** Look up one key. */
  get(key: string): Float32Array | undefined {
    const buf = this.db.get(key);
    if (buf === undefined) return undefined;
    // Copy: LMDB may reuse the buffer it returned.
    const out = new Float32Array(buf.length / 4);
    new Uint8Array(out.buffer).set(buf);
    return out;
  }

  /** True when the key is present. */
  has(key: string): boolean {
    return this.db.doesExist(key);
  }

  /** Store vectors and wait until they are durable. */
  async putMany(entries: readonly (readonly [string, Float32Array])[]): Promise<void> {
    await this.db.transaction(() => {
      for (const [k, v] of entries) this.db.put(k, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    });
  }

  /** Number of cached vectors. */
  get size(): number {
    return this.db.getCount();
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
