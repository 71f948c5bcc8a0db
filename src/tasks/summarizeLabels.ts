import { SPLITS, type Label } from '../types.ts';
import { binaryOutcome } from './binaryOutcome.ts';
import type { SplitResolver } from './subjectSplitResolver.ts';
import type { TaskGroup, TaskSpec } from './taskSpec.ts';

/** What a summary says about the task itself: a {@link TaskSpec} fits; imported labels give their own. */
export interface TaskInfo {
  readonly name: string;
  /** The spec's kind, `imported` for labels read from a file without a spec, or `aces` for labels from an ACES config. */
  readonly kind: TaskSpec['kind'] | 'imported' | 'aces';
  readonly group: TaskGroup;
}

/** Label counts of one split. */
export interface SplitCounts {
  readonly labels: number;
  /** Labels whose binary outcome is true (lab tasks: abnormal). */
  readonly positives: number;
  readonly negatives: number;
  /** Distinct subjects with a label. */
  readonly subjects: number;
  /** Distinct subjects with a positive label. */
  readonly positiveSubjects: number;
  /** Lab tasks: labels per class, `[normal, mild, moderate, severe]`. */
  readonly classes?: readonly number[];
}

/** Counts and notes of one task, as printed by `ehr-embed label` and written to summary.json. */
export interface TaskSummary {
  readonly task: string;
  readonly kind: TaskInfo['kind'];
  readonly group: TaskGroup;
  /** `ok`; `no_labels` (nothing to learn from); `incomplete` (some split lacks labels, positives or negatives). */
  readonly status: 'ok' | 'no_labels' | 'incomplete';
  readonly total: SplitCounts;
  /** Per split: always train, tuning and held_out (zero counts included), then any other split names. */
  readonly splits: Readonly<Record<string, SplitCounts>>;
  /** Plain-language notes: why a task has no labels, which split has no positives. */
  readonly notes: readonly string[];
}

/**
 * Count labels and positives per split and say what is missing. A task is never silently
 * dropped: no labels, or a split without labels, positives or negatives, each gets a note.
 * @param notes notes known beforehand (for example "not applicable: no ICU stays"), kept first
 * @param options.presentSplits splits that have subjects in the dataset; an empty split of the
 *   dataset itself (the MIMIC-IV demo ships no train subjects) gets no per-task note (default: all)
 */
export function summarizeLabels(
  task: TaskInfo,
  labels: readonly Label[],
  splits: SplitResolver,
  notes: readonly string[] = [],
  options: { presentSplits?: ReadonlySet<string> } = {},
): TaskSummary {
  const lab = task.kind === 'lab' || labels.some((l) => typeof l.integerValue === 'number');
  const acc = new Map<
    string,
    { labels: number; positives: number; negatives: number; subjects: Set<number>; positiveSubjects: Set<number>; classes: number[] }
  >();
  const bucket = (name: string) => {
    let b = acc.get(name);
    if (!b) {
      b = { labels: 0, positives: 0, negatives: 0, subjects: new Set(), positiveSubjects: new Set(), classes: [0, 0, 0, 0] };
      acc.set(name, b);
    }
    return b;
  };
  for (const s of SPLITS) bucket(s);
  const all = bucket('\0all');
  for (const l of labels) {
    const y = binaryOutcome(l);
    for (const b of [bucket(splits.splitOf(l.subjectId)), all]) {
      b.labels++;
      b.subjects.add(l.subjectId);
      if (y === true) {
        b.positives++;
        b.positiveSubjects.add(l.subjectId);
      } else if (y === false) b.negatives++;
      if (lab && typeof l.integerValue === 'number' && l.integerValue >= 0 && l.integerValue <= 3)
        b.classes[l.integerValue] = (b.classes[l.integerValue] ?? 0) + 1;
    }
  }
  const counts = (b: ReturnType<typeof bucket>): SplitCounts => ({
    labels: b.labels,
    positives: b.positives,
    negatives: b.negatives,
    subjects: b.subjects.size,
    positiveSubjects: b.positiveSubjects.size,
    ...(lab ? { classes: b.classes } : {}),
  });
  // Object.fromEntries makes own properties even for a split named `__proto__` (assignment would not).
  const perSplit: Record<string, SplitCounts> = Object.fromEntries(
    [...acc].filter(([name]) => name !== '\0all').map(([name, b]) => [name, counts(b)]),
  );

  const out = [...notes];
  if (labels.length === 0) {
    if (!out.some((n) => /^(no labels|not applicable)/.test(n))) out.push('no labels');
  } else {
    if (all.positives === 0) out.push(`no positive labels in any split (${all.labels} labels)`);
    if (all.negatives === 0) out.push(`no negative labels in any split (${all.labels} labels)`);
    for (const [name, c] of Object.entries(perSplit)) {
      if (options.presentSplits && !options.presentSplits.has(name) && c.labels === 0) continue;
      if (c.labels === 0) out.push(`no labels in ${name}`);
      else if (c.positives === 0 && all.positives > 0) out.push(`no positives in ${name} (${c.labels} labels)`);
      else if (c.negatives === 0 && all.negatives > 0) out.push(`no negatives in ${name} (${c.labels} labels)`);
    }
  }
  const complete =
    labels.length > 0 &&
    Object.entries(perSplit).every(
      ([name, c]) =>
        (c.positives > 0 && c.negatives > 0) || (options.presentSplits !== undefined && !options.presentSplits.has(name) && c.labels === 0),
    );
  return {
    task: task.name,
    kind: task.kind,
    group: task.group,
    status: labels.length === 0 ? 'no_labels' : complete ? 'ok' : 'incomplete',
    total: counts(all),
    splits: perSplit,
    notes: out,
  };
}
