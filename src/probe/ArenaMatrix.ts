/**
 * A row-major n x cols matrix held in the kernel arena ({@link Kernels}), in the precision it was
 * given: float32 features stay float32 (n cols 4 bytes; the kernels widen each value to float64
 * as they read it, so products are exact and sums float64), float64 ones stay float64. A float32
 * copy of 120,000 x 4,096 features is 2 GB where a widened one was 4 GB, and the arena is capped
 * at 4 GiB.
 */
import type { FeatureMatrix } from './FeatureMatrix.ts';
import type { Kernels } from './kernels.ts';
import { UsageError } from '../errors.ts';

/** Where a matrix sits in the arena. */
export interface ArenaMatrix {
  /** Offset of row 0, in elements of its own type (float32 index when `f32`, else float64). */
  readonly off: number;
  readonly f32: boolean;
  readonly n: number;
  readonly cols: number;
  /** Float64 arena elements the matrix occupies (from float64 offset 0). */
  readonly doubles: number;
}

/**
 * Reserve `extra` float64 values after the matrix and copy X (n x d, row-major) to the start of
 * the arena, dividing column j by `scale[j]` when given (max-abs scaling without a scaled copy in
 * the JS heap; float32 input keeps float32 scaled values, as scikit-learn's MaxAbsScaler keeps
 * float32 input float32).
 *
 * @throws UsageError when the arena cannot hold the matrix.
 */
export function loadArenaMatrix(k: Kernels, X: FeatureMatrix, d: number, extra: number, scale?: ArrayLike<number>): ArenaMatrix {
  const n = X.length / d;
  const f32 = X instanceof Float32Array;
  const doubles = f32 ? Math.ceil(X.length / 2) : X.length;
  k.reserve(doubles + extra);
  if (f32) {
    const m = k.view32();
    if (scale === undefined) m.set(X);
    else copyScaled32(m, X, d, scale);
  } else {
    const m = k.view();
    if (scale === undefined) m.set(X);
    else copyScaled64(m, X, d, scale);
  }
  return { off: 0, f32, n, cols: d, doubles };
}

function copyScaled32(m: Float32Array, X: Float32Array, d: number, scale: ArrayLike<number>): void {
  const s = Float64Array.from({ length: d }, (_, j) => scale[j] as number);
  for (let o = 0; o < X.length; o += d) for (let j = 0; j < d; j++) m[o + j] = (X[o + j] as number) / (s[j] as number);
}

function copyScaled64(m: Float64Array, X: Float64Array, d: number, scale: ArrayLike<number>): void {
  const s = Float64Array.from({ length: d }, (_, j) => scale[j] as number);
  for (let o = 0; o < X.length; o += d) for (let j = 0; j < d; j++) m[o + j] = (X[o + j] as number) / (s[j] as number);
}

/**
 * Check a per-column scale: d positive finite numbers.
 *
 * @throws UsageError naming the column otherwise.
 */
export function checkScale(scale: ArrayLike<number>, d: number): void {
  if (scale.length !== d) throw new UsageError(`${scale.length} column scales given for ${d} features`, { field: 'scale' });
  for (let j = 0; j < d; j++) {
    const s = scale[j] as number;
    if (!(s > 0 && Number.isFinite(s)))
      throw new UsageError(`column scale must be a positive finite number, got ${s} (column ${j + 1})`, { field: 'scale' });
  }
}

/**
 * `out = A^T v` (float64, `A.cols` values at arena offset `outOff`): one pass over A, four rows
 * at a time.
 */
export function transposeTimes(k: Kernels, A: ArenaMatrix, v: Float64Array, outOff: number): void {
  const { off, n, cols } = A;
  k.view().fill(0, outOff, outOff + cols);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o = off + i * cols;
    if (A.f32) k.axpy4f(outOff, o, cols, v[i] as number, v[i + 1] as number, v[i + 2] as number, v[i + 3] as number, cols);
    else k.axpy4(outOff, o, cols, v[i] as number, v[i + 1] as number, v[i + 2] as number, v[i + 3] as number, cols);
  }
  for (; i < n; i++) axpyRow(k, A, i, v[i] as number, outOff);
}

/** `arena[outOff + j] += r * A[i, j]` for one row (the leftover rows of the four-row loops). */
export function axpyRow(k: Kernels, A: ArenaMatrix, i: number, r: number, outOff: number): void {
  if (r === 0) return;
  const o = A.off + i * A.cols;
  if (!A.f32) {
    k.axpy(outOff, o, r, A.cols);
    return;
  }
  const m = k.view();
  const a = k.view32();
  for (let j = 0; j < A.cols; j++) m[outOff + j] = (m[outOff + j] as number) + r * (a[o + j] as number);
}

/** `A[i, :] . arena[wOff ...]` for one row. */
export function dotRow(k: Kernels, A: ArenaMatrix, i: number, wOff: number): number {
  const o = A.off + i * A.cols;
  if (!A.f32) return k.dot(o, wOff, A.cols);
  const m = k.view();
  const a = k.view32();
  let t = 0;
  for (let j = 0; j < A.cols; j++) t += (a[o + j] as number) * (m[wOff + j] as number);
  return t;
}

/** Copy row i of A into `row` (float64, at least `A.cols` long). */
export function readRow(k: Kernels, A: ArenaMatrix, i: number, row: Float64Array): void {
  const o = A.off + i * A.cols;
  row.set((A.f32 ? k.view32() : k.view()).subarray(o, o + A.cols));
}
