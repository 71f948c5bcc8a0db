import assert from 'node:assert/strict';
import { test } from 'node:test';
import { choleskyFactor, choleskyFactorBlocked, choleskySolveFactored } from '../../src/probe/choleskySolve.ts';
import { mulberry32 } from '../helpers/mulberry32.ts';

/** Lower triangle of B'B + ridge I for a random k x m B: SPD, and ill-conditioned when k < m and the ridge is small. */
function spd(m: number, k: number, ridge: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  const B = Float64Array.from({ length: k * m }, () => r() - 0.5);
  const H = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j <= i; j++) {
      let t = 0;
      for (let q = 0; q < k; q++) t += (B[q * m + i] as number) * (B[q * m + j] as number);
      H[i * m + j] = t + (i === j ? ridge : 0);
    }
  return H;
}

test('the blocked Cholesky factor equals the unblocked one across panel edges', () => {
  for (const m of [1, 63, 64, 65, 200]) {
    const a = spd(m, m + 5, 0.1, m);
    const b = Float64Array.from(a);
    assert.ok(choleskyFactor(a, m));
    assert.ok(choleskyFactorBlocked(b, m));
    let gap = 0;
    for (let i = 0; i < m; i++)
      for (let j = 0; j <= i; j++) gap = Math.max(gap, Math.abs((a[i * m + j] as number) - (b[i * m + j] as number)));
    assert.ok(gap < 1e-12, `m=${m}: max |L - L_blocked| = ${gap}`);
  }
});

test("choleskySolveFactored solves L L' x = b in place", () => {
  const m = 150;
  const H = spd(m, 160, 0.5, 7);
  const full = Float64Array.from(H);
  assert.ok(choleskyFactorBlocked(H, m));
  const x = Float64Array.from({ length: m }, (_, i) => Math.cos(i));
  const b = new Float64Array(m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) b[i] = (b[i] as number) + (full[Math.max(i, j) * m + Math.min(i, j)] as number) * (x[j] as number);
  choleskySolveFactored(H, m, b, b);
  for (let i = 0; i < m; i++) assert.ok(Math.abs((b[i] as number) - (x[i] as number)) < 1e-9, `x[${i}]`);
});

test('a matrix that is not positive definite is refused', () => {
  const m = 70;
  const H = spd(m, 10, 0, 3); // rank 10
  H[m * m - 1] = -1;
  assert.equal(choleskyFactorBlocked(Float64Array.from(H), m), false);
  assert.equal(choleskyFactor(Float64Array.from(H), m), false);
});
