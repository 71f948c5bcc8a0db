import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fitLogistic, fitLogisticPath } from '../../src/probe/logistic.ts';
import { DENSE_MAX_COLS } from '../../src/probe/denseNewtonStep.ts';

// Exact optima from full Newton steps in numpy (scripts/golden-logistic-primal.py, relGrad <= 1e-12
// each) on a 720 x 640 float32 matrix both sides regenerate bit for bit (see the script).
const golden = JSON.parse(readFileSync(new URL('../golden/optimum/logistic-primal.json', import.meta.url), 'utf8')) as {
  n: number;
  d: number;
  positives: number;
  checksum: number;
  fits: { C: number; coef: number[]; intercept: number }[];
};

function data(): { X: Float32Array; y: number[] } {
  const M = 2147483647;
  let s = 12345;
  const X = new Float32Array(golden.n * golden.d);
  for (let i = 0; i < golden.n; i++) {
    for (let j = 0; j < golden.d; j++) {
      s = (s * 48271) % M;
      X[i * golden.d + j] = (2 * (s / M) - 1) * (1 + (j % 5));
    }
  }
  const y: number[] = [];
  for (let i = 0; i < golden.n; i++) {
    s = (s * 48271) % M;
    const [x0, x1, x2] = [X[i * golden.d]!, X[i * golden.d + 1]!, X[i * golden.d + 2]!];
    y.push(x0 + 0.5 * x1 - 0.25 * x2 + (2 * (s / M) - 1) > 0.2 ? 1 : 0);
  }
  return { X, y };
}

test('the primal Newton-CG path (n >= d > 600, float32 input) is certified at the exact optimum', () => {
  const { X, y } = data();
  // The regenerated data are the script's: same positives and the same sum of the matrix.
  assert.equal(
    y.reduce((a, b) => a + b, 0),
    golden.positives,
  );
  let sum = 0;
  for (let i = 0; i < X.length; i++) sum += X[i]!;
  assert.ok(Math.abs(sum - golden.checksum) <= 1e-9 * Math.abs(golden.checksum) + 1e-9);
  // Wider than the dense-Hessian limit and not wider than tall: conjugate gradients in the d
  // feature coordinates, not the factored Hessian nor the kernel form.
  assert.ok(golden.d > DENSE_MAX_COLS && golden.n >= golden.d);
  const fits = fitLogisticPath(
    X,
    y,
    golden.d,
    golden.fits.map((f) => f.C),
  );
  golden.fits.forEach((ref, c) => {
    const fit = fits[c]!;
    assert.equal(fit.stop, 'certified', `C=${ref.C}`);
    assert.ok(fit.relGrad <= 1e-8, `C=${ref.C}: relGrad ${fit.relGrad}`);
    const scale = Math.max(1, Math.abs(ref.intercept), ...ref.coef.map(Math.abs));
    let gap = Math.abs(fit.intercept - ref.intercept);
    fit.coef.forEach((w, j) => (gap = Math.max(gap, Math.abs(w - ref.coef[j]!))));
    assert.ok(gap / scale <= 1e-7, `C=${ref.C}: coefficient error ${gap / scale}`);
  });
  // fitLogistic (one C, cold start) lands on the same optimum.
  const one = fitLogistic(X, y, golden.d, { C: 1 });
  const ref = golden.fits.find((f) => f.C === 1)!;
  assert.ok(one.converged);
  one.coef.forEach((w, j) => assert.ok(Math.abs(w - ref.coef[j]!) <= 1e-7 * Math.max(1, ...ref.coef.map(Math.abs)), `coef ${j}`));
});
