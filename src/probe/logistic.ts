/**
 * L2-penalised logistic regression (intercept not penalised) fitted to its exact optimum with a
 * certificate: the same minimiser as scikit-learn's `LogisticRegression(penalty="l2", C=C)`.
 *
 * Objective. scikit-learn minimises `C * sum_i logloss_i + ||w||^2 / 2` (in 1.2 written as
 * `sum_i logloss_i + ||w||^2 / (2C)`, since 1.4 as that divided by n: all the same minimiser).
 * We minimise the mean form `f = (1/n) sum_i logloss_i + ||w||^2 / (2 C n)` so that `tol` means
 * the same thing for 8 and for 8,000 rows.
 *
 * Certificate. Every fit runs Newton-CG ({@link newtonCg}) until the relative gradient norm of
 * the original problem, `||grad f||_2 / max(1, |f|)`, is at most `tol` (default 1e-8), and
 * records that number (`relGrad`) in the fitted probe. A fit that cannot get there (iteration
 * limit, failed line search) comes back with `converged: false` and its `stop` reason: callers
 * flag it, nothing is silently "close enough". f is strictly convex (the penalty), so the
 * optimum is unique and a small gradient pins the coefficients near it; at C = 1e6 on separable
 * data the optimum is far out but still finite, and Newton's quadratic convergence reaches it.
 *
 * Speed, direct path (n >= d). Each objective evaluation or Hessian-vector product is one pass
 * over X, four rows at a time, with WebAssembly SIMD kernels (`kernels.ts`): X sits in the kernel
 * arena as float64. With at most 600 features the Hessian is formed and factored instead (exact
 * Newton steps): on separable count features at large C, CG needs thousands of products per step.
 *
 * Speed, n < d (few-shot sets of 2 to 256 rows against 4,096 features, and any set with fewer
 * rows than features). The optimal w lies in the row space of X, so w = X^T alpha and Newton
 * runs on n-vectors with K = X X^T computed once for the whole C path ({@link makeKernelSolver}:
 * O(n^2) per product instead of O(n d), and a system that stays well conditioned at large C with
 * a preconditioner built from K's leading eigenpairs). The result is mapped back to w and
 * certified on the gradient of the original problem; if rounding cost accuracy, Newton-CG
 * continues there. `solver: 'auto'` uses this path whenever n < d.
 */
import { newtonCg } from './newtonCg.ts';
import type { NewtonProblem, NewtonStop } from './newtonCg.ts';
import { gramMatrix, kernelScratch, makeKernelSolver } from './kernelNewton.ts';
import { getKernels } from './kernels.ts';
import type { Kernels } from './kernels.ts';
import { UsageError } from '../errors.ts';

/** A row-major n x d feature matrix. */
export type FeatureMatrix = Float64Array | Float32Array;

/** Parameters of {@link fitLogistic}; every field optional. */
export interface LogisticParams {
  /** Inverse L2 penalty strength, as scikit-learn's `C`. Default 1. */
  readonly C?: number;
  /** Maximum Newton iterations per fit. Default 200. */
  readonly maxIter?: number;
  /**
   * The certificate: a fit converges when `||grad f||_2 / max(1, |f|) <= tol` on the mean
   * objective f of the module comment. Default 1e-8.
   */
  readonly tol?: number;
  /**
   * `'gram'` (and `'auto'`) solve in the row space of X when n < d (the kernel form, see the
   * module comment), `'primal'` always in the d feature coordinates; with n >= d every choice
   * is primal. Default `'auto'`.
   */
  readonly solver?: 'auto' | 'gram' | 'primal';
  /**
   * Inner-loop implementation: `'auto'` uses WebAssembly SIMD when available, `'js'` forces
   * plain JS (same results up to rounding; for tests and debugging). Default `'auto'`.
   */
  readonly kernels?: 'auto' | 'js';
  /** Names of the d features, kept in the fitted probe. Default none. */
  readonly featureNames?: readonly string[];
}

/**
 * How a fit ended: `certified` (met `tol`); `maxIter`; `lineSearch` (no step lowered f);
 * `nonFinite` (f or its gradient overflowed); `rankCut` (the reduced problem was certified but
 * the original one was not, and no iterations were left to finish).
 */
export type LogisticStop = 'certified' | 'maxIter' | 'lineSearch' | 'nonFinite' | 'rankCut';

