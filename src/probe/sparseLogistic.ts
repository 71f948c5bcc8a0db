/**
 * L2 logistic regression on a CSR design ({@link CsrMatrix}): the same objective, solver and
 * certificate as `logistic.ts` (mean loss plus `||w||^2 / (2 C n)`, intercept unpenalised,
 * Newton-CG until `||grad f||_2 / max(1, |f|) <= tol`), with every pass over X touching only the
 * stored entries. Count features of a large task (120k rows, about a thousand nonzero counts per
 * row out of tens of thousands of columns) fit in memory this way; dense, they do not.
 *
 * Each objective evaluation or Hessian-vector product is one pass over the stored entries. With
 * at most {@link SPARSE_DENSE_MAX_COLS} columns the (d + 1)^2 Hessian is formed from the rows'
 * outer products and factored (exact Newton steps), as the dense solver does for narrow designs;
 * up to {@link SPARSE_FACTOR_MAX_COLS} columns such a factor, made only when CG needs it and kept
 * while it works, preconditions CG (docs/probe.md).
 */
import { choleskyFactorBlocked, choleskySolveFactored, choleskySolveNegative } from './choleskySolve.ts';
import { newtonCg } from './newtonCg.ts';
import type { NewtonProblem, NewtonStop } from './newtonCg.ts';
import { FittedLogistic } from './logistic.ts';
import type { LogisticParams, LogisticStop } from './logistic.ts';
import { checkCsr, csrRowBlocks } from './csrMatrix.ts';
import type { CsrMatrix, CsrRowBlock } from './csrMatrix.ts';
import { UsageError } from '../errors.ts';

/** Columns up to which the Hessian is formed and factored (as `logistic.ts` does for dense input). */
export const SPARSE_DENSE_MAX_COLS = 600;

/**
 * Columns up to which CG is preconditioned with a Cholesky factor of the Hessian (two (d + 1)^2
 * float64 arrays: 268 MB at 4,096). Above it, the diagonal.
 *
 * Why: count features are collinear (a code's time bins and value deciles move together) and at
 * large C the penalty no longer lifts the small eigenvalues, so diagonally preconditioned CG needs
 * up to its cap of products per Newton step; the hyponatremia counts at study scale (76,500 x
 * 1,940, 33.5M stored values) did not finish the C grid in 20 minutes that way.
 */
export const SPARSE_FACTOR_MAX_COLS = 4096;

/** Newton-step tolerance of the certificate (the `xtol` of {@link newtonCg}), as in `logistic.ts`. */
const XTOL = 1e-9;

/**
 * Fit one L2 logistic regression per C on a CSR matrix, warm-starting each from the previous (in
 * increasing C). Each fit is certified on its own (`converged`, `relGrad`, `stop`), exactly as
 * `fitLogisticPath` certifies dense fits; the optimum is the same for the same data.
 *
 * @param X - n x d CSR features (finite values).
 * @param y - labels, each 0 or 1, both classes present.
 * @param Cs - the C values (any order; results come back in the same order).
 * @param params - maxIter (200), tol (1e-8), featureNames (none); `solver` and `kernels` do not
 *   apply and are ignored.
 * @throws UsageError for a bad matrix, a bad label, one class or a bad parameter.
 */
export function fitSparseLogisticPath(
  X: CsrMatrix,
  y: ArrayLike<number>,
  Cs: readonly number[],
  params: Omit<LogisticParams, 'C'> = {},
): FittedLogistic[] {
  checkCsr(X, params.featureNames);
  const n = X.nRows;
  const d = X.nCols;
  if (y.length !== n) throw new UsageError(`feature matrix has ${n} rows but there are ${y.length} labels`, { field: 'label' });
  if (params.featureNames !== undefined && params.featureNames.length !== d)
    throw new UsageError(`${params.featureNames.length} feature names given for ${d} features`, { field: 'featureNames' });
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (v !== 0 && v !== 1) throw new UsageError(`label must be 0 or 1, got ${String(v)}`, { record: i + 1, field: 'label' });
    pos += v;
  }
  if (pos === 0 || pos === n)
    throw new UsageError(`logistic regression needs both classes, got ${pos} positive and ${n - pos} negative labels`, { field: 'label' });
  for (const C of Cs)
    if (!(C > 0 && Number.isFinite(C))) throw new UsageError(`C must be a positive finite number, got ${C}`, { field: 'C' });
  const maxIter = params.maxIter ?? 200;
  const tol = params.tol ?? 1e-8;
  if (!(Number.isInteger(maxIter) && maxIter >= 1))
    throw new UsageError(`maxIter must be a positive integer, got ${maxIter}`, { field: 'maxIter' });
  if (!(tol > 0)) throw new UsageError(`tol must be a positive number, got ${tol}`, { field: 'tol' });
  const design = makeSparseDesign(X, Float64Array.from(y));
  const order = Cs.map((_, i) => i).sort((a, b) => (Cs[a] as number) - (Cs[b] as number));
  const out = new Array<FittedLogistic>(Cs.length);
  let theta: Float64Array = new Float64Array(d + 1);
  for (const i of order) {
    const C = Cs[i] as number;
    const res = newtonCg(design.problem(C), theta, { maxIter, gtol: tol, xtol: XTOL });
    theta = res.x;
    const certified = res.relGrad <= tol;
    const stop: LogisticStop = certified
      ? 'certified'
      : res.stop === 'certified'
        ? 'rankCut'
        : (res.stop as Exclude<NewtonStop, 'certified'>);
    out[i] = new FittedLogistic({
      coef: theta.subarray(0, d),
      intercept: theta[d] as number,
      C,
      nIter: res.nIter,
      converged: certified,
      relGrad: res.relGrad,
      stop,
      featureNames: params.featureNames,
    });
  }
  return out;
}

