import type { RowLayout } from './runEvaluation.ts';

/** A {@link RowLayout} whose buffer the pool's workers can read (see {@link sharedLayout}). */
export interface SharedLayout extends RowLayout {
  readonly X: Float32Array<SharedArrayBuffer>;
}

/**
 * The layout itself when its buffer is already a SharedArrayBuffer (embedding sets and their
 * concatenations are built that way), else a copy of its rows in one (so the copy costs memory
 * once per task and feature set, not once per fit).
 */
export function sharedLayout(layout: RowLayout): SharedLayout {
  const X = layout.X;
  if (X.buffer instanceof SharedArrayBuffer) return layout as SharedLayout;
  const copy = new Float32Array(new SharedArrayBuffer(X.byteLength));
  copy.set(X);
  return { X: copy, rowOf: layout.rowOf };
}

/** A float32 buffer of `length` values in a SharedArrayBuffer (zero-filled). */
export function sharedFloat32(length: number): Float32Array<SharedArrayBuffer> {
  return new Float32Array(new SharedArrayBuffer(length * 4));
}
