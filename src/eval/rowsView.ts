import type { RowLayout } from './runEvaluation.ts';
import { layoutRange, layoutRow } from './layoutRange.ts';

/** A growable buffer, reused between runs. */
export interface Scratch {
  buf: Float32Array;
}

/** Empty scratch buffers for the three roles of a run (train, tuning, test rows). */
export function newScratch(): { train: Scratch; val: Scratch; test: Scratch } {
  return { train: { buf: new Float32Array(0) }, val: { buf: new Float32Array(0) }, test: { buf: new Float32Array(0) } };
}

/**
 * The rows of labels `idx` (in that order): a view of the layout's buffer when they are
 * consecutive rows of one of its buffers (a whole split of an embedding set), else gathered into `scratch`
 * (grown when too small, never shrunk). Valid until the next call with the same scratch.
 */
export function rowsView(layout: RowLayout, d: number, idx: ArrayLike<number>, scratch: Scratch): Float32Array {
  const { rowOf } = layout;
  const first = rowOf[idx[0] as number] as number;
  let consecutive = idx.length > 0;
  for (let i = 1; consecutive && i < idx.length; i++) consecutive = rowOf[idx[i] as number] === first + i;
  const view = consecutive ? layoutRange(layout, d, first, idx.length) : undefined;
  if (view) return view;
  if (scratch.buf.length < idx.length * d) scratch.buf = new Float32Array(idx.length * d);
  const out = scratch.buf.subarray(0, idx.length * d);
  for (let i = 0; i < idx.length; i++) out.set(layoutRow(layout, d, rowOf[idx[i] as number] as number), i * d);
  return out;
}
