/**
 * Average precision, equal to scikit-learn's `average_precision_score` for binary labels: the
 * step-wise (not interpolated) area under the precision-recall curve,
 * `AP = sum_t (R_t - R_{t-1}) P_t` over distinct score thresholds `t` in decreasing order, with
 * tied scores forming one threshold (so a tied group is counted at its pooled precision).
 */
import { checkBinaryInputs } from './binaryInputs.ts';
import { rankScores } from './rankScores.ts';
import type { RankedScores } from './rankScores.ts';
import { UsageError } from '../errors.ts';

/**
 * Average precision (AUPRC as scikit-learn computes it) of `scores` for binary `yTrue`. O(n log n).
 *
 * @param yTrue - labels, each 0 or 1.
 * @param scores - finite scores; higher means more likely positive.
 * @returns AP in [0, 1]; 1 when there are no negatives.
 * @throws UsageError when there is no positive label (recall is undefined), a label is not 0/1,
 *   a score is not finite, or the lengths differ.
 */
export function averagePrecision(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkBinaryInputs(yTrue, scores);
  let pos = 0;
  for (let i = 0; i < yTrue.length; i++) pos += yTrue[i] as number;
  if (pos === 0) {
    throw new UsageError('average precision is undefined without positive labels', { field: 'label' });
  }
  return weightedAveragePrecision(rankScores(scores), yTrue);
}

/**
 * Average precision from pre-ranked scores with optional non-negative row weights (bootstrap
 * multiplicities). O(n). Inputs are not validated.
 *
 * @param ranked - from {@link rankScores} over the same rows.
 * @param yTrue - labels, each 0 or 1.
 * @param weights - per-row weights (default: all 1).
 * @returns AP, or NaN when the weighted data has no positive.
 */
export function weightedAveragePrecision(ranked: RankedScores, yTrue: ArrayLike<number>, weights?: ArrayLike<number>): number {
  const { order, groupStart } = ranked;
  let tp = 0;
  let fp = 0;
  let sum = 0;
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
    tp += dtp;
    fp += dfp;
    // Recall only moves when the threshold admits positives; precision is taken after the group.
    if (dtp > 0) sum += dtp * (tp / (tp + fp));
  }
  return tp === 0 ? Number.NaN : sum / tp;
}
