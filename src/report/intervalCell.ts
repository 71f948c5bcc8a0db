import type { K } from '../eval/runEvaluation.ts';
import type { ReplicateSummary } from './aggregateRuns.ts';
import { formatInterval, formatMetric } from './formatMetric.ts';
import type { Cell } from './ReportDocument.ts';

/**
 * A cell for a metric over replicates: "estimate (lower–upper)", and for several replicates their
 * range below. The exact values go into `data` (`String(x)` round-trips a double exactly), so a
 * test can compare the page with results.json.
 */
export function intervalCell(metric: string, k: K, s: ReplicateSummary, replicates: number): Cell {
  return {
    text: formatInterval(s.estimate, s.lower, s.upper),
    ...(replicates > 1 ? { sub: `range ${formatMetric(s.min)}\u2013${formatMetric(s.max)}` } : {}),
    num: true,
    data: {
      metric,
      k: String(k),
      estimate: String(s.estimate),
      lower: String(s.lower),
      upper: String(s.upper),
      replicates: String(replicates),
    },
  };
}

/** A cell with nothing to show. */
export const EMPTY_CELL: Cell = { text: '\u2014', num: true };
