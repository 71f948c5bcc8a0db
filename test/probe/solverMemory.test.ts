import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitLogisticPath } from '../../src/probe/logistic.ts';
import { fitMaxAbsScaler } from '../../src/probe/maxAbsScaler.ts';
import {
  lockSolverMemory,
  solverMemoryOf,
  solverMemoryOfBuffer,
  solverRows,
  unlockSolverMemory,
  wantsSolverMemory,
} from '../../src/probe/solverMemory.ts';

/** n x d float32 rows with column-dependent ranges (so scaling matters) and labels from a noisy linear score. */
function data(n: number, d: number, seed: number): { X: Float32Array; y: Uint8Array } {
  let s = seed;
  const rnd = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const w = Float64Array.from({ length: d }, () => rnd() - 0.5);
  const X = new Float32Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let j = 0; j < d; j++) {
      const v = (rnd() - 0.5) * (1 + (j % 5));
      X[i * d + j] = v;
      z += v * (w[j] as number);
    }
    y[i] = rnd() < 1 / (1 + Math.exp(-z / 4)) ? 1 : 0;
  }
  return { X, y };
}

const maxGap = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let g = 0;
  for (let j = 0; j < a.length; j++) g = Math.max(g, Math.abs((a[j] as number) - (b[j] as number)));
  return g;
};

const n = 700;
const d = 620;
const Cs = [0.01, 1];

test('only wide primal fits that fit in 4 GiB want solver memory', () => {
  assert.equal(wantsSolverMemory(700, 620), true);
  assert.equal(wantsSolverMemory(700, 600), false, 'the exact-Newton path (<= 600 columns) copies');
  assert.equal(wantsSolverMemory(619, 620), false, 'the Gram path (fewer rows than columns) copies');
  assert.equal(wantsSolverMemory(300_000, 4096), false, 'over 4 GiB');
});

test('a fit on rows in solver memory is the copied fit bit for bit, and leaves the rows as they were', () => {
  const { X, y } = data(n, d, 3);
  const scale = fitMaxAbsScaler(X, d).scale;
  const H = solverRows(n, d);
  assert.ok(H, 'this runtime has WebAssembly SIMD');
  H.set(X);
  const ref = solverMemoryOf(H, d);
  assert.ok(ref);
  const scratch = new Float64Array(ref.memory.buffer, ref.scratchOff * 8, d + 1);
  const copied = fitLogisticPath(X, y, d, Cs, { scale });
  assert.ok(scratch.every((v) => v === 0));
  const inPlace = fitLogisticPath(H, y, d, Cs, { scale });
  assert.ok(
    scratch.some((v) => v !== 0),
    'the fit used the memory after the rows as its scratch',
  );
  for (let c = 0; c < Cs.length; c++) {
    assert.ok(inPlace[c]!.converged);
    assert.deepEqual(inPlace[c]!.coef, copied[c]!.coef);
    assert.equal(inPlace[c]!.intercept, copied[c]!.intercept);
  }
  assert.deepEqual(H, X);
  // A fit on the first rows only (a view from byte 0) writes its scratch after all of them.
  const before = H.slice();
  const prefix = fitLogisticPath(H.subarray(0, (n - 10) * d), y.subarray(0, n - 10), d, [1], { scale });
  assert.ok(prefix[0]!.converged);
  assert.deepEqual(H, before);
  // Busy (another fit holds the scratch): this fit copies its rows instead, with the same result.
  assert.equal(lockSolverMemory(ref.memory), true);
  assert.equal(lockSolverMemory(ref.memory), false);
  scratch.fill(0);
  const whileBusy = fitLogisticPath(H, y, d, Cs, { scale });
  assert.ok(
    scratch.every((v) => v === 0),
    'the busy memory was not touched',
  );
  unlockSolverMemory(ref.memory);
  assert.deepEqual(whileBusy[1]!.coef, copied[1]!.coef);
  assert.equal(solverMemoryOfBuffer(H.buffer)?.length, n * d);
  assert.equal(solverMemoryOf(H.subarray(d), d), undefined, 'a view not at the start is not in place');
});

test('a wide fit scales exactly: the fit on float64 X / scale to 1e-9, closer than a float32 scaled copy', () => {
  const { X, y } = data(n, d, 5);
  const scale = fitMaxAbsScaler(X, d).scale;
  const exact = fitLogisticPath(
    Float64Array.from(X, (v, i) => v / (scale[i % d] as number)),
    y,
    d,
    Cs,
  );
  const folded = fitLogisticPath(X, y, d, Cs, { scale });
  const rounded = fitLogisticPath(
    Float32Array.from(X, (v, i) => v / (scale[i % d] as number)),
    y,
    d,
    Cs,
  );
  for (let c = 0; c < Cs.length; c++) {
    const gap = maxGap(folded[c]!.coef, exact[c]!.coef);
    assert.ok(gap < 1e-9, `C=${Cs[c]}: ${gap}`);
    assert.ok(gap < maxGap(rounded[c]!.coef, exact[c]!.coef), `C=${Cs[c]}: exact scaling is closer than float32 rounding`);
  }
});
