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
 * arena in its own precision ({@link loadArenaMatrix}: float32 features stay float32, 4 bytes a
 * value, widened exactly as they are read; sums are float64), or, for rows already in a solver
 * memory (`solverMemory.ts`), is read where it is. With at most 600 features the
 * Hessian is formed and factored instead (exact Newton steps, `denseNewtonStep.ts`): on separable
 * count features at large C, CG needs thousands of products per step.
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
import type { NewtonStop } from './newtonCg.ts';
import { kernelScratch, makeKernelSolver } from './kernelNewton.ts';
import { gramMatrix } from './gramMatrix.ts';
import { checkScale, loadArenaMatrix, transposeTimes } from './ArenaMatrix.ts';
import { designScratch, logisticDesign } from './logisticDesign.ts';
import { FittedLogistic } from './FittedLogistic.ts';
import type { LogisticStop } from './FittedLogistic.ts';
import type { FeatureMatrix } from './FeatureMatrix.ts';
import { getKernels, sharedKernels, type Kernels } from './kernels.ts';
import { DENSE_MAX_COLS } from './denseNewtonStep.ts';
import { lockSolverMemory, solverMemoryOf, unlockSolverMemory } from './solverMemory.ts';
import type { ArenaMatrix } from './ArenaMatrix.ts';
import { UsageError } from '../errors.ts';

// Kept so that imports of these names from logistic.ts (before the split into one file per
// export) keep working; new code imports them from their own files.
export { FittedLogistic } from './FittedLogistic.ts';
export type { LogisticJSON, LogisticStop } from './FittedLogistic.ts';
export type { FeatureMatrix } from './FeatureMatrix.ts';
export { linearScores } from './linearScores.ts';

/** Parameters of {@link fitLogistic}; every field optional, defaults in {@link LOGISTIC_DEFAULTS}. */
export interface LogisticParams {
  /** Inverse L2 penalty strength, as scikit-learn's `C`. */
  readonly C?: number;
  /** Maximum Newton iterations per fit. */
  readonly maxIter?: number;
  /**
   * The certificate: a fit converges when `||grad f||_2 / max(1, |f|) <= tol` on the mean
   * objective f of the module comment.
   */
  readonly tol?: number;
  /**
   * `'gram'` (and `'auto'`) solve in the row space of X when n < d (the kernel form, see the
   * module comment), `'primal'` always in the d feature coordinates; with n >= d every choice
   * is primal.
   */
  readonly solver?: 'auto' | 'gram' | 'primal';
  /**
   * Inner-loop implementation: `'auto'` uses WebAssembly SIMD when available, `'js'` forces
   * plain JS (same results up to rounding; for tests and debugging).
   */
  readonly kernels?: 'auto' | 'js';
  /** Names of the d features, kept in the fitted probe. Default none. */
  readonly featureNames?: readonly string[];
}

/** The defaults of {@link LogisticParams} (`featureNames`: none). */
export const LOGISTIC_DEFAULTS = Object.freeze({
  C: 1,
  maxIter: 200,
  tol: 1e-8,
  solver: 'auto',
  kernels: 'auto',
} as const satisfies Required<Omit<LogisticParams, 'featureNames'>>);

/** Options of {@link fitLogisticPath}: {@link LogisticParams} without C, plus a column scale. */
export interface LogisticPathParams extends Omit<LogisticParams, 'C'> {
  /**
   * Fit on `X[:, j] / scale[j]` instead of X (d positive numbers): max-abs scaling without a
   * scaled copy of the training matrix (`selectC`). A wide primal fit (more than 600 columns, at
   * least as many rows) scales inside the solver, exactly; the other paths scale as X is copied
   * into the solver's memory, float32 input to float32 scaled values as scikit-learn's
   * MaxAbsScaler does. Default none.
   */
  readonly scale?: ArrayLike<number>;
}

/**
 * Fit an L2 logistic regression on a row-major n x d matrix.
 *
 * @param X - features, row-major, `n * d` finite values.
 * @param y - labels, each 0 or 1, both classes present.
 * @param d - number of features (columns).
 * @param params - see {@link LOGISTIC_DEFAULTS}.
 * @throws UsageError for a non-finite feature (naming row and column), a bad label, one class,
 *   mismatched sizes or a bad parameter.
 */
