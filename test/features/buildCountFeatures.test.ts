// The streaming CSR builder against the in-memory featurizer (fitCountFeatures + countRow) on the
// bundled MIMIC-IV demo: same vocabulary (fit on training rows only), same rows.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openMedsDataset, type MedsDataset } from '../../src/meds/MedsDataset.ts';
import { buildCountFeatures, taskCountMatrix, type CountTaskInput } from '../../src/features/buildCountFeatures.ts';
import { countRow, featureIndex, fitCountFeatures, type CountFeatureOptions } from '../../src/features/CountFeaturizer.ts';
import { csrToDense } from '../../src/probe/csrMatrix.ts';
import type { Subject } from '../../src/types.ts';
import { MIMIC_MEDS } from '../helpers/paths.ts';

describe('buildCountFeatures (streaming CSR) on the MIMIC-IV demo', () => {
  let ds: MedsDataset;
  const subjects: Subject[] = [];
  let tasks: CountTaskInput[] = [];
  before(async () => {
    ds = await openMedsDataset(MIMIC_MEDS);
    for await (const s of ds.subjects()) subjects.push(s);
    // Two tasks over the same subjects: prediction times at a third, two thirds and the end of
    // each record (the second task shares the last one), split by subject id.
    const split = (id: number): string => ['train', 'train', 'tuning', 'held_out'][id % 4] as string;
    const timed = subjects.map((s) => ({ s, times: s.events.filter((e) => e.time !== null).map((e) => e.time as number) }));
    const a = timed.flatMap(({ s, times }) =>
      [times[Math.floor(times.length / 3)], times[Math.floor((2 * times.length) / 3)], times[times.length - 1]].map((t) => ({
        subjectId: s.subjectId,
        predictionTime: t as number,
      })),
    );
    const b = timed.map(({ s, times }) => ({ subjectId: s.subjectId, predictionTime: times[times.length - 1] as number }));
    b.push({ subjectId: 987654321, predictionTime: 0 }); // not in the dataset: an empty row
    tasks = [
      { name: 'a', labels: a, split: a.map((l) => split(l.subjectId)) },
      { name: 'b', labels: b, split: b.map((l) => split(l.subjectId)) },
    ];
  });
  after(() => ds.close());

  const cases: [string, CountFeatureOptions][] = [
    ['plain counts and age', {}],
    ['time bins and deciles', { timeBins: true, numericDeciles: true }],
    ['a capped vocabulary', { maxFeatures: 40, minTrainRows: 3 }],
  ];
  for (const [label, options] of cases) {
    it(`equals fitCountFeatures + countRow: ${label}`, async () => {
      const cf = await buildCountFeatures(ds, tasks, options);
      const bySubject = new Map(subjects.map((s) => [s.subjectId, s]));
      const trainTimes = new Map<number, Set<number>>();
      for (const t of tasks)
        t.labels.forEach(
          (l, i) =>
            t.split[i] === 'train' &&
            (trainTimes.get(l.subjectId) ?? trainTimes.set(l.subjectId, new Set()).get(l.subjectId)!).add(l.predictionTime),
        );
      const space = fitCountFeatures(
        [...trainTimes].filter(([id]) => bySubject.has(id)).map(([id, ts]) => ({ subject: bySubject.get(id)!, times: [...ts] })),
        options,
      );
      assert.deepEqual(cf.space.featureNames, space.featureNames);
      assert.deepEqual([...cf.space.decileEdges], [...space.decileEdges]);
      assert.ok(cf.dims > (options.maxFeatures ?? 100) / 2, `vocabulary of ${cf.dims}`);
      const index = featureIndex(space);
      for (const t of tasks) {
        const m = taskCountMatrix(cf, t.name);
        assert.equal(m.nRows, t.labels.length);
        t.labels.forEach((l, i) => {
          const s = bySubject.get(l.subjectId);
          const a = m.indptr[i]!;
          const b = m.indptr[i + 1]!;
          if (!s) return assert.equal(b - a, 0);
          const ref = countRow(space, index, s, l.predictionTime);
          assert.deepEqual([...m.indices.subarray(a, b)], [...ref.indices], `task ${t.name} label ${i}`);
          assert.deepEqual([...m.values.subarray(a, b)], [...ref.values], `task ${t.name} label ${i}`);
        });
      }
    });
  }

  it('ontology expansion counts each event once for every ancestor of its code', async () => {
    // A two-level ontology: "LAB//51221//%" -> "LAB" -> "ROOT"; a cycle back to the code is harmless.
    const parents = (code: string): readonly string[] =>
      code === 'ROOT' ? [] : code.includes('/') ? [code.split('/')[0] as string, code] : code === 'LAB' ? ['ROOT', 'LAB'] : ['ROOT'];
    const plain = await buildCountFeatures(ds, tasks, {});
    const ext = await buildCountFeatures(ds, tasks, { timeBins: true }, { parents });
    const P = taskCountMatrix(plain, 'a');
    const E = taskCountMatrix(ext, 'a');
    const col = (cf: typeof plain, name: string): number => cf.space.featureNames.indexOf(name);
    const value = (m: typeof P, r: number, c: number): number => {
      for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) if (m.indices[p] === c) return m.values[p]!;
      return 0;
    };
    const labCodes = plain.space.featureNames.filter((n) => n.startsWith('LAB/'));
    assert.ok(labCodes.length > 10 && col(ext, 'LAB') >= 0 && col(ext, 'ROOT') >= 0 && col(ext, 'ROOT|0-30d') >= 0);
    // Training rows: all their codes are in the vocabulary (it is fit on them).
    const trainRows = tasks[0]!.split.flatMap((sp, i) => (sp === 'train' ? [i] : [])).slice(0, 30);
    assert.ok(trainRows.length === 30);
    for (const r of trainRows) {
      let events = 0;
      let labs = 0;
      for (let p = P.indptr[r]!; p < P.indptr[r + 1]!; p++) if (plain.space.featureNames[P.indices[p]!] !== 'age') events += P.values[p]!;
      for (const n of labCodes) labs += value(P, r, col(plain, n));
      assert.equal(value(E, r, col(ext, 'ROOT')), events, `row ${r}: every event has ROOT as an ancestor`);
      assert.equal(value(E, r, col(ext, 'LAB')), labs, `row ${r}: LAB counts its descendants`);
    }
  });

  it('fits the vocabulary on training rows only', async () => {
    // A task whose rows are all held out adds rows but no features.
    const onlyB = await buildCountFeatures(ds, [tasks[1]!, { ...tasks[0]!, name: 'c', split: tasks[0]!.split.map(() => 'held_out') }]);
    const bAlone = await buildCountFeatures(ds, [tasks[1]!]);
    assert.deepEqual(onlyB.space.featureNames, bAlone.space.featureNames);
    assert.ok(onlyB.matrix.nRows > bAlone.matrix.nRows);
    const dense = csrToDense(taskCountMatrix(bAlone, 'b'));
    assert.equal(dense.length, tasks[1]!.labels.length * bAlone.dims);
  });
});
