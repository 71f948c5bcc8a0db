import type { TopLevelSpec } from 'vega-lite';
import type { K } from '../eval/runEvaluation.ts';
import { CHART_CONFIG, MODEL_COLORS, REFERENCE_COLORS, REFERENCE_DASHES, SOLID } from './chartTheme.ts';
import { EHRSHOT_REFERENCE, EHRSHOT_REFERENCE_LABEL } from './EHRSHOT_REFERENCE.ts';
import type { CurvePoint } from './fewShotCurves.ts';
import type { ReportModelInfo } from './reportModels.ts';

/** Options of {@link curveChartSpec}. */
export interface CurveChartOptions {
  /** Draw the published EHRSHOT curves (only meaningful for macro AUROC). Default false. */
  readonly reference?: boolean;
  /** Panel order for small multiples; with one panel (or none) a single chart is drawn. */
  readonly panels?: readonly string[];
  /** Panel title shown above each small multiple (default: the panel name); `\n` breaks lines. */
  readonly panelTitle?: (panel: string) => string;
  /** Plot width and height in pixels (default 560 × 320; small multiples 200 × 140). */
  readonly width?: number;
  readonly height?: number;
  /** Small multiples per row (default 4). */
  readonly columns?: number;
  readonly title?: string;
}

interface Row {
  panel: string;
  series: string;
  kind: 'model' | 'reference';
  x: number;
  k: string;
  value: number;
  lower: number | null;
  upper: number | null;
  first: boolean;
}

/** Name of a model's series in the legend. */
export function seriesName(m: ReportModelInfo): string {
  return m.baseline ? `${m.label} (count baseline)` : m.label;
}

/** Name of a published curve in the legend. */
export function referenceSeriesName(name: string): string {
  return `${name} \u2014 ${EHRSHOT_REFERENCE_LABEL}`;
}

/**
 * Vega-Lite spec of few-shot AUROC curves: one line per model with its band, on a log2 k axis
 * with `all` one step after the largest k; optionally the published EHRSHOT curves dashed in
 * grey. With several panels the chart is faceted into small multiples sharing one y scale.
 */
