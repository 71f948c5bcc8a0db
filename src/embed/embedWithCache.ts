/**
 * Embed many inputs through the cache: identical inputs are embedded once, cached ones not at
 * all, and every finished batch is committed before the next starts, so an interrupted run
 * keeps its work.
 */
import type { EmbedInput, Embedder } from './Embedder.ts';
import { EmbeddingCache } from './EmbeddingCache.ts';

/** Counts of one {@link embedWithCache} call. */
export interface EmbedStats {
  readonly inputs: number;
  /** Distinct (instruction, text) pairs. */
  readonly distinct: number;
  /** Distinct inputs found in the cache. */
  readonly cacheHits: number;
  /** Distinct inputs embedded now. */
  readonly embedded: number;
  readonly seconds: number;
}

/** Options of {@link embedWithCache}. */
export interface EmbedWithCacheOptions {
  /** Inputs per embedder call and per cache commit (default 64). */
  readonly batchSize?: number;
  /**
   * Embedder calls in flight at once (default 1). Two keep a multi-server backend busy while one
   * call waits for its last, slowest batch; only for embedders that accept concurrent calls.
   */
  readonly parallelCalls?: number;
  /** Called after each committed batch with (embedded so far, to embed in all). */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * The input as the cache sees it: models of the plain family ignore instructions, so the same
 * text under different task instructions is one entry, embedded once.
 */
export function cacheInput(embedder: Pick<Embedder, 'family'>, input: EmbedInput): EmbedInput {
  return embedder.family === 'plain' && input.instruction !== null ? { text: input.text, instruction: null } : input;
}

/** Embed `inputs` with `embedder`, reading and filling `cache`. Returns vectors in input order. */
export async function embedWithCache(
  embedder: Embedder,
  cache: EmbeddingCache,
  inputs: readonly EmbedInput[],
  options: EmbedWithCacheOptions = {},
): Promise<{ vectors: Float32Array[]; stats: EmbedStats }> {
  const started = performance.now();
  const modelKey = `${embedder.spec}|${embedder.family}`;
  const keys = inputs.map((i) => EmbeddingCache.key(modelKey, cacheInput(embedder, i)));
  const firstByKey = new Map<string, number>();
  keys.forEach((k, i) => {
    if (!firstByKey.has(k)) firstByKey.set(k, i);
  });
  const vecByKey = new Map<string, Float32Array>();
  const todo: string[] = [];
  for (const k of firstByKey.keys()) {
    const v = cache.get(k);
    if (v) vecByKey.set(k, v);
    else todo.push(k);
  }
  const cacheHits = vecByKey.size;
  const batchSize = options.batchSize ?? 64;
  options.onProgress?.(0, todo.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const batchKeys = todo.slice(next, next + batchSize);
      next += batchSize;
      const vecs = await embedder.embed(batchKeys.map((k) => inputs[firstByKey.get(k) as number] as EmbedInput));
      const entries = batchKeys.map((k, j) => [k, vecs[j] as Float32Array] as const);
      await cache.putMany(entries);
      for (const [k, v] of entries) vecByKey.set(k, v);
      done += batchKeys.length;
      options.onProgress?.(done, todo.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallelCalls ?? 1, Math.ceil(todo.length / batchSize))) }, worker));
  return {
    vectors: keys.map((k) => vecByKey.get(k) as Float32Array),
    stats: {
      inputs: inputs.length,
      distinct: firstByKey.size,
      cacheHits,
      embedded: todo.length,
      seconds: (performance.now() - started) / 1000,
    },
  };
}
