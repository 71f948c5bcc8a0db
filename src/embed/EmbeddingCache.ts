/**
 * Content-addressed embedding cache on LMDB: key = SHA-256 of (model spec, family, instruction,
 * exact text); value = the float32 vector. LMDB commits are atomic and crash-safe, so a run killed
 * with `kill -9` loses only the batch in flight, and a rerun embeds only what is missing. Several
 * processes may share one cache directory on one machine; shards on different machines each
 * keep their own and {@link EmbeddingCache.mergeFrom} combines them (`ehr-embed cache merge`).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { UsageError } from '../errors.ts';
import type { EmbedInput } from './Embedder.ts';

/** Default cache location (per user project): `.ehr-embed-cache/embeddings` in the working directory. */
export const DEFAULT_CACHE_DIR = '.ehr-embed-cache/embeddings';

/** What {@link EmbeddingCache.mergeFrom} did. */
export interface CacheMergeStats {
  readonly source: string;
  /** Entries read from the source. */
  readonly read: number;
  /** Entries the destination did not have. */
  readonly added: number;
  /** Entries the destination had with the same bytes. */
  readonly same: number;
  /**
   * Entries the destination had with different bytes (a server that is not bit-deterministic):
   * the destination's vector is kept, so vectors already used stay as they were.
   */
  readonly differing: number;
}

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
    return createHash('sha256')
      .update(modelKey)
      .update('\u0000')
      .update(input.instruction ?? '\u0001none')
      .update('\u0000')
      .update(input.text)
      .digest('hex');
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

  /**
   * Copy every entry of the cache at `srcDir` that this cache lacks, in transactions of
   * `chunk` entries (an interrupted merge keeps what it committed and a rerun finishes it).
   * The source is opened read-only and left unchanged.
   *
   * @throws UsageError when `srcDir` is not an embedding cache or is this cache
   */
  async mergeFrom(srcDir: string, chunk = 10_000): Promise<CacheMergeStats> {
    if (!existsSync(join(srcDir, 'data.mdb'))) throw new UsageError('not an embedding cache (no data.mdb)', { file: srcDir });
    if (resolve(srcDir) === resolve(this.dir)) throw new UsageError('cannot merge a cache into itself', { file: srcDir });
    let src: RootDatabase<Buffer, string>;
    try {
      src = open<Buffer, string>({ path: srcDir, encoding: 'binary', compression: false, readOnly: true });
    } catch (err) {
      throw new UsageError(`cannot open the embedding cache: ${(err as Error).message}`, { file: srcDir }, { cause: err });
    }
    let read = 0;
    let added = 0;
    let same = 0;
    let differing = 0;
    try {
      let pending: [string, Buffer][] = [];
      const flush = async (): Promise<void> => {
        const batch = pending;
        pending = [];
        await this.db.transaction(() => {
          for (const [k, v] of batch) this.db.put(k, v);
        });
      };
      for (const { key, value } of src.getRange()) {
        read++;
        const have = this.db.getBinary(key);
        if (have === undefined) {
          // Copy: the range iterator's buffer is reused for the next entry.
          pending.push([key, Buffer.from(value)]);
          added++;
        } else if (Buffer.compare(have, value) === 0) same++;
        else differing++;
        if (pending.length >= chunk) await flush();
      }
      if (pending.length > 0) await flush();
    } finally {
      await src.close();
    }
    return { source: srcDir, read, added, same, differing };
  }

  /** Number of cached vectors. */
  get size(): number {
    return this.db.getCount();
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