export function fitLogistic(X: FeatureMatrix, y: ArrayLike<number>, d: number, params: LogisticParams = {}): FittedLogistic {
  const fits = fitLogisticPath(X, y, d, [params.C ?? LOGISTIC_DEFAULTS.C], params);
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
 * @param params - as {@link fitLogistic} (its `C` is ignored), plus `scale`.
 * @returns one fitted probe per C.
 */
export function fitLogisticPath(
  X: FeatureMatrix,
  y: ArrayLike<number>,
  d: number,
  Cs: readonly number[],
  params: LogisticPathParams = {},
): FittedLogistic[] {
  const n = checkData(X, y, d, params.featureNames);
  for (const C of Cs) {
    if (!(C > 0 && Number.isFinite(C))) throw new UsageError(`C must be a positive finite number, got ${C}`, { field: 'C' });
  }
  const maxIter = params.maxIter ?? LOGISTIC_DEFAULTS.maxIter;
  const tol = params.tol ?? LOGISTIC_DEFAULTS.tol;
  if (!(Number.isInteger(maxIter) && maxIter >= 1))
    throw new UsageError(`maxIter must be a positive integer, got ${maxIter}`, { field: 'maxIter' });
  if (!(tol > 0)) throw new UsageError(`tol must be a positive number, got ${tol}`, { field: 'tol' });
  if (params.scale !== undefined) checkScale(params.scale, d);
  const solver = params.solver ?? LOGISTIC_DEFAULTS.solver;
  // The kernel form needs K = X X^T nonsingular in general position, so only n < d.
  const useGram = n < d && solver !== 'primal';
  const kernels = getKernels(params.kernels ?? LOGISTIC_DEFAULTS.kernels);
  // A wide primal fit scales its columns in the solver (exact, no scaled copy), and reads rows
  // that already sit in a solver memory where they are (`solverMemory.ts`).
  const wide = !useGram && d > DENSE_MAX_COLS;
  const colScale = wide && params.scale !== undefined ? Float64Array.from(params.scale) : undefined;
  const held = wide && kernels.kind === 'wasm-simd' && X instanceof Float32Array ? solverMemoryOf(X, d) : undefined;
  const inPlace = held !== undefined && lockSolverMemory(held.memory);
  try {
    const k = inPlace ? sharedKernels(held.memory) : kernels;
    // X (float32 or float64) comes first in the arena, the scratch after it (`arenaOffsets`); in
    // place, the scratch follows all of the memory's rows.
    const xDoubles = inPlace ? held.scratchOff : X instanceof Float32Array ? Math.ceil(X.length / 2) : X.length;
    const at = arenaOffsets(xDoubles, d, n);
    // Rows in place: solverMemoryOf checked that the memory holds the scratch after them.
    const A = inPlace
      ? { off: 0, f32: true, n, cols: d, doubles: xDoubles }
      : loadArenaMatrix(k, X, d, (useGram ? at.end : at.kOff) - xDoubles, colScale ? undefined : params.scale);
    return fitPath(k, A, y, d, Cs, { useGram, scrOff: xDoubles, colScale, maxIter, tol }, params.featureNames);
  } finally {
    if (inPlace) unlockSolverMemory(held.memory);
  }
}

/**
 * Arena layout of a fit (float64 offsets) after X's `xDoubles`: the design scratch, and for the
 * Gram path K | v | Kv | 8 scores | preconditioner scratch, ending at `end`.
 */
function arenaOffsets(xDoubles: number, d: number, n: number) {
  const kOff = xDoubles + designScratch(d);
  const vOff = kOff + n * n;
  const mvOff = vOff + n;
  const outOff = mvOff + n;
  const eigOff = outOff + 8;
  return { kOff, vOff, mvOff, outOff, eigOff, end: eigOff + kernelScratch(n) };
}

/** How {@link fitLogisticPath} runs its path: the solver form, where the scratch starts, the column scale, the stopping rule. */
interface PathSetup {
  readonly useGram: boolean;
  readonly scrOff: number;
  readonly colScale: Float64Array | undefined;
  readonly maxIter: number;
  readonly tol: number;
}

/** The C path of {@link fitLogisticPath} on a matrix already in the arena. */
function fitPath(
  k: Kernels,
  A: ArenaMatrix,
  y: ArrayLike<number>,
  d: number,
  Cs: readonly number[],
  setup: PathSetup,
  featureNames: readonly string[] | undefined,
): FittedLogistic[] {
  const { useGram, scrOff, maxIter, tol } = setup;
  const { kOff, vOff, mvOff, outOff, eigOff } = arenaOffsets(scrOff, d, A.n);
  const n = A.n;
  const yy = Float64Array.from(y);
  const order = Cs.map((_, i) => i).sort((a, b) => (Cs[a] as number) - (Cs[b] as number));
  const out = new Array<FittedLogistic>(Cs.length);
  const opts = { maxIter, gtol: tol, xtol: XTOL };
  const primal = logisticDesign(k, A, yy, scrOff, setup.colScale);
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
      featureNames,
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
    k.release(KEEP_ARENA_BYTES);
    return out;
  }

  gramMatrix(k, A, kOff, outOff);
  const kernel = makeKernelSolver(k, kOff, n, yy, vOff, mvOff, outOff, eigOff);
  const alpha = new Float64Array(n);
  const bRef = { b: 0 };
  const wb = new Float64Array(d + 1);
  const wOff = scrOff + d + 1; // the design's gradient scratch, free between its passes
  for (const i of order) {
    const C = Cs[i] as number;
    // A tenth of tol leaves room for the rounding of the map back to w.
    const res = kernel.solve(C, alpha, bRef, { ...opts, gtol: tol / 10 });
    // w = X^T alpha, one pass over X.
    transposeTimes(k, A, alpha, wOff);
    wb.set(k.view().subarray(wOff, wOff + d));
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
  k.release(KEEP_ARENA_BYTES);
  return out;
}

/**
 * Solver memory kept after a fit (the arena of the few-shot fits, reused without regrowing);
 * a larger arena (the copy of a big training matrix) is given back so the process does not hold
 * it for the rest of an evaluation.
 */
const KEEP_ARENA_BYTES = 256 * 2 ** 20;

/** Newton-step tolerance of the certificate (the `xtol` of {@link newtonCg}). */
const XTOL = 1e-9;

/** Validate shapes, labels and finiteness; returns n. */
function checkData(X: FeatureMatrix, y: ArrayLike<number>, d: number, names: readonly string[] | undefined): number {
  if (!(Number.isInteger(d) && d >= 1)) throw new UsageError(`number of features must be a positive integer, got ${d}`, { field: 'd' });
  if (X.length % d !== 0)
    throw new UsageError(`feature matrix has ${X.length} values, not a multiple of ${d} features`, { field: 'features' });
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

function dotN(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}
