/**
 * Holm-Bonferroni step-down adjustment of p-values for multiple comparisons (SPEC section 5: the
 * paired model comparisons are corrected together). Controls the family-wise error rate under any
 * dependence between the tests, and is never less powerful than plain Bonferroni.
 */
import { UsageError } from '../errors.ts';

/**
 * Holm-adjusted p-values, in the input order. With `p_(1) <= ... <= p_(m)` sorted ascending, the
 * adjusted value of `p_(i)` is `max_{j <= i} min(1, (m - j + 1) p_(j))` (as R's `p.adjust(p,
 * "holm")` and statsmodels' `multipletests(p, method="holm")`). Reject hypothesis `i` at level
 * alpha iff its adjusted p-value is `<= alpha`.
 *
 * @param pValues - raw p-values, each in [0, 1].
 * @returns adjusted p-values, same length and order.
 * @throws UsageError when a p-value is NaN or outside [0, 1].
 */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  pValues.forEach((p, i) => {
    if (!(p >= 0 && p <= 1)) throw new UsageError(`p-value must be in [0, 1], got ${p}`, { record: i + 1, field: 'pValue' });
  });
  // Stable sort keeps equal p-values in input order, so ties get the same adjusted value anyway.
  const order = pValues.map((_, i) => i).sort((a, b) => (pValues[a] as number) - (pValues[b] as number));
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((idx, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * (pValues[idx] as number)));
    adjusted[idx] = running;
  });
  return adjusted;
}
