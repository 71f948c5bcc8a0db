import type { RowLayout } from './runEvaluation.ts';

/** Rows of a layout's head buffer (0 without one). */
function headRows(layout: RowLayout, d: number): number {
  return layout.head && d > 0 ? layout.head.length / d : 0;
}

/**
 * Rows `first` to `first + count - 1` of a layout as one view, or undefined when they span its
 * head and `X` (then read them row by row).
 */
export function layoutRange(layout: RowLayout, d: number, first: number, count: number): Float32Array | undefined {
  const h = headRows(layout, d);
  if (first + count <= h) return (layout.head as Float32Array).subarray(first * d, (first + count) * d);
  if (first >= h) return layout.X.subarray((first - h) * d, (first - h + count) * d);
  return undefined;
}

/** Row r of a layout (a view). */
export function layoutRow(layout: RowLayout, d: number, r: number): Float32Array {
  return layoutRange(layout, d, r, 1) as Float32Array;
}
