/**
 * The count features and the logistic head's C selection at k = all for one task of a labelled
 * MEDS dataset, timed step by step: `buildCountFeatures` (one streaming pass) then `selectCCsr`
 * (the CSR solver over the 12-value C grid on the train rows, C by tuning AUROC).
 *
 * Usage: node --import tsx bench/countsLr.ts <meds-dir> <labels-dir> <task>
 */
import { openMedsDataset } from '../src/meds/MedsDataset.ts';
import { readLabelsDir, loadTasks } from '../src/artifacts/labelsDir.ts';
import { subjectSplitResolver } from '../src/tasks/subjectSplitResolver.ts';
import { buildCountFeatures } from '../src/features/buildCountFeatures.ts';
import { csrSelectRows } from '../src/probe/csrMatrix.ts';
import { selectCCsr } from '../src/eval/lrHead.ts';
const ld = readLabelsDir(process.argv[3] as string);
const ds = await openMedsDataset(process.argv[2] as string);
const tasks = await loadTasks(ld, [process.argv[4] as string], subjectSplitResolver(ds.splits, ld.summary.seed));
let t = performance.now();
const cf = await buildCountFeatures(ds, tasks);
console.log(
  'features s',
  ((performance.now() - t) / 1000).toFixed(1),
  'rows',
  cf.matrix.nRows,
  'dims',
  cf.dims,
  'nnz',
  cf.matrix.indptr[cf.matrix.nRows],
  'rss MB',
  (process.memoryUsage().rss / 1e6).toFixed(0),
);
const task = tasks[0]!;
const rows = cf.rowsByTask.get(process.argv[4] as string)!;
const idx = (s: string) => task.labels.flatMap((_, i) => (task.split[i] === s && task.y[i]! >= 0 ? [i] : []));
const part = (s: string) => {
  const ii = idx(s);
  return {
    X: csrSelectRows(
      cf.matrix,
      ii.map((i) => rows[i]!),
    ),
    y: Uint8Array.from(ii, (i) => task.y[i]!),
  };
};
const tr = part('train');
const va = part('tuning');
t = performance.now();
const sel = selectCCsr(tr, va);
console.log(
  'CSR selectC s',
  ((performance.now() - t) / 1000).toFixed(1),
  'n',
  tr.X.nRows,
  'C',
  sel.probe.C,
  sel.scores.map((s) => [s.C, s.nIter, s.converged, s.auroc.toFixed(4)]),
);
ds.close();
