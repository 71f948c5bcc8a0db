/**
 * Training rows kept where the solver reads them. A k = all fit on wide embeddings used to copy
 * its training rows (float32) into the solver's private WebAssembly memory beside the feature
 * buffer that already held them: at 319,500 x 4,096 that was 3.3 GB on top of 5.2 GB. Instead,
 * the feature loader can put a task's labelled training rows in a shared WebAssembly memory
 * ({@link solverRows}) followed by the fit's scratch; the logistic solver then runs its kernels
 * on that memory in place ({@link solverMemoryOf}), in whichever thread fits, and scales the
 * columns inside the solver instead of in a copy.
 *
 * Only the primal path of a wide set uses it (more than {@link DENSE_MAX_COLS} columns and at
 * least as many rows as columns): the Gram path (fewer rows than columns) and the exact-Newton
 * path (at most 600 columns) keep their copy, which is small there.
 */
import { DENSE_MAX_COLS } from './denseNewtonStep.ts';
import { designScratch } from './logisticDesign.ts';
import { newSharedMemory, type WasmMemory } from './kernels.ts';

/** Where a registered memory's rows end and the fit's scratch begins. */
interface Registered {
  readonly memory: WasmMemory;
  /** Float32 values of rows at the start of the memory. */
  readonly length: number;
}

/** A solver memory holding the rows of `X`: the memory and the float64 offset of its scratch. */
export interface SolverMemoryRef {
  readonly memory: WasmMemory;
  /** Float64 offset of the fit's scratch: after every row of the memory, not just X's. */
  readonly scratchOff: number;
}

// Keyed by the SharedArrayBuffer: a row view's `buffer` finds its memory in any thread.
const registry = new WeakMap<ArrayBufferLike, Registered>();

/** The most one solver memory (one WebAssembly memory) holds: 4 GiB. */
export const SOLVER_MEMORY_MAX_BYTES = 2 ** 32;

/** Bytes at the end of a solver memory: one int32 lock word, padded. */
const LOCK_BYTES = 8;

/** Bytes of a solver memory for `rows` x `cols` float32 rows: rows, the primal fit's scratch, the lock. */
export function solverMemoryBytes(rows: number, cols: number): number {
  return Math.ceil((rows * cols) / 2) * 8 + designScratch(cols) * 8 + LOCK_BYTES;
}

/**
 * True when a fit on `rows` x `cols` training rows takes the solver's primal path of a wide set
 * and those rows fit in one WebAssembly memory (4 GiB): then the rows are worth keeping in solver
 * memory ({@link solverRows}). The memory estimate of an evaluation asks the same question.
 */
export function wantsSolverMemory(rows: number, cols: number): boolean {
  return cols > DENSE_MAX_COLS && rows >= cols && solverMemoryBytes(rows, cols) <= SOLVER_MEMORY_MAX_BYTES;
}

/**
 * A zero-filled float32 buffer of `rows` x `cols` values at the start of a new shared solver
 * memory, or undefined when {@link wantsSolverMemory} says no or the runtime has no WebAssembly
 * SIMD (callers then allocate a plain SharedArrayBuffer).
 */
export function solverRows(rows: number, cols: number): Float32Array<SharedArrayBuffer> | undefined {
  if (!wantsSolverMemory(rows, cols)) return undefined;
  const memory = newSharedMemory(solverMemoryBytes(rows, cols));
  return memory ? adoptSolverMemory(memory, rows * cols) : undefined;
}

/**
 * Register a solver memory received from another thread (or just made) and return its rows:
 * `length` float32 values from its start.
 */
export function adoptSolverMemory(memory: WasmMemory, length: number): Float32Array<SharedArrayBuffer> {
  const buffer = memory.buffer as SharedArrayBuffer;
  registry.set(buffer, { memory, length });
  return new Float32Array(buffer, 0, length);
}

/** The solver memory of a shared buffer, when it is one: the memory and its rows' length (for sending it to a worker). */
export function solverMemoryOfBuffer(buffer: ArrayBufferLike): { readonly memory: WasmMemory; readonly length: number } | undefined {
  return registry.get(buffer);
}

/**
 * The solver memory that holds `X` (rows of `cols` values) at its start (a view from byte 0 of a
 * registered memory), or undefined. The scratch offset is past all of the memory's rows, so a fit on a prefix of them
 * never writes over the rest.
 */
export function solverMemoryOf(X: Float32Array, cols: number): SolverMemoryRef | undefined {
  const r = registry.get(X.buffer);
  if (r === undefined || X.byteOffset !== 0 || X.length > r.length) return undefined;
  const scratchOff = Math.ceil(r.length / 2);
  // Rows of another width than the memory was sized for: not enough scratch, copy instead.
  if ((scratchOff + designScratch(cols)) * 8 > r.memory.buffer.byteLength - LOCK_BYTES) return undefined;
  return { memory: r.memory, scratchOff };
}

/**
 * Take the memory's scratch for one fit (false when another fit, in any thread, holds it: that
 * caller then copies its rows as before). Release it with {@link unlockSolverMemory}.
 */
export function lockSolverMemory(memory: WasmMemory): boolean {
  return Atomics.compareExchange(lockWord(memory), 0, 0, 1) === 0;
}

/** Give back the scratch taken with {@link lockSolverMemory}. */
export function unlockSolverMemory(memory: WasmMemory): void {
  Atomics.store(lockWord(memory), 0, 0);
}

function lockWord(memory: WasmMemory): Int32Array {
  const buffer = memory.buffer as SharedArrayBuffer;
  return new Int32Array(buffer, buffer.byteLength - LOCK_BYTES, 1);
}
