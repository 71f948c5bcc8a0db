/**
 * Peak memory of one logistic fit through selectC on float32 features (issue 15: the solver's copy
 * of the training matrix). Random n x 4,096 float32 features, 1,000 of them also the validation
 * rows, grid [1], maxIter 3 (the copy, the passes and the scoring, not a converged fit).
 *
 * Usage: /usr/bin/time -v node --import tsx bench/probe-memory.ts <srcRoot> <rows>
 *   <srcRoot>: this tree's `src`, or an older tree to compare against
 *   (`mkdir -p tmp/base && git archive <rev> src | tar -x -C tmp/base`, then `tmp/base/src`).
 * Prints the feature bytes, the fit time and the RSS after the fit; GNU time gives the peak.
 */
import { resolve } from 'node:path';
import type { selectC as SelectC } from '../src/eval/selectC.ts';

const [root, rowsArg] = process.argv.slice(2);
if (root === undefined || rowsArg === undefined) throw new Error('usage: bench/probe-memory.ts <srcRoot> <rows>');
const { selectC } = (await import(resolve(root, 'eval/selectC.ts'))) as { selectC: typeof SelectC };
const n = Number(rowsArg);
const d = 4096;
const X = new Float32Array(n * d);
let s = 1;
for (let i = 0; i < X.length; i++) {
  s = (s * 48271) % 2147483647;
  X[i] = s / 2147483647 - 0.5;
}
const y = Array.from({ length: n }, (_, i) => ((X[i * d] as number) + (X[i * d + 1] as number) > 0 ? 1 : 0));
const nv = 1000;
const t0 = performance.now();
const sel = selectC({ X, y }, { X: X.subarray(0, nv * d), y: y.slice(0, nv) }, d, { grid: [1], maxIter: 3 });
console.log(
  `rows ${n} features ${(X.byteLength / 1e6).toFixed(0)} MB fit ${((performance.now() - t0) / 1000).toFixed(1)} s ` +
    `relGrad ${(sel.scores[0]?.relGrad ?? Number.NaN).toExponential(1)} rss after the fit ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
);
