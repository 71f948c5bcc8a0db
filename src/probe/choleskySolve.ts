/**
 * Cholesky factorisation and solves for symmetric positive definite m x m matrices stored by
 * their lower triangle (row-major, `H[i*m+j]` with j <= i). Shared by the exact Newton steps of
 * the dense and the CSR logistic solvers, and by the CSR solver's Hessian preconditioner.
 */

/**
 * Factor H = L L' in place: H's lower triangle is overwritten with L (the upper triangle is not
 * read or written).
 *
 * @returns false when H is not numerically positive definite (a pivot is not positive); H is
 *   then partly overwritten.
 */
export function choleskyFactor(H: Float64Array, m: number): boolean {
  return factorPanel(H, m, 0, m);
}

/**
 * Factor columns k0..k1-1 of rows k0.. in place, given that earlier panels' updates are applied:
 * the unblocked algorithm on one panel (on all of H when k0 = 0, k1 = m).
 */
function factorPanel(H: Float64Array, m: number, k0: number, k1: number): boolean {
  for (let j = k0; j < k1; j++) {
    const rj = j * m;
    let d = H[rj + j] as number;
    for (let q = k0; q < j; q++) d -= (H[rj + q] as number) ** 2;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    H[rj + j] = ljj;
    for (let i = j + 1; i < m; i++) {
      const ri = i * m;
      let t = H[ri + j] as number;
      for (let q = k0; q < j; q++) t -= (H[ri + q] as number) * (H[rj + q] as number);
      H[ri + j] = t / ljj;
    }
  }
  return true;
}

/** Columns per panel of {@link choleskyFactorBlocked}: a packed panel of 2,000 rows is 1 MB. */
const PANEL = 64;

/**
 * {@link choleskyFactor} by panels of {@link PANEL} columns (right-looking): the same L up to
 * rounding, about three times faster at m = 2,000, where the unblocked form streams the whole
 * matrix from memory once per column. Each panel is packed into a contiguous buffer so the trailing
 * update reads it from cache. Summation order differs from {@link choleskyFactor}, which the exact
 * Newton steps keep so their fits stay bit-identical.
 *
 * @returns false when H is not numerically positive definite; H is then partly overwritten.
 */
export function choleskyFactorBlocked(H: Float64Array, m: number): boolean {
  const P = new Float64Array(m * PANEL);
  for (let k0 = 0; k0 < m; k0 += PANEL) {
    const k1 = Math.min(k0 + PANEL, m);
    const w = k1 - k0;
    // The panel's columns, every row from k0 down (earlier panels' updates already applied).
    if (!factorPanel(H, m, k0, k1)) return false;
    if (k1 === m) break;
    // Pack rows k1.. of the panel, then the trailing update H[i][j] -= P_i . P_j for k1 <= j <= i.
    for (let i = k1; i < m; i++) {
      const ri = i * m;
      const pi = (i - k1) * w;
      for (let q = 0; q < w; q++) P[pi + q] = H[ri + k0 + q] as number;
    }
    for (let i = k1; i < m; i++) {
      const ri = i * m;
      const pi = (i - k1) * w;
      for (let j = k1; j <= i; j++) {
        const pj = (j - k1) * w;
        let t0 = 0;
        let t1 = 0;
        let q = 0;
        for (; q + 1 < w; q += 2) {
          t0 += (P[pi + q] as number) * (P[pj + q] as number);
          t1 += (P[pi + q + 1] as number) * (P[pj + q + 1] as number);
        }
        if (q < w) t0 += (P[pi + q] as number) * (P[pj + q] as number);
        H[ri + j] = (H[ri + j] as number) - (t0 + t1);
      }
    }
  }
  return true;
}

/**
 * Solve `L L' x = b` with the factor from {@link choleskyFactor} or {@link choleskyFactorBlocked}; `x` may be `b`.
 * The back substitution walks L by rows (an axpy per row) so both solves read memory in order.
 */
export function choleskySolveFactored(L: Float64Array, m: number, b: Float64Array, x: Float64Array): void {
  for (let i = 0; i < m; i++) {
    const ri = i * m;
    let t = b[i] as number;
    for (let q = 0; q < i; q++) t -= (L[ri + q] as number) * (x[q] as number);
    x[i] = t / (L[ri + i] as number);
  }
  for (let i = m - 1; i >= 0; i--) {
    const ri = i * m;
    const xi = (x[i] as number) / (L[ri + i] as number);
    x[i] = xi;
    for (let q = 0; q < i; q++) x[q] = (x[q] as number) - (L[ri + q] as number) * xi;
  }
}

/**
 * Solve `H p = -g` by Cholesky in place (H's lower triangle is overwritten with L).
 *
 * @returns false when H is not numerically positive definite or p is not finite (callers fall
 *   back to conjugate gradients).
 */
export function choleskySolveNegative(H: Float64Array, m: number, g: Float64Array, p: Float64Array): boolean {
  if (!choleskyFactor(H, m)) return false;
  // Kept in this summation order (not choleskySolveFactored's) so exact Newton steps, and with
  // them every dense fit, stay bit-identical to earlier releases.
  for (let i = 0; i < m; i++) {
    let t = -(g[i] as number);
    for (let q = 0; q < i; q++) t -= (H[i * m + q] as number) * (p[q] as number);
    p[i] = t / (H[i * m + i] as number);
  }
  for (let i = m - 1; i >= 0; i--) {
    let t = p[i] as number;
    for (let q = i + 1; q < m; q++) t -= (H[q * m + i] as number) * (p[q] as number);
    p[i] = t / (H[i * m + i] as number);
  }
  return p.every(Number.isFinite);
}
