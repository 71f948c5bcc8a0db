import { hashSplit } from '../meds/hashSplit.ts';
import type { Split } from '../types.ts';
import { lookupTable } from '../lookupTable.ts';

/** Split names other tools write, mapped to MEDS names. */
const SYNONYMS: Readonly<Record<string, Split>> = lookupTable({
  train: 'train',
  training: 'train',
  tuning: 'tuning',
  tune: 'tuning',
  val: 'tuning',
  valid: 'tuning',
  validation: 'tuning',
  dev: 'tuning',
  held_out: 'held_out',
  heldout: 'held_out',
  test: 'held_out',
});

/** Where a subject's split came from. */
export type SplitSource = 'subject_splits' | 'hash';

/** Resolves subjects to splits; see {@link subjectSplitResolver}. */
export interface SplitResolver {
  /** The subject's split (MEDS name), or the dataset's own name when it is none of the known ones. */
  splitOf(subjectId: number): Split | string;
  /** Where the split of this subject came from. */
  sourceOf(subjectId: number): SplitSource;
}

/**
 * Splits from a dataset's `metadata/subject_splits.parquet`, with common synonyms mapped to MEDS
 * names (`val` → `tuning`, `test` → `held_out`); subjects it does not list (or every subject,
 * when the dataset has no split file) get the seeded hash split ({@link hashSplit}).
 * @param seed seed of the hash split (default 0)
 */
export function subjectSplitResolver(splits: ReadonlyMap<number, string>, seed = 0): SplitResolver {
  return {
    splitOf(id) {
      const s = splits.get(id);
      if (s === undefined) return hashSplit(id, seed);
      return SYNONYMS[s.trim().toLowerCase()] ?? s;
    },
    sourceOf(id) {
      return splits.has(id) ? 'subject_splits' : 'hash';
    },
  };
}
