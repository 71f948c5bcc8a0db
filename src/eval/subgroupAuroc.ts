/**
 * AUROC by subgroup (sex, age band, race, ethnicity) with subject-level bootstrap intervals, to
 * show whether a model ranks some groups of patients worse than the whole test split.
 */
import { UsageError } from '../errors.ts';
import { auroc as aurocOf } from './auroc.ts';
import { bootstrapCI, type Interval } from './bootstrap.ts';

/** The AUROC of one subgroup of the test rows. */
export interface SubgroupResult {
  /** `sex`, `age`, `race`, `ethnicity`. */
  readonly attribute: string;
  /** The group's label (`Female`, `65-79`, `Unknown`). */
  readonly group: string;
  readonly labels: number;
  readonly positives: number;
  /** Point estimate and 95% interval; null when the group holds one class only. */
  readonly auroc: Interval | null;
  /**
   * True when the group's interval lies entirely outside the overall one (above or below): a
   * difference the resampling noise does not explain.
   */
  readonly flagged: boolean;
}

/** Age bands of the subgroup analysis (whole years at the prediction time). */
export const AGE_BANDS: readonly { readonly label: string; readonly min: number; readonly max: number }[] = Object.freeze([
  { label: '0-17', min: 0, max: 17 },
  { label: '18-39', min: 18, max: 39 },
  { label: '40-64', min: 40, max: 64 },
  { label: '65-79', min: 65, max: 79 },
  { label: '80+', min: 80, max: Infinity },
]);

/** The age band of an age in whole years (negative or missing: `Unknown`). */
export function ageBand(age: number | null): string {
  if (age === null || !(age >= 0)) return 'Unknown';
  return AGE_BANDS.find((b) => age >= b.min && age <= b.max)?.label ?? 'Unknown';
}

/**
 * AUROC per group of every attribute, with bootstrap intervals over subjects, flagged against the
 * overall interval.
 *
 * @param y - test labels 0/1.
 * @param scores - decision values (any monotone score).
 * @param subjects - subject id per row (resampling unit).
 * @param attributes - per attribute, the group label of each row.
 * @param overall - the overall AUROC interval of the same predictions.
 * @param options - seed and resamples of the bootstrap.
 */
export function subgroupAuroc(
  y: Uint8Array,
  scores: Float64Array,
  subjects: readonly number[],
  attributes: Readonly<Record<string, readonly string[]>>,
  overall: Interval,
  options: { seed: number; resamples: number },
): SubgroupResult[] {
  const out: SubgroupResult[] = [];
  for (const [attribute, groupOf] of Object.entries(attributes)) {
    const rowsOf = new Map<string, number[]>();
    groupOf.forEach((g, i) => {
      let a = rowsOf.get(g);
      if (!a) rowsOf.set(g, (a = []));
      a.push(i);
    });
    // A single group says nothing about differences between groups.
    if (rowsOf.size < 2) continue;
    for (const [group, rows] of [...rowsOf].sort((a, b) => a[0].localeCompare(b[0]))) {
      const yy = Uint8Array.from(rows, (i) => y[i] as number);
      const positives = yy.reduce((a, b) => a + b, 0);
      let auroc: Interval | null = null;
      if (positives > 0 && positives < rows.length) {
        const s = Float64Array.from(rows, (i) => scores[i] as number);
        try {
          const ci = bootstrapCI(
            yy,
            s,
            rows.map((i) => subjects[i] as number),
            { seed: options.seed, resamples: options.resamples, metrics: ['auroc'] },
          );
          auroc = ci.metrics.auroc ?? null;
        } catch (err) {
          // Every resample held one class (a group of one or two subjects): no interval.
          if (!(err instanceof UsageError)) throw err;
          auroc = { estimate: aurocOf(yy, s), lower: Number.NaN, upper: Number.NaN };
        }
      }
      const flagged = auroc !== null && Number.isFinite(auroc.lower) && (auroc.upper < overall.lower || auroc.lower > overall.upper);
      out.push({ attribute, group, labels: rows.length, positives, auroc, flagged });
    }
  }
  return out;
}
