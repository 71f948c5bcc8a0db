import type { RowLayout } from './runEvaluation.ts';

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
 * consecutive rows there (a whole split of an embedding set), else gathered into `scratch`
 * (grown when too small, never shrunk). Valid until the next call with the same scratch.
 */
export function rowsView(layout: RowLayout, d: number, idx: ArrayLike<number>, scratch: Scratch): Float32Array {
  const { X, rowOf } = layout;
  const first = rowOf[idx[0] as number] as number;
  let consecutive = idx.length > 0;
  for (let i = 1; consecutive && i < idx.length; i++) consecutive = rowOf[idx[i] as number] === first + i;
  if (consecutive) return X.subarray(first * d, (first + idx.length) * d);
  if (scratch.buf.length < idx.length * d) scratch.buf = new Float32Array(idx.length * d);
  const out = scratch.buf.subarray(0, idx.length * d);
  for (let i = 0; i < idx.length; i++) {
    const r = rowOf[idx[i] as number] as number;
    out.set(X.subarray(r * d, (r + 1) * d), i * d);
  }
  return out;
}
