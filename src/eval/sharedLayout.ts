import type { RowLayout } from './runEvaluation.ts';

/** A {@link RowLayout} whose buffer the pool's workers can read (see {@link sharedLayout}). */
export interface SharedLayout extends RowLayout {
  readonly X: Float32Array<SharedArrayBuffer>;
  readonly head?: Float32Array<SharedArrayBuffer>;
}

/**
 * The layout itself when its buffers are already SharedArrayBuffers (embedding sets and their
 * concatenations are built that way), else a copy of its rows in one (so the copy costs memory
 * once per task and feature set, not once per fit).
 */
export function sharedLayout(layout: RowLayout): SharedLayout {
  const shared = (a: Float32Array): Float32Array<SharedArrayBuffer> => {
    if (a.buffer instanceof SharedArrayBuffer) return a as Float32Array<SharedArrayBuffer>;
    const copy = sharedFloat32(a.length);
    copy.set(a);
    return copy;
  };
  const { X, head, rowOf } = layout;
  if (X.buffer instanceof SharedArrayBuffer && (!head || head.buffer instanceof SharedArrayBuffer)) return layout as SharedLayout;
  return { X: shared(X), rowOf, ...(head ? { head: shared(head) } : {}) };
}

/** A float32 buffer of `length` values in a SharedArrayBuffer (zero-filled). */
export function sharedFloat32(length: number): Float32Array<SharedArrayBuffer> {
  return new Float32Array(new SharedArrayBuffer(length * 4));
}
