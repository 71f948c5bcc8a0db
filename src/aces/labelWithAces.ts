import type { Label } from '../types.ts';
import { finalizeLabels } from '../tasks/finalizeLabels.ts';
import type { LabeledDataset, LabelSource, TaskLabels } from '../tasks/labelDataset.ts';
import { subjectSplitResolver } from '../tasks/subjectSplitResolver.ts';
import { summarizeLabels } from '../tasks/summarizeLabels.ts';
import type { AcesConfig } from './AcesConfig.ts';
import { extractAcesSubject, planAces } from './extractAcesSubject.ts';
import { timelineBuilder } from './subjectTimeline.ts';

/** Options of {@link labelWithAces}. */
export interface LabelWithAcesOptions {
  /** Seed of the hash split for subjects without a split in the dataset (default 0). */
  readonly seed?: number;
  /** Called with (subjects done, total) every few subjects and at the end. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** One ACES task to extract: its name (the label file name) and parsed config. */
export interface AcesTask {
  readonly name: string;
  readonly config: AcesConfig;
}

const PROGRESS_EVERY = 64;

/**
 * Extract labels for ACES task configs over a dataset, one pass over its subjects, in the same
 * shape as {@link labelDataset} (so `writeLabelOutputs`, shots, embed and evaluate use them
 * unchanged). Labels that share a subject and prediction time are merged (a label file has one
 * row per embedding); the count is reported under `skipped`.
 */
export async function labelWithAces(
  dataset: LabelSource,
  tasks: readonly AcesTask[],
  options: LabelWithAcesOptions = {},
): Promise<LabeledDataset> {
  const splits = subjectSplitResolver(dataset.splits, options.seed ?? 0);
  const per = tasks.map((t) => ({
    task: t,
    plan: planAces(t.config),
    build: timelineBuilder(t.config),
    labels: [] as Label[],
    skipped: new Map<string, number>(),
  }));
  const subjectsPerSplit: Record<string, number> = {};
  const subjectIds = new Set<number>();
  let done = 0;
  let hashed = 0;
  for await (const subject of dataset.subjects()) {
    subjectIds.add(subject.subjectId);
    const split = splits.splitOf(subject.subjectId);
    subjectsPerSplit[split] = (subjectsPerSplit[split] ?? 0) + 1;
    if (splits.sourceOf(subject.subjectId) === 'hash') hashed++;
    for (const p of per) {
      const skip = (reason: string): void => {
        p.skipped.set(reason, (p.skipped.get(reason) ?? 0) + 1);
      };
      const raw = extractAcesSubject(p.build(subject), p.plan, skip);
      const merged = finalizeLabels(raw);
      if (merged.length < raw.length) skip('merged: same prediction time as another trigger');
      for (const l of merged) p.labels.push(l);
    }
    done++;
    if (options.onProgress && done % PROGRESS_EVERY === 0) options.onProgress(done, dataset.subjectCount);
  }
  options.onProgress?.(done, dataset.subjectCount);
  const presentSplits = new Set(Object.keys(subjectsPerSplit));
  const out: TaskLabels[] = per.map((p) => {
    const labels = p.labels.sort((a, b) => a.subjectId - b.subjectId || a.predictionTime - b.predictionTime);
    const notes = [`from ACES config ${p.task.config.file}`];
    if (labels.length === 0)
      notes.push(
        `no labels: no trigger (${p.task.config.trigger}) satisfied every window${p.skipped.size > 0 ? ` (candidates dropped: ${[...p.skipped].map(([r, n]) => `${n} ${r}`).join(', ')})` : ''}`,
      );
    const skipped = Object.fromEntries([...p.skipped].sort((a, b) => b[1] - a[1]));
    return {
      name: p.task.name,
      spec: null,
      labels,
      skipped,
      summary: summarizeLabels({ name: p.task.name, kind: 'aces', group: 'other' }, labels, splits, notes, { presentSplits }),
    };
  });
  return { tasks: out, splits, subjects: done, subjectIds, subjectsPerSplit, hashSplitSubjects: hashed };
}
