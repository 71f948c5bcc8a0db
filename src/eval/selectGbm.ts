/**
 * Choosing the gradient-boosted tree configuration of the count baseline (SPEC section 5): fit
 * every configuration of the grid (max depth {3, 6, none} x learning rate {0.02, 0.1, 0.5} x leaves
 * {10, 25, 100}, min child samples 1) on train, keep the one with the best validation AUROC, and
 * return its train fit. As in `selectC.ts`, the train fit of the chosen configuration is the
 * SPEC's "refit on train": the training data did not change.
 *
 * Equivalent configurations are fitted once. A tree of depth D has at most 2^D leaves, so with
 * depth 3 the leaf caps 10, 25 and 100 never bind and the three configurations grow the same trees
 * (and depth 6 with 100 leaves is depth 6 with 64); likewise a depth cap of at least L - 1 never
 * binds a tree of L leaves. The SPEC's 27 configurations are 21 distinct models.
 *
 * Ties in validation AUROC (common on few-shot validation sets) go to the simpler model: fewer
 * effective leaves, then shallower effective depth, then the smaller learning rate (less fitted
 * after the same number of rounds), then grid order.
 */
import { fitGbmPath } from '../probe/gbm.ts';
import type { FittedGbm, GbmParams } from '../probe/gbm.ts';
import type { FeatureMatrix } from '../probe/FeatureMatrix.ts';
import { auroc } from './auroc.ts';
import type { LabelledFeatures } from './selectC.ts';
import { isCsrMatrix, type CsrMatrix } from '../probe/csrMatrix.ts';

/** Labelled rows, dense row-major or CSR (entries not stored are missing to XGBoost). */
export interface GbmLabelledFeatures {
  readonly X: FeatureMatrix | CsrMatrix;
  readonly y: ArrayLike<number>;
}
import { InternalError, UsageError } from '../errors.ts';

/** One point of the GBM grid: the three parameters the SPEC varies (0 = no limit). */
export interface GbmGridPoint {
  readonly maxDepth: number;
  readonly learningRate: number;
  readonly maxLeaves: number;
}

/** The SPEC's grid, depth-major: depth {3, 6, none (0)} x learning rate {0.02, 0.1, 0.5} x leaves {10, 25, 100}. */
export const GBM_GRID: readonly GbmGridPoint[] = Object.freeze(
  [3, 6, 0].flatMap((maxDepth) =>
    [0.02, 0.1, 0.5].flatMap((learningRate) => [10, 25, 100].map((maxLeaves) => Object.freeze({ maxDepth, learningRate, maxLeaves }))),
  ),
);

/** A grid point standing for itself and the later grid points that grow the same trees. */
export interface DistinctGbmConfig {
  /** The first grid point of its class (the one fitted). */
  readonly config: GbmGridPoint;
  /** Every grid point of its class, `config` included, in grid order. */
  readonly equivalent: readonly GbmGridPoint[];
  /** Leaf cap that can actually bind (0 = none). */
  readonly effectiveLeaves: number;
  /** Depth cap that can actually bind (0 = none). */
  readonly effectiveDepth: number;
}

/** Validation result of one distinct configuration. */
export interface GbmScore extends DistinctGbmConfig {
  /** AUROC on the validation rows of the model fitted on train with this configuration. */
  readonly auroc: number;
  /** Trees in that model (fewer than `nEstimators` after early stopping). */
  readonly nRounds: number;
}

/** Options of {@link selectGbm}: the GBM parameters the grid does not set, plus the grid. */
export interface SelectGbmOptions extends Omit<GbmParams, 'maxDepth' | 'learningRate' | 'maxLeaves'> {
  /** Configurations to try. Default {@link GBM_GRID}. */
  readonly grid?: readonly GbmGridPoint[];
  /**
   * Stop each fit when validation AUROC has not improved for this many rounds and keep its best
   * round count. Default none: every fit runs `nEstimators` (100) rounds, as the study did.
   */
  readonly earlyStoppingRounds?: number;
}

/** Result of {@link selectGbm}. */
export interface SelectGbmResult {
  /** The chosen configuration (the first of its equivalence class in the grid). */
  readonly config: GbmGridPoint;
  /** The model fitted on train with it. */
  readonly probe: FittedGbm;
  /** Validation AUROC of every distinct configuration, in grid order. */
  readonly scores: readonly GbmScore[];
  /** Probabilities from {@link SelectGbmResult.probe}. */
  predictProba(X: FeatureMatrix | CsrMatrix): Float64Array;
}

/**
 * Group grid points that grow identical trees (see the module comment), keeping grid order.
 *
 * @param grid - configurations. Default {@link GBM_GRID}.
 */
