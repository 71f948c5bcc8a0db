/**
 * The labels directory, the one owner of what `ehr-embed label` writes and every later step reads:
 * `<task>.parquet` (MEDS label files, one per task), `summary.json` ({@link LabelRunSummary}) and
 * `shots.json` ({@link ShotsFile}). Written by {@link writeLabelOutputs}, read and checked by
 * {@link readLabelsDir}, tasks loaded for evaluation by {@link loadTasks}.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import type { TaskData } from '../eval/TaskData.ts';
import { readLabels, writeLabels } from '../meds/labels.ts';
import { binaryOutcome } from '../tasks/binaryOutcome.ts';
import type { TaskLabels } from '../tasks/labelDataset.ts';
import { sampleShots, SHOT_KS, SHOT_REPLICATES, type TaskShots } from '../tasks/sampleShots.ts';
import type { SplitResolver } from '../tasks/subjectSplitResolver.ts';
import type { TaskSummary } from '../tasks/summarizeLabels.ts';

/** File names inside a labels directory (besides `<task>.parquet`). */
export const LABELS_SUMMARY_FILE = 'summary.json';
export const LABELS_SHOTS_FILE = 'shots.json';

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
  readonly tasks: Readonly<
    Record<
      string,
      TaskSummary & { readonly file: string; readonly query: string | null; readonly skipped: Readonly<Record<string, number>> }
    >
  >;
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
export async function writeLabelOutputs(
  dir: string,
  tasks: readonly TaskLabels[],
  options: WriteLabelOutputsOptions,
): Promise<{ summary: LabelRunSummary; shots: ShotsFile }> {
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
  const splitSource =
    options.hashSplitSubjects === 0 ? 'subject_splits' : options.hashSplitSubjects === options.subjects ? 'hash' : 'mixed';
  const summary: LabelRunSummary = {
    dataset: options.dataset,
    seed: options.seed,
    splitSource,
    subjects: options.subjects,
    subjectsPerSplit: options.subjectsPerSplit,
    tasks: summaries,
  };
  const shotsFile: ShotsFile = { seed: options.seed, ks: [...ks], replicates, indexBase: 'row of <task>.parquet, 0-based', tasks: shots };
  writeFileSync(join(dir, LABELS_SUMMARY_FILE), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(dir, LABELS_SHOTS_FILE), JSON.stringify(shotsFile) + '\n');
  return { summary, shots: shotsFile };
}

/** A labels directory read from disk. */
export interface LabelsDir {
  readonly dir: string;
  readonly summary: LabelRunSummary;
  readonly shots: ShotsFile | undefined;
}

const Counts = z.looseObject({ labels: z.number().int().nonnegative() });

/** What readers of summary.json rely on; other fields are kept as written. */
const SummarySchema = z.looseObject({
  dataset: z.string(),
  seed: z.number(),
  tasks: z.record(z.string(), z.looseObject({ file: z.string(), group: z.string(), query: z.string().nullable(), total: Counts })),
});

/** What readers of shots.json rely on. */
const ShotsSchema = z.looseObject({
  seed: z.number(),
  tasks: z.record(
    z.string(),
    z.looseObject({
      replicates: z.array(z.record(z.string(), z.looseObject({ train: z.array(z.number().int()), tuning: z.array(z.number().int()) }))),
    }),
  ),
});

function readChecked<T>(file: string, schema: z.ZodType): T {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`invalid JSON: ${(err as Error).message}`, { file });
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0] as z.core.$ZodIssue;
    const field = issue.path.join('.');
    throw new UsageError(`${issue.message} (rewrite the directory with \`ehr-embed label\`)`, { file, ...(field ? { field } : {}) });
  }
  // The file's own object (key order kept): the schema checks, it does not transform.
  return json as T;
}

/**
 * Read and check summary.json and shots.json of a labels directory.
 *
 * @throws UsageError when summary.json is missing, or either file is not valid JSON or lacks a
 *   field readers rely on (naming the file and field)
 */
export function readLabelsDir(dir: string): LabelsDir {
  const summaryFile = join(dir, LABELS_SUMMARY_FILE);
  if (!existsSync(summaryFile))
    throw new UsageError('not a labels directory: summary.json is missing (write one with `ehr-embed label`)', { file: dir });
  const summary = readChecked<LabelRunSummary>(summaryFile, SummarySchema);
  const shotsFile = join(dir, LABELS_SHOTS_FILE);
  return { dir, summary, shots: existsSync(shotsFile) ? readChecked<ShotsFile>(shotsFile, ShotsSchema) : undefined };
}

/** Task names of a labels directory that have labels. */
export function tasksWithLabels(ld: LabelsDir): string[] {
  return Object.entries(ld.summary.tasks)
    .filter(([, t]) => t.total.labels > 0)
    .map(([name]) => name)
    .sort();
}

/** Load tasks of a labels directory. Unknown task names are a UsageError listing the known ones. */
export async function loadTasks(ld: LabelsDir, names: readonly string[], splits: SplitResolver): Promise<TaskData[]> {
  const out: TaskData[] = [];
  for (const name of names) {
    const t = ld.summary.tasks[name];
    if (!t)
      throw new UsageError(`unknown task "${name}" in ${ld.dir}; known: ${Object.keys(ld.summary.tasks).sort().join(', ')}`, {
        file: ld.dir,
        field: 'tasks',
      });
    const labels = await readLabels(join(ld.dir, t.file));
    const y = Int8Array.from(labels, (l) => {
      const b = binaryOutcome(l);
      return b === null ? -1 : b ? 1 : 0;
    });
    out.push({
      name,
      group: t.group,
      query: t.query,
      labels,
      y,
      split: labels.map((l) => splits.splitOf(l.subjectId)),
      shots: ld.shots?.tasks[name],
    });
  }
  return out;
}
