import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getKernels } from '../../src/probe/kernels.ts';

test('WebAssembly SIMD kernels load on this runtime (a silent JS fallback would cost ~2x)', () => {
  assert.equal(getKernels().kind, 'wasm-simd');
  assert.equal(getKernels('js').kind, 'js');
});

test('SIMD and JS kernels agree on every length and alignment, and write nothing past n', () => {
  for (const k of [getKernels(), getKernels('js')]) {
    k.reserve(70000);
    const v = k.view();
    for (let i = 0; i < 70000; i++) v[i] = Math.sin(i * 0.7) * (1 + (i % 13));
    for (const n of [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 33, 4097]) {
      for (const base of [100, 101]) {
        const stride = n + 3;
        let ref = 0;
        for (let i = 0; i < n; i++) ref += v[base + i]! * v[30001 + i]!;
        assert.ok(Math.abs(k.dot(base, 30001, n) - ref) <= 1e-12 * (1 + Math.abs(ref)) * n, `${k.kind} dot n=${n}`);
        k.dot4(base, stride, 30000, n, 60000);
        for (let q = 0; q < 4; q++) {
          let r = 0;
          for (let i = 0; i < n; i++) r += v[base + q * stride + i]! * v[30000 + i]!;
          assert.ok(Math.abs(v[60000 + q]! - r) <= 1e-12 * (1 + Math.abs(r)) * n, `${k.kind} dot4 n=${n} q=${q}`);
        }
        const y0 = v.slice(40000, 40000 + n + 1);
        k.axpy(40000, base, 0.5, n);
        for (let i = 0; i < n; i++) assert.equal(v[40000 + i], y0[i]! + 0.5 * v[base + i]!);
        assert.equal(v[40000 + n], y0[n]);
        const y1 = v.slice(50000, 50000 + n + 1);
        k.axpy4(50000, base, stride, 0.5, -1, 2, 0.25, n);
        for (let i = 0; i < n; i++) {
          const want =
            y1[i]! + 0.5 * v[base + i]! - v[base + stride + i]! + 2 * v[base + 2 * stride + i]! + 0.25 * v[base + 3 * stride + i]!;
          assert.ok(Math.abs(v[50000 + i]! - want) <= 1e-12 * (1 + Math.abs(want)), `${k.kind} axpy4 n=${n}`);
        }
        assert.equal(v[50000 + n], y1[n]);
      }
    }
  }
});

test('float32-row kernels (dot4f, dot4ff, axpy4f) agree with float64 sums of the widened values, SIMD and JS', () => {
  for (const k of [getKernels(), getKernels('js')]) {
    k.reserve(80000);
    const v = k.view();
    const f = k.view32();
    // float32 region: f32 indices [0, 60000) = float64 [0, 30000); float64 region from 40000.
    for (let i = 0; i < 60000; i++) f[i] = Math.sin(i * 0.37) * (1 + (i % 7));
    for (let i = 40000; i < 80000; i++) v[i] = Math.cos(i * 0.11) * (1 + (i % 5));
    for (const n of [0, 1, 2, 3, 5, 8, 9, 4097]) {
      for (const base of [10, 11]) {
        const stride = n + 3;
        k.dot4f(base, stride, 41000, n, 70000);
        k.dot4ff(base, stride, 50001, n, 70004);
        k.dot4x2ff(base, stride, 50001, 5003, n, 70010);
        for (let q = 0; q < 4; q++) {
          let r = 0;
          let rf = 0;
          for (let i = 0; i < n; i++) {
            r += f[base + q * stride + i]! * v[41000 + i]!;
            rf += f[base + q * stride + i]! * f[50001 + i]!;
          }
          assert.ok(Math.abs(v[70000 + q]! - r) <= 1e-12 * (1 + Math.abs(r)) * (n + 1), `${k.kind} dot4f n=${n} q=${q}`);
          assert.ok(Math.abs(v[70004 + q]! - rf) <= 1e-12 * (1 + Math.abs(rf)) * (n + 1), `${k.kind} dot4ff n=${n} q=${q}`);
          assert.equal(v[70010 + 2 * q], v[70004 + q], `${k.kind} dot4x2ff n=${n} q=${q} w0`);
          let r2 = 0;
          for (let i = 0; i < n; i++) r2 += f[base + q * stride + i]! * f[55004 + i]!;
          assert.ok(Math.abs(v[70010 + 2 * q + 1]! - r2) <= 1e-12 * (1 + Math.abs(r2)) * (n + 1), `${k.kind} dot4x2ff n=${n} q=${q} w1`);
        }
        const y1 = v.slice(60000, 60000 + n + 1);
        k.axpy4f(60000, base, stride, 0.5, -1, 2, 0.25, n);
        for (let i = 0; i < n; i++) {
          const want =
            y1[i]! + 0.5 * f[base + i]! - f[base + stride + i]! + 2 * f[base + 2 * stride + i]! + 0.25 * f[base + 3 * stride + i]!;
          assert.ok(Math.abs(v[60000 + i]! - want) <= 1e-12 * (1 + Math.abs(want)), `${k.kind} axpy4f n=${n}`);
        }
        assert.equal(v[60000 + n], y1[n], `${k.kind} axpy4f wrote past n=${n}`);
      }
    }
  }
});

test('reserve keeps the arena contents when it grows', () => {
  const k = getKernels();
  k.reserve(10);
  k.view()[3] = 42;
  k.reserve(k.view().length + 100000);
  assert.equal(k.view()[3], 42);
});

test('release gives a large arena back and keeps a small one; reserve grows again', () => {
  for (const k of [getKernels(), getKernels('js')]) {
    k.reserve(1000);
    k.view()[7] = 5;
    k.release(1 << 30);
    assert.equal(k.view()[7], 5, `${k.kind}: an arena under the limit is kept`);
    k.reserve(4_000_000);
    k.release(1 << 20);
    assert.ok(k.view().byteLength < 1 << 20, `${k.kind}: a 32 MB arena is given back`);
    k.reserve(10_000);
    k.view()[9_999] = 1;
    k.view32()[3] = 2;
    assert.equal(k.view32()[3], 2);
  }
});
