/**
 * Count-feature matrices for evaluation tasks: fit the feature space on training labels only, then
 * one row per label of every task (dense float32, row-major).
 */
import type { MedsDataset } from '../meds/MedsDataset.ts';
import type { Subject } from '../types.ts';
import { countRow, featureIndex, fitCountFeatures, type CountFeatureOptions, type CountFeatureSpace } from './CountFeaturizer.ts';

/** Labels of one task as needed here. */
export interface CountTaskInput {
  readonly name: string;
  readonly labels: readonly { readonly subjectId: number; readonly predictionTime: number }[];
  readonly split: readonly string[];
}

/** Dense count features per task, aligned with the task's labels. */
export interface CountFeatures {
  readonly space: CountFeatureSpace;
  readonly dims: number;
  readonly byTask: ReadonlyMap<string, Float32Array>;
}

/** Build count features for tasks in two streaming passes (fit on train subjects, then rows for all). */
export async function buildCountFeatures(ds: MedsDataset, tasks: readonly CountTaskInput[], options: CountFeatureOptions = {}): Promise<CountFeatures> {
  const trainTimes = new Map<number, number[]>();
  const allTimes = new Map<number, Set<number>>();
  for (const t of tasks) {
    t.labels.forEach((l, i) => {
      let s = allTimes.get(l.subjectId);
      if (!s) allTimes.set(l.subjectId, (s = new Set()));
      s.add(l.predictionTime);
      if (t.split[i] === 'train') {
        let a = trainTimes.get(l.subjectId);
        if (!a) trainTimes.set(l.subjectId, (a = []));
        a.push(l.predictionTime);
      }
    });
  }
  const trainRows: { subject: Subject; times: number[] }[] = [];
  for await (const s of ds.subjects()) {
    const times = trainTimes.get(s.subjectId);
    if (times) trainRows.push({ subject: s, times: [...new Set(times)] });
  }
  const space = fitCountFeatures(trainRows, options);
  trainRows.length = 0;
  const index = featureIndex(space);
  const dims = space.featureNames.length;
  const rowOf = new Map<string, { indices: Int32Array; values: Float32Array }>();
  for await (const s of ds.subjects()) {
    const times = allTimes.get(s.subjectId);
    if (!times) continue;
    for (const t of times) rowOf.set(`${s.subjectId}@${t}`, countRow(space, index, s, t));
  }
  const byTask = new Map<string, Float32Array>();
  for (const t of tasks) {
    const m = new Float32Array(t.labels.length * dims);
    t.labels.forEach((l, i) => {
      const r = rowOf.get(`${l.subjectId}@${l.predictionTime}`);
      if (!r) return; // subject absent from the dataset: an all-zero row (reported by the caller)
      for (let j = 0; j < r.indices.length; j++) m[i * dims + (r.indices[j] as number)] = r.values[j] as number;
    });
    byTask.set(t.name, m);
  }
  return { space, dims, byTask };
}
