/**
 * Gradient-boosted trees for the count-feature baseline (SPEC section 5), trained by XGBoost
 * (`xgboostLib.ts`) and set up to behave like the LightGBM models of the EHRSHOT study whose grid
 * the SPEC copies (max depth {3, 6, none}, learning rate {0.02, 0.1, 0.5}, leaves {10, 25, 100},
 * min child samples 1).
 *
 * Mapping from LightGBM's `LGBMClassifier` to XGBoost parameters, and why:
 * - Leaf-wise growth: LightGBM always grows the leaf with the largest loss reduction next, capped
 *   by `num_leaves` and `max_depth`. XGBoost does the same with `grow_policy=lossguide` (with the
 *   `hist` tree method), `max_leaves` and `max_depth`, where 0 means "no limit" (LightGBM's -1).
 * - "min child samples 1": XGBoost has no minimum row count per leaf; its only leaf-size limit is
 *   `min_child_weight`, a minimum hessian sum. LightGBM has both, and its hessian limit
 *   (`min_sum_hessian_in_leaf`) defaults to 1e-3, so `min_child_samples=1` in LightGBM means
 *   "hessian sum >= 1e-3", which is `min_child_weight=1e-3` here. (XGBoost's own default of 1
 *   would demand at least 4 rows per leaf, as a logistic-loss hessian is at most 0.25: too strict
 *   for few-shot training sets of 2 to 256 rows.)
 * - No L2 penalty on leaf weights (`lambda=0`, LightGBM's `reg_lambda` default; XGBoost's is 1).
 * - Initial score = training prevalence (`base_score=mean(y)`), as LightGBM's
 *   `boost_from_average` (XGBoost 1.7 starts from 0.5).
 * - 100 rounds at the given learning rate (LightGBM's `n_estimators` default), no subsampling,
 *   so a fit is deterministic; `seed` is passed anyway.
 *
 * Input: a dense row-major float32 matrix. NaN means *missing*: XGBoost sends missing values down a
 * default branch learned at each split. Every other value, 0 included, is an observed value (count
 * features should be 0 where a code never occurred, not NaN). ±Infinity is rejected. Float64 input
 * is rounded to float32 first, as XGBoost does.
 *
 * Or a CSR matrix (`csrMatrix.ts`), handed to XGBoost as it is (`XGDMatrixCreateFromCSREx`, no
 * dense copy): the count baseline at EHRSHOT size. XGBoost treats every entry a CSR matrix does not
 * store as *missing*, so a code that never occurred takes the learned default branch instead of
 * being compared with the threshold as a dense 0 would, and the histogram cut points come from the
 * stored (nonzero) values only. The model is then exactly the dense model with NaN where CSR
 * stores nothing (tested), not the dense model with zeros: on count features the two differ a
 * little (on the bundled Synthea sample's hypoglycemia task, macro AUROC at k = all 0.544 dense vs
 * 0.543 CSR; see CHANGELOG).
 *
 * Native memory: DMatrices and boosters are freed in `finally` blocks before each call returns. A
 * {@link FittedGbm} holds only the serialized model (UBJSON bytes), so it is an ordinary immutable
 * JS object with nothing to dispose; {@link FittedGbm.predictProba} loads it into a booster for
 * the call (about a millisecond for 100 trees) and frees it again.
 *
 * The C calls are synchronous: a fit blocks the event loop for its duration.
 */
import { availableParallelism } from 'node:os';
import { loadXGBoost } from './xgboostLib.ts';
import type { XGBHandle, XGBoostLib } from './xgboostLib.ts';
import type { FeatureMatrix } from './FeatureMatrix.ts';
import { checkCsr, isCsrMatrix, type CsrMatrix } from './csrMatrix.ts';
import { UsageError } from '../errors.ts';

