import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newtonCg, type NewtonProblem } from '../../src/probe/newtonCg.ts';
import { choleskyFactorBlocked, choleskySolveFactored } from '../../src/probe/choleskySolve.ts';
import { mulberry32 } from '../helpers/mulberry32.ts';

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

/**
 * f(x) = 0.5 x' A x - b' x with A = Q diag(lambda) Q', Q a random rotation and lambda spread
 * evenly in log over six orders of magnitude: far from diagonal, so CG preconditioned by the
 * diagonal needs about m products per step, as count features at large C need hundreds.
 */
function collinear(m: number, withFactor: boolean): NewtonProblem & { hv: number } {
  const r = mulberry32(11);
  const Q = Float64Array.from({ length: m * m }, () => r() - 0.5);
  for (let c = 0; c < m; c++) {
    for (let e = 0; e < c; e++) {
      let t = 0;
      for (let i = 0; i < m; i++) t += (Q[i * m + c] as number) * (Q[i * m + e] as number);
      for (let i = 0; i < m; i++) Q[i * m + c] = (Q[i * m + c] as number) - t * (Q[i * m + e] as number);
    }
    let nrm = 0;
    for (let i = 0; i < m; i++) nrm += (Q[i * m + c] as number) ** 2;
    for (let i = 0; i < m; i++) Q[i * m + c] = (Q[i * m + c] as number) / Math.sqrt(nrm);
  }
  const A = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      let t = 0;
      for (let q = 0; q < m; q++) t += (Q[i * m + q] as number) * 10 ** (-6 + (6 * q) / (m - 1)) * (Q[j * m + q] as number);
      A[i * m + j] = t;
    }
  const b = Float64Array.from({ length: m }, (_, i) => Math.cos(i));
  let L: Float64Array | undefined;
  const p: NewtonProblem & { hv: number } = {
    dim: m,
    hv: 0,
    evaluate(x, g) {
      let f = 0;
      for (let i = 0; i < m; i++) {
        let t = 0;
        for (let j = 0; j < m; j++) t += (A[i * m + j] as number) * (x[j] as number);
        g[i] = t - (b[i] as number);
        f += 0.5 * t * (x[i] as number) - (b[i] as number) * (x[i] as number);
      }
      return f;
    },
    hessVec(v, out) {
      p.hv++;
      for (let i = 0; i < m; i++) {
        let t = 0;
        for (let j = 0; j < m; j++) t += (A[i * m + j] as number) * (v[j] as number);
        out[i] = t;
      }
    },
    hessDiag(out) {
      for (let i = 0; i < m; i++) out[i] = A[i * m + i] as number;
    },
  };
  if (withFactor)
    Object.assign(p, {
      preconditioner: {
        get ready() {
          return L !== undefined;
        },
        factor() {
          L = Float64Array.from(A);
          return choleskyFactorBlocked(L, m);
        },
        apply(r: Float64Array, z: Float64Array) {
          choleskySolveFactored(L as Float64Array, m, r, z);
        },
      },
    });
  return p;
}

test('a Hessian factor preconditions CG once the diagonal needs many products, to the same optimum', () => {
  const m = 80;
  const plain = collinear(m, false);
  // The diagonal alone does not certify this in 60 steps (nor in 400: 53,824 products).
  const a = newtonCg(plain, new Float64Array(m), { gtol: 1e-10, maxIter: 60 });
  const pre = collinear(m, true);
  const b = newtonCg(pre, new Float64Array(m), { gtol: 1e-10, maxIter: 60 });
  assert.equal(a.nFactor, 0);
  assert.ok(b.nFactor >= 1, 'the factor was used');
  assert.equal(b.stop, 'certified');
  assert.ok(b.nHessVec * 3 < a.nHessVec, `products with the factor ${b.nHessVec}, with the diagonal ${a.nHessVec}`);
  const scale = Math.max(1, ...Array.from(b.x, Math.abs));
  if (a.stop === 'certified') for (let i = 0; i < m; i++) assert.ok(Math.abs((a.x[i] as number) - (b.x[i] as number)) < 1e-6 * scale);
  // The factored solver's point solves A x = b.
  const g = new Float64Array(m);
  pre.evaluate(b.x, g);
  assert.ok(Math.hypot(...g) < 1e-8 * scale);
});

test('a factor is made only once CG has spent what it costs (in products)', () => {
  const m = 80;
  const cheap = newtonCg(collinear(m, true), new Float64Array(m), { gtol: 1e-10, maxIter: 60 });
  const costly = collinear(m, true);
  Object.assign(costly.preconditioner as object, { cost: 1e9 });
  const never = newtonCg(costly, new Float64Array(m), { gtol: 1e-10, maxIter: 60 });
  assert.ok(cheap.nFactor >= 1);
  assert.equal(never.nFactor, 0, 'a factor dearer than all the products of the fit is never made');
  // After the cost is spent, a factor is made: the first solve's products count.
  const spent = collinear(m, true);
  Object.assign(spent.preconditioner as object, { cost: 100 });
  const later = newtonCg(spent, new Float64Array(m), { gtol: 1e-10, maxIter: 60 });
  assert.ok(later.nFactor >= 1);
  assert.equal(later.stop, 'certified');
});
