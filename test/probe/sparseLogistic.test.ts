import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fitLogisticPath } from '../../src/probe/logistic.ts';
import { fitSparseLogisticPath } from '../../src/probe/sparseLogistic.ts';
import { fitMaxAbsScaler } from '../../src/probe/maxAbsScaler.ts';
import { csrMaxAbs, csrRowBlocks, csrScaleColumns, csrScores, csrSelectRows, csrToDense, denseToCsr } from '../../src/probe/csrMatrix.ts';
import type { CsrMatrix } from '../../src/probe/csrMatrix.ts';
import { isUsageError } from '../../src/errors.ts';
import { mulberry32 } from '../helpers/mulberry32.ts';

interface GoldenDataset {
  name: string;
  n: number;
  d: number;
  X: number[];
  y: number[];
  fits: { C: number; coef: number[]; intercept: number }[];
}
const golden = JSON.parse(readFileSync(new URL('../golden/sklearn/logistic.json', import.meta.url), 'utf8')) as {
  datasets: GoldenDataset[];
};

/** Sparse count rows: each of d codes present with probability 3 / d, labels from a few codes. */
function counts(n: number, d: number, seed: number): { X: CsrMatrix; y: Uint8Array } {
  const r = mulberry32(seed);
  const dense = new Float32Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) if (r() < (j < 5 ? 0.3 : 6 / d)) dense[i * d + j] = 1 + Math.floor(r() * 5);
    const z = 1.5 * Number((dense[i * d] as number) > 0) + 0.4 * (dense[i * d + 1] as number) - 0.8 * (dense[i * d + 2] as number) - 0.5;
    y[i] = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X: denseToCsr(dense, d), y };
}

function maxGap(a: Float64Array, b: ArrayLike<number>): number {
  let g = 0;
  for (let j = 0; j < a.length; j++) g = Math.max(g, Math.abs((a[j] as number) - (b[j] as number)));
  return g;
}

test("CSR logistic regression reaches scikit-learn's optimum on every golden dataset and C", () => {
  for (const ds of golden.datasets) {
    const X = Float64Array.from(ds.X);
    const scaled = fitMaxAbsScaler(X, ds.d).transform(X);
    const fits = fitSparseLogisticPath(
      denseToCsr(scaled, ds.d),
      ds.y,
      ds.fits.map((f) => f.C),
      { tol: 1e-10 },
    );
    fits.forEach((fit, i) => {
      const ref = ds.fits[i]!;
      assert.ok(fit.converged, `${ds.name} C=${ref.C}: ${fit.stop}`);
      const gap = Math.max(maxGap(fit.coef, ref.coef), Math.abs(fit.intercept - ref.intercept));
      assert.ok(gap < 1e-5, `${ds.name} C=${ref.C}: max |coef - sklearn| = ${gap}`);
    });
  }
});

for (const d of [40, 900]) {
  test(`CSR and dense solvers give the same coefficients on count features (d = ${d}, ${d <= 600 ? 'factored' : 'CG'} steps)`, () => {
    const { X, y } = counts(1200, d, d);
    const Cs = [1e-4, 0.1, 1, 1e3];
    const scale = csrMaxAbs(X);
    const Xs = csrScaleColumns(X, scale);
    const dense = fitLogisticPath(csrToDense(Xs), y, d, Cs, { solver: 'primal' });
    const sparse = fitSparseLogisticPath(Xs, y, Cs);
    sparse.forEach((fit, i) => {
      const ref = dense[i]!;
      assert.ok(fit.converged && ref.converged, `C=${Cs[i]}: ${fit.stop} / ${ref.stop}`);
      assert.ok(fit.relGrad <= 1e-8);
      const coef = fit.coef;
      const scaleOf = Math.max(1, ...Array.from(ref.coef, Math.abs));
      assert.ok(maxGap(coef, ref.coef) < 1e-6 * scaleOf, `C=${Cs[i]}: coef gap ${maxGap(coef, ref.coef)}`);
      assert.ok(Math.abs(fit.intercept - ref.intercept) < 1e-6 * scaleOf);
      const s = csrScores(Xs, coef, fit.intercept);
      const t = ref.decisionFunction(csrToDense(Xs));
      assert.ok(maxGap(s, t) < 1e-5 * scaleOf);
    });
  });
}

test('max-abs scaling on CSR equals the dense scaler; row selection keeps rows', () => {
  const { X } = counts(50, 30, 7);
  const dense = csrToDense(X);
  assert.deepEqual(Array.from(csrMaxAbs(X)), Array.from(fitMaxAbsScaler(dense, 30).scale));
  const sel = csrSelectRows(X, [3, -1, 3, 49]);
  const back = csrToDense(sel);
  assert.deepEqual(Array.from(back.subarray(0, 30)), Array.from(dense.subarray(90, 120)));
  assert.ok(
    back.subarray(30, 60).every((v) => v === 0),
    'row -1 is empty',
  );
  assert.deepEqual(Array.from(back.subarray(90, 120)), Array.from(dense.subarray(49 * 30, 50 * 30)));
});

test('bad input is a UsageError naming the row', () => {
  const X: CsrMatrix = {
    nRows: 2,
    nCols: 3,
    indptr: Float64Array.from([0, 1, 2]),
    indices: Int32Array.from([0, 5]),
    values: Float32Array.from([1, 1]),
  };
  assert.throws(
    () => fitSparseLogisticPath(X, [0, 1], [1]),
    (e: unknown) => isUsageError(e) && /row 2/.test((e as Error).message),
  );
  const ok: CsrMatrix = { ...X, indices: Int32Array.from([0, 1]) };
  assert.throws(
    () => fitSparseLogisticPath(ok, [1, 1], [1]),
    (e: unknown) => isUsageError(e) && /both classes/.test((e as Error).message),
  );
});

test('row blocks with int32 offsets cover every row and entry once, in order', () => {
  const { X } = counts(50, 30, 5);
  let widest = 0;
  for (let r = 0; r < X.nRows; r++) widest = Math.max(widest, (X.indptr[r + 1] as number) - (X.indptr[r] as number));
  for (const max of [widest, 3 * widest, 2 ** 31 - 1]) {
    const blocks = csrRowBlocks(X, max);
    let row = 0;
    for (const b of blocks) {
      assert.equal(b.row0, row);
      assert.ok((b.indptr[b.nRows] as number) <= max);
      for (let r = 0; r < b.nRows; r++, row++) {
        const a = X.indptr[row] as number;
        const n = (X.indptr[row + 1] as number) - a;
        assert.equal((b.indptr[r + 1] as number) - (b.indptr[r] as number), n);
        for (let q = 0; q < n; q++) {
          assert.equal(b.indices[(b.indptr[r] as number) + q], X.indices[a + q]);
          assert.equal(b.values[(b.indptr[r] as number) + q], X.values[a + q]);
        }
      }
    }
    assert.equal(row, X.nRows);
    if (max === widest) assert.ok(blocks.length > 1);
  }
  assert.throws(
    () => csrRowBlocks(X, 0),
    (e: unknown) => isUsageError(e) && /row 1 /.test((e as Error).message),
  );
});