/** The penalised mean logistic objective on a CSR design, per C, as a {@link NewtonProblem}. */
function makeSparseDesign(X: CsrMatrix, y: Float64Array) {
  const { nRows: n, nCols: cols } = X;
  const blocks = csrRowBlocks(X);
  const invN = 1 / n;
  // Curvature weights p_i (1 - p_i) / n at the point evaluated last.
  const weight = new Float64Array(n);
  let loss = 0;
  // As in logistic.ts: 1 - p computed as e / (1 + e), never by subtraction.
  const residual = (i: number, s: number): number => {
    const yi = y[i] as number;
    const e = Math.exp(-Math.abs(s));
    const big = 1 / (1 + e);
    const small = e * big;
    weight[i] = small * big * invN;
    if (s >= 0) {
      loss += Math.log1p(e) + (1 - yi) * s;
      return (yi === 1 ? -small : big) * invN;
    }
    loss += Math.log1p(e) - yi * s;
    return (yi === 1 ? -big : small) * invN;
  };
  /** out_w = sum_i c_i A_i, out_b = sum_i c_i with c_i = coefOf(i, A_i . v_w + v_b); returns out_b. */
  const pass = (v: Float64Array, out: Float64Array, coefOf: (i: number, s: number) => number): number => {
    out.fill(0, 0, cols);
    const b = v[cols] as number;
    let gb = 0;
    for (const { row0, nRows, indptr, indices, values } of blocks) {
      for (let r = 0; r < nRows; r++) {
        const a = indptr[r] as number;
        const e = indptr[r + 1] as number;
        let s = b;
        for (let p = a; p < e; p++) s += (values[p] as number) * (v[indices[p] as number] as number);
        const c = coefOf(row0 + r, s);
        gb += c;
        if (c !== 0)
          for (let p = a; p < e; p++) {
            const j = indices[p] as number;
            out[j] = (out[j] as number) + c * (values[p] as number);
          }
      }
    }
    return gb;
  };
  const curvature = (i: number, s: number): number => (weight[i] as number) * s;
  const factor = new HessianFactor(X, blocks);
  return {
    problem(C: number): NewtonProblem {
      const penalty = 1 / (C * n);
      return {
        dim: cols + 1,
        evaluate(theta, grad) {
          loss = 0;
          const gb = pass(theta, grad, residual);
          let ww = 0;
          for (let j = 0; j < cols; j++) {
            const wj = theta[j] as number;
            ww += wj * wj;
            grad[j] = (grad[j] as number) + penalty * wj;
          }
          grad[cols] = gb;
          return loss * invN + 0.5 * penalty * ww;
        },
        hessVec(v, out) {
          const hb = pass(v, out, curvature);
          for (let j = 0; j < cols; j++) out[j] = (out[j] as number) + penalty * (v[j] as number);
          out[cols] = hb;
        },
        hessDiag(out) {
          out.fill(0);
          let hb = 0;
          for (const { row0, nRows, indptr, indices, values } of blocks) {
            for (let r = 0; r < nRows; r++) {
              const wi = weight[row0 + r] as number;
              hb += wi;
              for (let p = indptr[r] as number; p < (indptr[r + 1] as number); p++) {
                const a = values[p] as number;
                const j = indices[p] as number;
                out[j] = (out[j] as number) + wi * a * a;
              }
            }
          }
          for (let j = 0; j < cols; j++) out[j] = (out[j] as number) + penalty;
          out[cols] = hb;
        },
        newtonStep(g, p) {
          if (cols > SPARSE_DENSE_MAX_COLS) return false;
          return sparseNewtonStep(X, blocks, weight, penalty, g, p);
        },
        ...(cols > SPARSE_DENSE_MAX_COLS && cols <= SPARSE_FACTOR_MAX_COLS
          ? {
              preconditioner: {
                get ready() {
                  return factor.ready;
                },
                cost: factor.cost,
                factor: () => factor.refactor(weight, penalty),
                apply: (r: Float64Array, z: Float64Array) => factor.apply(r, z),
              },
            }
          : {}),
      };
    },
  };
}

