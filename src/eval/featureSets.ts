/** Feature sets for the evaluation: embedding files aligned to labels, count features, and their concatenation. */
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { readTaskFeaturesInto, taskFeatureFiles } from '../meds/featureFiles.ts';
import type { FeatureSet, RowLayout } from './runEvaluation.ts';
import { sharedFloat32 } from './sharedLayout.ts';
import { layoutRow } from './layoutRange.ts';
import { solverRows } from '../probe/solverMemory.ts';
import type { TaskData } from './TaskData.ts';

/** Order of the splits in an embedding set's buffer: each split's labelled rows are contiguous. */
const LAYOUT_SPLITS = ['train', 'tuning', 'held_out'] as const;

/**
 * Load `<dir>/<task>.parquet` (or its shard parts `<task>.part-<i>-of-<n>.parquet`, read as one)
 * for every task and align its rows with the task's labels by (subject_id, prediction_time). A
 * label without a feature row is a UsageError naming the first one.
 *
 * Memory: the vectors are read from the parquet file straight into float32 buffers per task
 * (`labels × dims × 4` bytes in all), with no intermediate copy. The layout holds the labelled rows
 * of train, then tuning, then held_out (label order within each), then every other row, so a run
 * on a whole split (k = all, the test split) reads a view of it ({@link FeatureSet.layout});
 * `rows()` builds a label-order copy for callers that need one. For a wide set (more than 600
 * dimensions, at least as many training rows), the training rows are a buffer of their own in
 * solver memory (`RowLayout.head`), so the k = all logistic fit reads them there instead of
 * copying them (`probe/solverMemory.ts`).
 */
export async function loadEmbeddingFeatureSet(name: string, dir: string, tasks: readonly TaskData[]): Promise<FeatureSet> {
  const byTask = new Map<string, RowLayout>();
  let dims = -1;
  for (const task of tasks) {
    const file = taskFeatureFiles(dir, task.name)?.[0] ?? join(dir, `${task.name}.parquet`);
    const { rowOf, trainRows } = splitLayout(task);
    const labelsOf = new Map<string, number[]>();
    task.labels.forEach((l, i) => {
      const key = `${l.subjectId}@${l.predictionTime}`;
      const list = labelsOf.get(key);
      if (list) list.push(i);
      else labelsOf.set(key, [i]);
    });
    const filled = new Uint8Array(task.labels.length);
    let X: Float32Array = new Float32Array(0);
    let head: Float32Array | undefined;
    const NONE: readonly number[] = [];
    await readTaskFeaturesInto(dir, task.name, (keys) => {
      if (keys.subjectIds.length > 0) {
        if (dims >= 0 && keys.dims !== dims)
          throw new UsageError(`features have ${keys.dims} dimensions here but ${dims} for another task`, { file });
        dims = keys.dims;
      }
      // Shared memory, so FitPool workers read the rows without a copy. The labelled training
      // rows of a wide set go to solver memory, where the k = all fit reads them in place.
      const d = Math.max(dims, 0);
      head = d > 0 ? solverRows(trainRows, d) : undefined;
      X = sharedFloat32((task.labels.length - (head ? trainRows : 0)) * d);
      // Destination rows of every feature row; a later row with the same key wins (file order).
      const dest: (readonly number[])[] = [];
      const last = new Map<string, number>();
      for (let r = 0; r < keys.subjectIds.length; r++) last.set(`${keys.subjectIds[r]}@${keys.predictionTimes[r]}`, r);
      for (let r = 0; r < keys.subjectIds.length; r++) {
        const key = `${keys.subjectIds[r]}@${keys.predictionTimes[r]}`;
        const labels = last.get(key) === r ? labelsOf.get(key) : undefined;
        if (!labels) {
          dest.push(NONE);
          continue;
        }
        for (const i of labels) filled[i] = 1;
        dest.push(labels.map((i) => rowOf[i] as number));
      }
      return { data: X, ...(head ? { head } : {}), destinations: (r) => dest[r] ?? NONE };
    });
    const missing = filled.reduce((a, f) => a + (f ? 0 : 1), 0);
    if (missing > 0) {
      const l = task.labels[filled.indexOf(0)] as TaskData['labels'][number];
      throw new UsageError(
        `features and labels do not match: ${missing} of ${task.labels.length} labels of task "${task.name}" have no feature row (first: subject ${l.subjectId} at ${new Date(l.predictionTime).toISOString()}); were the features made from another labels directory?`,
        { file },
      );
    }
    byTask.set(task.name, { X, rowOf, ...(head ? { head } : {}) });
  }
  const d = Math.max(dims, 0);
  const empty: RowLayout = { X: new Float32Array(0), rowOf: new Int32Array(0) };
  return {
    name,
    baseline: false,
    dims: d,
    layout: (t) => byTask.get(t) ?? empty,
    rows: (t) => labelOrder(byTask.get(t) ?? empty, d),
  };
}

