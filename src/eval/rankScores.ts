/**
 * Scores sorted once into groups of tied values, so that ranking metrics can be recomputed in
 * O(n) for any row weighting (the bootstrap reweights rows thousands of times; sorting each time
 * would dominate).
 */

/** Rows ordered by decreasing score, cut into groups of exactly equal scores. */
export interface RankedScores {
  /** Row indices sorted by decreasing score. */
  readonly order: Uint32Array;
  /**
   * Group boundaries into `order`: group `g` is `order[groupStart[g] .. groupStart[g + 1])`.
   * Length is the number of distinct scores plus one.
   */
  readonly groupStart: Uint32Array;
}

/**
 * Sort rows by decreasing score and group exact ties (as scikit-learn's `_binary_clf_curve`
 * does: `np.diff(scores) != 0`, so -0 and +0 tie). Scores must already be validated as finite.
 *
 * @param scores - one finite score per row.
 */
export function rankScores(scores: ArrayLike<number>): RankedScores {
  const n = scores.length;
  const values = Float64Array.from(scores);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (values[b] as number) - (values[a] as number));
  const starts: number[] = [0];
  for (let i = 1; i < n; i++) {
    if (values[order[i] as number] !== values[order[i - 1] as number]) starts.push(i);
  }
  starts.push(n);
  return { order, groupStart: Uint32Array.from(starts) };
}
