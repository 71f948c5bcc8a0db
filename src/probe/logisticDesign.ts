/**
 * The primal L2 logistic objective over a design matrix in the kernel arena, as the
 * {@link NewtonProblem} of each C: value and gradient, Hessian-vector products and diagonal, and
 * (at most {@link DENSE_MAX_COLS} columns) exact Newton steps. Parameters are `[w (cols); b]`, the
 * objective is the mean form `(1/n) sum_i logloss_i + ||w||^2 / (2 C n)` (see logistic.ts).
 */
import { axpyRow, dotRow, readRow } from './ArenaMatrix.ts';
import type { ArenaMatrix } from './ArenaMatrix.ts';
import { DENSE_MAX_COLS, denseNewtonStep } from './denseNewtonStep.ts';
import type { Kernels } from './kernels.ts';
import type { NewtonProblem } from './newtonCg.ts';

/** Float64 arena scratch a {@link logisticDesign} needs: w, its gradient (cols + 1 each) and 4 scores. */
export const designScratch = (cols: number): number => 2 * (cols + 1) + 4;

/**
 * Bind the objective to design A and labels y; `scratchOff` is {@link designScratch}(cols) float64
 * values of arena scratch (where the kernels read w and write the gradient).
 *
 * With `colScale` (d positive numbers), the design is `A[:, j] / colScale[j]` without a scaled copy
 * of A: each pass reads `A (w / s)` and returns `(A^T r) / s`, so the Newton iteration runs on the
 * scaled problem and its certificate is that problem's gradient. The scaled values are then exact
 * (float64 division of the products), not rounded to float32 as a scaled float32 copy would be.
 * Not with the exact-Newton path (at most {@link DENSE_MAX_COLS} columns), which reads A directly.
 */
export function logisticDesign(k: Kernels, A: ArenaMatrix, y: Float64Array, scratchOff: number, colScale?: Float64Array) {
  const { n, cols } = A;
  const dense = cols <= DENSE_MAX_COLS;
  if (colScale !== undefined && dense) throw new Error(`a column scale in the solver needs more than ${DENSE_MAX_COLS} columns`);
  const thOff = scratchOff;
  const grOff = thOff + cols + 1;
  const outOff = grOff + cols + 1;
  // Curvature weights p_i (1 - p_i) / n of the point evaluated last (for hessVec/hessDiag).
  const weight = new Float64Array(n);
  const invN = 1 / n;
  let loss = 0;
  // Adds row i's loss, records its curvature weight p (1 - p) / n and returns its residual
  // (p - y) / n. Every term is computed without cancellation (1 - p as e / (1 + e), not 1 - p),
  // so tiny residuals of well-separated rows at large C keep their relative accuracy.
  const residual = (i: number, z: number): number => {
    const yi = y[i] as number;
    const e = Math.exp(-Math.abs(z));
    const big = 1 / (1 + e); // the larger of p and 1 - p
    const small = e * big; // the smaller
    weight[i] = small * big * invN;
    if (z >= 0) {
      loss += Math.log1p(e) + (1 - yi) * z;
      return (yi === 1 ? -small : big) * invN;
    }
    loss += Math.log1p(e) - yi * z;
    return (yi === 1 ? -big : small) * invN;
  };
  /**
   * One pass over A: out_w = sum_i c_i(A_i . v_w + v_b) A_i, out_b = sum_i c_i(...), where
   * `coefOf(i, score)` maps row i's score to its multiplier c_i. Returns out_b.
   */
  const pass = (v: Float64Array, coefOf: (i: number, s: number) => number): number => {
    const mem = k.view();
    if (colScale === undefined) mem.set(v.subarray(0, cols), thOff);
    else for (let j = 0; j < cols; j++) mem[thOff + j] = (v[j] as number) / (colScale[j] as number);
    mem.fill(0, grOff, grOff + cols);
    const b = v[cols] as number;
    let gb = 0;
    let i = 0;
    // Four rows at a time: v and the output cross the cache once per four rows, and the rows
    // are read for the scores and, still in cache, for the output.
    for (; i + 3 < n; i += 4) {
      const o = A.off + i * cols;
      if (A.f32) k.dot4f(o, cols, thOff, cols, outOff);
      else k.dot4(o, cols, thOff, cols, outOff);
      const r0 = coefOf(i, b + (mem[outOff] as number));
      const r1 = coefOf(i + 1, b + (mem[outOff + 1] as number));
      const r2 = coefOf(i + 2, b + (mem[outOff + 2] as number));
      const r3 = coefOf(i + 3, b + (mem[outOff + 3] as number));
      gb += r0 + r1 + r2 + r3;
      if (A.f32) k.axpy4f(grOff, o, cols, r0, r1, r2, r3, cols);
      else k.axpy4(grOff, o, cols, r0, r1, r2, r3, cols);
    }
    for (; i < n; i++) {
      const ri = coefOf(i, b + dotRow(k, A, i, thOff));
      gb += ri;
      axpyRow(k, A, i, ri, grOff);
    }
    if (colScale !== undefined) for (let j = 0; j < cols; j++) mem[grOff + j] = (mem[grOff + j] as number) / (colScale[j] as number);
    return gb;
  };
  const curvature = (i: number, s: number): number => (weight[i] as number) * s;
  const row = new Float64Array(cols);
  return {
    /** The penalised mean objective at C as a {@link NewtonProblem}. */
    problem(C: number): NewtonProblem {
      const penalty = 1 / (C * n);
      return {
        dim: cols + 1,
        evaluate(theta: Float64Array, grad: Float64Array): number {
          loss = 0;
          const gb = pass(theta, residual);
          const mem = k.view();
          let ww = 0;
          for (let j = 0; j < cols; j++) {
            const wj = theta[j] as number;
            ww += wj * wj;
            grad[j] = (mem[grOff + j] as number) + penalty * wj;
          }
          grad[cols] = gb;
          return loss * invN + 0.5 * penalty * ww;
        },
        hessVec(v: Float64Array, out: Float64Array): void {
          const hb = pass(v, curvature);
          const mem = k.view();
          for (let j = 0; j < cols; j++) out[j] = (mem[grOff + j] as number) + penalty * (v[j] as number);
          out[cols] = hb;
        },
        newtonStep(g: Float64Array, p: Float64Array): boolean {
          if (!dense) return false;
          return denseNewtonStep(k, A, weight, penalty, g, p);
        },
        hessDiag(out: Float64Array): void {
          out.fill(0);
          let hb = 0;
          for (let i = 0; i < n; i++) {
            const wi = weight[i] as number;
            hb += wi;
            if (wi === 0) continue;
            readRow(k, A, i, row);
            for (let j = 0; j < cols; j++) {
              const a = row[j] as number;
              out[j] = (out[j] as number) + wi * a * a;
            }
          }
          if (colScale !== undefined) for (let j = 0; j < cols; j++) out[j] = (out[j] as number) / (colScale[j] as number) ** 2;
          for (let j = 0; j < cols; j++) out[j] = (out[j] as number) + penalty;
          out[cols] = hb;
        },
      };
    },
  };
}