/** JSON form of a {@link FittedLogistic} (`toJSON()` / `FittedLogistic.fromJSON()`). */
export interface LogisticJSON {
  readonly kind: 'logistic';
  readonly version: 1;
  readonly coef: number[];
  readonly intercept: number;
  readonly C: number;
  readonly nIter: number;
  readonly converged: boolean;
  /** The certificate `||grad f||_2 / max(1, |f|)` at the fit (absent in files from before it). */
  readonly relGrad?: number;
  readonly featureNames?: string[];
}

/** A fitted logistic regression. Immutable: `coef` returns a copy. */
export class FittedLogistic {
  readonly #coef: Float64Array;
  /** Intercept (bias), not penalised. */
  readonly intercept: number;
  /** The `C` it was fitted with. */
  readonly C: number;
  /** Newton iterations used. */
  readonly nIter: number;
  /** True when the fit is certified: `relGrad <= tol`. */
  readonly converged: boolean;
  /**
   * The certificate, `||grad f||_2 / max(1, |f|)` on the original problem at the returned
   * coefficients (NaN for probes read from files written before it was recorded).
   */
  readonly relGrad: number;
  /** How the fit ended (see {@link LogisticStop}). */
  readonly stop: LogisticStop;
  /** Feature names given at fit time, if any. */
  readonly featureNames: readonly string[] | undefined;

  /** Build from fitted values (use {@link fitLogistic} or {@link FittedLogistic.fromJSON}); copies `coef`. */
  constructor(fields: {
    coef: ArrayLike<number>;
    intercept: number;
    C: number;
    nIter: number;
    converged: boolean;
    relGrad?: number;
    stop?: LogisticStop;
    featureNames?: readonly string[] | undefined;
  }) {
    this.#coef = Float64Array.from(fields.coef);
    this.intercept = fields.intercept;
    this.C = fields.C;
    this.nIter = fields.nIter;
    this.converged = fields.converged;
    this.relGrad = fields.relGrad ?? Number.NaN;
    this.stop = fields.stop ?? (fields.converged ? 'certified' : 'maxIter');
    this.featureNames = fields.featureNames === undefined ? undefined : Object.freeze([...fields.featureNames]);
    Object.freeze(this);
  }

  /** Coefficients, one per feature (a fresh copy). */
  get coef(): Float64Array {
    return this.#coef.slice();
  }

  /** Number of features d. */
  get nFeatures(): number {
    return this.#coef.length;
  }

