/**
 * L2-penalised logistic regression (intercept not penalised) fitted with our {@link lbfgs},
 * reaching the same optimum as scikit-learn's `LogisticRegression(penalty="l2", C=C,
 * solver="lbfgs")`.
 *
 * Objective. scikit-learn minimises `C * sum_i logloss_i + ||w||^2 / 2` (in 1.2 written as
 * `sum_i logloss_i + ||w||^2 / (2C)`, since 1.4 as that divided by n: all the same minimiser).
 * We minimise the mean form `f = (1/n) sum_i logloss_i + ||w||^2 / (2 C n)` so that `tol` means
 * the same thing for 8 and for 8,000 rows.
 *
 * Accuracy. With `tol=1e-10, ftol=0` fits agree with scikit-learn's optimum (its newton-cholesky
 * solver) to 1e-5 or better on the golden cases. scikit-learn's own lbfgs stops on scipy's
 * relative-reduction test (`factr=1e7`) whatever `tol` is, up to ~5e-4 (d > n, C >= 100) from
 * the optimum; with the defaults here we stop at about the same place (same test, `ftol`).
 *
 * Speed, direct path. Each objective evaluation is one pass over X, four rows at a time, with
 * WebAssembly SIMD kernels (`kernels.ts`): X sits in the kernel arena as float64.
 *
 * Speed, few-shot path. Few-shot training sets are tiny (2 to 256 rows) against 4,096
 * features. The optimal w lies in the row space of X (the loss gradient is X^T r and the
 * penalty pulls the rest to 0), so with a pivoted Cholesky factor of the Gram matrix,
 * `X X^T = G G^T`, writing `w = Q z` with `Q = X^T G^{+T}` orthonormal turns the problem into
 * the same logistic regression on the n x r design G with `||w|| = ||z||`. L-BFGS from the same start then takes the same steps (it is
 * invariant to orthogonal changes of basis) at O(n r) per evaluation instead of O(n d), and one
 * factorisation serves the whole C path. The result is mapped back to w and checked against the
 * gradient of the original problem; if the rank cut lost accuracy, a few direct iterations
 * finish the job. `solver: 'auto'` picks the cheaper path from n, d and the number of C values.
 */
import { lbfgs } from './lbfgs.ts';
import { getKernels } from './kernels.ts';
import type { Kernels } from './kernels.ts';
import { UsageError } from '../errors.ts';

/** A row-major n x d feature matrix. */
export type FeatureMatrix = Float64Array | Float32Array;

/** Parameters of {@link fitLogistic}; every field optional. */
export interface LogisticParams {
  /** Inverse L2 penalty strength, as scikit-learn's `C`. Default 1. */
  readonly C?: number;
  /** Maximum L-BFGS iterations per fit. Default 1000. */
  readonly maxIter?: number;
  /**
   * Stop when the Euclidean norm of the gradient of the mean objective (see the module comment)
   * is `<= tol`. Default 1e-6 (about scikit-learn 1.2's default `tol=1e-4` on its summed
   * objective, for 100 rows).
   */
  readonly tol?: number;
  /**
   * Stop when an iteration lowers the mean objective by `<= ftol * max(|f|, 1)`, as scipy's
   * L-BFGS-B does inside scikit-learn; 0 disables (use 0 with a tiny `tol` for reference fits).
   * Default 2.220446049250313e-9.
   */
  readonly ftol?: number;
  /** L-BFGS correction pairs. Default 10 (scikit-learn's). */
  readonly history?: number;
  /**
   * `'gram'` solves in the row space of X (fast when n is small against d), `'primal'` in the
   * d feature coordinates, `'auto'` picks by estimated cost. Default `'auto'`.
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

/** JSON form of a {@link FittedLogistic} (`toJSON()` / `FittedLogistic.fromJSON()`). */
export interface LogisticJSON {
  readonly kind: 'logistic';
  readonly version: 1;
  readonly coef: number[];
  readonly intercept: number;
  readonly C: number;
  readonly nIter: number;
  readonly converged: boolean;
  readonly featureNames?: string[];
}

/** A fitted logistic regression. Immutable: `coef` returns a copy. */
export class FittedLogistic {
  readonly #coef: Float64Array;
  /** Intercept (bias), not penalised. */
  readonly intercept: number;
  /** The `C` it was fitted with. */
  readonly C: number;
  /** L-BFGS iterations used. */
  readonly nIter: number;
  /** True when the fit met `tol` or `ftol` within `maxIter`. */
  readonly converged: boolean;
  /** Feature names given at fit time, if any. */
  readonly featureNames: readonly string[] | undefined;

