/**
 * Choosing the L2 strength of the linear head (SPEC section 5): scale features by max |x| on
 * train, fit one logistic regression per C on train, keep the C with the best validation AUROC
 * (ties go to the smaller C, the stronger penalty), and return the train fit at that C. The
 * train fit at the chosen C *is* the SPEC's "refit on train": the training data did not change, so
 * there is nothing to refit.
 */
import { fitLogisticPath } from '../probe/logistic.ts';
import type { LogisticParams } from '../probe/logistic.ts';
import type { FittedLogistic } from '../probe/FittedLogistic.ts';
import type { FeatureMatrix } from '../probe/FeatureMatrix.ts';
import { linearScores } from '../probe/linearScores.ts';
import { fitMaxAbsScaler } from '../probe/maxAbsScaler.ts';
import type { FittedMaxAbsScaler } from '../probe/maxAbsScaler.ts';
import { auroc } from './auroc.ts';
import { UsageError } from '../errors.ts';

/** The SPEC's C grid: 1e-6 ... 1e6 (note: no 10, the study's grid skips it). */
export const C_GRID: readonly number[] = Object.freeze([1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 1e2, 1e3, 1e4, 1e5, 1e6]);

/** Labelled features: a row-major n x d matrix and n labels (0/1). */
export interface LabelledFeatures {
  readonly X: FeatureMatrix;
  readonly y: ArrayLike<number>;
}

/** Options of {@link selectC}: the logistic parameters (not C) plus the grid. */
export interface SelectCOptions extends Omit<LogisticParams, 'C'> {
  /** C values to try. Default {@link C_GRID}. */
  readonly grid?: readonly number[];
}

/** Validation result of one C. */
export interface CScore {
  readonly C: number;
  /** AUROC on the validation rows of the model fitted on train with this C. */
  readonly auroc: number;
  /** Newton iterations of that fit. */
  readonly nIter: number;
  /** Whether that fit is certified at its optimum (`relGrad <= tol`). */
  readonly converged: boolean;
  /** The fit's certificate `||grad f||_2 / max(1, |f|)` (see `FittedLogistic.relGrad`). */
  readonly relGrad: number;
}

/** Result of {@link selectC}. */
export interface SelectCResult {
  /** The chosen C. */
  readonly C: number;
  /** Scaler fitted on train; apply it before `probe`. */
  readonly scaler: FittedMaxAbsScaler;
  /** Logistic regression fitted on scaled train features with the chosen C. */
  readonly probe: FittedLogistic;
  /** Validation AUROC of every C, in grid order. */
  readonly scores: readonly CScore[];
  /**
   * Linear scores of raw (unscaled) features: `probe.decisionFunction(scaler.transform(X))` up to
   * rounding, without materialising the scaled copy of X.
   */
  decisionFunction(X: FeatureMatrix): Float64Array;
  /** Probabilities of raw (unscaled) features, as {@link SelectCResult.decisionFunction}. */
  predictProba(X: FeatureMatrix): Float64Array;
}

/**
 * Scale on train, fit every C of the grid on train (one shared factorisation, warm starts along
 * the path), pick C by validation AUROC (ties to the smaller C).
 *
 * @param train - training features and labels (both classes present).
 * @param val - validation features and labels (both classes present), same d.
 * @param d - number of features.
 * @param options - grid ({@link C_GRID}) and the logistic parameters of {@link fitLogistic}
 *   (maxIter 200, tol 1e-8, solver 'auto').
 * @throws UsageError for invalid inputs or an empty grid.
 */
export function selectC(train: LabelledFeatures, val: LabelledFeatures, d: number, options: SelectCOptions = {}): SelectCResult {
  const grid = options.grid ?? C_GRID;
  if (grid.length === 0) throw new UsageError('the C grid is empty', { field: 'grid' });
  const scaler = fitMaxAbsScaler(train.X, d, options.featureNames);
  // The scaling happens as the solver copies train.X into its memory: no scaled copy of it here.
  const { grid: _grid, ...params } = options;
  const fits = fitLogisticPath(train.X, train.y, d, grid, { ...params, scale: scaler.scale });
  const valScores = scaledScores(val.X, scaler, fits, d);
  const { probe, scores } = chooseC(fits, val.y, (_, c) => valScores[c] as Float64Array);
  // Scaling folded into the weights: x_j / s_j * w_j = x_j * (w_j / s_j).
  const folded = probe.coef;
  const scale = scaler.scale;
  for (let j = 0; j < d; j++) folded[j] = (folded[j] as number) / (scale[j] as number);
  const decisionFunction = (X: FeatureMatrix): Float64Array => {
    if (X.length % d !== 0)
      throw new UsageError(`feature matrix has ${X.length} values, not a multiple of ${d} features`, { field: 'features' });
    return linearScores(X, folded, probe.intercept, d, new Float64Array(X.length / d));
  };
  return Object.freeze({
    C: probe.C,
    scaler,
    probe,
    scores: Object.freeze(scores),
    decisionFunction,
    predictProba: (X: FeatureMatrix) => decisionFunction(X).map((z) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)))),
  });
}

/**
 * The protocol's choice among a C path's fits: validation AUROC of each (on the decision values
 * `valScoresOf` gives), the highest wins, ties to the smaller C. Shared by the dense and the CSR
 * selection.
 */
export function chooseC(
  fits: readonly FittedLogistic[],
  yVal: ArrayLike<number>,
  valScoresOf: (fit: FittedLogistic, index: number) => Float64Array,
): { probe: FittedLogistic; scores: CScore[] } {
  const scores = fits.map((fit, c): CScore => ({
    C: fit.C,
    auroc: auroc(yVal, valScoresOf(fit, c)),
    nIter: fit.nIter,
    converged: fit.converged,
    relGrad: fit.relGrad,
  }));
  let best = 0;
  for (let k = 1; k < scores.length; k++) {
    const a = scores[k] as CScore;
    const b = scores[best] as CScore;
    if (a.auroc > b.auroc || (a.auroc === b.auroc && a.C < b.C)) best = k;
  }
  return { probe: fits[best] as FittedLogistic, scores };
}

/** Validation rows scaled per block, so no scaled copy of the whole validation matrix is held. */
const SCORE_BLOCK_ROWS = 1024;

/** Decision values of every fit on `scaler.transform(X)`, a block of rows at a time. */
function scaledScores(X: FeatureMatrix, scaler: FittedMaxAbsScaler, fits: readonly FittedLogistic[], d: number): Float64Array[] {
  if (X.length % d !== 0)
    throw new UsageError(`feature matrix has ${X.length} values, not a multiple of ${d} features`, { field: 'features' });
  const n = X.length / d;
  const out = fits.map(() => new Float64Array(n));
  for (let r0 = 0; r0 < n; r0 += SCORE_BLOCK_ROWS) {
    const r1 = Math.min(n, r0 + SCORE_BLOCK_ROWS);
    const block = scaler.transform(X.subarray(r0 * d, r1 * d));
    fits.forEach((fit, c) => (out[c] as Float64Array).set(fit.decisionFunction(block), r0));
  }
  return out;
}