export function curveChartSpec(
  points: readonly CurvePoint[],
  models: readonly ReportModelInfo[],
  options: CurveChartOptions = {},
): TopLevelSpec {
  const panels = options.panels ?? [...new Set(points.map((p) => p.panel))];
  const facet = panels.length > 1;
  const title = options.panelTitle ?? ((p: string) => p);
  const reference = options.reference ?? false;
  const numeric = [...new Set(points.map((p) => p.k).filter((k): k is number => k !== 'all'))];
  if (reference) for (const r of EHRSHOT_REFERENCE) for (const p of r.points) if (p.k !== 'all') numeric.push(p.k);
  const maxK = Math.max(1, ...numeric);
  // `all` sits one and a half doublings after the largest k: apart from it, but on the same axis.
  const allX = Math.log2(maxK) + 1.5;
  const xOf = (k: K): number => (k === 'all' ? allX : Math.log2(k));

  const byKey = new Map(models.map((m) => [m.key, m]));
  const usedModels = models.filter((m) => points.some((p) => p.model === m.key));
  const rows: Row[] = [];
  const seen = new Set<string>();
  const sortedPoints = [...points].sort((a, b) => xOf(a.k) - xOf(b.k));
  for (const p of sortedPoints) {
    const m = byKey.get(p.model);
    if (!m || !panels.includes(p.panel)) continue;
    const first = !seen.has(p.panel);
    seen.add(p.panel);
    const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
    rows.push({
      panel: title(p.panel),
      series: seriesName(m),
      kind: 'model',
      x: xOf(p.k),
      k: String(p.k),
      value: p.value,
      lower: finite(p.lower),
      upper: finite(p.upper),
      first,
    });
  }
  if (reference) {
    for (const r of EHRSHOT_REFERENCE) {
      for (const p of r.points)
        rows.push({
          panel: title(panels[0] ?? 'macro'),
          series: referenceSeriesName(r.name),
          kind: 'reference',
          x: xOf(p.k),
          k: String(p.k),
          value: p.auroc,
          lower: null,
          upper: null,
          first: false,
        });
    }
  }

  const seriesDomain = [...usedModels.map(seriesName), ...(reference ? EHRSHOT_REFERENCE.map((r) => referenceSeriesName(r.name)) : [])];
  const colorRange = [
    ...usedModels.map((_, i) => MODEL_COLORS[i % MODEL_COLORS.length] as string),
    ...(reference ? EHRSHOT_REFERENCE.map((_, i) => REFERENCE_COLORS[i % REFERENCE_COLORS.length] as string) : []),
  ];
  const dashRange = [
    ...usedModels.map(() => SOLID),
    ...(reference ? EHRSHOT_REFERENCE.map((_, i) => REFERENCE_DASHES[i % REFERENCE_DASHES.length] as number[]) : []),
  ];

  const allKs = [...new Set(numeric)].sort((a, b) => a - b);
  // Small multiples are narrow: label 1, 4, 16, 64 (if run) and `all`; the main chart every k.
  const tickKs = facet ? thin(allKs) : allKs;
  const tickValues = [...tickKs.map((k) => Math.log2(k)), allX];
  const lows = rows.flatMap((r) => [r.value, r.lower ?? r.value]);
  const yMin = Math.max(0, Math.min(0.5, Math.floor(Math.min(...lows) * 10) / 10));
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    // Small multiples are too narrow for the long title; their caption says what k is.
    title: facet ? 'k' : 'k: positive (and as many negative) training examples per task',
    scale: { domain: [-0.3, allX + 0.3], nice: false, zero: false },
    axis: {
      values: tickValues,
      labelExpr: `datum.value > ${allX - 0.01} ? 'all' : format(pow(2, datum.value), 'd')`,
      grid: true,
      labelFlush: false,
    },
  };
  const yScale = { domain: [yMin, 1], nice: false, zero: false, clamp: true };
  const legend = {
    title: reference ? `Model (dashed grey: ${EHRSHOT_REFERENCE_LABEL})` : 'Model',
    titleLimit: 0,
    labelLimit: 0,
    orient: 'bottom' as const,
    direction: 'vertical' as const,
    columns: facet ? 2 : 1,
  };
  const color = { field: 'series', type: 'nominal' as const, scale: { domain: seriesDomain, range: colorRange }, legend };
  const layer = [
    {
      transform: [{ filter: "datum.kind === 'model' && isValid(datum.lower) && isValid(datum.upper)" }],
      mark: { type: 'area' as const, opacity: 0.13, interpolate: 'linear' as const },
      // `fill`, not `color`: the band must not take part in the legend (its symbols would lose their stroke).
      encoding: {
        x,
        y: { field: 'lower', type: 'quantitative' as const, scale: yScale, title: 'AUROC' },
        y2: { field: 'upper' },
        fill: { field: 'series', type: 'nominal' as const, scale: { domain: seriesDomain, range: colorRange }, legend: null },
      },
    },
    {
      transform: [{ filter: 'datum.first' }],
      mark: { type: 'rule' as const, color: '#999999', strokeDash: [2, 3], strokeWidth: 1 },
      encoding: { y: { datum: 0.5, type: 'quantitative' as const, scale: yScale } },
    },
    {
      mark: { type: 'line' as const, strokeWidth: facet ? 1.6 : 2.2, point: { filled: true, size: facet ? 16 : 36 } },
      encoding: {
        x,
        y: { field: 'value', type: 'quantitative' as const, scale: yScale, title: 'AUROC' },
        color,
        strokeDash: { field: 'series', type: 'nominal' as const, scale: { domain: seriesDomain, range: dashRange }, legend },
        order: { field: 'x', type: 'quantitative' as const },
      },
    },
  ];
  const width = options.width ?? (facet ? 200 : 560);
  const height = options.height ?? (facet ? 140 : 320);
  const base = { config: CHART_CONFIG, data: { values: rows }, ...(options.title !== undefined ? { title: options.title } : {}) };
  // The band's fill gets its own scale and no legend; shared, Vega-Lite merges it into the
  // line legend and then either hides the legend or loses the symbols' stroke.
  const resolve = { scale: { fill: 'independent' as const }, legend: { fill: 'independent' as const } };
  if (!facet) return { ...base, width, height, layer, resolve } as TopLevelSpec;
  return {
    ...base,
    // Panel titles may hold a line break ("task\ngroup"): split it into lines.
    facet: { field: 'panel', type: 'nominal', sort: panels.map(title), header: { title: null, labelExpr: "split(datum.value, '\\n')" } },
    columns: options.columns ?? 4,
    spec: { width, height, layer, resolve },
  } as TopLevelSpec;
}

/** Powers of 4 among the ks (1, 4, 16, 64, ...), or every k when fewer than two are. */
function thin(ks: readonly number[]): number[] {
  const p4 = ks.filter((k) => Number.isInteger(Math.log2(k)) && Math.log2(k) % 2 === 0);
  return p4.length >= 2 ? p4 : ks.length <= 5 ? [...ks] : ks.filter((_, i) => i % 2 === 0);
}
