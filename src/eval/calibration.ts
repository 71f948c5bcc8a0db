/**
 * Calibration of predicted probabilities: expected calibration error over equal-width bins, the
 * calibration slope and intercept of a logistic recalibration fit, and the reliability-diagram
 * bins they come from.
 */
import { checkBinaryInputs } from './binaryInputs.ts';
import { UsageError } from '../errors.ts';

/** Number of equal-width probability bins of {@link calibration}: [0, 0.1), ..., [0.9, 1]. */
export const CALIBRATION_BINS = 10;

/**
 * Largest standard error of the recalibration slope (from the fit's Fisher information) for which
 * a slope is reported: beyond it the slope's 95% interval spans more than 0 to 2, so it cannot
 * tell a calibrated model (1) from one without signal (0). Near-constant logits (spread 1e-4 on
 * a few hundred rows) give slopes of 1e3 or more with errors larger still.
 */
export const MAX_SLOPE_SE = 0.5;

/** One reliability-diagram bin. */
export interface ReliabilityBin {
  /** Bin edges; the last bin includes 1. */
  readonly lower: number;
  readonly upper: number;
  /** Rows whose probability falls in the bin. */
  readonly count: number;
  /** Mean predicted probability of those rows (null when the bin is empty). */
  readonly meanPredicted: number | null;
  /** Fraction of positives among them (null when the bin is empty). */
  readonly observed: number | null;
}

/** Calibration summary of one set of predictions. */
export interface Calibration {
  /**
   * Expected calibration error: sum over bins of (count / n) |observed - mean predicted|, with
   * {@link CALIBRATION_BINS} equal-width bins.
   */
  readonly ece: number;
  /** Number of equal-width bins behind `ece` and `bins`. */
  readonly nBins: number;
  /**
   * Slope b of the recalibration fit `P(y = 1) = sigmoid(a + b logit(p))` (1 is ideal, below 1
   * means overconfident predictions); null when there is no meaningful fit, see `slopeNull`.
   */
  readonly slope: number | null;
  /** Intercept a of that fit (0 is ideal); null with `slope`. */
  readonly intercept: number | null;
  /**
   * Why `slope` and `intercept` are null (absent when they are numbers): `'separating'` (the
   * logits separate the classes: no finite optimum), `'constant'` (all logits equal), or
   * `'noSpread'` (near-constant logits, as from a heavily penalised head: the fit exists but its
   * slope's standard error exceeds {@link MAX_SLOPE_SE}, so the test rows cannot measure it).
   */
  readonly slopeNull?: 'separating' | 'constant' | 'noSpread';
  readonly bins: readonly ReliabilityBin[];
}

/**
 * Calibration of probabilities `proba` against labels `y`.
 *
 * @param y - labels 0/1.
 * @param proba - predicted probabilities in [0, 1].
 * @param logits - the model's decision values, when it has them (logistic regression): the
 *   recalibration fit uses them instead of logit(proba), which is infinite where proba saturates
 *   at 0 or 1. Default: logit(proba), clamped to [1e-15, 1 - 1e-15].
 * @throws UsageError for mismatched lengths, labels other than 0/1 or probabilities outside [0, 1].
 */
export function calibration(y: ArrayLike<number>, proba: ArrayLike<number>, logits?: ArrayLike<number>): Calibration {
  checkBinaryInputs(y, proba, 'probabilities');
  for (let i = 0; i < proba.length; i++) {
    const p = proba[i] as number;
    if (p < 0 || p > 1)
      throw new UsageError(`calibration needs probabilities in [0, 1], got ${p}`, { record: i + 1, field: 'probabilities' });
  }
  if (logits !== undefined) checkBinaryInputs(y, logits, 'logits');
  const n = y.length;
  const count = new Float64Array(CALIBRATION_BINS);
  const sumP = new Float64Array(CALIBRATION_BINS);
  const sumY = new Float64Array(CALIBRATION_BINS);
  for (let i = 0; i < n; i++) {
    const p = proba[i] as number;
    const b = Math.min(CALIBRATION_BINS - 1, Math.floor(p * CALIBRATION_BINS));
    count[b] = (count[b] as number) + 1;
    sumP[b] = (sumP[b] as number) + p;
    sumY[b] = (sumY[b] as number) + (y[i] as number);
  }
  let ece = 0;
  const bins: ReliabilityBin[] = [];
  for (let b = 0; b < CALIBRATION_BINS; b++) {
    const c = count[b] as number;
    const meanPredicted = c > 0 ? (sumP[b] as number) / c : null;
    const observed = c > 0 ? (sumY[b] as number) / c : null;
    if (c > 0) ece += (c / n) * Math.abs((observed as number) - (meanPredicted as number));
    bins.push({ lower: b / CALIBRATION_BINS, upper: (b + 1) / CALIBRATION_BINS, count: c, meanPredicted, observed });
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (logits !== undefined) z[i] = logits[i] as number;
    else {
      const p = Math.min(1 - 1e-15, Math.max(1e-15, proba[i] as number));
      z[i] = Math.log(p / (1 - p));
    }
  }
  const fit = recalibrate(y, z);
  if (fit !== null && fit.slopeSE <= MAX_SLOPE_SE)
    return { ece, nBins: CALIBRATION_BINS, slope: fit.slope, intercept: fit.intercept, bins };
  const slopeNull = fit !== null ? 'noSpread' : z.every((v) => v === z[0]) ? 'constant' : 'separating';
  return { ece, nBins: CALIBRATION_BINS, slope: null, intercept: null, slopeNull, bins };
}

/**
 * Unpenalised two-parameter logistic regression of y on z by Newton's method, with the slope's
 * standard error `sqrt((H^-1)_bb)` at the fit; null when it has no finite optimum (separable) or
 * z is constant.
 */
export function recalibrate(y: ArrayLike<number>, z: ArrayLike<number>): { slope: number; intercept: number; slopeSE: number } | null {
  const n = y.length;
  let a = 0;
  let b = 1;
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 0;
    let hab = 0;
    let hbb = 0;
    for (let i = 0; i < n; i++) {
      const zi = z[i] as number;
      const s = a + b * zi;
      const e = Math.exp(-Math.abs(s));
      const big = 1 / (1 + e);
      const small = e * big;
      const p = s >= 0 ? big : small;
      const r = p - (y[i] as number);
      const w = big * small;
      ga += r;
      gb += r * zi;
      haa += w;
      hab += w * zi;
      hbb += w * zi * zi;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 1e-300 * Math.max(1, haa * hbb))) return null;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (!Number.isFinite(a) || !Number.isFinite(b) || Math.abs(b) > 1e8) return null;
    if (Math.abs(da) <= 1e-12 * Math.max(1, Math.abs(a)) && Math.abs(db) <= 1e-12 * Math.max(1, Math.abs(b))) {
      // The Hessian of this step (at the previous point) stands in for the one at the fit: the
      // step was below 1e-12 relative, so they agree to far more digits than a standard error needs.
      return { slope: b, intercept: a, slopeSE: Math.sqrt(haa / det) };
    }
  }
  return null;
}
