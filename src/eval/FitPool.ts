/**
 * Head fits over worker threads: each job selects the head's hyperparameters on the tuning rows,
 * fits on the training rows and scores the test rows, in a worker with its own WebAssembly
 * kernels. Feature rows are not copied to the workers: a feature set's buffer is a
 * SharedArrayBuffer that every worker reads (sent once per worker and layout), and a job names
 * its rows by label index; a worker gathers few-shot rows into its own scratch and reads whole
 * splits as views, as the in-process evaluation does.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { UsageError } from '../errors.ts';
import type { HeadResult, HeadSpec } from './Head.ts';
import type { SharedLayout } from './sharedLayout.ts';
import type { WasmMemory } from '../probe/kernels.ts';
import { solverMemoryOfBuffer } from '../probe/solverMemory.ts';

/** How a layout's head rows travel to a worker: as their solver memory when they are in one. */
function headMessage(head: Float32Array<SharedArrayBuffer>): NonNullable<Extract<FitRequest, { type: 'layout' }>['head']> {
  const held = head.byteOffset === 0 ? solverMemoryOfBuffer(head.buffer) : undefined;
  if (held && held.length === head.length) return { memory: held.memory, byteOffset: 0, length: head.length };
  return { buffer: head.buffer, byteOffset: head.byteOffset, length: head.length };
}

/**
 * Worker threads by default: min(2, cores). Not more by default because every thread running a
 * k = all fit holds its own copies of that fit's matrices; ask for more with `--workers`.
 */
export function defaultFitWorkers(): number {
  return Math.min(2, availableParallelism());
}

/** One head fit for the pool: the rows are label indices into `layout` (as `RowLayout.rowOf` maps them). */
export interface FitJob {
  readonly head: HeadSpec;
  readonly layout: SharedLayout;
  /** Features per row. */
  readonly dims: number;
  readonly train: Int32Array;
  readonly yTrain: Uint8Array;
  readonly val: Int32Array;
  readonly yVal: Uint8Array;
  readonly test: Int32Array;
}

/** What a job gives back: the head's result and the seconds its fit took in the worker. */
export interface FitOutcome {
  readonly result: HeadResult;
  readonly seconds: number;
}

/** Messages to a worker: a layout (kept until the next one), or a job on the current layout. */
export type FitRequest =
  | {
      readonly type: 'layout';
      /**
       * The feature buffer itself, with the view's offset and length: Node 20 structured-clones a
       * typed-array view's length modulo 2^32 bytes, so a 5.2 GB view arrived as 0.9 GB (a
       * 319,500 x 4,096 task); the SharedArrayBuffer keeps its full byteLength.
       */
      readonly buffer: SharedArrayBuffer;
      readonly byteOffset: number;
      readonly length: number;
      readonly rowOf: Int32Array;
      /**
       * The head rows (`RowLayout.head`): a solver memory, sent as the memory itself so the worker
       * can fit on it in place, or a plain shared buffer; with their float32 length.
       */
      readonly head?: {
        readonly memory?: WasmMemory;
        readonly buffer?: SharedArrayBuffer;
        readonly byteOffset: number;
        readonly length: number;
      };
    }
  | { readonly type: 'fit'; readonly seq: number; readonly job: Omit<FitJob, 'layout'> };

/** A worker's message: ready (sent once, after loading), or its answer to a job. */
export type FitReply =
  | { readonly ready: true }
  | { readonly seq: number; readonly outcome: FitOutcome }
  | { readonly seq: number; readonly error: { readonly message: string; readonly usage: boolean } };

interface Slot {
  readonly worker: Worker;
  readonly waiting: Map<number, { ok: (o: FitOutcome) => void; fail: (e: Error) => void }>;
  /** The layout this worker holds (the last one sent). */
  layout: SharedLayout | undefined;
  /** Why the worker is gone (it answers nothing more), once it is. */
  dead: Error | undefined;
  /** Settles when the worker has loaded (or failed to). */
  readonly ready: Promise<void>;
  /** Fail the fits waiting on this worker and mark it gone. */
  fail(err: Error): void;
}