  /**
   * Linear scores `X w + b` for a row-major n x d matrix.
   *
   * @throws UsageError when `X.length` is not a multiple of d.
   */
  decisionFunction(X: FeatureMatrix): Float64Array {
    const d = this.#coef.length;
    if (X.length % d !== 0) {
      throw new UsageError(`feature matrix has ${X.length} values, not a multiple of ${d} features`, { field: 'features' });
    }
    const out = new Float64Array(X.length / d);
    return linearScores(X, this.#coef, this.intercept, d, out);
  }

  /** Probability of the positive class for each row of a row-major n x d matrix. */
  predictProba(X: FeatureMatrix): Float64Array {
    const z = this.decisionFunction(X);
    for (let i = 0; i < z.length; i++) z[i] = sigmoid(z[i] as number);
    return z;
  }

  /** Plain JSON (numbers round-trip exactly through `JSON.stringify`). */
  toJSON(): LogisticJSON {
    const json: LogisticJSON = {
      kind: 'logistic',
      version: 1,
      coef: Array.from(this.#coef),
      intercept: this.intercept,
      C: this.C,
      nIter: this.nIter,
      converged: this.converged,
      ...(Number.isFinite(this.relGrad) ? { relGrad: this.relGrad } : {}),
    };
    return this.featureNames === undefined ? json : { ...json, featureNames: [...this.featureNames] };
  }

  /**
   * Rebuild a probe from {@link FittedLogistic.toJSON} output.
   *
   * @throws UsageError naming the bad field when `json` is not a valid logistic probe.
   */
  static fromJSON(json: unknown): FittedLogistic {
    const o = json as Partial<Record<keyof LogisticJSON, unknown>> | null;
    const bad = (field: string, expected: string): never => {
      throw new UsageError(`not a logistic probe: expected ${expected}`, { field });
    };
    if (typeof o !== 'object' || o === null) return bad('(root)', 'an object');
    if (o.kind !== 'logistic') bad('kind', '"logistic"');
    if (o.version !== 1) bad('version', '1');
    if (!Array.isArray(o.coef) || !o.coef.every((v) => typeof v === 'number' && Number.isFinite(v))) bad('coef', 'an array of finite numbers');
    if (typeof o.intercept !== 'number' || !Number.isFinite(o.intercept)) bad('intercept', 'a finite number');
    if (typeof o.C !== 'number' || !(o.C > 0)) bad('C', 'a positive number');
    if (typeof o.nIter !== 'number') bad('nIter', 'a number');
    if (typeof o.converged !== 'boolean') bad('converged', 'a boolean');
    if (o.relGrad !== undefined && typeof o.relGrad !== 'number') bad('relGrad', 'a number');
    const names = o.featureNames;
    if (names !== undefined && (!Array.isArray(names) || names.length !== (o.coef as unknown[]).length || !names.every((s) => typeof s === 'string'))) {
      bad('featureNames', 'one string per coefficient');
    }
    return new FittedLogistic({
      coef: o.coef as number[],
      intercept: o.intercept as number,
      C: o.C as number,
      nIter: o.nIter as number,
      converged: o.converged as boolean,
      ...(typeof o.relGrad === 'number' ? { relGrad: o.relGrad } : {}),
      featureNames: names as string[] | undefined,
    });
  }
}

/**
 * Fit an L2 logistic regression on a row-major n x d matrix.
 *
 * @param X - features, row-major, `n * d` finite values.
 * @param y - labels, each 0 or 1, both classes present.
 * @param d - number of features (columns).
 * @param params - C (1), maxIter (200), tol (1e-8), solver ('auto'), kernels ('auto'),
 *   featureNames (none).
 * @throws UsageError for a non-finite feature (naming row and column), a bad label, one class,
 *   mismatched sizes or a bad parameter.
 */
export function fitLogistic(X: FeatureMatrix, y: ArrayLike<number>, d: number, params: LogisticParams = {}): FittedLogistic {
  const fits = fitLogisticPath(X, y, d, [params.C ?? 1], params);
  return fits[0] as FittedLogistic;
}

/**
 * Fit one logistic regression per C on the same data, sharing the factorisation and warm-starting
 * each fit from the previous one (in increasing C). Each fit is certified at the optimum for its
 * own C (see `converged`, `relGrad`); only the starting point differs from a cold fit.
 *
 * @param X - features, row-major, `n * d` finite values.
 * @param y - labels, each 0 or 1, both classes present.
 * @param d - number of features.
 * @param Cs - the C values (any order; results come back in the same order).
 * @param params - as {@link fitLogistic}; its `C` is ignored.
 * @returns one fitted probe per C.
 */
export function fitLogisticPath(
  X: FeatureMatrix,
  y: ArrayLike<number>,
  d: number,
  Cs: readonly number[],
  params: Omit<LogisticParams, 'C'> = {},
): FittedLogistic[] {
  const n = checkData(X, y, d, params.featureNames);
  for (const C of Cs) {
    if (!(C > 0 && Number.isFinite(C))) throw new UsageError(`C must be a positive finite number, got ${C}`, { field: 'C' });
  }
  const maxIter = params.maxIter ?? 200;
  const tol = params.tol ?? 1e-8;
  if (!(Number.isInteger(maxIter) && maxIter >= 1)) throw new UsageError(`maxIter must be a positive integer, got ${maxIter}`, { field: 'maxIter' });
  if (!(tol > 0)) throw new UsageError(`tol must be a positive number, got ${tol}`, { field: 'tol' });
  const solver = params.solver ?? 'auto';
  // The kernel form needs K = X X^T nonsingular in general position, so only n < d.
  const useGram = n < d && solver !== 'primal';
  const k = getKernels(params.kernels ?? 'auto');
  // Arena layout (float64 offsets): X | theta | grad | 4 scores, and for the Gram path
  // K | v | Kv | preconditioner scratch.
  const xOff = 0;
  const thOff = n * d;
  const grOff = thOff + d + 1;
  const outOff = grOff + d + 1;
  const kOff = outOff + 4;
  const vOff = kOff + n * n;
  const mvOff = vOff + n;
  const eigOff = mvOff + n;
  k.reserve(useGram ? eigOff + kernelScratch(n) : kOff);
  k.view().set(X, xOff); // float32 input is widened here, once
  const yy = Float64Array.from(y);
  const order = Cs.map((_, i) => i).sort((a, b) => (Cs[a] as number) - (Cs[b] as number));
  const out = new Array<FittedLogistic>(Cs.length);
  const opts = { maxIter, gtol: tol, xtol: XTOL };
  const primal = makeDesign(k, xOff, yy, n, d, thOff, grOff, outOff);
  const grad = new Float64Array(d + 1);
  // The certificate is always computed on the original (primal) problem, whatever solved it.
  const certify = (C: number, theta: Float64Array): number => {
    const f = primal.problem(C).evaluate(theta, grad);
    return Math.sqrt(dotN(grad, grad, d + 1)) / Math.max(1, Math.abs(f));
  };
  const finish = (i: number, C: number, theta: Float64Array, nIter: number, relGrad: number, solverStop: NewtonStop): void => {
    const certified = relGrad <= tol;
    const stop: LogisticStop = certified ? 'certified' : solverStop === 'certified' ? 'rankCut' : solverStop;
    out[i] = new FittedLogistic({
      coef: theta.subarray(0, d),
      intercept: theta[d] as number,
      C,
      nIter,
      converged: certified,
      relGrad,
      stop,
      featureNames: params.featureNames,
    });
  };

  if (!useGram) {
    let theta: Float64Array = new Float64Array(d + 1);
    for (const i of order) {
      const C = Cs[i] as number;
      const res = newtonCg(primal.problem(C), theta, opts);
      theta = res.x;
      finish(i, C, theta, res.nIter, res.relGrad, res.stop);
    }
    return out;
  }

  gramMatrix(k, xOff, n, d, kOff, outOff);
  const kernel = makeKernelSolver(k, kOff, n, yy, vOff, mvOff, outOff, eigOff);
  const alpha = new Float64Array(n);
  const bRef = { b: 0 };
  const wb = new Float64Array(d + 1);
  for (const i of order) {
    const C = Cs[i] as number;
    // A tenth of tol leaves room for the rounding of the map back to w.
    const res = kernel.solve(C, alpha, bRef, { ...opts, gtol: tol / 10 });
    // w = X^T alpha, one pass over X.
    const mem = k.view();
    mem.fill(0, grOff, grOff + d);
    for (let r = 0; r < n; r++) if (alpha[r] !== 0) k.axpy(grOff, xOff + r * d, alpha[r] as number, d);
    wb.set(mem.subarray(grOff, grOff + d));
    wb[d] = bRef.b;
    let nIter = res.nIter;
    const relGrad = certify(C, wb);
    if (relGrad > tol && nIter < maxIter) {
      // Rounding in the kernel form cost accuracy: finish on the original problem.
      const polish = newtonCg(primal.problem(C), wb, { ...opts, maxIter: maxIter - nIter });
      nIter += polish.nIter;
      finish(i, C, polish.x, nIter, polish.relGrad, polish.stop);
      continue;
    }
    finish(i, C, wb, nIter, relGrad, res.stop);
  }
  return out;
}

/** Largest number of features for which the direct path factors the Hessian (Newton steps exact). */
const DENSE_MAX_COLS = 600;

/**
 * p = -H^-1 g for H = A' diag(w) A + penalty I (coefficients; intercept unpenalised), A row-major
 * n x cols in `mem` at `aOff`: forms H (lower triangle, O(n cols^2 / 2)) and solves by Cholesky.
 * Returns false when H is not numerically positive definite (the caller falls back to CG).
 */
function denseNewtonStep(mem: Float64Array, aOff: number, w: Float64Array, n: number, cols: number, penalty: number, g: Float64Array, p: Float64Array): boolean {
  const m = cols + 1;
  const H = new Float64Array(m * m);
  const row = new Float64Array(m);
  row[cols] = 1;
  for (let i = 0; i < n; i++) {
    const wi = w[i] as number;
    if (wi === 0) continue;
    const o = aOff + i * cols;
    for (let j = 0; j < cols; j++) row[j] = mem[o + j] as number;
    for (let j = 0; j < m; j++) {
      const t = wi * (row[j] as number);
      if (t === 0) continue;
      const hj = j * m;
      for (let l = 0; l <= j; l++) H[hj + l] = (H[hj + l] as number) + t * (row[l] as number);
    }
  }
  for (let j = 0; j < cols; j++) H[j * m + j] = (H[j * m + j] as number) + penalty;
  // Cholesky H = L L' in place (lower triangle).
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

/** Newton-step tolerance of the certificate (the `xtol` of {@link newtonCg}). */
const XTOL = 1e-9;

/** Validate shapes, labels and finiteness; returns n. */
function checkData(X: FeatureMatrix, y: ArrayLike<number>, d: number, names: readonly string[] | undefined): number {
  if (!(Number.isInteger(d) && d >= 1)) throw new UsageError(`number of features must be a positive integer, got ${d}`, { field: 'd' });
  if (X.length % d !== 0) throw new UsageError(`feature matrix has ${X.length} values, not a multiple of ${d} features`, { field: 'features' });
  const n = X.length / d;
  if (y.length !== n) throw new UsageError(`feature matrix has ${n} rows but there are ${y.length} labels`, { field: 'label' });
  if (names !== undefined && names.length !== d) {
    throw new UsageError(`${names.length} feature names given for ${d} features`, { field: 'featureNames' });
  }
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (v !== 0 && v !== 1) throw new UsageError(`label must be 0 or 1, got ${String(v)}`, { record: i + 1, field: 'label' });
    pos += v;
  }
  if (pos === 0 || pos === n) {
    throw new UsageError(`logistic regression needs both classes, got ${pos} positive and ${n - pos} negative labels`, { field: 'label' });
  }
  for (let idx = 0; idx < X.length; idx++) {
    const v = X[idx] as number;
    if (!Number.isFinite(v)) {
      const col = idx % d;
      throw new UsageError(`feature value must be finite, got ${v} (column ${col + 1} of ${d}, 1-based)`, {
        record: Math.floor(idx / d) + 1,
        field: names?.[col] ?? `column ${col + 1}`,
      });
    }
  }
  return n;
}

/**
 * Logistic loss on a row-major design A in the kernel arena at `aOff` (n rows, `cols` columns;
 * when `triangular`, row i uses only its first min(i + 1, cols) entries, the rest being zeros of
 * the Cholesky factor). Parameters are `[w (cols); b]`; `thOff`/`grOff` are arena scratch for w
 * and its gradient so the kernels can reach them.
 */
function makeDesign(
  k: Kernels,
  aOff: number,
  y: Float64Array,
  n: number,
  cols: number,
  thOff: number,
  grOff: number,
  outOff: number,
) {
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
    mem.set(v.subarray(0, cols), thOff);
    mem.fill(0, grOff, grOff + cols);
    const b = v[cols] as number;
    let gb = 0;
    let i = 0;
    // Four rows at a time: v and the output cross the cache once per four rows, and the rows
    // are read for the scores and, still in cache, for the output.
    for (; i + 3 < n; i += 4) {
      const o = aOff + i * cols;
      k.dot4(o, cols, thOff, cols, outOff);
      const r0 = coefOf(i, b + (mem[outOff] as number));
      const r1 = coefOf(i + 1, b + (mem[outOff + 1] as number));
      const r2 = coefOf(i + 2, b + (mem[outOff + 2] as number));
      const r3 = coefOf(i + 3, b + (mem[outOff + 3] as number));
      gb += r0 + r1 + r2 + r3;
      k.axpy4(grOff, o, cols, r0, r1, r2, r3, cols);
    }
    for (; i < n; i++) {
      const o = aOff + i * cols;
      const ri = coefOf(i, b + k.dot(o, thOff, cols));
      gb += ri;
      if (ri !== 0) k.axpy(grOff, o, ri, cols);
    }
    return gb;
  };
  const curvature = (i: number, s: number): number => (weight[i] as number) * s;
  // Factor the (cols + 1)^2 Hessian when that costs less than a few dozen Hessian-vector products:
  // CG needs thousands of those at large C on separable count features, the factor a few passes.
  const dense = cols <= DENSE_MAX_COLS;
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
          return denseNewtonStep(k.view(), aOff, weight, n, cols, penalty, g, p);
        },
        hessDiag(out: Float64Array): void {
          const mem = k.view();
          out.fill(0);
          let hb = 0;
          for (let i = 0; i < n; i++) {
            const wi = weight[i] as number;
            hb += wi;
            const o = aOff + i * cols;
            for (let j = 0; j < cols; j++) {
              const a = mem[o + j] as number;
              out[j] = (out[j] as number) + wi * a * a;
            }
          }
          for (let j = 0; j < cols; j++) out[j] = (out[j] as number) + penalty;
          out[cols] = hb;
        },
      };
    },
  };
}

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

function dotN(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}
