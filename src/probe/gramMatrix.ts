import type { ArenaMatrix } from './ArenaMatrix.ts';
import type { Kernels } from './kernels.ts';

/** Rows per cache block of the Gram computation (8 rows of 4,096 float64 = 256 KiB). */
const GRAM_BLOCK = 8;

/**
 * Write K = X X^T (n x n float64, row-major, symmetric) at float64 offset `kOff` of the kernel
 * arena, for X in the arena (float32 or float64; float32 products are exact in float64, so K is
 * the same either way up to the order of the sums). `outOff` is 8 doubles of scratch.
 */
export function gramMatrix(k: Kernels, X: ArenaMatrix, kOff: number, outOff: number): void {
  const { n, cols: d, off } = X;
  const mem = k.view();
  const put = (i: number, j: number, v: number): void => {
    mem[kOff + i * n + j] = v;
    mem[kOff + j * n + i] = v;
  };
  // Blocks of GRAM_BLOCK rows i stay in L2 while each row j streams past them once, instead of
  // once per i, and four rows i share each load of row j (float32 rows: four rows i and two rows
  // j per load, 8 products): compute-bound, not memory-bound. Diagonal blocks compute a few
  // entries twice (i < j), which costs less than a triangular special case.
  for (let i0 = 0; i0 < n; i0 += GRAM_BLOCK) {
    const i1 = Math.min(n, i0 + GRAM_BLOCK);
    const full = i0 + Math.floor((i1 - i0) / 4) * 4; // rows [i0, full) in fours
    if (X.f32) {
      for (let j = 0; j < i1; j += 2) {
        const pair = j + 1 < i1;
        for (let i = i0; i < full; i += 4) {
          if (pair) {
            k.dot4x2ff(off + i * d, d, off + j * d, d, d, outOff);
            for (let q = 0; q < 4; q++) {
              put(i + q, j, mem[outOff + 2 * q] as number);
              put(i + q, j + 1, mem[outOff + 2 * q + 1] as number);
            }
          } else {
            k.dot4ff(off + i * d, d, off + j * d, d, outOff);
            for (let q = 0; q < 4; q++) put(i + q, j, mem[outOff + q] as number);
          }
        }
      }
    } else {
      for (let j = 0; j < i1; j++) {
        for (let i = i0; i < full; i += 4) {
          k.dot4(off + i * d, d, off + j * d, d, outOff);
          for (let q = 0; q < 4; q++) put(i + q, j, mem[outOff + q] as number);
        }
      }
    }
    for (let i = full; i < i1; i++) for (let j = 0; j <= i; j++) put(i, j, rowDot(k, X, i, j));
  }
}

function rowDot(k: Kernels, X: ArenaMatrix, i: number, j: number): number {
  const d = X.cols;
  if (!X.f32) return k.dot(X.off + i * d, X.off + j * d, d);
  const a = k.view32();
  let t = 0;
  for (let c = 0; c < d; c++) t += (a[X.off + i * d + c] as number) * (a[X.off + j * d + c] as number);
  return t;
}
