/**
 * Subject-level bootstrap: confidence intervals for test metrics and a paired test of the AUROC
 * difference between two models (SPEC section 5).
 *
 * Rows are labels; several labels can belong to one subject, and they are not independent. So we
 * resample *subjects* with replacement and take all rows of each drawn subject. A resample is the
 * original rows with integer weights (how many times their subject was drawn), which lets us rank
 * the scores once and recompute every metric in O(n) per resample.
 *
 * Randomness: `pure-rand`'s xoroshiro128+ seeded with `seed`; subject `s` is drawn with
 * `uniformInt(rng, 0, S - 1)`, subjects indexed in order of first appearance in `subjectIds`.
 * Same inputs and seed give the same result on every platform.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { checkBinaryInputs, requireBothClasses } from './binaryInputs.ts';
import { rankScores } from './rankScores.ts';
import { weightedAuroc } from './auroc.ts';
import { weightedAveragePrecision } from './averagePrecision.ts';
import { weightedBrier } from './brier.ts';
import { UsageError } from '../errors.ts';

/** Metrics the bootstrap can compute. `auprc` is {@link averagePrecision}. */
export type BootstrapMetric = 'auroc' | 'auprc' | 'brier';

/** A point estimate on the full data with its percentile bootstrap interval. */
export interface Interval {
  /** The metric on the full (not resampled) data. */
  readonly estimate: number;
  /** Lower bound: the `(1 - level) / 2` quantile of the bootstrap distribution. */
  readonly lower: number;
  /** Upper bound: the `(1 + level) / 2` quantile of the bootstrap distribution. */
  readonly upper: number;
}

/** Options of {@link bootstrapCI}. */
export interface BootstrapOptions {
  /** Seed of the resampling (any 32-bit integer). Required: randomness is always explicit. */
  readonly seed: number;
  /** Number of resamples drawn, including skipped ones. Default 1000 (SPEC). */
  readonly resamples?: number;
  /** Coverage of the interval. Default 0.95. */
  readonly level?: number;
  /** Metrics to compute. Default `['auroc', 'auprc', 'brier']`. `brier` needs probabilities in [0, 1]. */
  readonly metrics?: readonly BootstrapMetric[];
}

/** Result of {@link bootstrapCI}. */
export interface BootstrapResult {
  /** One interval per requested metric. */
  readonly metrics: Partial<Record<BootstrapMetric, Interval>>;
  /** Resamples drawn. */
  readonly resamples: number;
  /** Resamples skipped because they held only one class (AUROC undefined); not in the intervals. */
  readonly skipped: number;
}

/** Options of {@link pairedBootstrapTest}. */
export interface PairedTestOptions {
  /** Seed of the resampling (any 32-bit integer). Required. */
  readonly seed: number;
  /** Number of resamples drawn, including skipped ones. Default 10000 (SPEC). */
  readonly resamples?: number;
  /** Coverage of the interval of the difference. Default 0.95. */
  readonly level?: number;
}

/** Result of {@link pairedBootstrapTest}. */
export interface PairedTestResult {
  /** AUROC(A) - AUROC(B) on the full data. */
  readonly diff: number;
  /** Percentile bootstrap interval of the difference. */
  readonly ci: { readonly lower: number; readonly upper: number };
  /** Two-sided p-value of "no difference" (definition at {@link pairedBootstrapTest}). */
  readonly pValue: number;
  /** Resamples drawn. */
  readonly resamples: number;
  /** Resamples skipped because they held only one class. */
  readonly skipped: number;
}

const DEFAULT_METRICS: readonly BootstrapMetric[] = ['auroc', 'auprc', 'brier'];

/**
 * Percentile bootstrap confidence intervals of AUROC, AUPRC and Brier, resampling subjects.
 *
 * Quantiles use linear interpolation between order statistics (numpy's default `percentile`).
 * Resamples with only one class are skipped (for every metric, so all intervals share the same
 * resamples) and counted in `skipped`.
 *
 * @param yTrue - labels, each 0 or 1, one per row.
 * @param scores - predicted probabilities (or scores when `brier` is not requested), one per row.
 * @param subjectIds - the subject of each row; rows of one subject are resampled together.
 * @param options - seed (required), resamples (1000), level (0.95), metrics (all three).
 * @throws UsageError for invalid inputs, one class in the full data, or when every resample was
 *   skipped.
 */
export function bootstrapCI(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  subjectIds: ArrayLike<string | number | bigint>,
  options: BootstrapOptions,
): BootstrapResult {
  const metrics = options.metrics ?? DEFAULT_METRICS;
  const B = checkCount(options.resamples ?? 1000);
  const level = checkLevel(options.level ?? 0.95);
  checkBinaryInputs(yTrue, scores);
  requireBothClasses(yTrue, 'the bootstrap');
  if (metrics.includes('brier')) {
    for (let i = 0; i < scores.length; i++) {
      const p = scores[i] as number;
      if (p < 0 || p > 1) {
        throw new UsageError(`Brier score needs probabilities in [0, 1], got ${p}`, { record: i + 1, field: 'scores' });
      }
    }
  }
  const ranked = rankScores(scores);
  const compute = (name: BootstrapMetric, w?: Float64Array): number =>
    name === 'auroc'
      ? weightedAuroc(ranked, yTrue, w)
      : name === 'auprc'
        ? weightedAveragePrecision(ranked, yTrue, w)
        : weightedBrier(yTrue, scores, w);

  const draws = metrics.map(() => new Float64Array(B));
  const used = resample(yTrue, subjectIds, B, options.seed, (w, b) => {
    for (let m = 0; m < metrics.length; m++) (draws[m] as Float64Array)[b] = compute(metrics[m] as BootstrapMetric, w);
  });
  const out: Partial<Record<BootstrapMetric, Interval>> = {};
  metrics.forEach((name, m) => {
    const sorted = (draws[m] as Float64Array).subarray(0, used).sort();
    out[name] = {
      estimate: compute(name),
      lower: quantile(sorted, (1 - level) / 2),
      upper: quantile(sorted, (1 + level) / 2),
    };
  });
  return { metrics: out, resamples: B, skipped: B - used };
}

