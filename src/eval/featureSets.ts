/** Feature sets for the evaluation: embedding files aligned to labels, count features, and their concatenation. */
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { readTaskFeatures, taskFeatureFiles } from '../meds/featureFiles.ts';
import type { FeatureSet } from './runEvaluation.ts';
import type { TaskData } from './TaskData.ts';

/**
 * Load `<dir>/<task>.parquet` (or its shard parts `<task>.part-<i>-of-<n>.parquet`, read as one) for every task and align its rows with the task's labels by
 * (subject_id, prediction_time). A label without a feature row is a UsageError naming the first one.
 */
export async function loadEmbeddingFeatureSet(name: string, dir: string, tasks: readonly TaskData[]): Promise<FeatureSet> {
  const byTask = new Map<string, Float32Array>();
  let dims = -1;
  for (const task of tasks) {
    const file = taskFeatureFiles(dir, task.name)?.[0] ?? join(dir, `${task.name}.parquet`);
    const m = await readTaskFeatures(dir, task.name);
    if (m.subjectIds.length > 0) {
      if (dims >= 0 && m.dims !== dims) throw new UsageError(`features have ${m.dims} dimensions here but ${dims} for another task`, { file });
      dims = m.dims;
    }
    const rowOf = new Map<string, number>();
    for (let i = 0; i < m.subjectIds.length; i++) rowOf.set(`${m.subjectIds[i]}@${m.predictionTimes[i]}`, i);
    const out = new Float32Array(task.labels.length * Math.max(dims, 0));
    let missing = 0;
    let first = '';
    task.labels.forEach((l, i) => {
      const r = rowOf.get(`${l.subjectId}@${l.predictionTime}`);
      if (r === undefined) {
        if (missing++ === 0) first = `subject ${l.subjectId} at ${new Date(l.predictionTime).toISOString()}`;
        return;
      }
      out.set(m.data.subarray(r * m.dims, (r + 1) * m.dims), i * m.dims);
    });
    if (missing > 0) throw new UsageError(`features and labels do not match: ${missing} of ${task.labels.length} labels of task "${task.name}" have no feature row (first: ${first}); were the features made from another labels directory?`, { file });
    byTask.set(task.name, out);
  }
  return { name, baseline: false, dims: Math.max(dims, 0), rows: (t) => byTask.get(t) ?? new Float32Array(0) };
}

/** A feature set from precomputed matrices per task. */
export function matrixFeatureSet(name: string, dims: number, byTask: ReadonlyMap<string, Float32Array>, baseline: boolean, heads?: readonly string[]): FeatureSet {
  return { name, baseline, dims, ...(heads ? { heads } : {}), rows: (t) => byTask.get(t) ?? new Float32Array(0) };
}

/** The name suffix of an embedding set joined with the count features (`evaluate --combine`, the benchmark's `baselines.combine`). */
export const COMBINED_SUFFIX = '+counts';

/** Concatenate two feature sets row by row (embeddings + counts). */
export function concatFeatureSets(name: string, a: FeatureSet, b: FeatureSet): FeatureSet {
  const cache = new Map<string, Float32Array>();
  const dims = a.dims + b.dims;
  return {
    name,
    baseline: false,
    dims,
    rows(t) {
      const hit = cache.get(t);
      if (hit) return hit;
      const A = a.rows(t);
      const B = b.rows(t);
      const n = a.dims > 0 ? A.length / a.dims : B.length / Math.max(1, b.dims);
      const out = new Float32Array(n * dims);
      for (let i = 0; i < n; i++) {
        out.set(A.subarray(i * a.dims, (i + 1) * a.dims), i * dims);
        out.set(B.subarray(i * b.dims, (i + 1) * b.dims), i * dims + a.dims);
      }
      cache.set(t, out);
      return out;
    },
  };
}
