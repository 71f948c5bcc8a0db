/**
 * The memory estimate of `label` (see `checkMemory`). Labeling streams the MEDS shards one subject
 * at a time, so its events are bounded by the largest subject; what grows is the labels, held for
 * every task until the pass ends (they are sorted and sampled for shots before they are written).
 * How many labels a dataset gives is known only by labeling it, so the guard projects: once a
 * share of the subjects is done, the labels per subject so far times all subjects.
 */
import type { MemoryNeed } from '../memoryBudget.ts';
import type { LabelPassProgress } from './labelDataset.ts';

/**
 * Bytes per held label: the label object (subject id, prediction time, its value), its slot in
 * the task's array, and its share of the heap's slack. Measured on the 6,800-subject scale
 * dataset: `label --tasks all` (635,460 labels, peak RSS 728,736 KB) against `--tasks long_los`
 * (11,900 labels, 450,460 KB) is 457 bytes per label, writing included; rounded up.
 */
export const LABEL_HELD_BYTES = 460;
/** Bytes per label of the task being written: its row object for the parquet writer and its share of the NDJSON spill (not measured apart from {@link LABEL_HELD_BYTES}). */
export const LABEL_WRITE_BYTES = 200;
/** Heap bytes per event of the subject being labeled (event object, its code, visit and fact objects). */
export const EVENT_HEAP_BYTES = 400;
/** Heap bytes per subject: its id in the set of subjects seen and its split. */
const SUBJECT_HEAP_BYTES = 64;
/** Share of the subjects after which labels are projected to all subjects. */
export const LABEL_PROJECT_FROM = 0.05;

/** What labeling holds at its peak, labels projected from the subjects done so far to all subjects. */
export function labelMemoryNeeds(p: LabelPassProgress, taskNames: readonly string[]): MemoryNeed[] {
  const scale = p.subjects > 0 ? Math.max(1, p.totalSubjects / p.subjects) : 1;
  const projected = p.labels.map((n) => n * scale);
  const all = projected.reduce((a, n) => a + n, 0);
  let widest = 0;
  projected.forEach((n, i) => {
    if (n > (projected[widest] as number)) widest = i;
  });
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  const needs: MemoryNeed[] = [
    {
      what: `${fmt(all)} labels of ${p.labels.length} task(s) (${p.subjects < p.totalSubjects ? `projected from ${fmt(p.subjects)} of ${fmt(p.totalSubjects)} subjects` : `all ${fmt(p.subjects)} subjects`})`,
      bytes: all * LABEL_HELD_BYTES,
      heap: true,
    },
    { what: `${fmt(p.totalSubjects)} subjects`, bytes: p.totalSubjects * SUBJECT_HEAP_BYTES, heap: true },
    {
      what: `the largest subject so far (${fmt(p.largestSubjectEvents)} events)`,
      bytes: p.largestSubjectEvents * EVENT_HEAP_BYTES,
      heap: true,
    },
  ];
  if (projected.length > 0)
    needs.push({
      what: `writing task ${taskNames[widest] ?? widest} (${fmt(projected[widest] as number)} label rows)`,
      bytes: (projected[widest] as number) * LABEL_WRITE_BYTES,
      heap: true,
    });
  return needs;
}

/**
 * A {@link LabelPassProgress} callback that checks `check(needs)` once {@link LABEL_PROJECT_FROM}
 * of the subjects are labeled, and at every call after.
 */
export function labelPassGuard(taskNames: readonly string[], check: (needs: MemoryNeed[]) => void): (p: LabelPassProgress) => void {
  return (p) => {
    if (p.subjects < p.totalSubjects * LABEL_PROJECT_FROM) return;
    check(labelMemoryNeeds(p, taskNames));
  };
}