/**
 * Paired subject-level bootstrap test of the AUROC difference between two models scored on the
 * same rows.
 *
 * Let `D = AUROC(A) - AUROC(B)` on the full data and `D*_b` the same difference on resample `b`
 * (both models see the same resampled subjects), over the `B'` resamples that hold both classes.
 * The interval is the percentile interval of `D*`. The two-sided p-value centres the bootstrap
 * distribution on the null (Hall & Wilson 1991): `p = (1 + #{b : |D*_b - D| >= |D|}) / (B' + 1)`.
 * The `+1` keeps p > 0 and makes the test valid at level p for a finite number of resamples.
 *
 * @param yTrue - labels, each 0 or 1, one per row.
 * @param scoresA - scores of model A, one per row.
 * @param scoresB - scores of model B, one per row.
 * @param subjectIds - the subject of each row.
 * @param options - seed (required), resamples (10000), level (0.95).
 * @throws UsageError for invalid inputs, one class in the full data, or when every resample was
 *   skipped.
 */
export function pairedBootstrapTest(
  yTrue: ArrayLike<number>,
  scoresA: ArrayLike<number>,
  scoresB: ArrayLike<number>,
  subjectIds: ArrayLike<string | number | bigint>,
  options: PairedTestOptions,
): PairedTestResult {
  const B = checkCount(options.resamples ?? 10000);
  const level = checkLevel(options.level ?? 0.95);
  checkBinaryInputs(yTrue, scoresA, 'scoresA');
  checkBinaryInputs(yTrue, scoresB, 'scoresB');
  requireBothClasses(yTrue, 'the paired bootstrap test');
  const rankedA = rankScores(scoresA);
  const rankedB = rankScores(scoresB);
  const diff = weightedAuroc(rankedA, yTrue) - weightedAuroc(rankedB, yTrue);
  const draws = new Float64Array(B);
  const used = resample(yTrue, subjectIds, B, options.seed, (w, b) => {
    draws[b] = weightedAuroc(rankedA, yTrue, w) - weightedAuroc(rankedB, yTrue, w);
  });
  const sorted = draws.subarray(0, used).sort();
  let extreme = 0;
  const absDiff = Math.abs(diff);
  for (let b = 0; b < used; b++) if (Math.abs((sorted[b] as number) - diff) >= absDiff) extreme++;
  return {
    diff,
    ci: { lower: quantile(sorted, (1 - level) / 2), upper: quantile(sorted, (1 + level) / 2) },
    pValue: (1 + extreme) / (used + 1),
    resamples: B,
    skipped: B - used,
  };
}

/**
 * Draw `B` subject resamples and call `visit(weights, slot)` for each one holding both classes,
 * with `slot` counting the kept resamples from 0. Returns the number kept.
 */
function resample(
  yTrue: ArrayLike<number>,
  subjectIds: ArrayLike<string | number | bigint>,
  B: number,
  seed: number,
  visit: (weights: Float64Array, slot: number) => void,
): number {
  const n = yTrue.length;
  if (subjectIds.length !== n) {
    throw new UsageError(`subjectIds has ${subjectIds.length} values but there are ${n} labels`, { field: 'subjectIds' });
  }
  if (!Number.isInteger(seed)) throw new UsageError(`seed must be an integer, got ${seed}`, { field: 'seed' });
  const index = new Map<string | number | bigint, number>();
  const subjectOf = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const id = subjectIds[i] as string | number | bigint;
    let s = index.get(id);
    if (s === undefined) {
      s = index.size;
      index.set(id, s);
    }
    subjectOf[i] = s;
  }
  const S = index.size;
  const rng: RandomGenerator = xoroshiro128plus(seed);
  const counts = new Uint32Array(S);
  const weights = new Float64Array(n);
  let used = 0;
  for (let b = 0; b < B; b++) {
    counts.fill(0);
    for (let k = 0; k < S; k++) (counts[uniformInt(rng, 0, S - 1)] as number)++;
    let pos = 0;
    let neg = 0;
    for (let i = 0; i < n; i++) {
      const w = counts[subjectOf[i] as number] as number;
      weights[i] = w;
      if (yTrue[i] === 1) pos += w;
      else neg += w;
    }
    if (pos === 0 || neg === 0) continue;
    visit(weights, used);
    used++;
  }
  if (used === 0) {
    throw new UsageError(`all ${B} bootstrap resamples held only one class; the data is too small to bootstrap`);
  }
  return used;
}

/** Quantile of sorted values with linear interpolation (numpy `percentile`, method "linear"). */
function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return a + (h - lo) * (b - a);
}

function checkCount(B: number): number {
  if (!Number.isInteger(B) || B < 1) throw new UsageError(`resamples must be a positive integer, got ${B}`, { field: 'resamples' });
  return B;
}

function checkLevel(level: number): number {
  if (!(level > 0 && level < 1)) throw new UsageError(`level must be in (0, 1), got ${level}`, { field: 'level' });
  return level;
}