/** Worker threads that run head fits ({@link FitPool.fit}); close it with {@link FitPool.close}. */
export class FitPool {
  private readonly slots: Slot[];
  private seq = 0;
  private closed = false;

  /** @param workers number of threads (at least 1; default {@link defaultFitWorkers}) */
  constructor(workers: number = defaultFitWorkers()) {
    this.slots = Array.from({ length: Math.max(1, Math.floor(workers)) }, () => {
      const worker = new Worker(new URL('./fitWorkerEntry.mjs', import.meta.url));
      let loaded: { ok: () => void; fail: (e: Error) => void } | undefined;
      const ready = new Promise<void>((ok, fail) => (loaded = { ok, fail }));
      // Nobody may ask: do not report a failed start as an unhandled rejection (fits report it).
      ready.catch(() => undefined);
      const slot: Slot = { worker, waiting: new Map(), layout: undefined, dead: undefined, ready, fail: (err) => failAll(err) };
      worker.on('message', (m: FitReply) => {
        if ('ready' in m) return loaded?.ok();
        const w = slot.waiting.get(m.seq);
        if (!w) return;
        slot.waiting.delete(m.seq);
        if ('error' in m) w.fail(m.error.usage ? new UsageError(m.error.message) : new Error(`fit worker: ${m.error.message}`));
        else w.ok(m.outcome);
      });
      const failAll = (err: Error): void => {
        slot.dead ??= err;
        loaded?.fail(err);
        for (const w of slot.waiting.values()) w.fail(err);
        slot.waiting.clear();
      };
      worker.on('error', (err) => failAll(new Error(`fit worker failed: ${err.message}`, { cause: err })));
      worker.on('exit', (code) => failAll(new Error(`fit worker exited with code ${code}`)));
      return slot;
    });
  }

  /**
   * Resolves when every worker has loaded its modules (jobs need not wait for it: they queue).
   * For timing fits without the threads' start-up.
   */
  ready(): Promise<void> {
    return Promise.all(this.slots.map((s) => s.ready)).then(() => undefined);
  }

  /** Number of worker threads. */
  get size(): number {
    return this.slots.length;
  }

  /** Fits in flight (sent and not yet answered). */
  get busy(): number {
    return this.slots.reduce((a, s) => a + s.waiting.size, 0);
  }

  /**
   * Run one fit on the least busy worker (ties: the first).
   *
   * @throws UsageError as the head throws it in the worker (bad input); Error when the worker
   *   fails or exits, or the pool is closed
   */
  fit(job: FitJob): Promise<FitOutcome> {
    if (this.closed) return Promise.reject(new Error('the fit pool is closed'));
    const slot = this.slots.reduce((a, b) => (b.waiting.size < a.waiting.size ? b : a));
    if (slot.dead) return Promise.reject(slot.dead);
    const seq = this.seq++;
    const { layout, ...rest } = job;
    return new Promise((ok, fail) => {
      slot.waiting.set(seq, { ok, fail });
      if (slot.layout !== layout) {
        // Messages are handled in order, so every later job of this worker sees this layout.
        slot.worker.postMessage({
          type: 'layout',
          buffer: layout.X.buffer,
          byteOffset: layout.X.byteOffset,
          length: layout.X.length,
          rowOf: layout.rowOf,
          ...(layout.head ? { head: headMessage(layout.head) } : {}),
        } satisfies FitRequest);
        slot.layout = layout;
      }
      slot.worker.postMessage({ type: 'fit', seq, job: rest } satisfies FitRequest);
    });
  }

  /** Stop the threads; fits in flight fail at once. Safe to call more than once. */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.slots) s.fail(new Error('the fit pool was closed with this fit in flight'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
