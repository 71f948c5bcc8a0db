/**
 * The logistic path on count-like data: CSR solver (`fitSparseLogisticPath`) against the dense one
 * (`fitLogisticPath`, primal, WebAssembly kernels) on the same max-abs-scaled matrix.
 *
 * Data: 12,000 rows x 2,000 columns of small integer counts (50 columns present in half the rows,
 * the rest in 8%: about 9% nonzero), a logistic label from three of them; C in {1e-2, 1, 1e2, 1e4}.
 *
 * Usage: node --import tsx bench/sparseLogistic.ts [--rows 12000] [--cols 2000]
 */
import { parseArgs } from 'node:util';
import { fitSparseLogisticPath } from '../src/probe/sparseLogistic.ts';
import { fitLogisticPath } from '../src/probe/logistic.ts';
import { csrMaxAbs, csrScaleColumns, csrToDense, denseToCsr } from '../src/probe/csrMatrix.ts';
import { mulberry32 } from '../test/helpers/mulberry32.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '12000' }, cols: { type: 'string', default: '2000' } } });
const n = Number(values.rows);
const d = Number(values.cols);
const r = mulberry32(1);
const X = new Float32Array(n * d);
const y = new Uint8Array(n);
for (let i = 0; i < n; i++) {
  for (let j = 0; j < d; j++) if (r() < (j < 50 ? 0.5 : 0.08)) X[i * d + j] = 1 + Math.floor(r() * 6);
  const z = 0.3 * (X[i * d] as number) - 0.2 * (X[i * d + 1] as number) + 0.5 * Number((X[i * d + 2] as number) > 0) - 0.5;
  y[i] = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
}
const A = denseToCsr(X, d);
const scaled = csrScaleColumns(A, csrMaxAbs(A));
const Cs = [1e-2, 1, 1e2, 1e4];
const nnz = A.indptr[n] as number;
let t = performance.now();
const sparse = fitSparseLogisticPath(scaled, y, Cs);
const sparseS = (performance.now() - t) / 1000;
const dense = csrToDense(scaled);
t = performance.now();
const ref = fitLogisticPath(dense, y, d, Cs, { solver: 'primal' });
const denseS = (performance.now() - t) / 1000;
let gap = 0;
sparse.forEach((f, i) => f.coef.forEach((c, j) => (gap = Math.max(gap, Math.abs(c - (ref[i]!.coef[j] as number))))));
console.table({
  data: `${n} x ${d}, ${((100 * nnz) / (n * d)).toFixed(1)}% nonzero`,
  'CSR solver (s)': sparseS.toFixed(1),
  'dense solver (s)': denseS.toFixed(1),
  'Newton iterations per C (CSR / dense)': `${sparse.map((f) => f.nIter).join(',')} / ${ref.map((f) => f.nIter).join(',')}`,
  'all certified': sparse.every((f) => f.converged) && ref.every((f) => f.converged),
  'max |coef CSR - dense|': gap.toExponential(1),
});
