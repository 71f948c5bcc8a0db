// XGBoost from CSR arrays (XGDMatrixCreateFromCSREx, no dense copy) against the dense path: the
// same model when the dense matrix marks the entries CSR does not store as missing (NaN), which
// is what XGBoost makes of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitGbmPath } from '../../src/probe/gbm.ts';
import { csrSelectRows, csrToDense, denseToCsr } from '../../src/probe/csrMatrix.ts';
import { gbmHead } from '../../src/eval/gbmHead.ts';
import { mulberry32 } from '../helpers/mulberry32.ts';

function counts(n: number, d: number, seed: number): { X: Float32Array; y: Uint8Array } {
  const r = mulberry32(seed);
  const X = new Float32Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) if (r() < (j < 4 ? 0.4 : 0.1)) X[i * d + j] = 1 + Math.floor(r() * 4);
    const z = 2 * Number((X[i * d] as number) > 0) + 0.8 * (X[i * d + 1] as number) - 2.5;
    y[i] = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X, y };
}

test('GBM from CSR predicts exactly as the dense path with absent entries missing', () => {
  const d = 25;
  const train = counts(600, d, 1);
  const test_ = counts(300, d, 2);
  const A = denseToCsr(train.X, d);
  const T = denseToCsr(test_.X, d);
  const params = [
    { maxDepth: 3, learningRate: 0.1, maxLeaves: 10, nThread: 1 },
    { maxDepth: 0, learningRate: 0.5, maxLeaves: 25, nThread: 1 },
  ];
  const sparse = fitGbmPath(A, train.y, d, params, { evalX: T });
  const dense = fitGbmPath(csrToDense(A, Number.NaN), train.y, d, params, { evalX: csrToDense(T, Number.NaN) });
  sparse.forEach((fit, i) => {
    assert.deepEqual(Array.from(fit.evalProba!), Array.from(dense[i]!.evalProba!));
    assert.deepEqual(Array.from(fit.probe.predictProba(T, 1)), Array.from(dense[i]!.probe.predictProba(csrToDense(T, Number.NaN), 1)));
    assert.deepEqual(fit.probe.model, dense[i]!.probe.model, 'the same trees');
  });
});

test('the GBM head on CSR rows equals the head on the same rows as dense-with-missing input', () => {
  const d = 20;
  const all = counts(500, d, 3);
  const m = denseToCsr(all.X, d);
  const rows = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);
  const part = (a: number, b: number) => ({ X: csrSelectRows(m, rows(a, b)), y: all.y.subarray(a, b) });
  const tr = part(0, 200);
  const va = part(200, 300);
  const te = part(300, 500);
  const viaCsr = gbmHead.fitPredictCsr!(tr, va, te.X);
  const viaDense = gbmHead.fitPredict(
    { X: csrToDense(tr.X, Number.NaN), y: tr.y },
    { X: csrToDense(va.X, Number.NaN), y: va.y },
    csrToDense(te.X, Number.NaN),
    d,
  );
  assert.deepEqual(viaCsr.chosen, viaDense.chosen);
  assert.deepEqual(Array.from(viaCsr.proba), Array.from(viaDense.proba));
});
