import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeLabels } from '../meds/labels.ts';
import type { TaskLabels } from './labelDataset.ts';
import { sampleShots, SHOT_KS, SHOT_REPLICATES, type TaskShots } from './sampleShots.ts';
import type { SplitResolver } from './subjectSplitResolver.ts';
import type { TaskSummary } from './summarizeLabels.ts';

/** Contents of `<labels-dir>/summary.json`. */
export interface LabelRunSummary {
  /** The labeled dataset (as given). */
  readonly dataset: string;
  /** Seed of the hash split and of the few-shot samples. */
  readonly seed: number;
  /** Where splits came from: the dataset's subject_splits, the seeded hash, or both. */
  readonly splitSource: 'subject_splits' | 'hash' | 'mixed';
  readonly subjects: number;
  readonly subjectsPerSplit: Readonly<Record<string, number>>;
  /** Per task: its label file, counts per split, notes, and why candidates were dropped. */
  readonly tasks: Readonly<Record<string, TaskSummary & { readonly file: string; readonly query: string | null; readonly skipped: Readonly<Record<string, number>> }>>;
}

/** Contents of `<labels-dir>/shots.json` (deterministic: no times, no paths). */
export interface ShotsFile {
  readonly seed: number;
  readonly ks: readonly number[];
  readonly replicates: number;
  /** What the indices point at. */
  readonly indexBase: 'row of <task>.parquet, 0-based';
  /** Task → its samples (`tasks[t].replicates[r][k] = { train, tuning }`). */
  readonly tasks: Readonly<Record<string, TaskShots>>;
}

/** Options of {@link writeLabelOutputs}. */
export interface WriteLabelOutputsOptions {
  /** The dataset path, recorded in summary.json. */
  readonly dataset: string;
  /** Seed of the few-shot samples (and recorded as the split seed). */
  readonly seed: number;
  /** Splits of the subjects (from {@link labelDataset}). */
  readonly splits: SplitResolver;
  readonly subjects: number;
  readonly subjectsPerSplit: Readonly<Record<string, number>>;
  /** Subjects split by hash (0 when the dataset lists every subject's split). */
  readonly hashSplitSubjects: number;
  /** k values (default SPEC 5's {@link SHOT_KS}). */
  readonly ks?: readonly number[];
  /** Replicates (default 5). */
  readonly replicates?: number;
}

/**
 * Write a labeled dataset: `<dir>/<task>.parquet` for every task (MEDS label files, empty ones
 * included so that a task with no labels is visible), `<dir>/summary.json` and
 * `<dir>/shots.json` (few-shot samples, see {@link sampleShots}).
 */
export async function writeLabelOutputs(dir: string, tasks: readonly TaskLabels[], options: WriteLabelOutputsOptions): Promise<{ summary: LabelRunSummary; shots: ShotsFile }> {
  mkdirSync(dir, { recursive: true });
  const ks = options.ks ?? SHOT_KS;
  const replicates = options.replicates ?? SHOT_REPLICATES;
  const summaries: Record<string, LabelRunSummary['tasks'][string]> = {};
  const shots: Record<string, TaskShots> = {};
  for (const t of tasks) {
    const file = `${t.name}.parquet`;
    await writeLabels(join(dir, file), t.labels);
    summaries[t.name] = { ...t.summary, file, query: t.spec?.query ?? null, skipped: t.skipped };
    shots[t.name] = sampleShots(t.name, t.labels, (id) => options.splits.splitOf(id), { seed: options.seed, ks, replicates });
  }
  const splitSource = options.hashSplitSubjects === 0 ? 'subject_splits' : options.hashSplitSubjects === options.subjects ? 'hash' : 'mixed';
  const summary: LabelRunSummary = {
    dataset: options.dataset,
    seed: options.seed,
    splitSource,
    subjects: options.subjects,
    subjectsPerSplit: options.subjectsPerSplit,
    tasks: summaries,
  };
  const shotsFile: ShotsFile = { seed: options.seed, ks: [...ks], replicates, indexBase: 'row of <task>.parquet, 0-based', tasks: shots };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(dir, 'shots.json'), JSON.stringify(shotsFile) + '\n');
  return { summary, shots: shotsFile };
}
