import type { RunAggregate } from './aggregateRuns.ts';

/**
 * The few-shot k of the results table: the largest numeric k with results for at least half of
 * the (task, model) pairs that the best-covered numeric k has. The largest k is skipped for tasks
 * with few positives (they have fewer labels than k); a table at a k that only the largest tasks
 * reach would say little, while one missing a rare task or two still reads well (its cells say
 * why they are empty).
 *
 * @returns null when no numeric k has results
 */
export function chooseFewShotK(aggregates: Iterable<RunAggregate>): number | null {
  const coverage = new Map<number, number>();
  for (const a of aggregates) if (a.k !== 'all') coverage.set(a.k, (coverage.get(a.k) ?? 0) + 1);
  if (coverage.size === 0) return null;
  const best = Math.max(...coverage.values());
  return Math.max(...[...coverage].filter(([, n]) => 2 * n >= best).map(([k]) => k));
}
