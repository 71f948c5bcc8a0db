import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countRow, featureIndex, fitCountFeatures } from '../../src/features/CountFeaturizer.ts';
import type { Event, Subject } from '../../src/types.ts';

const D = 86_400_000;
const T0 = Date.UTC(2020, 0, 1);
const ev = (code: string, day: number | null, v: number | null = null): Event => ({
  subjectId: 1,
  time: day === null ? null : T0 + day * D,
  code,
  numericValue: v,
  textValue: null,
});
const subject = (events: Event[], id = 1): Subject => ({
  subjectId: id,
  events: events.map((e) => ({ ...e, subjectId: id })).sort((a, b) => (a.time ?? -Infinity) - (b.time ?? -Infinity)),
});

describe('count features', () => {
  const s1 = subject([
    ev('Gender/F', null),
    ev('MEDS_BIRTH', -365 * 40),
    ev('A', 0),
    ev('A', 10),
    ev('B', 100, 5),
    ev('B', 200, 50),
    ev('C', 400),
  ]);
  const s2 = subject([ev('A', 0), ev('D', 5, 1)], 2);

  it('counts codes at or before the prediction time, with age; vocabulary from training rows only', () => {
    const space = fitCountFeatures([{ subject: s1, times: [T0 + 150 * D] }]);
    assert.deepEqual(space.featureNames, ['A', 'B', 'Gender/F', 'MEDS_BIRTH', 'age']);
    const idx = featureIndex(space);
    const row = countRow(space, idx, s1, T0 + 150 * D);
    const dense = Object.fromEntries([...row.indices].map((i, j) => [space.featureNames[i], row.values[j]]));
    assert.deepEqual(dense, { A: 2, B: 1, 'Gender/F': 1, MEDS_BIRTH: 1, age: 40 });
    const later = countRow(space, idx, s1, T0 + 500 * D);
    assert.equal(later.values[[...later.indices].indexOf(idx.get('B')!)], 2);
    const other = countRow(space, idx, s2, T0 + 10 * D);
    assert.deepEqual(
      [...other.indices].map((i) => space.featureNames[i]),
      ['A'],
      'D was never in training rows; no age without birth',
    );
  });

  it('time bins and numeric deciles', () => {
    const space = fitCountFeatures([{ subject: s1, times: [T0 + 250 * D] }], { timeBins: true, numericDeciles: true, age: false });
    const idx = featureIndex(space);
    const row = countRow(space, idx, s1, T0 + 250 * D);
    const names = new Map([...row.indices].map((i, j) => [space.featureNames[i], row.values[j]]));
    assert.equal(names.get('A|180-365d'), 2);
    assert.equal(names.get('B|30-180d'), 2, 'days 100 and 200 are 150 and 50 days before day 250');
    assert.ok(!names.has('C|0-30d'), 'C (day 400) is after the prediction time');
    assert.equal(names.get('Gender/F|static'), 1);
    assert.equal(names.get('B|q1'), 1, 'value 5 is the lowest decile');
    assert.equal(names.get('B|q10'), 1, 'value 50 the highest');
    assert.ok(!names.has('age'));
  });
});
