/**
 * Solve `H p = -g` for a symmetric m x m matrix given by its lower triangle (row-major, `H[i*m+j]`
 * with j <= i), by Cholesky in place: H's lower triangle is overwritten with L (H = L L').
 * Shared by the exact Newton steps of the dense and the CSR logistic solvers.
 *
 * @returns false when H is not numerically positive definite or p is not finite (callers fall
 *   back to conjugate gradients).
 */
export function choleskySolveNegative(H: Float64Array, m: number, g: Float64Array, p: Float64Array): boolean {
  for (let j = 0; j < m; j++) {
    let d = H[j * m + j] as number;
    for (let q = 0; q < j; q++) d -= (H[j * m + q] as number) ** 2;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    H[j * m + j] = ljj;
    for (let i = j + 1; i < m; i++) {
      let t = H[i * m + j] as number;
      for (let q = 0; q < j; q++) t -= (H[i * m + q] as number) * (H[j * m + q] as number);
      H[i * m + j] = t / ljj;
    }
  }
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
