import { hashUnit } from '../hashUnit.ts';
import type { Split } from '../types.ts';

/** Fractions of train / tuning / held_out (they need not sum to exactly 1; held_out takes the rest). */
export interface SplitFractions {
  readonly train: number;
  readonly tuning: number;
}

/** The default 70/15/15 split. */
export const DEFAULT_FRACTIONS: SplitFractions = { train: 0.7, tuning: 0.15 };

/**
 * Deterministic split of a subject from a seed: the SHA-256 of `seed:subjectId` mapped to [0, 1).
 * The same subject gets the same split on every machine and in every run, whatever the order
 * in which subjects are seen (DESIGN convention 7).
 */
export function hashSplit(subjectId: number | string, seed = 0, fractions: SplitFractions = DEFAULT_FRACTIONS): Split {
  const u = hashUnit(`${seed}:${subjectId}`);
  if (u < fractions.train) return 'train';
  if (u < fractions.train + fractions.tuning) return 'tuning';
  return 'held_out';
}