/** Parameters of {@link fitGbm}; every field optional. Defaults are LightGBM's `LGBMClassifier` defaults mapped as in the module comment. */
export interface GbmParams {
  /** Maximum tree depth; 0 = no limit (SPEC "none"). Default 0. */
  readonly maxDepth?: number;
  /** Shrinkage per round (`eta`). Default 0.1. */
  readonly learningRate?: number;
  /** Maximum leaves per tree; 0 = no limit. Default 31 (LightGBM's `num_leaves`). */
  readonly maxLeaves?: number;
  /** Minimum hessian sum in a leaf (see the module comment for "min child samples 1"). Default 1e-3. */
  readonly minChildWeight?: number;
  /** Boosting rounds (trees). Default 100. */
  readonly nEstimators?: number;
  /** L2 penalty on leaf weights. Default 0. */
  readonly lambda?: number;
  /** Histogram bins per feature (`max_bin`). Default 256. */
  readonly maxBin?: number;
  /** Random seed (no sampling is used, so results do not depend on it). Default 0. */
  readonly seed?: number;
  /**
   * OpenMP threads for training. Models were bit-identical across thread counts in our tests,
   * but XGBoost does not promise it: compare models fitted with the same count. Default
   * `os.availableParallelism()`.
   */
  readonly nThread?: number;
  /** Names of the d features, kept in the fitted probe. Default none. */
  readonly featureNames?: readonly string[];
}

/** The model-defining parameters of a fitted GBM, all resolved (no thread count or names). */
export interface GbmModelParams {
  readonly maxDepth: number;
  readonly learningRate: number;
  readonly maxLeaves: number;
  readonly minChildWeight: number;
  readonly nEstimators: number;
  readonly lambda: number;
  readonly maxBin: number;
  readonly seed: number;
}

/** Defaults of {@link GbmParams}, excluding `nThread` (machine-dependent) and `featureNames`. */
export const GBM_DEFAULTS: GbmModelParams = Object.freeze({
  maxDepth: 0,
  learningRate: 0.1,
  maxLeaves: 31,
  minChildWeight: 1e-3,
  nEstimators: 100,
  lambda: 0,
  maxBin: 256,
  seed: 0,
});

/** JSON form of a {@link FittedGbm} (`toJSON()` / `FittedGbm.fromJSON()`). */
export interface GbmJSON {
  readonly kind: 'gbm';
  readonly version: 1;
  /** XGBoost version that trained the model. */
  readonly xgboostVersion: string;
  /** Serialization of `model`: XGBoost's UBJSON (`save_model("x.ubj")` in Python). */
  readonly format: 'ubj';
  /** The XGBoost model, base64. */
  readonly model: string;
  readonly params: GbmModelParams;
  /** Initial score (training prevalence) the boosting started from. */
  readonly baseScore: number;
  readonly nFeatures: number;
  /** Trees kept (fewer than `params.nEstimators` after early stopping). */
  readonly nRounds: number;
  readonly featureNames?: string[];
}

/** A fitted gradient-boosted tree model. Immutable; holds no native memory. */
export class FittedGbm {
  readonly #model: Uint8Array;
  /** Parameters it was trained with. */
  readonly params: GbmModelParams;
  /** Initial score (training prevalence). */
  readonly baseScore: number;
  /** Number of features d. */
  readonly nFeatures: number;
  /** Trees in the model. */
  readonly nRounds: number;
  /** XGBoost version that trained it. */
  readonly xgboostVersion: string;
  /** Feature names given at fit time, if any. */
  readonly featureNames: readonly string[] | undefined;

  /** Build from a serialized model (use {@link fitGbm} or {@link FittedGbm.fromJSON}); copies `model`. */
  constructor(fields: {
    model: Uint8Array;
    params: GbmModelParams;
    baseScore: number;
    nFeatures: number;
    nRounds: number;
    xgboostVersion: string;
    featureNames?: readonly string[] | undefined;
  }) {
    this.#model = fields.model.slice();
    this.params = Object.freeze({ ...fields.params });
    this.baseScore = fields.baseScore;
    this.nFeatures = fields.nFeatures;
    this.nRounds = fields.nRounds;
    this.xgboostVersion = fields.xgboostVersion;
    this.featureNames = fields.featureNames === undefined ? undefined : Object.freeze([...fields.featureNames]);
    Object.freeze(this);
  }

