/**
 * Area under the ROC curve, equal to scikit-learn's `roc_auc_score` for binary labels.
 *
 * scikit-learn integrates the ROC curve with the trapezoid rule over distinct score thresholds,
 * so a group of tied scores contributes a diagonal segment (half credit for tied
 * positive/negative pairs). We compute the same area from integer counts: twice the area is
 * `sum over groups of dFP * (2 TP_before + dTP)`, an exact integer for integer weights, divided
 * once by `2 P N` at the end. That is within a few ulps of scikit-learn's floating-point trapezoid.
 */
import { checkBinaryInputs, requireBothClasses } from './binaryInputs.ts';
import { rankScores } from './rankScores.ts';
import type { RankedScores } from './rankScores.ts';

/**
 * AUROC of `scores` for binary `yTrue` (1 = positive); ties handled exactly like scikit-learn's
 * `roc_auc_score`. O(n log n).
 *
 * @param yTrue - labels, each 0 or 1.
 * @param scores - finite scores; higher means more likely positive.
 * @returns the area in [0, 1].
 * @throws UsageError when only one class is present, a label is not 0/1, a score is not finite,
 *   or the lengths differ.
 */
export function auroc(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkBinaryInputs(yTrue, scores);
  requireBothClasses(yTrue, 'AUROC');
  return weightedAuroc(rankScores(scores), yTrue);
}

/**
 * AUROC from pre-ranked scores with optional non-negative row weights (a bootstrap resample is
 * the same data with integer weights = how often each row was drawn). O(n). Inputs are not
 * validated.
 *
 * @param ranked - from {@link rankScores} over the same rows.
 * @param yTrue - labels, each 0 or 1.
 * @param weights - per-row weights (default: all 1).
 * @returns the AUROC, or NaN when the weighted data has only one class.
 */
export function weightedAuroc(ranked: RankedScores, yTrue: ArrayLike<number>, weights?: ArrayLike<number>): number {
  const { order, groupStart } = ranked;
  let tp = 0;
  let fp = 0;
  let area2 = 0;
  for (let g = 0; g + 1 < groupStart.length; g++) {
    const end = groupStart[g + 1] as number;
    let dtp = 0;
    let dfp = 0;
    for (let k = groupStart[g] as number; k < end; k++) {
      const row = order[k] as number;
      const w = weights === undefined ? 1 : (weights[row] as number);
      if (yTrue[row] === 1) dtp += w;
      else dfp += w;
    }
    // Trapezoid between (fp, tp) and (fp + dfp, tp + dtp), doubled.
    area2 += dfp * (2 * tp + dtp);
    tp += dtp;
    fp += dfp;
  }
  if (tp === 0 || fp === 0) return Number.NaN;
  return area2 / (2 * tp * fp);
}
