import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, MODEL_COLORS } from './chartTheme.ts';

/** Token counts of one embedding run. */
export interface TokenCounts {
  readonly name: string;
  readonly counts: readonly number[];
  /** The token budget, drawn as a rule (null: none). */
  readonly budget: number | null;
}

/** One histogram bin: `[start, end)` tokens. */
export interface TokenBin {
  readonly start: number;
  readonly end: number;
  readonly count: number;
}

/**
 * Bin token counts into about `target` bins of a round width (1, 2 or 5 times a power of ten).
 * Binned here rather than by Vega-Lite so that the spec stays small for 100,000 texts.
 */
export function binTokenCounts(counts: readonly number[], target = 30): TokenBin[] {
  if (counts.length === 0) return [];
  let max = 0;
  for (const c of counts) if (c > max) max = c;
  const raw = Math.max(1, max / target);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) as number;
  const bins = Array.from({ length: Math.floor(max / step) + 1 }, (_, i) => ({ start: i * step, end: (i + 1) * step, count: 0 }));
  for (const c of counts) (bins[Math.floor(c / step)] as { count: number }).count++;
  return bins;
}

/** Vega-Lite spec: one token-length histogram per embedding run, with its budget as a red rule. */
export function tokenHistogramSpec(runs: readonly TokenCounts[]): TopLevelSpec {
  const rows = runs.flatMap((r, i) => {
    const bins = binTokenCounts(r.counts);
    const panel = `${r.name} (${r.counts.length.toLocaleString('en-US')} texts)`;
    return bins.map((b, j) => ({
      panel,
      start: b.start,
      end: b.end,
      count: b.count,
      color: MODEL_COLORS[i % MODEL_COLORS.length],
      budget: j === 0 ? r.budget : null,
    }));
  });
  return {
    config: CHART_CONFIG,
    data: { values: rows },
    facet: { field: 'panel', type: 'nominal', sort: null, header: { title: null } },
    columns: 2,
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 320,
      height: 150,
      layer: [
        {
          mark: { type: 'bar', binSpacing: 0, stroke: '#ffffff', strokeWidth: 0.5 },
          encoding: {
            x: { field: 'start', type: 'quantitative', title: 'tokens per text', bin: { binned: true } },
            x2: { field: 'end' },
            y: { field: 'count', type: 'quantitative', title: 'texts' },
            color: { field: 'color', type: 'nominal', scale: null },
          },
        },
        {
          transform: [{ filter: 'isValid(datum.budget)' }],
          mark: { type: 'rule', color: '#c00000', strokeWidth: 1.5, strokeDash: [4, 2] },
          encoding: { x: { field: 'budget', type: 'quantitative' } },
        },
      ],
    },
  } as TopLevelSpec;
}
