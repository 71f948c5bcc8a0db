import { hashUnit } from '../hashUnit.ts';
import type { TaskLabels } from './labelDataset.ts';
import type { SplitResolver } from './subjectSplitResolver.ts';
import { summarizeLabels } from './summarizeLabels.ts';

/**
 * Keep at most `maxPerSplit` labels per task and split, chosen by a seeded hash of
 * (task, subject, time): the same subset in every run, a uniform sample in expectation (so the
 * positive rate is kept). Used where a run must fit a time budget (the demo); the note says so.
 */
export function capLabels(
  tasks: readonly TaskLabels[],
  maxPerSplit: number,
  seed: number,
  splits: SplitResolver,
  presentSplits?: ReadonlySet<string>,
): TaskLabels[] {
  return tasks.map((t) => {
    const bySplit = new Map<string, { i: number; h: number }[]>();
    t.labels.forEach((l, i) => {
      const s = splits.splitOf(l.subjectId);
      let a = bySplit.get(s);
      if (!a) bySplit.set(s, (a = []));
      a.push({ i, h: hashUnit(`${seed}:${t.name}:${l.subjectId}:${l.predictionTime}`) });
    });
    const keep = new Set<number>();
    let dropped = 0;
    for (const rows of bySplit.values()) {
      rows.sort((a, b) => a.h - b.h);
      rows.slice(0, maxPerSplit).forEach((r) => keep.add(r.i));
      dropped += Math.max(0, rows.length - maxPerSplit);
    }
    if (dropped === 0) return t;
    const labels = t.labels.filter((_, i) => keep.has(i));
    const note = `sampled at most ${maxPerSplit} labels per split (seed ${seed}); ${dropped} of ${t.labels.length} labels left out`;
    const info = t.spec ?? { name: t.name, kind: t.summary.kind, group: t.summary.group };
    const summary = summarizeLabels(
      info as Parameters<typeof summarizeLabels>[0],
      labels,
      splits,
      [note, ...t.summary.notes.filter((n) => !/no positive|no labels in|no negatives/.test(n))],
      presentSplits ? { presentSplits } : {},
    );
    return { ...t, labels, summary };
  });
}
