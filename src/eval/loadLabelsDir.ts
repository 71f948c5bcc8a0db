/**
 * Load a labels directory written by `ehr-embed label` (`<task>.parquet`, `summary.json`,
 * `shots.json`) into what the evaluation needs: per task, binary outcomes, splits and shots.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { readLabels } from '../meds/labels.ts';
import { binaryOutcome } from '../tasks/binaryOutcome.ts';
import type { TaskShots } from '../tasks/sampleShots.ts';
import type { SplitResolver } from '../tasks/subjectSplitResolver.ts';
import type { LabelRunSummary, ShotsFile } from '../tasks/writeLabelOutputs.ts';
import type { Label } from '../types.ts';

/** One task ready for evaluation. Arrays are aligned with the rows of `<task>.parquet`. */
export interface TaskData {
  readonly name: string;
  readonly group: string;
  readonly query: string | null;
  readonly labels: readonly Label[];
  /** 1 positive, 0 negative, -1 no binary value (left out). */
  readonly y: Int8Array;
  readonly split: readonly string[];
  readonly shots: TaskShots | undefined;
}

/** A labels directory read from disk. */
export interface LabelsDir {
  readonly dir: string;
  readonly summary: LabelRunSummary;
  readonly shots: ShotsFile | undefined;
}

/** Read summary.json and shots.json of a labels directory. */
export function readLabelsDir(dir: string): LabelsDir {
  const summaryFile = join(dir, 'summary.json');
  if (!existsSync(summaryFile)) throw new UsageError('not a labels directory: summary.json is missing (write one with `ehr-embed label`)', { file: dir });
  const parse = <T>(file: string): T => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as T;
    } catch (err) {
      throw new UsageError(`invalid JSON: ${(err as Error).message}`, { file });
    }
  };
  const summary = parse<LabelRunSummary>(summaryFile);
  const shotsFile = join(dir, 'shots.json');
  return { dir, summary, shots: existsSync(shotsFile) ? parse<ShotsFile>(shotsFile) : undefined };
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
    if (!t) throw new UsageError(`unknown task "${name}" in ${ld.dir}; known: ${Object.keys(ld.summary.tasks).sort().join(', ')}`, { file: ld.dir, field: 'tasks' });
    const labels = await readLabels(join(ld.dir, t.file));
    const y = Int8Array.from(labels, (l) => {
      const b = binaryOutcome(l);
      return b === null ? -1 : b ? 1 : 0;
    });
    out.push({ name, group: t.group, query: t.query, labels, y, split: labels.map((l) => splits.splitOf(l.subjectId)), shots: ld.shots?.tasks[name] });
  }
  return out;
}