/**
 * Buffer row of each label: labelled train rows, labelled tuning rows, labelled held_out rows, then
 * the rest (label order within each); and how many rows come first from train (the layout's head).
 */
function splitLayout(task: TaskData): { rowOf: Int32Array; trainRows: number } {
  const rowOf = new Int32Array(task.labels.length).fill(-1);
  let next = 0;
  let trainRows = 0;
  for (const split of LAYOUT_SPLITS) {
    for (let i = 0; i < task.labels.length; i++) if (task.split[i] === split && (task.y[i] as number) >= 0) rowOf[i] = next++;
    if (split === 'train') trainRows = next;
  }
  for (let i = 0; i < task.labels.length; i++) if (rowOf[i] === -1) rowOf[i] = next++;
  return { rowOf, trainRows };
}

/** A label-order copy of a layout's rows. */
function labelOrder(layout: RowLayout, d: number): Float32Array {
  const out = new Float32Array(layout.rowOf.length * d);
  if (d > 0) layout.rowOf.forEach((r, i) => out.set(layoutRow(layout, d, r), i * d));
  return out;
}

/** A feature set from precomputed matrices per task. */
export function matrixFeatureSet(
  name: string,
  dims: number,
  byTask: ReadonlyMap<string, Float32Array>,
  baseline: boolean,
  heads?: readonly string[],
): FeatureSet {
  return { name, baseline, dims, ...(heads ? { heads } : {}), rows: (t) => byTask.get(t) ?? new Float32Array(0) };
}

/** The name suffix of an embedding set joined with the count features (`evaluate --combine`, the benchmark's `baselines.combine`). */
export const COMBINED_SUFFIX = '+counts';

/**
 * Concatenate two feature sets row by row (embeddings + counts). Built once per task, in the
 * first set's layout when it has one (so whole splits stay views of the combined buffer, and the
 * training rows are in solver memory when the first set's are); a second set with CSR rows (the
 * counts) is written into it from its stored entries, with no dense copy.
 */
export function concatFeatureSets(name: string, a: FeatureSet, b: FeatureSet): FeatureSet {
  const cache = new Map<string, RowLayout>();
  const dims = a.dims + b.dims;
  const build = (t: string): RowLayout => {
    const hit = cache.get(t);
    if (hit) return hit;
    const A = a.layout ? a.layout(t) : undefined;
    const Arows = A ? undefined : a.rows(t);
    // A CSR set (the counts) is written straight into the joined rows: no dense copy of it first.
    const sparse = b.csr?.(t);
    const B = sparse ? undefined : b.rows(t);
    const n = A
      ? A.rowOf.length
      : a.dims > 0
        ? (Arows as Float32Array).length / a.dims
        : sparse
          ? sparse.rows.length
          : (B as Float32Array).length / Math.max(1, b.dims);
    const rowOf = A ? A.rowOf : Int32Array.from({ length: n }, (_, i) => i);
    // The first set's training rows in solver memory: the joined training rows go there too.
    const head = A?.head && a.dims > 0 ? solverRows(A.head.length / a.dims, dims) : undefined;
    const h = head ? head.length / dims : 0;
    const out = sharedFloat32((n - h) * dims);
    for (let i = 0; i < n; i++) {
      const r = rowOf[i] as number;
      const [buf, row] = r < h ? [head as Float32Array, r] : [out, r - h];
      if (a.dims > 0) buf.set(A ? layoutRow(A, a.dims, r) : (Arows as Float32Array).subarray(r * a.dims, (r + 1) * a.dims), row * dims);
      if (B) buf.set(B.subarray(i * b.dims, (i + 1) * b.dims), row * dims + a.dims);
      else if (sparse) {
        const { indptr, indices, values } = sparse.matrix;
        const src = sparse.rows[i] as number;
        if (src < 0) continue;
        const at = row * dims + a.dims;
        for (let p = indptr[src] as number; p < (indptr[src + 1] as number); p++) buf[at + (indices[p] as number)] = values[p] as number;
      }
    }
    const layout = { X: out, rowOf, ...(head ? { head } : {}) };
    cache.set(t, layout);
    return layout;
  };
  return { name, baseline: false, dims, layout: build, rows: (t) => labelOrder(build(t), dims) };
}