  /** The XGBoost model as UBJSON bytes (a fresh copy); Python: `Booster().load_model(bytearray(b))`. */
  get model(): Uint8Array {
    return this.#model.slice();
  }

  /**
   * Probability of the positive class for each row of a row-major n x d matrix (NaN = missing).
   *
   * @param X - features; float64 values are rounded to float32 first.
   * @param nThread - prediction threads (each row's trees are summed in order, so results do
   *   not depend on it). Default
   *   `os.availableParallelism()`.
   * @throws UsageError when `X.length` is not a multiple of d or a value is ±Infinity, or when
   *   XGBoost cannot be loaded or rejects the stored model.
   */
  predictProba(X: FeatureMatrix | CsrMatrix, nThread = availableParallelism()): Float64Array {
    const d = this.nFeatures;
    const n = checkInput(X, d, this.featureNames);
    checkThreads(nThread);
    const lib = loadXGBoost();
    const booster = lib.createBooster([]);
    try {
      try {
        lib.loadModel(booster, this.#model);
      } catch (err) {
        throw new UsageError(
          `the stored GBM model is not a valid XGBoost model: ${(err as Error).message}`,
          { field: 'model' },
          { cause: err },
        );
      }
      lib.setParam(booster, 'nthread', String(nThread));
      if (isCsrMatrix(X)) {
        const dm = dmatrixFromCsr(lib, X);
        try {
          return Float64Array.from(lib.predict(booster, dm, 0));
        } finally {
          lib.freeDMatrix(dm);
        }
      }
      return Float64Array.from(predictRows(lib, booster, toFloat32(X), n, d, nThread));
    } finally {
      lib.freeBooster(booster);
    }
  }

  /** Plain JSON; the model travels as base64 UBJSON, which stores XGBoost's float32 values exactly. */
  toJSON(): GbmJSON {
    const json: GbmJSON = {
      kind: 'gbm',
      version: 1,
      xgboostVersion: this.xgboostVersion,
      format: 'ubj',
      model: Buffer.from(this.#model.buffer, this.#model.byteOffset, this.#model.byteLength).toString('base64'),
      params: { ...this.params },
      baseScore: this.baseScore,
      nFeatures: this.nFeatures,
      nRounds: this.nRounds,
    };
    return this.featureNames === undefined ? json : { ...json, featureNames: [...this.featureNames] };
  }

  /**
   * Rebuild a model from {@link FittedGbm.toJSON} output. The model bytes themselves are checked
   * by XGBoost at the first prediction.
   *
   * @throws UsageError naming the bad field when `json` is not a GBM probe.
   */
  static fromJSON(json: unknown): FittedGbm {
    const o = json as Partial<Record<keyof GbmJSON, unknown>> | null;
    const bad = (field: string, expected: string): never => {
      throw new UsageError(`not a GBM probe: expected ${expected}`, { field });
    };
    if (typeof o !== 'object' || o === null) return bad('(root)', 'an object');
    if (o.kind !== 'gbm') bad('kind', '"gbm"');
    if (o.version !== 1) bad('version', '1');
    if (o.format !== 'ubj') bad('format', '"ubj"');
    if (typeof o.model !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(o.model) || o.model.length === 0) bad('model', 'a base64 string');
    if (typeof o.xgboostVersion !== 'string') bad('xgboostVersion', 'a string');
    if (typeof o.nFeatures !== 'number' || !Number.isInteger(o.nFeatures) || o.nFeatures < 1) bad('nFeatures', 'a positive integer');
    if (typeof o.nRounds !== 'number' || !Number.isInteger(o.nRounds) || o.nRounds < 0) bad('nRounds', 'a non-negative integer');
    if (typeof o.baseScore !== 'number' || !(o.baseScore > 0 && o.baseScore < 1)) bad('baseScore', 'a number in (0, 1)');
    if (typeof o.params !== 'object' || o.params === null || Object.keys(GBM_DEFAULTS).some((k) => !(k in (o.params as object)))) {
      bad('params', `an object with ${Object.keys(GBM_DEFAULTS).join(', ')}`);
    }
    let params: GbmModelParams;
    try {
      params = resolveParams(o.params as GbmParams);
    } catch (err) {
      throw new UsageError(`not a GBM probe: bad params (${(err as Error).message})`, { field: 'params' });
    }
    const names = o.featureNames;
    if (names !== undefined && (!Array.isArray(names) || names.length !== o.nFeatures || !names.every((s) => typeof s === 'string'))) {
      bad('featureNames', 'one string per feature');
    }
    return new FittedGbm({
      model: new Uint8Array(Buffer.from(o.model as string, 'base64')),
      params,
      baseScore: o.baseScore as number,
      nFeatures: o.nFeatures as number,
      nRounds: o.nRounds as number,
      xgboostVersion: o.xgboostVersion as string,
      featureNames: names as string[] | undefined,
    });
  }
}

/** Options of {@link fitGbmPath}: an evaluation set scored during training. */
export interface GbmPathOptions {
  /**
   * Evaluation rows (row-major, same d), predicted by every fitted model. Default none.
   */
  readonly evalX?: FeatureMatrix | CsrMatrix;
  /**
   * Score of evaluation-set probabilities, higher is better (e.g. validation AUROC); needs
   * `evalX`. Default none.
   */
  readonly evalScore?: (proba: Float64Array) => number;
  /**
   * Stop a fit when `evalScore` has not improved for this many rounds and keep the rounds up to
   * its best (ties keep fewer rounds); needs `evalX` and `evalScore`. Default none: every fit
   * runs `nEstimators` rounds.
   */
  readonly earlyStoppingRounds?: number;
}

/** One fit of {@link fitGbmPath}. */
export interface GbmPathFit {
  readonly probe: FittedGbm;
  /** Evaluation-set probabilities of `probe` (when `evalX` was given). */
  readonly evalProba?: Float64Array;
  /** `evalScore(evalProba)` (when `evalScore` was given). */
  readonly evalScore?: number;
}

/**
 * Fit a gradient-boosted tree model on a row-major n x d matrix.
 *
 * @param X - features, row-major, `n * d` values; NaN = missing, ±Infinity rejected.
 * @param y - labels, each 0 or 1, both classes present.
 * @param d - number of features (columns).
 * @param params - maxDepth (0 = none), learningRate (0.1), maxLeaves (31), minChildWeight (1e-3),
 *   nEstimators (100), lambda (0), maxBin (256), seed (0), nThread (all cores), featureNames.
 * @throws UsageError for an infinite feature (naming row and column), a bad label, one class,
 *   mismatched sizes, a bad parameter, or a missing XGBoost library.
 */
export function fitGbm(X: FeatureMatrix, y: ArrayLike<number>, d: number, params: GbmParams = {}): FittedGbm {
  return (fitGbmPath(X, y, d, [params])[0] as GbmPathFit).probe;
}

/**
 * Fit one model per parameter set on the same training rows. The training matrix is handed to
 * XGBoost once, so its quantile sketch (the `hist` bins) is computed once for all fits, and the
 * evaluation matrix likewise.
 *
 * @param X - features, row-major, `n * d` values; NaN = missing.
 * @param y - labels, each 0 or 1, both classes present.
 * @param d - number of features.
 * @param paramsList - one {@link GbmParams} per fit (results come back in the same order); the
 *   first one's `nThread` and `featureNames` are used for all.
 * @param options - evaluation set, score and early stopping (default none).
 * @throws UsageError as {@link fitGbm}, or for inconsistent options.
 */
export function fitGbmPath(
  X: FeatureMatrix | CsrMatrix,
  y: ArrayLike<number>,
  d: number,
  paramsList: readonly GbmParams[],
  options: GbmPathOptions = {},
): GbmPathFit[] {
  const first = paramsList[0];
  if (first === undefined) throw new UsageError('no GBM parameter sets given', { field: 'params' });
  const featureNames = first.featureNames;
  const n = checkInput(X, d, featureNames);
  const labels = checkLabels(y, n);
  const resolved = paramsList.map(resolveParams);
  const nThread = first.nThread ?? availableParallelism();
  checkThreads(nThread);
  const { evalX, evalScore, earlyStoppingRounds } = options;
  const nEval = evalX === undefined ? 0 : checkInput(evalX, d, featureNames);
  if (evalScore !== undefined && evalX === undefined) throw new UsageError('evalScore needs evalX', { field: 'evalX' });
  if (earlyStoppingRounds !== undefined) {
    if (!(Number.isInteger(earlyStoppingRounds) && earlyStoppingRounds >= 1)) {
      throw new UsageError(`earlyStoppingRounds must be a positive integer, got ${earlyStoppingRounds}`, { field: 'earlyStoppingRounds' });
    }
    if (evalScore === undefined) throw new UsageError('earlyStoppingRounds needs evalX and evalScore', { field: 'earlyStoppingRounds' });
  }
  let pos = 0;
  for (let i = 0; i < n; i++) pos += labels[i] as number;
  // Rounded once to float32 so the model stores exactly the value Python would pass.
  const baseScore = Math.fround(pos / n);

  const lib = loadXGBoost();
  const handles: XGBHandle[] = [];
  try {
    const dtrain = isCsrMatrix(X) ? dmatrixFromCsr(lib, X) : lib.dmatrixFromDense(toFloat32(X), n, d, nThread);
    handles.push(dtrain);
    lib.setFloatInfo(dtrain, 'label', labels);
    let deval: XGBHandle | undefined;
    if (evalX !== undefined) {
      deval = isCsrMatrix(evalX) ? dmatrixFromCsr(lib, evalX) : lib.dmatrixFromDense(toFloat32(evalX), nEval, d, nThread);
      handles.push(deval);
    }
    return resolved.map((p) => {
      // Listing the evaluation matrix at creation gives it a prediction cache: each round's
      // evaluation then costs one tree, not the whole model.
      const booster = lib.createBooster(deval === undefined ? [dtrain] : [dtrain, deval]);
      try {
        for (const [name, value] of toXGBoostParams(p, baseScore, nThread)) lib.setParam(booster, name, value);
        let bestRounds = 0;
        let bestScore = Number.NEGATIVE_INFINITY;
        let bestProba: Float64Array | undefined;
        for (let iter = 0; iter < p.nEstimators; iter++) {
          lib.updateOneIter(booster, iter, dtrain);
          if (earlyStoppingRounds === undefined || deval === undefined || evalScore === undefined) continue;
          const proba = Float64Array.from(lib.predict(booster, deval, 0));
          const score = evalScore(proba);
          // The first round always counts, so a NaN score cannot leave an empty model.
          if (bestRounds === 0 || score > bestScore) {
            bestScore = score;
            bestRounds = iter + 1;
            bestProba = proba;
          } else if (iter + 1 - bestRounds >= earlyStoppingRounds) break;
        }
        let model: Uint8Array;
        let nRounds = p.nEstimators;
        if (earlyStoppingRounds !== undefined && bestRounds < lib.boostedRounds(booster)) {
          const sliced = lib.slice(booster, 0, bestRounds);
          try {
            model = lib.saveModel(sliced, 'ubj');
          } finally {
            lib.freeBooster(sliced);
          }
          nRounds = bestRounds;
        } else {
          model = lib.saveModel(booster, 'ubj');
          if (earlyStoppingRounds !== undefined) nRounds = bestRounds;
        }
        const probe = new FittedGbm({ model, params: p, baseScore, nFeatures: d, nRounds, xgboostVersion: lib.version, featureNames });
        if (deval === undefined) return { probe };
        const evalProba = bestProba ?? Float64Array.from(lib.predict(booster, deval, 0));
        return evalScore === undefined
          ? { probe, evalProba }
          : { probe, evalProba, evalScore: earlyStoppingRounds === undefined ? evalScore(evalProba) : bestScore };
      } finally {
        lib.freeBooster(booster);
      }
    });
  } finally {
    for (const h of handles) lib.freeDMatrix(h);
  }
}

/**
 * The XGBoost training parameters (name, value) of a parameter set, in the order they are set.
 * Exposed so other front ends (the Python golden script, the bench) can train the same model.
 *
 * @param params - resolved parameters.
 * @param baseScore - initial probability (the training prevalence in {@link fitGbm}).
 * @param nThread - OpenMP threads.
 */
export function toXGBoostParams(params: GbmModelParams, baseScore: number, nThread: number): [string, string][] {
  return [
    ['objective', 'binary:logistic'],
    ['tree_method', 'hist'],
    ['grow_policy', 'lossguide'],
    ['max_depth', String(params.maxDepth)],
    ['max_leaves', String(params.maxLeaves)],
    ['eta', String(params.learningRate)],
    ['min_child_weight', String(params.minChildWeight)],
    ['lambda', String(params.lambda)],
    ['max_bin', String(params.maxBin)],
    ['base_score', String(baseScore)],
    ['seed', String(params.seed)],
    ['nthread', String(nThread)],
    ['verbosity', '1'],
  ];
}

/**
 * Fill in defaults and validate.
 *
 * @throws UsageError naming the bad parameter.
 */
export function resolveParams(params: GbmParams): GbmModelParams {
  const p: GbmModelParams = {
    maxDepth: params.maxDepth ?? GBM_DEFAULTS.maxDepth,
    learningRate: params.learningRate ?? GBM_DEFAULTS.learningRate,
    maxLeaves: params.maxLeaves ?? GBM_DEFAULTS.maxLeaves,
    minChildWeight: params.minChildWeight ?? GBM_DEFAULTS.minChildWeight,
    nEstimators: params.nEstimators ?? GBM_DEFAULTS.nEstimators,
    lambda: params.lambda ?? GBM_DEFAULTS.lambda,
    maxBin: params.maxBin ?? GBM_DEFAULTS.maxBin,
    seed: params.seed ?? GBM_DEFAULTS.seed,
  };
  const int = (name: keyof GbmModelParams, min: number, what: string): void => {
    const v = p[name];
    if (!(Number.isSafeInteger(v) && v >= min)) throw new UsageError(`${name} must be ${what}, got ${v}`, { field: name });
  };
  const nonNeg = (name: keyof GbmModelParams): void => {
    const v = p[name];
    if (!(Number.isFinite(v) && v >= 0)) throw new UsageError(`${name} must be a finite number >= 0, got ${v}`, { field: name });
  };
  int('maxDepth', 0, 'an integer >= 0 (0 = no limit)');
  int('maxLeaves', 0, 'an integer >= 0 (0 = no limit)');
  if (p.maxLeaves === 1) throw new UsageError('maxLeaves must be 0 (no limit) or at least 2, got 1', { field: 'maxLeaves' });
  int('nEstimators', 1, 'a positive integer');
  int('maxBin', 2, 'an integer >= 2');
  int('seed', 0, 'an integer >= 0');
  if (!(Number.isFinite(p.learningRate) && p.learningRate > 0)) {
    throw new UsageError(`learningRate must be a positive finite number, got ${p.learningRate}`, { field: 'learningRate' });
  }
  nonNeg('minChildWeight');
  nonNeg('lambda');
  return p;
}

/** Largest row count handed to XGBoost per prediction call, to bound the transient DMatrix copy. */
const PREDICT_CHUNK_VALUES = 1 << 24;

function predictRows(lib: XGBoostLib, booster: XGBHandle, X: Float32Array, n: number, d: number, nThread: number): Float32Array {
  const out = new Float32Array(n);
  const rows = Math.max(1, Math.floor(PREDICT_CHUNK_VALUES / d));
  for (let start = 0; start < n; start += rows) {
    const end = Math.min(n, start + rows);
    const dm = lib.dmatrixFromDense(X.subarray(start * d, end * d), end - start, d, nThread);
    try {
      out.set(lib.predict(booster, dm, 0), start);
    } finally {
      lib.freeDMatrix(dm);
    }
  }
  return out;
}

/**
 * A DMatrix straight from CSR arrays (XGBoost copies the stored entries; no dense matrix is made).
 * Entries not stored are *missing* to XGBoost, which learns a default branch for them at each
 * split, where a dense 0 would be compared with the threshold (see the module comment).
 */
function dmatrixFromCsr(lib: XGBoostLib, X: CsrMatrix): XGBHandle {
  const nnz = X.indptr[X.nRows] as number;
  const indptr = BigUint64Array.from(X.indptr, (v) => BigInt(v));
  // Columns are non-negative, so the int32 array is read as uint32 in place.
  const indices = new Uint32Array(X.indices.buffer, X.indices.byteOffset, nnz);
  const values = X.values instanceof Float32Array ? X.values.subarray(0, nnz) : Float32Array.from(X.values.subarray(0, nnz));
  return lib.dmatrixFromCsr(indptr, indices, values, X.nCols);
}

/** Shape and value checks of dense or CSR input; returns n. */
function checkInput(X: FeatureMatrix | CsrMatrix, d: number, names: readonly string[] | undefined): number {
  if (!isCsrMatrix(X)) return checkMatrix(X, d, names);
  if (X.nCols !== d) throw new UsageError(`CSR matrix has ${X.nCols} columns, expected ${d} features`, { field: 'features' });
  if (names !== undefined && names.length !== d)
    throw new UsageError(`${names.length} feature names given for ${d} features`, { field: 'featureNames' });
  checkCsr(X, names);
  return X.nRows;
}

function toFloat32(X: FeatureMatrix): Float32Array {
  return X instanceof Float32Array ? X : Float32Array.from(X);
}

function checkThreads(nThread: number): void {
  if (!(Number.isInteger(nThread) && nThread >= 1))
    throw new UsageError(`nThread must be a positive integer, got ${nThread}`, { field: 'nThread' });
}

/** Shape and value checks (NaN allowed, ±Infinity not); returns n. */
function checkMatrix(X: FeatureMatrix, d: number, names: readonly string[] | undefined): number {
  if (!(Number.isInteger(d) && d >= 1)) throw new UsageError(`number of features must be a positive integer, got ${d}`, { field: 'd' });
  if (X.length % d !== 0)
    throw new UsageError(`feature matrix has ${X.length} values, not a multiple of ${d} features`, { field: 'features' });
  if (names !== undefined && names.length !== d)
    throw new UsageError(`${names.length} feature names given for ${d} features`, { field: 'featureNames' });
  for (let idx = 0; idx < X.length; idx++) {
    const v = X[idx] as number;
    // Also catches float64 values beyond float32 range, which would become Infinity.
    if (v === Infinity || v === -Infinity || (v === v && Math.abs(v) > 3.4028234663852886e38)) {
      const col = idx % d;
      throw new UsageError(`feature value must be finite or NaN (missing), got ${v} (column ${col + 1} of ${d}, 1-based)`, {
        record: Math.floor(idx / d) + 1,
        field: names?.[col] ?? `column ${col + 1}`,
      });
    }
  }
  return X.length / d;
}

/** 0/1 labels with both classes, as float32 for XGBoost. */
function checkLabels(y: ArrayLike<number>, n: number): Float32Array {
  if (y.length !== n) throw new UsageError(`feature matrix has ${n} rows but there are ${y.length} labels`, { field: 'label' });
  const out = new Float32Array(n);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (v !== 0 && v !== 1) throw new UsageError(`label must be 0 or 1, got ${String(v)}`, { record: i + 1, field: 'label' });
    out[i] = v;
    pos += v;
  }
  if (pos === 0 || pos === n) {
    throw new UsageError(`gradient-boosted trees need both classes, got ${pos} positive and ${n - pos} negative labels`, {
      field: 'label',
    });
  }
  return out;
}