  /** Build from fitted values (use {@link fitLogistic} or {@link FittedLogistic.fromJSON}); copies `coef`. */
  constructor(fields: {
    coef: ArrayLike<number>;
    intercept: number;
    C: number;
    nIter: number;
    converged: boolean;
    featureNames?: readonly string[] | undefined;
  }) {
    this.#coef = Float64Array.from(fields.coef);
    this.intercept = fields.intercept;
    this.C = fields.C;
    this.nIter = fields.nIter;
    this.converged = fields.converged;
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
 * @param params - C (1), maxIter (1000), tol (1e-6), ftol (2.22e-9), history (10), solver
 *   ('auto'), featureNames (none).
 * @throws UsageError for a non-finite feature (naming row and column), a bad label, one class,
 *   mismatched sizes or a bad parameter.
 */
export function fitLogistic(X: FeatureMatrix, y: ArrayLike<number>, d: number, params: LogisticParams = {}): FittedLogistic {
  const fits = fitLogisticPath(X, y, d, [params.C ?? 1], params);
  return fits[0] as FittedLogistic;
}

/**
 * Fit one logistic regression per C on the same data, sharing the factorisation and warm-starting
 * each fit from the previous one (in increasing C). Each fit reaches the optimum for its own C;
 * only the starting point differs from a cold fit.
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
  const maxIter = params.maxIter ?? 1000;
  const tol = params.tol ?? 1e-6;
  const ftol = params.ftol ?? 2.220446049250313e-9;
  const history = params.history ?? 10;
  if (!(Number.isInteger(maxIter) && maxIter >= 1)) throw new UsageError(`maxIter must be a positive integer, got ${maxIter}`, { field: 'maxIter' });
  if (!(tol >= 0) || !(ftol >= 0)) throw new UsageError('tol and ftol must be non-negative', { field: 'tol' });
  const solver = params.solver ?? 'auto';
  const useGram = solver === 'gram' || (solver === 'auto' && preferGram(n, d, Cs.length));
  const k = getKernels(params.kernels ?? 'auto');
  // Arena layout (float64 offsets): X | theta | grad | 4 scores, and for the Gram path
  // L | G | zTheta | zGrad.
  const xOff = 0;
  const thOff = n * d;
  const grOff = thOff + d + 1;
  const outOff = grOff + d + 1;
  const lOff = outOff + 4;
  const gOff = lOff + n * n;
  const zThOff = gOff + n * n;
  const zGrOff = zThOff + n + 1;
  k.reserve(useGram ? zGrOff + n + 1 : lOff);
  k.view().set(X, xOff); // float32 input is widened here, once
  const yy = Float64Array.from(y);
  const order = Cs.map((_, i) => i).sort((a, b) => (Cs[a] as number) - (Cs[b] as number));
  const out = new Array<FittedLogistic>(Cs.length);
  const opts = { maxIter, gtol: tol, ftol, history };
  const primal = makeDesign(k, xOff, yy, n, d, false, thOff, grOff, outOff);
  const finish = (i: number, C: number, w: Float64Array, b: number, nIter: number, converged: boolean): void => {
    out[i] = new FittedLogistic({ coef: w, intercept: b, C, nIter, converged, featureNames: params.featureNames });
  };

  if (!useGram) {
    let theta: Float64Array = new Float64Array(d + 1);
    for (const i of order) {
      const C = Cs[i] as number;
      const res = lbfgs(primal.objective(C), theta, opts);
      theta = res.x;
      finish(i, C, theta.subarray(0, d), theta[d] as number, res.nIter, res.stop === 'gtol' || res.stop === 'ftol');
    }
    return out;
  }

  const basis = rowSpaceBasis(k, xOff, n, d, lOff, gOff, grOff, outOff);
  const r = basis.rank;
  const gramDesign = makeDesign(k, gOff, permute(yy, basis.rowOrder), n, r, true, zThOff, zGrOff, outOff);
  let theta: Float64Array = new Float64Array(r + 1);
  const wb = new Float64Array(d + 1);
  const grad = new Float64Array(d + 1);
  for (const i of order) {
    const C = Cs[i] as number;
    const res = lbfgs(gramDesign.objective(C), theta, opts);
    theta = res.x;
    basis.toCoef(theta, wb);
    wb[d] = theta[r] as number;
    let nIter = res.nIter;
    // Check on the original problem; polish there only if the rank cut cost accuracy (rare).
    const fPrimal = primal.objective(C);
    fPrimal(wb, grad);
    if (res.stop === 'gtol' && Math.sqrt(dotN(grad, grad, d + 1)) > tol && nIter < maxIter) {
      const polish = lbfgs(fPrimal, wb, { ...opts, maxIter: maxIter - nIter });
      nIter += polish.nIter;
      finish(i, C, polish.x.subarray(0, d), polish.x[d] as number, nIter, polish.stop === 'gtol' || polish.stop === 'ftol');
      continue;
    }
    finish(i, C, wb.subarray(0, d), wb[d] as number, nIter, res.stop === 'gtol' || res.stop === 'ftol');
  }
  return out;
}

/**
 * Whether the row-space (Gram) solver is cheaper: it costs n^2 d / 2 multiply-adds once plus ~n^2
 * per evaluation, against 2 n d per evaluation directly (both run at similar speed with the
 * four-row kernels). Measured on d = 4,096: a cold fit takes ~40 evaluations, each further C of a
 * warm-started path ~15. So with d = 4,096 a single fit uses it below ~160 rows, the 12-C path
 * below ~740.
 */
function preferGram(n: number, d: number, nC: number): boolean {
  const evals = 40 + 15 * (nC - 1);
  return n < d && (n * n * d) / 2 + evals * n * n < evals * 2 * n * d;
}

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
  triangular: boolean,
  thOff: number,
  grOff: number,
  outOff: number,
) {
  return {
    objective(C: number) {
      const penalty = 1 / (C * n);
      const invN = 1 / n;
      let loss = 0;
      // Adds row i's loss and returns its residual (p - y) / n.
      const residual = (i: number, z: number): number => {
        const yi = y[i] as number;
        let p: number;
        if (z >= 0) {
          const e = Math.exp(-z);
          loss += Math.log1p(e) + (1 - yi) * z;
          p = 1 / (1 + e);
        } else {
          const e = Math.exp(z);
          loss += Math.log1p(e) - yi * z;
          p = e / (1 + e);
        }
        return (p - yi) * invN;
      };
      return (theta: Float64Array, grad: Float64Array): number => {
        const mem = k.view();
        mem.set(theta.subarray(0, cols), thOff);
        mem.fill(0, grOff, grOff + cols);
        const b = theta[cols] as number;
        loss = 0;
        let gb = 0;
        let i = 0;
        if (!triangular) {
          // Four rows at a time: w and the gradient cross the cache once per four rows, and the
          // rows are read for the scores and, still in cache, for the gradient.
          for (; i + 3 < n; i += 4) {
            const o = aOff + i * cols;
            k.dot4(o, cols, thOff, cols, outOff);
            const r0 = residual(i, b + (mem[outOff] as number));
            const r1 = residual(i + 1, b + (mem[outOff + 1] as number));
            const r2 = residual(i + 2, b + (mem[outOff + 2] as number));
            const r3 = residual(i + 3, b + (mem[outOff + 3] as number));
            gb += r0 + r1 + r2 + r3;
            k.axpy4(grOff, o, cols, r0, r1, r2, r3, cols);
          }
        }
        for (; i < n; i++) {
          const o = aOff + i * cols;
          const len = triangular ? Math.min(i + 1, cols) : cols;
          const ri = residual(i, b + k.dot(o, thOff, len));
          gb += ri;
          if (ri !== 0) k.axpy(grOff, o, ri, len);
        }
        let ww = 0;
        for (let j = 0; j < cols; j++) {
          const wj = theta[j] as number;
          ww += wj * wj;
          grad[j] = (mem[grOff + j] as number) + penalty * wj;
        }
        grad[cols] = gb;
        return loss * invN + 0.5 * penalty * ww;
      };
    },
  };
}

/** Rows per cache block of the Gram computation (8 rows of 4,096 float64 = 256 KiB). */
const GRAM_BLOCK = 8;

/** Row-space basis of X from a pivoted Cholesky factorisation of X X^T. */
interface RowSpaceBasis {
  /** Numerical rank r. */
  readonly rank: number;
  /** rowOrder[t] = original row of the factor's row t (pivots first). */
  readonly rowOrder: Uint32Array;
  /** Write w = X^T a, a = L11^{-T} z on the pivot rows (the feature-space coefficients of z), into w[0..d). */
  toCoef(theta: Float64Array, w: Float64Array): void;
}

/**
 * Pivoted Cholesky of X X^T (outer-product order, LAPACK dpstrf's default tolerance
 * n * eps * max diag). Leaves the n x r factor G, rows in pivot order (first r rows
 * lower-triangular; X X^T = G G^T up to that permutation), row-major at `gOff` in the arena.
 * `lOff` is n x n scratch and `wOff` d scratch.
 */
function rowSpaceBasis(
  k: Kernels,
  xOff: number,
  n: number,
  d: number,
  lOff: number,
  gOff: number,
  wOff: number,
  outOff: number,
): RowSpaceBasis {
  const K = new Float64Array(n * n);
  // Blocks of GRAM_BLOCK rows i stay in L2 while each row j streams past them once, instead of
  // once per i, and four rows i share each load of row j: compute-bound, not memory-bound.
  for (let i0 = 0; i0 < n; i0 += GRAM_BLOCK) {
    const i1 = Math.min(n, i0 + GRAM_BLOCK);
    for (let j = 0; j < i1; j++) {
      let i = Math.max(i0, j);
      for (; i + 3 < i1; i += 4) {
        k.dot4(xOff + i * d, d, xOff + j * d, d, outOff);
        const mem = k.view();
        for (let q = 0; q < 4; q++) {
          K[(i + q) * n + j] = mem[outOff + q] as number;
          K[j * n + i + q] = mem[outOff + q] as number;
        }
      }
      for (; i < i1; i++) {
        const v = k.dot(xOff + i * d, xOff + j * d, d);
        K[i * n + j] = v;
        K[j * n + i] = v;
      }
    }
  }
  let mem = k.view();
  mem.fill(0, lOff, lOff + n * n); // L[i * n + c], rows by original index
  const diag = new Float64Array(n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) {
    diag[i] = K[i * n + i] as number;
    maxDiag = Math.max(maxDiag, diag[i] as number);
  }
  const tolAbs = n * Number.EPSILON * maxDiag;
  const isPivot = new Uint8Array(n);
  const piv: number[] = [];
  for (let c = 0; c < n; c++) {
    let p = -1;
    let best = tolAbs;
    for (let i = 0; i < n; i++) {
      if (isPivot[i] === 0 && (diag[i] as number) > best) {
        best = diag[i] as number;
        p = i;
      }
    }
    if (p < 0) break;
    isPivot[p] = 1;
    piv.push(p);
    const lpp = Math.sqrt(best);
    mem[lOff + p * n + c] = lpp;
    for (let i = 0; i < n; i++) {
      if (isPivot[i] === 1) continue;
      const lic = ((K[p * n + i] as number) - k.dot(lOff + i * n, lOff + p * n, c)) / lpp;
      mem[lOff + i * n + c] = lic;
      diag[i] = (diag[i] as number) - lic * lic;
    }
  }
  const r = piv.length;
  const rowOrder = new Uint32Array(n);
  piv.forEach((p, t) => (rowOrder[t] = p));
  let t = r;
  for (let i = 0; i < n; i++) if (isPivot[i] === 0) rowOrder[t++] = i;
  for (let t2 = 0; t2 < n; t2++) {
    const src = lOff + (rowOrder[t2] as number) * n;
    mem.copyWithin(gOff + t2 * r, src, src + r);
  }
  const a = new Float64Array(r);
  return {
    rank: r,
    rowOrder,
    toCoef(theta: Float64Array, w: Float64Array): void {
      mem = k.view();
      // Back substitution L11^T a = z (L11 = first r rows of G).
      for (let i = r - 1; i >= 0; i--) {
        let s = theta[i] as number;
        for (let j = i + 1; j < r; j++) s -= (mem[gOff + j * r + i] as number) * (a[j] as number);
        a[i] = s / (mem[gOff + i * r + i] as number);
      }
      mem.fill(0, wOff, wOff + d);
      for (let i = 0; i < r; i++) k.axpy(wOff, xOff + (piv[i] as number) * d, a[i] as number, d);
      w.set(mem.subarray(wOff, wOff + d));
    },
  };
}

function permute(v: Float64Array, order: Uint32Array): Float64Array {
  const out = new Float64Array(order.length);
  for (let t = 0; t < order.length; t++) out[t] = v[order[t] as number] as number;
  return out;
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