export function distinctGbmConfigs(grid: readonly GbmGridPoint[] = GBM_GRID): DistinctGbmConfig[] {
  const classes = new Map<string, { config: GbmGridPoint; equivalent: GbmGridPoint[]; effectiveLeaves: number; effectiveDepth: number }>();
  for (const point of grid) {
    const { maxDepth, maxLeaves } = point;
    // 2^D leaves at most; beyond ~2^52 the cap is moot anyway.
    const depthCap = maxDepth > 0 && maxDepth < 52 ? 2 ** maxDepth : 0;
    const effectiveLeaves = depthCap === 0 ? maxLeaves : maxLeaves === 0 ? depthCap : Math.min(maxLeaves, depthCap);
    const effectiveDepth = effectiveLeaves > 0 && maxDepth >= effectiveLeaves - 1 ? 0 : maxDepth;
    const key = `${effectiveDepth}|${point.learningRate}|${effectiveLeaves}`;
    const found = classes.get(key);
    if (found === undefined) classes.set(key, { config: point, equivalent: [point], effectiveLeaves, effectiveDepth });
    else found.equivalent.push(point);
  }
  return [...classes.values()].map((c) => Object.freeze({ ...c, equivalent: Object.freeze(c.equivalent) }));
}

/**
 * Fit every distinct configuration of the grid on train (one shared training matrix), pick by
 * validation AUROC (ties to the simpler model), return the chosen train fit.
 *
 * @param train - training features and labels (both classes present); NaN = missing.
 * @param val - validation features and labels (both classes present), same d.
 * @param d - number of features.
 * @param options - grid ({@link GBM_GRID}), earlyStoppingRounds (none) and the other
 *   {@link GbmParams}: minChildWeight (1e-3), nEstimators (100), lambda (0), maxBin (256), seed
 *   (0), nThread (all cores), featureNames.
 * @throws UsageError for invalid inputs, an empty grid, or a missing XGBoost library.
 */
export function selectGbm(
  train: LabelledFeatures | GbmLabelledFeatures,
  val: LabelledFeatures | GbmLabelledFeatures,
  d: number,
  options: SelectGbmOptions = {},
): SelectGbmResult {
  const { grid = GBM_GRID, earlyStoppingRounds, ...shared } = options;
  if (grid.length === 0) throw new UsageError('the GBM grid is empty', { field: 'grid' });
  if (isCsrMatrix(val.X) ? val.X.nRows !== val.y.length : val.X.length !== val.y.length * d) {
    throw new UsageError(`validation matrix does not have one row of ${d} features for each of its ${val.y.length} labels`, {
      field: 'features',
    });
  }
  const distinct = distinctGbmConfigs(grid);
  const score = (proba: Float64Array): number => auroc(val.y, proba);
  const fits = fitGbmPath(
    train.X,
    train.y,
    d,
    distinct.map((c) => ({ ...shared, ...c.config })),
    earlyStoppingRounds === undefined ? { evalX: val.X, evalScore: score } : { evalX: val.X, evalScore: score, earlyStoppingRounds },
  );
  const scores = distinct.map((c, i): GbmScore => {
    const fit = fits[i];
    if (fit?.evalScore === undefined) throw new InternalError('fitGbmPath returned no validation score');
    return Object.freeze({ ...c, auroc: fit.evalScore, nRounds: fit.probe.nRounds });
  });
  let best = 0;
  for (let k = 1; k < scores.length; k++) {
    const a = scores[k] as GbmScore;
    const b = scores[best] as GbmScore;
    if (a.auroc > b.auroc || (a.auroc === b.auroc && simpler(a, b))) best = k;
  }
  const probe = (fits[best] as { probe: FittedGbm }).probe;
  return Object.freeze({
    config: (scores[best] as GbmScore).config,
    probe,
    scores: Object.freeze(scores),
    predictProba: (X: FeatureMatrix | CsrMatrix) => probe.predictProba(X, options.nThread),
  });
}

/** Strictly simpler: fewer leaves, then shallower, then smaller learning rate (0 caps = unlimited). */
function simpler(a: DistinctGbmConfig, b: DistinctGbmConfig): boolean {
  const cap = (v: number): number => (v === 0 ? Infinity : v);
  if (cap(a.effectiveLeaves) !== cap(b.effectiveLeaves)) return cap(a.effectiveLeaves) < cap(b.effectiveLeaves);
  if (cap(a.effectiveDepth) !== cap(b.effectiveDepth)) return cap(a.effectiveDepth) < cap(b.effectiveDepth);
  return a.config.learningRate < b.config.learningRate;
}
