/**
 * Few-shot samples (SPEC 5): for k in {1, 2, 4, ..., 128}, k positive and k negative labels from
 * the train split and, separately, from the tuning (validation) split; 5 replicates; nested (the
 * k-set is inside every larger k-set of its replicate). The held-out split is never sampled.
 *
 * Randomness: for each (task, replicate, split, class) the pool of label indices is shuffled
 * once (Fisher-Yates with `pure-rand`'s xoroshiro128+, `uniformInt`), seeded by the first 32 bits
 * of SHA-256 of `seed:task:replicate:split:class`; the k-set takes the first k. So shots are
 * nested by construction, bit-for-bit reproducible from the seed, and one task's shots do not
 * change when other tasks are added.
 */
import { createHash } from 'node:crypto';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { Label } from '../types.ts';
import { binaryOutcome } from './binaryOutcome.ts';

/** The k of SPEC 5: positives (and as many negatives) per split. */
export const SHOT_KS: readonly number[] = Object.freeze([1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 128]);

/** Replicates of SPEC 5. */
export const SHOT_REPLICATES = 5;

/** The splits few-shot samples are drawn from. */
export const SHOT_SPLITS = ['train', 'tuning'] as const;

/** One few-shot sample: indices into the task's label list (= rows of its label file), ascending. */
export interface ShotSet {
  readonly train: number[];
  readonly tuning: number[];
}

/** Labels available to sample from, per split and class. */
export type ShotAvailability = Record<(typeof SHOT_SPLITS)[number], { positives: number; negatives: number }>;

/** Few-shot samples of one task. */
export interface TaskShots {
  /** Labels per split and class (after binarizing); a k above these takes all of them. */
  readonly available: ShotAvailability;
  /** The k for which some split and class had fewer than k labels: those sets hold all available. */
  readonly capped: number[];
  /** `replicates[r][k]`: the sample of replicate r for k (k as a string key, JSON-style). */
  readonly replicates: Record<string, ShotSet>[];
}

/** Options of {@link sampleShots}. */
export interface ShotOptions {
  /** Seed (any integer; required: randomness is explicit). */
  readonly seed: number;
  /** The k values (default {@link SHOT_KS}). */
  readonly ks?: readonly number[];
  /** Number of replicates (default {@link SHOT_REPLICATES}, 5). */
  readonly replicates?: number;
}

/**
 * Draw few-shot samples for one task.
 * @param task task name (part of the seed, so tasks draw independently)
 * @param labels the task's labels in file order; indices refer to this order
 * @param splitOf the split of a subject (`train`, `tuning`, others ignored)
 */
export function sampleShots(
  task: string,
  labels: readonly Label[],
  splitOf: (subjectId: number) => string,
  options: ShotOptions,
): TaskShots {
  const ks = [...(options.ks ?? SHOT_KS)].sort((a, b) => a - b);
  const replicates = options.replicates ?? SHOT_REPLICATES;
  const pools: Record<string, { positives: number[]; negatives: number[] }> = {};
  for (const s of SHOT_SPLITS) pools[s] = { positives: [], negatives: [] };
  labels.forEach((l, i) => {
    const pool = pools[splitOf(l.subjectId)];
    const y = binaryOutcome(l);
    if (!pool || y === null) return;
    (y ? pool.positives : pool.negatives).push(i);
  });
  const available = Object.fromEntries(
    SHOT_SPLITS.map((s) => [s, { positives: pools[s]!.positives.length, negatives: pools[s]!.negatives.length }]),
  ) as ShotAvailability;
  const capped = ks.filter((k) => SHOT_SPLITS.some((s) => available[s].positives < k || available[s].negatives < k));

  const out: Record<string, ShotSet>[] = [];
  for (let r = 0; r < replicates; r++) {
    const order: Record<string, { positives: number[]; negatives: number[] }> = {};
    for (const s of SHOT_SPLITS) {
      order[s] = {
        positives: shuffled(pools[s]!.positives, `${options.seed}:${task}:${r}:${s}:positives`),
        negatives: shuffled(pools[s]!.negatives, `${options.seed}:${task}:${r}:${s}:negatives`),
      };
    }
    const byK: Record<string, ShotSet> = {};
    for (const k of ks) {
      const pick = (s: (typeof SHOT_SPLITS)[number]): number[] =>
        [...order[s]!.positives.slice(0, k), ...order[s]!.negatives.slice(0, k)].sort((a, b) => a - b);
      byK[String(k)] = { train: pick('train'), tuning: pick('tuning') };
    }
    out.push(byK);
  }
  return { available, capped, replicates: out };
}

/** A seeded Fisher-Yates shuffle of a copy of `items`. */
function shuffled(items: readonly number[], key: string): number[] {
  const a = [...items];
  const rng = xoroshiro128plus(createHash('sha256').update(key).digest().readInt32BE(0));
  for (let i = a.length - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    const t = a[i] as number;
    a[i] = a[j] as number;
    a[j] = t;
  }
  return a;
}
