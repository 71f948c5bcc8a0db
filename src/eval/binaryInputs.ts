/**
 * Validation shared by the binary metrics: every public metric checks its inputs here so that a
 * bad label or a NaN score is reported with the row it came from, not as a silent NaN metric.
 */
import { UsageError } from '../errors.ts';

/**
 * Check that `yTrue` holds only 0/1 labels and `scores` only finite numbers of the same length.
 *
 * @param yTrue - binary labels, 1 = positive.
 * @param scores - one score per label (probability or any monotone score).
 * @param what - name used in error messages (default `'scores'`).
 * @throws UsageError naming the first bad row (1-based), or a length mismatch.
 */
export function checkBinaryInputs(yTrue: ArrayLike<number>, scores: ArrayLike<number>, what = 'scores'): void {
  if (yTrue.length !== scores.length) {
    throw new UsageError(`${what} has ${scores.length} values but there are ${yTrue.length} labels`, { field: what });
  }
  for (let i = 0; i < yTrue.length; i++) {
    const y = yTrue[i];
    if (y !== 0 && y !== 1) {
      throw new UsageError(`label must be 0 or 1, got ${String(y)}`, { record: i + 1, field: 'label' });
    }
    const s = scores[i] as number;
    if (!Number.isFinite(s)) {
      throw new UsageError(`score must be a finite number, got ${String(s)}`, { record: i + 1, field: what });
    }
  }
}

/**
 * Count positives and negatives, throwing when one class is missing (AUROC and friends are
 * undefined then; scikit-learn raises too).
 *
 * @returns `[positives, negatives]`.
 * @throws UsageError when all labels are 0 or all are 1.
 */
export function requireBothClasses(yTrue: ArrayLike<number>, metric: string): [number, number] {
  let pos = 0;
  for (let i = 0; i < yTrue.length; i++) pos += yTrue[i] === 1 ? 1 : 0;
  const neg = yTrue.length - pos;
  if (pos === 0 || neg === 0) {
    throw new UsageError(`${metric} is undefined when only one class is present (${pos} positive, ${neg} negative labels)`, {
      field: 'label',
    });
  }
  return [pos, neg];
}
