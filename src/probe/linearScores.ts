import type { FeatureMatrix } from './FeatureMatrix.ts';

/**
 * `out[i] = b + X[i, :] . w` for a row-major n x d matrix. One loop per array type, so each stays
 * monomorphic (a shared loop over `Float32Array | Float64Array` runs about 5x slower in V8).
 *
 * @param out - destination of length n (returned).
 */
export function linearScores(X: FeatureMatrix, w: Float64Array, b: number, d: number, out: Float64Array): Float64Array {
  if (X instanceof Float64Array) for (let i = 0; i < out.length; i++) out[i] = b + rowDot64(X, i * d, w, d);
  else for (let i = 0; i < out.length; i++) out[i] = b + rowDot32(X, i * d, w, d);
  return out;
}

function rowDot64(A: Float64Array, o: number, w: Float64Array, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < len; j += 4) {
    s0 += (A[o + j] as number) * (w[j] as number);
    s1 += (A[o + j + 1] as number) * (w[j + 1] as number);
    s2 += (A[o + j + 2] as number) * (w[j + 2] as number);
    s3 += (A[o + j + 3] as number) * (w[j + 3] as number);
  }
  for (; j < len; j++) s0 += (A[o + j] as number) * (w[j] as number);
  return s0 + s1 + (s2 + s3);
}

function rowDot32(A: Float32Array, o: number, w: Float64Array, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < len; j += 4) {
    s0 += (A[o + j] as number) * (w[j] as number);
    s1 += (A[o + j + 1] as number) * (w[j + 1] as number);
    s2 += (A[o + j + 2] as number) * (w[j + 2] as number);
    s3 += (A[o + j + 3] as number) * (w[j + 3] as number);
  }
  for (; j < len; j++) s0 += (A[o + j] as number) * (w[j] as number);
  return s0 + s1 + (s2 + s3);
}
