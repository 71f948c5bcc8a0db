import type { Interval } from '../eval/bootstrap.ts';
import type { K, RunResult } from '../eval/runEvaluation.ts';
import { isFiniteNumber } from './formatMetric.ts';

/** A metric over the replicates of one (task, model, k). */
export interface ReplicateSummary {
  /** Mean of the replicates' point estimates (the value macro AUROC is built from). */
  readonly estimate: number;
  /** Mean of the replicates' 95% bootstrap lower bounds (NaN when none could be computed). */
  readonly lower: number;
  /** Mean of the replicates' 95% bootstrap upper bounds. */
  readonly upper: number;
  /** Smallest and largest replicate estimate (equal to `estimate` for one replicate). */
  readonly min: number;
  readonly max: number;
}

/** All replicates of one task, model and k, summarized. */
export interface RunAggregate {
  readonly task: string;
  readonly group: string;
  /** `featureSet|head`. */
  readonly model: string;
  readonly k: K;
  readonly replicates: number;
  readonly nTrain: number;
  readonly nTest: number;
  readonly auroc: ReplicateSummary;
  readonly auprc: ReplicateSummary;
  readonly brier: ReplicateSummary;
  /** Mean seconds per replicate (selection, fit, scoring, bootstrap). */
  readonly seconds: number;
}

/**
 * Summarize the replicates of each (task, model, k). The estimate is the plain mean of the
 * replicate estimates, summed in results order like `summarize` in runEvaluation, so at every k
 * it equals that function's per-task value bit for bit. Bounds are means of the per-replicate
 * bounds: a typical interval of one replicate, not an interval of the mean.
 *
 * @returns aggregates keyed by `task\u0000model\u0000k`, in order of first appearance
 */
export function aggregateRuns(results: readonly RunResult[]): Map<string, RunAggregate> {
  const by = new Map<string, RunResult[]>();
  for (const r of results) {
    const key = aggregateKey(r.task, `${r.featureSet}|${r.head}`, r.k);
    let a = by.get(key);
    if (!a) by.set(key, (a = []));
    a.push(r);
  }
  const out = new Map<string, RunAggregate>();
  for (const [key, rs] of by) {
    const first = rs[0] as RunResult;
    out.set(key, {
      task: first.task,
      group: first.group,
      model: `${first.featureSet}|${first.head}`,
      k: first.k,
      replicates: rs.length,
      nTrain: mean(rs.map((r) => r.nTrain)),
      nTest: first.nTest,
      auroc: summarizeMetric(rs.map((r) => r.auroc)),
      auprc: summarizeMetric(rs.map((r) => r.auprc)),
      brier: summarizeMetric(rs.map((r) => r.brier)),
      seconds: mean(rs.map((r) => r.seconds)),
    });
  }
  return out;
}

/** Key of {@link aggregateRuns}' map. */
export function aggregateKey(task: string, model: string, k: K): string {
  return `${task}\u0000${model}\u0000${k}`;
}

function summarizeMetric(xs: readonly Interval[]): ReplicateSummary {
  const est = xs.map((x) => x.estimate);
  return {
    estimate: mean(est),
    lower: finiteMean(xs.map((x) => x.lower)),
    upper: finiteMean(xs.map((x) => x.upper)),
    min: Math.min(...est),
    max: Math.max(...est),
  };
}

/** Mean as `runEvaluation`'s summarize computes it (same order, same operations). */
function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Mean of the finite values (bounds are null in a parsed results.json when NaN); NaN if none. */
export function finiteMean(xs: readonly (number | null)[]): number {
  const f = xs.filter(isFiniteNumber);
  return f.length > 0 ? mean(f) : NaN;
}
