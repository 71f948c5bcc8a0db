import { choleskySolveNegative } from './choleskySolve.ts';
import { readRow } from './ArenaMatrix.ts';
import type { ArenaMatrix } from './ArenaMatrix.ts';
import type { Kernels } from './kernels.ts';

/**
 * Largest number of features for which the primal path factors the Hessian (Newton steps exact):
 * forming it costs about as much as a few dozen Hessian-vector products, and on separable count
 * features at large C conjugate gradients need thousands of those per step.
 */
export const DENSE_MAX_COLS = 600;

/**
 * p = -H^-1 g for H = A' diag(w) A + penalty I (coefficients; the intercept, last, unpenalised),
 * A in the kernel arena: forms H (lower triangle, O(n cols^2 / 2)) and solves by Cholesky.
 * Returns false when H is not numerically positive definite (the caller falls back to CG).
 */
export function denseNewtonStep(k: Kernels, A: ArenaMatrix, w: Float64Array, penalty: number, g: Float64Array, p: Float64Array): boolean {
  const { n, cols } = A;
  const m = cols + 1;
  const H = new Float64Array(m * m);
  const row = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const wi = w[i] as number;
    if (wi === 0) continue;
    readRow(k, A, i, row);
    row[cols] = 1;
    for (let j = 0; j < m; j++) {
      const t = wi * (row[j] as number);
      if (t === 0) continue;
      const hj = j * m;
      for (let l = 0; l <= j; l++) H[hj + l] = (H[hj + l] as number) + t * (row[l] as number);
    }
  }
  for (let j = 0; j < cols; j++) H[j * m + j] = (H[j * m + j] as number) + penalty;
  return choleskySolveNegative(H, m, g, p);
}
