import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashSplit } from '../../src/meds/hashSplit.ts';
import { labelDataset, type LabelSource } from '../../src/tasks/labelDataset.ts';
import { loadTaskSpecs } from '../../src/tasks/loadTaskSpecs.ts';
import { selectTasks } from '../../src/tasks/selectTasks.ts';
import { subjectSplitResolver } from '../../src/tasks/subjectSplitResolver.ts';
import type { Subject } from '../../src/types.ts';
import { ev, subject, visit } from './subjectBuilder.ts';

/** An in-memory label source that counts how often it is streamed. */
function source(subjects: Subject[], splits: Map<number, string> = new Map()): LabelSource & { streams: number } {
  const src = {
    streams: 0,
    splits,
    codes: new Map(),
    subjectCount: subjects.length,
    async *subjects() {
      src.streams++;
      yield* subjects;
    },
  };
  return src;
}

const subjects = Array.from({ length: 40 }, (_, i) =>
  subject(
    [
      ev('MEDS_BIRTH', '1950-01-01 00:00'),
      visit('IP', '2020-01-01 10:00', i % 4 === 0 ? '2020-01-10 10:00' : '2020-01-03 10:00'),
      ev('LOINC/2947-0', '2020-01-02 08:00', { value: i % 5 === 0 ? 128 : 140, extra: { unit: 'mmol/L' } }),
      ev('LOINC/8480-6', '2021-06-01 00:00', { value: 120 }),
    ],
    1000 + i,
  ),
);

describe('labelDataset', () => {
  const specs = selectTasks(loadTaskSpecs(), 'long_los,hyponatremia,icu_transfer,anemia');

  it('streams subjects once for all tasks and reports progress', async () => {
    const src = source(subjects);
    const progress: [number, number][] = [];
    const r = await labelDataset(src, specs, { seed: 3, onProgress: (d, t) => progress.push([d, t]) });
    assert.equal(src.streams, 1);
    assert.deepEqual(progress.at(-1), [40, 40]);
    assert.equal(r.subjects, 40);
    const byName = Object.fromEntries(r.tasks.map((t) => [t.name, t]));
    assert.equal(byName.long_los?.labels.length, 40);
    assert.equal(byName.long_los?.summary.total.positives, 10);
    assert.equal(byName.hyponatremia?.summary.total.positives, 8);
    assert.deepEqual(byName.hyponatremia?.summary.total.classes, [32, 0, 8, 0]);
    assert.equal(byName.icu_transfer?.labels.length, 0);
    assert.match(
      byName.icu_transfer?.summary.notes[0] ?? '',
      /not applicable: no subject has an ICU stay .*40 all-negative candidate labels were not kept/,
    );
    assert.equal(byName.anemia?.summary.status, 'no_labels');
    // Labels are in file order: by subject, then time.
    const ids = byName.long_los?.labels.map((l) => l.subjectId) ?? [];
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
  });

  it('uses the dataset splits, else the seeded hash split', async () => {
    const none = await labelDataset(source(subjects), specs, { seed: 3 });
    assert.equal(none.hashSplitSubjects, 40);
    for (const s of subjects) assert.equal(none.splits.splitOf(s.subjectId), hashSplit(s.subjectId, 3));
    const counts = none.tasks[0]!.summary.splits;
    assert.equal((counts.train?.labels ?? 0) + (counts.tuning?.labels ?? 0) + (counts.held_out?.labels ?? 0), 40);

    const given = await labelDataset(
      source(subjects, new Map(subjects.map((s, i) => [s.subjectId, i < 20 ? 'train' : i < 30 ? 'val' : 'test']))),
      specs,
      { seed: 3 },
    );
    assert.equal(given.hashSplitSubjects, 0);
    assert.deepEqual(given.subjectsPerSplit, { train: 20, tuning: 10, held_out: 10 });
    assert.equal(subjectSplitResolver(new Map([[1, 'VALIDATION']])).splitOf(1), 'tuning');
    assert.equal(subjectSplitResolver(new Map([[1, 'fold3']])).splitOf(1), 'fold3');
  });
});
