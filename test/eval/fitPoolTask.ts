/** A small task for the FitPool tests: labels over three splits with few-shot samples, its features written as shard parts. */
import { join } from 'node:path';
import type { TaskData } from '../../src/eval/TaskData.ts';
import { FeatureFileWriter } from '../../src/meds/featureFiles.ts';
import { sampleShots } from '../../src/tasks/sampleShots.ts';

/**
 * `n` labels over three splits (interleaved, as real label files are sorted by subject; every
 * 17th without a binary value), `d` features (the first carries the label times `signal`, with
 * noise), k = 4 and 16 in two replicates.
 */
export function fitPoolTask(name: string, n: number, d: number, seed: number, signal = 1.2): { task: TaskData; X: Float32Array } {
  let s = seed;
  const rnd = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const labels = Array.from({ length: n }, (_, i) => ({
    subjectId: 100 + i,
    predictionTime: Date.UTC(2020, 0, 1 + (i % 7)),
    booleanValue: rnd() < 0.4,
  }));
  const y = Int8Array.from(labels, (l, i) => (i % 17 === 5 ? -1 : l.booleanValue ? 1 : 0));
  const split = labels.map((_, i) => ['train', 'held_out', 'train', 'tuning', 'train'][i % 5] as string);
  const X = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) X[i * d + j] = (j === 0 ? signal * Math.max(0, y[i] as number) : 0) + rnd();
  const shots = sampleShots(name, labels, (id) => split[id - 100] as string, { seed: 3, ks: [4, 16], replicates: 2 });
  return { task: { name, group: 'g', query: null, labels, y, split, shots }, X };
}

/** Write the task's rows as two shard parts of feature files (rows shuffled, as embedding runs write them). */
export async function writeFitPoolFeatures(dir: string, t: TaskData, X: Float32Array, d: number): Promise<void> {
  const order = t.labels.map((_, i) => i).sort((a, b) => ((a * 7919) % 101) - ((b * 7919) % 101));
  const half = Math.floor(order.length / 2);
  for (const [p, rows] of [order.slice(0, half), order.slice(half)].entries()) {
    const w = new FeatureFileWriter(join(dir, `${t.name}.part-${p}-of-2.parquet`), 64);
    for (const i of rows) w.add(t.labels[i]!.subjectId, t.labels[i]!.predictionTime, X.slice(i * d, (i + 1) * d));
    await w.finish();
  }
}
