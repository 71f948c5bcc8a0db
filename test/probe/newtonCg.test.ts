import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newtonCg, type NewtonProblem } from '../../src/probe/newtonCg.ts';

/** f(x) = 0.5 x' A x - b' x + sum_i log(1 + exp(x_i)) with A diagonal over six orders of magnitude. */
function problem(n: number, withStep: boolean): NewtonProblem & { hv: number } {
  const a = Float64Array.from({ length: n }, (_, i) => 10 ** (-6 + (6 * i) / (n - 1)));
  const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
  let last = new Float64Array(n);
  const sig = (v: number): number => 1 / (1 + Math.exp(-v));
  const p: NewtonProblem & { hv: number } = {
    dim: n,
    hv: 0,
    evaluate(x, g) {
      last = Float64Array.from(x);
      let f = 0;
      for (let i = 0; i < n; i++) {
        const xi = x[i] as number;
        f += 0.5 * (a[i] as number) * xi * xi - (b[i] as number) * xi + Math.log1p(Math.exp(xi));
        g[i] = (a[i] as number) * xi - (b[i] as number) + sig(xi);
      }
      return f;
    },
    hessVec(v, out) {
      p.hv++;
      for (let i = 0; i < n; i++) {
        const s = sig(last[i] as number);
        out[i] = ((a[i] as number) + s * (1 - s)) * (v[i] as number);
      }
    },
    hessDiag(out) {
      for (let i = 0; i < n; i++) {
        const s = sig(last[i] as number);
        out[i] = (a[i] as number) + s * (1 - s);
      }
    },
  };
  if (withStep) {
    p.newtonStep = (g, step) => {
      const d = new Float64Array(n);
      p.hessDiag(d);
      for (let i = 0; i < n; i++) step[i] = -(g[i] as number) / (d[i] as number);
      return true;
    };
  }
  return p;
}

test('Newton-CG stops on the certificate and agrees with exact Newton steps', () => {
  const cg = problem(40, false);
  const r1 = newtonCg(cg, new Float64Array(40));
  assert.equal(r1.stop, 'certified');
  assert.ok(r1.relGrad <= 1e-8);
  assert.ok(cg.hv > 0, 'CG ran');
  const exact = problem(40, true);
  const r2 = newtonCg(exact, new Float64Array(40));
  assert.equal(r2.stop, 'certified');
  assert.equal(exact.hv, 0, 'the factored step replaces CG');
  let gap = 0;
  for (let i = 0; i < 40; i++) gap = Math.max(gap, Math.abs((r1.x[i] as number) - (r2.x[i] as number)));
  assert.ok(gap < 1e-6, `max |x_cg - x_exact| = ${gap}`);
});

test('an iteration limit is reported, not passed off as convergence', () => {
  const r = newtonCg(problem(40, false), new Float64Array(40), { maxIter: 1 });
  assert.equal(r.stop, 'maxIter');
  assert.ok(r.relGrad > 1e-8);
});
