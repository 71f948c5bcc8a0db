import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fitMaxAbsScaler, FittedMaxAbsScaler } from '../../src/probe/maxAbsScaler.ts';
import { isUsageError } from '../../src/errors.ts';

const golden = JSON.parse(readFileSync(new URL('../golden/sklearn/scaler.json', import.meta.url), 'utf8')) as {
  d: number;
  train: number[];
  test: number[];
  scale: number[];
  trainScaled: number[];
  testScaled: number[];
};

test('max-abs scaler equals scikit-learn MaxAbsScaler exactly (zero and near-zero columns left unscaled)', () => {
  const sc = fitMaxAbsScaler(Float64Array.from(golden.train), golden.d);
  assert.deepEqual(Array.from(sc.scale), golden.scale);
  assert.deepEqual(Array.from(sc.transform(Float64Array.from(golden.train))), golden.trainScaled);
  assert.deepEqual(Array.from(sc.transform(Float64Array.from(golden.test))), golden.testScaled);
  assert.equal(sc.scale[3], 1);
  assert.equal(sc.scale[4], 1);
});

test('max-abs scaler accepts float32 input and round-trips through JSON', () => {
  const X = Float32Array.from([1, -4, 0, 2, 2, 0]);
  const sc = fitMaxAbsScaler(X, 3);
  assert.deepEqual(Array.from(sc.scale), [2, 4, 1]);
  assert.deepEqual(Array.from(sc.transform(X)), [0.5, -1, 0, 1, 0.5, 0]);
  const back = FittedMaxAbsScaler.fromJSON(JSON.parse(JSON.stringify(sc)));
  assert.deepEqual(back.scale, sc.scale);
  assert.throws(() => FittedMaxAbsScaler.fromJSON({ kind: 'maxAbsScaler', version: 1, scale: [1, 0] }), isUsageError);
  assert.throws(() => FittedMaxAbsScaler.fromJSON(null), isUsageError);
});

test('max-abs scaler is immutable', () => {
  const sc = fitMaxAbsScaler(Float64Array.from([1, 2]), 2);
  sc.scale[0] = 99;
  assert.equal(sc.scale[0], 1);
  assert.ok(Object.isFrozen(sc));
});

test('max-abs scaler names the row and column of a NaN', () => {
  const X = Float64Array.from([1, 2, 3, 4, Number.NaN, 6]);
  assert.throws(
    () => fitMaxAbsScaler(X, 3, ['age', 'bmi', 'hr']),
    (e) => isUsageError(e) && e.location.record === 2 && e.location.field === 'bmi' && /NaN/.test(e.message),
  );
  assert.throws(
    () => fitMaxAbsScaler(X, 3),
    (e) => isUsageError(e) && /row 2/.test(e.message) && /column 2/.test(e.message),
  );
  assert.throws(() => fitMaxAbsScaler(new Float64Array(0), 3), isUsageError);
  assert.throws(() => fitMaxAbsScaler(new Float64Array(5), 3), isUsageError);
});
