import type { K, SkippedRun } from '../eval/runEvaluation.ts';
import { compareK } from './compareK.ts';

/** Skipped runs that share a reason. */
export interface SkippedGroup {
  /** The reason with its numbers taken out ("one class only in train"). */
  readonly reason: string;
  /** What the reason means, in plain language. */
  readonly explanation: string;
  readonly count: number;
  readonly tasks: readonly string[];
  /** `featureSet|head` keys. */
  readonly models: readonly string[];
  readonly ks: readonly K[];
  /** Up to three of the full reasons, as results.json gives them. */
  readonly examples: readonly string[];
}

const EXPLANATIONS: readonly [RegExp, string][] = [
  [/^one class only in held_out/, 'The test split has only positives or only negatives for this task, so AUROC and AUPRC are undefined.'],
  [
    /^one class only in/,
    'The training or validation sample holds one class only, so a classifier cannot be fitted or its settings chosen.',
  ],
  [
    /draws the same train and tuning sample/,
    'Every split and class of the task has fewer labels than k, so this k draws exactly the train and tuning sample of a smaller k, which was run instead (a k that runs short in only some split or class still runs).',
  ],
  [/^no few-shot sample/, 'shots.json has no sample for this k; label again with this k in the k list to run it.'],
  [/^no labels in/, 'The split has no labels for this task.'],
];

/**
 * Group skipped runs by reason. Reasons carry counts and k values ("one class only in train (0
 * positives of 8)"); those are taken out so that runs skipped for the same cause form one group.
 * Groups are ordered by size, largest first.
 */
export function groupSkipped(skipped: readonly SkippedRun[]): SkippedGroup[] {
  const by = new Map<string, SkippedRun[]>();
  for (const s of skipped) {
    const reason = normalizeReason(s.reason);
    let a = by.get(reason);
    if (!a) by.set(reason, (a = []));
    a.push(s);
  }
  return [...by]
    .map(([reason, runs]) => ({
      reason,
      explanation: EXPLANATIONS.find(([re]) => re.test(reason))?.[1] ?? '',
      count: runs.length,
      tasks: [...new Set(runs.map((r) => r.task))].sort(),
      models: [...new Set(runs.map((r) => `${r.featureSet}|${r.head}`))],
      ks: [...new Set(runs.map((r) => r.k))].sort(compareK),
      examples: [...new Set(runs.map((r) => r.reason))].slice(0, 3),
    }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/** Take the numbers out of a skip reason. */
export function normalizeReason(reason: string): string {
  return reason
    .replace(/\s*\([^)]*\d[^)]*\)/g, '')
    .replace(/\bk=\d+/g, 'k')
    .trim();
}