/** p = -H^-1 g with H = A' diag(w) A + penalty I (intercept unpenalised), formed from the rows' stored entries and solved by Cholesky; false when H is not numerically positive definite. */
function sparseNewtonStep(
  X: CsrMatrix,
  blocks: readonly CsrRowBlock[],
  w: Float64Array,
  penalty: number,
  g: Float64Array,
  p: Float64Array,
): boolean {
  const m = X.nCols + 1;
  const H = new Float64Array(m * m);
  sparseHessian(X.nCols, blocks, w, penalty, H);
  return choleskySolveNegative(H, m, g, p);
}

/**
 * Write the lower triangle of H = A' diag(w) A + penalty I into `H` ((d + 1)^2, zeroed first),
 * A being the rows with a column of ones for the intercept (unpenalised): one pass over the rows,
 * each adding its stored entries' outer product.
 */
function sparseHessian(cols: number, blocks: readonly CsrRowBlock[], w: Float64Array, penalty: number, H: Float64Array): void {
  const m = cols + 1;
  const last = cols * m;
  H.fill(0);
  for (const { row0, nRows, indptr, indices, values } of blocks) {
    for (let r = 0; r < nRows; r++) {
      const wi = w[row0 + r] as number;
      if (wi === 0) continue;
      const a = indptr[r] as number;
      const e = indptr[r + 1] as number;
      // Lower triangle: columns ascend within a row, so (j, l) with l <= j; the intercept is column `cols`.
      for (let q = a; q < e; q++) {
        const j = indices[q] as number;
        const t = wi * (values[q] as number);
        const rj = j * m;
        for (let u = a; u <= q; u++) {
          const l = rj + (indices[u] as number);
          H[l] = (H[l] as number) + t * (values[u] as number);
        }
        H[last + j] = (H[last + j] as number) + t;
      }
      H[last + cols] = (H[last + cols] as number) + wi;
    }
  }
  for (let j = 0; j < cols; j++) H[j * m + j] = (H[j * m + j] as number) + penalty;
}

/**
 * A Cholesky factor of the Hessian at some recent point, the CG preconditioner for wide count
 * designs. A Hessian that is singular in rounding (duplicate columns, a column with no stored
 * value in these rows, at a penalty of 1e-11) is factored with a small ridge added to its
 * diagonal: a preconditioner only has to be close to H, not equal.
 */
class HessianFactor {
  private readonly m: number;
  private H: Float64Array | undefined;
  private L: Float64Array | undefined;
  /**
   * What one factorisation costs in Hessian-vector products: the multiply-adds of forming H (each
   * row's stored entries' outer product) and of its Cholesky, over those of one product. newtonCg
   * factors only once CG has spent that many products.
   */
  readonly cost: number;
  constructor(
    private readonly X: CsrMatrix,
    private readonly blocks: readonly CsrRowBlock[],
  ) {
    this.m = X.nCols + 1;
    let build = 0;
    let nnz = 0;
    for (const { nRows, indptr } of blocks)
      for (let r = 0; r < nRows; r++) {
        const k = (indptr[r + 1] as number) - (indptr[r] as number);
        build += (k * (k + 1)) / 2;
        nnz += k;
      }
    this.cost = (build + this.m ** 3 / 3) / (2 * nnz + X.nRows);
  }
  /** True while a factor is held. */
  ready = false;
  /** Form and factor H at the curvature weights `w`; false when even a ridged H would not factor. */
  refactor(w: Float64Array, penalty: number): boolean {
    this.ready = false;
    const m = this.m;
    const H = (this.H ??= new Float64Array(m * m));
    const L = (this.L ??= new Float64Array(m * m));
    sparseHessian(this.X.nCols, this.blocks, w, penalty, H);
    let maxDiag = 0;
    for (let j = 0; j < m; j++) maxDiag = Math.max(maxDiag, H[j * m + j] as number);
    for (const ridge of [0, 1e-12, 1e-10, 1e-8, 1e-6]) {
      L.set(H);
      for (let j = 0; j < m; j++) L[j * m + j] = (L[j * m + j] as number) + ridge * maxDiag;
      if (choleskyFactorBlocked(L, m)) return (this.ready = true);
    }
    return false;
  }
  apply(r: Float64Array, z: Float64Array): void {
    choleskySolveFactored(this.L as Float64Array, this.m, r, z);
  }
}
