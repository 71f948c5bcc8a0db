/**
 * Brier score: mean squared difference between predicted probability and outcome, as
 * scikit-learn's `brier_score_loss` (positive label 1). Lower is better.
 */
import { checkBinaryInputs } from './binaryInputs.ts';
import { UsageError } from '../errors.ts';

/**
 * Brier score `mean((p_i - y_i)^2)`.
 *
 * @param yTrue - labels, each 0 or 1.
 * @param probabilities - predicted probabilities of the positive class, each in [0, 1].
 * @returns the score in [0, 1].
 * @throws UsageError for an empty input, a probability outside [0, 1], a label not 0/1, or a
 *   length mismatch.
 */
export function brier(yTrue: ArrayLike<number>, probabilities: ArrayLike<number>): number {
  checkBinaryInputs(yTrue, probabilities, 'probabilities');
  if (yTrue.length === 0) throw new UsageError('Brier score of an empty set is undefined', { field: 'label' });
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i] as number;
    if (p < 0 || p > 1) {
      throw new UsageError(`probability must be in [0, 1], got ${p}`, { record: i + 1, field: 'probabilities' });
    }
  }
  return weightedBrier(yTrue, probabilities);
}

/**
 * Brier score with optional non-negative row weights (bootstrap multiplicities). Not validated.
 *
 * @param weights - per-row weights (default: all 1).
 * @returns the weighted mean squared error, or NaN when the weights sum to 0.
 */
export function weightedBrier(yTrue: ArrayLike<number>, probabilities: ArrayLike<number>, weights?: ArrayLike<number>): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const w = weights === undefined ? 1 : (weights[i] as number);
    const e = (probabilities[i] as number) - (yTrue[i] as number);
    sum += w * e * e;
    total += w;
  }
  return total === 0 ? Number.NaN : sum / total;
}
