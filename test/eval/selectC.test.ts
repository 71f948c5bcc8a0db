import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectC, C_GRID } from '../../src/eval/selectC.ts';
import { fitLogistic } from '../../src/probe/logistic.ts';
import { fitMaxAbsScaler } from '../../src/probe/maxAbsScaler.ts';
import { auroc } from '../../src/eval/auroc.ts';
import { isUsageError } from '../../src/errors.ts';

/** Seeded wide data: n rows, d columns, labels from the first 3 columns plus noise. */
function data(n: number, d: number, seed: number) {
  let s = seed;
  const rand = () => (s = (s * 48271) % 2147483647) / 2147483647;
  const X = new Float64Array(n * d);
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) X[i * d + j] = (rand() - 0.5) * (1 + j / d);
    y.push(X[i * d]! + X[i * d + 1]! - X[i * d + 2]! + 0.5 * (rand() - 0.5) > 0 ? 1 : 0);
  }
  y[0] = 1;
  y[1] = 0;
  return { X, y };
}

test('the C grid is the SPEC grid', () => {
  assert.deepEqual([...C_GRID], [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 1e2, 1e3, 1e4, 1e5, 1e6]);
});

test('selectC equals fitting every C separately and picking the best validation AUROC', () => {
  const d = 20;
  const train = data(60, d, 3); // noisy, n > d: the chosen C is moderate and well conditioned
  const val = data(40, d, 4);
  const opts = { tol: 1e-10 };
  const sel = selectC(train, val, d, opts);
  const scaler = fitMaxAbsScaler(train.X, d);
  const A = scaler.transform(train.X);
  const V = scaler.transform(val.X);
  const brute = C_GRID.map((C) => auroc(val.y, fitLogistic(A, train.y, d, { ...opts, C }).decisionFunction(V)));
  assert.deepEqual(
    sel.scores.map((s) => s.C),
    [...C_GRID],
  );
  sel.scores.forEach((s, i) => assert.ok(Math.abs(s.auroc - brute[i]!) < 1e-12, `C=${s.C}`));
  const best = Math.max(...brute);
  assert.equal(sel.C, C_GRID[brute.indexOf(best)]);
  const ref = fitLogistic(A, train.y, d, { ...opts, C: sel.C });
  sel.probe.coef.forEach((c, j) => assert.ok(Math.abs(c - ref.coef[j]!) < 1e-6));
  // Raw-feature predictions fold the scaler into the weights.
  const direct = sel.probe.predictProba(V);
  sel.predictProba(val.X).forEach((p, i) => assert.ok(Math.abs(p - direct[i]!) < 1e-12));
});

test('selectC breaks validation-AUROC ties toward the smaller C', () => {
  // Validation rows separated by every model's sign: all C reach AUROC 1.
  const d = 2;
  const train = { X: Float64Array.from([1, 0, 2, 0, -1, 0, -2, 0]), y: [1, 1, 0, 0] };
  const val = { X: Float64Array.from([3, 0, -3, 0]), y: [1, 0] };
  const sel = selectC(train, val, d);
  assert.ok(sel.scores.every((s) => s.auroc === 1));
  assert.equal(sel.C, 1e-6);
  assert.equal(selectC(train, val, d, { grid: [10, 0.5, 3] }).C, 0.5);
});

test('selectC rejects one-class validation data and an empty grid', () => {
  const d = 5;
  const train = data(20, d, 5);
  const val = data(10, d, 6);
  assert.throws(
    () => selectC(train, { X: val.X, y: val.y.map(() => 1) }, d),
    (e) => isUsageError(e) && /one class/.test(e.message),
  );
  assert.throws(() => selectC(train, val, d, { grid: [] }), isUsageError);
});
