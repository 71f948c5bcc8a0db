import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lbfgs } from '../../src/probe/lbfgs.ts';

test('L-BFGS minimises the Rosenbrock function from the classic start', () => {
  const res = lbfgs(
    (x, g) => {
      const [a, b] = [x[0]!, x[1]!];
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    },
    Float64Array.from([-1.2, 1]),
    { gtol: 1e-10, ftol: 0 },
  );
  assert.equal(res.stop, 'gtol');
  assert.ok(Math.abs(res.x[0]! - 1) < 1e-8 && Math.abs(res.x[1]! - 1) < 1e-8, String(res.x));
  assert.ok(res.nIter < 100);
});

test('L-BFGS solves an ill-conditioned quadratic and leaves x0 untouched', () => {
  const n = 50;
  const scale = Float64Array.from({ length: n }, (_, i) => 10 ** ((4 * i) / (n - 1))); // condition 1e4
  const x0 = new Float64Array(n).fill(1);
  const res = lbfgs(
    (x, g) => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        const r = x[i]! - i / n;
        g[i] = scale[i]! * r;
        f += 0.5 * scale[i]! * r * r;
      }
      return f;
    },
    x0,
    { gtol: 1e-9, ftol: 0, maxIter: 2000 },
  );
  assert.equal(res.stop, 'gtol');
  for (let i = 0; i < n; i++) assert.ok(Math.abs(res.x[i]! - i / n) < 1e-8);
  assert.ok(x0.every((v) => v === 1));
  assert.ok(res.gradNorm <= 1e-9);
});

test('L-BFGS respects maxIter and reports it', () => {
  const res = lbfgs(
    (x, g) => {
      g[0] = 4 * x[0]! ** 3;
      return x[0]! ** 4;
    },
    Float64Array.from([3]),
    { maxIter: 3, gtol: 0, ftol: 0 },
  );
  assert.equal(res.nIter, 3);
  assert.equal(res.stop, 'maxIter');
  assert.ok(Math.abs(res.x[0]!) < 3);
});

test('L-BFGS at a stationary start stops at once', () => {
  const res = lbfgs(
    (x, g) => {
      g[0] = 2 * x[0]!;
      return x[0]! ** 2;
    },
    Float64Array.from([0]),
  );
  assert.equal(res.nIter, 0);
  assert.equal(res.stop, 'gtol');
});
