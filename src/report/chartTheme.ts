/** Colors, dashes and Vega-Lite config shared by the report's charts. */
import type { Config } from 'vega-lite';

/** Colors of this run's models (color-blind-friendly order of Tableau 10). */
export const MODEL_COLORS: readonly string[] = [
  '#4e79a7',
  '#e15759',
  '#59a14f',
  '#f28e2b',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#9c755f',
  '#ff9da7',
  '#bab0ac',
];

/** Published reference curves: greys, each with its own dash so they stay apart in print. */
export const REFERENCE_COLORS: readonly string[] = ['#333333', '#6b6b6b', '#9a9a9a'];
/** Dash patterns of the reference curves, in the order of {@link REFERENCE_COLORS}. */
export const REFERENCE_DASHES: readonly number[][] = [
  [7, 4],
  [3, 3],
  [10, 3, 2, 3],
];

/** A solid line in a strokeDash scale. */
export const SOLID: number[] = [1, 0];

/** Vega-Lite config: system fonts only (the report loads nothing), light grid. */
export const CHART_CONFIG: Config = {
  font: 'Helvetica, Arial, sans-serif',
  background: '#ffffff',
  view: { stroke: '#d0d0d0' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#ececec', domainColor: '#888', tickColor: '#888' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 520, symbolStrokeWidth: 2, symbolSize: 300, symbolType: 'stroke' },
  header: { labelFontSize: 12, labelFontWeight: 'bold', labelLimit: 0 },
  title: { fontSize: 14, anchor: 'start', subtitleFontSize: 11, subtitleColor: '#555' },
};
