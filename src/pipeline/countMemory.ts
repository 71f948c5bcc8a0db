/**
 * Count-matrix sizes for the memory guard of `evaluate` (`evaluationMemory.ts`). How many entries
 * a count matrix stores is not known before the streaming pass over the MEDS shards has built its
 * rows (it depends on how many distinct codes each subject has by each prediction time, and on
 * time bins, deciles and ontology ancestors), and a second pass to count them would cost as much
 * as the build. So the guard checks during the pass instead: once a share of the rows is built,
 * their entries per row are projected to all rows ({@link projectedCountSize}) and the run stops
 * if the projection does not fit, seconds into the pass and before most of the matrix exists;
 * after the pass the counted size ({@link countedCountSize}) is checked again before the fits and
 * the `--combine` matrices are allocated.
 */
import type { CountMatrixSize, CountTaskSize } from '../eval/evaluationMemory.ts';
import type { TaskData } from '../eval/TaskData.ts';
import type { CountFeatures, CountPassProgress } from '../features/buildCountFeatures.ts';

/** Labelled rows of a task by role: train, train + tuning (the k = all fit) and held_out; each a list of label indices. */
function roles(task: TaskData): { train: number[]; fit: number[]; test: number[] } {
  const train: number[] = [];
  const fit: number[] = [];
  const test: number[] = [];
  task.labels.forEach((_, i) => {
    if ((task.y[i] as number) < 0) return;
    const split = task.split[i];
    if (split === 'train') train.push(i);
    if (split === 'train' || split === 'tuning') fit.push(i);
    else if (split === 'held_out') test.push(i);
  });
  return { train, fit, test };
}

/**
 * The size of a count matrix projected from the rows a pass has built so far: entries per row so
 * far times all rows (and times each task's rows).
 *
 * @param maxDims - the most columns the set can have (the column choice's cap, plus age)
 */
export function projectedCountSize(
  name: string,
  p: CountPassProgress,
  tasks: readonly TaskData[],
  heads: readonly string[],
  maxDims: number,
): CountMatrixSize {
  const perRow = p.rows > 0 ? p.entries / p.rows : 0;
  return {
    name,
    rows: p.totalRows,
    entries: perRow * p.totalRows,
    projected: true,
    dims: Math.min(p.keys + 1, maxDims),
    keys: p.keys,
    heads,
    tasks: tasks.map((t): CountTaskSize => {
      const r = roles(t);
      return {
        name: t.name,
        trainRows: r.train.length,
        fitRows: r.fit.length,
        fitEntries: r.fit.length * perRow,
        testRows: r.test.length,
        testEntries: r.test.length * perRow,
      };
    }),
  };
}

/** The size of a built count matrix, its entries counted per task. */
export function countedCountSize(name: string, cf: CountFeatures, tasks: readonly TaskData[], heads: readonly string[]): CountMatrixSize {
  const { indptr, nRows } = cf.matrix;
  const entriesOf = (rows: Int32Array | undefined, idx: readonly number[]): number => {
    let n = 0;
    for (const i of idx) {
      const r = rows?.[i] ?? -1;
      if (r >= 0) n += (indptr[r + 1] as number) - (indptr[r] as number);
    }
    return n;
  };
  return {
    name,
    rows: nRows,
    entries: indptr[nRows] as number,
    projected: false,
    dims: cf.dims,
    keys: cf.space.featureNames.length,
    heads,
    tasks: tasks.map((t): CountTaskSize => {
      const r = roles(t);
      const rows = cf.rowsByTask.get(t.name);
      return {
        name: t.name,
        trainRows: r.train.length,
        fitRows: r.fit.length,
        fitEntries: entriesOf(rows, r.fit),
        testRows: r.test.length,
        testEntries: entriesOf(rows, r.test),
      };
    }),
  };
}
