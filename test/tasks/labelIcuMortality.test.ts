import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelIcuMortality } from '../../src/tasks/labelIcuMortality.ts';
import { NO_PARENTS } from '../../src/tasks/LabelVocabulary.ts';
import { loadTaskSpecs } from '../../src/tasks/loadTaskSpecs.ts';
import type { IcuMortalityTaskSpec } from '../../src/tasks/taskSpec.ts';
import { ev, iso, subject } from './subjectBuilder.ts';

const spec = loadTaskSpecs().get('icu_mortality_24h') as IcuMortalityTaskSpec;
const icu = (id: number, start: string, end: string): ReturnType<typeof ev>[] => [
  ev('ICU_ADMISSION//Medical Intensive Care Unit (MICU)', start, { extra: { hadm_id: 1, icustay_id: id } }),
  ev('ICU_DISCHARGE//Medical Intensive Care Unit (MICU)', end, { extra: { hadm_id: 1, icustay_id: id } }),
];
const run = (events: Parameters<typeof subject>[0], skips?: string[]): [string, boolean | null | undefined][] =>
  labelIcuMortality(subject(events), spec, NO_PARENTS, (r) => skips?.push(r)).map((l) => [iso(l.predictionTime), l.booleanValue]);

describe('icu_mortality_24h', () => {
  it('predicts exactly 24 hours after ICU admission (to the second, as ACES): death before ICU discharge is positive', () => {
    assert.deepEqual(run([...icu(1, '2150-01-01 08:00:30', '2150-01-05 08:00'), ev('MEDS_DEATH', '2150-01-05 07:00')]), [
      ['2150-01-02 08:00:30.000Z', true],
    ]);
    assert.deepEqual(run([...icu(1, '2150-01-01 08:00:30', '2150-01-05 08:00'), ev('MEDS_DEATH', '2150-02-05 07:00')]), [
      ['2150-01-02 08:00:30.000Z', false],
    ]);
  });

  it('pairs admissions and discharges by time when rows carry no icustay_id (standard MEDS columns)', () => {
    const bare = (start: string, end: string): ReturnType<typeof ev>[] => [
      ev('ICU_ADMISSION//MICU', start),
      ev('ICU_DISCHARGE//MICU', end),
    ];
    // A transfer: one unit's discharge and the next unit's admission at the same time.
    const events = [
      ...bare('2150-01-01 08:00', '2150-01-04 08:00'),
      ...bare('2150-01-04 08:00', '2150-01-09 08:00'),
      ev('MEDS_DEATH', '2150-01-08 08:00'),
    ];
    assert.deepEqual(run(events), [
      ['2150-01-02 08:00', false],
      ['2150-01-05 08:00', true],
    ]);
  });

  it('a stay without a discharge row ends at a later death (ACES: the next discharge or death)', () => {
    assert.deepEqual(run([ev('ICU_ADMISSION//MICU', '2150-01-01 08:00'), ev('MEDS_DEATH', '2150-01-06 08:00')]), [
      ['2150-01-02 08:00', true],
    ]);
    const skips: string[] = [];
    assert.deepEqual(run([ev('ICU_ADMISSION//MICU', '2150-01-01 08:00')], skips), []);
    assert.deepEqual(skips, ['ICU stay without a discharge']);
  });

  it('excludes stays that end, or a death, within 48 hours of admission', () => {
    const skips: string[] = [];
    assert.deepEqual(run([...icu(1, '2150-01-01 08:00', '2150-01-03 08:00')], skips), []);
    assert.deepEqual(run([...icu(1, '2150-01-01 08:00', '2150-01-09 08:00'), ev('MEDS_DEATH', '2150-01-02 20:00')], skips), []);
    assert.deepEqual(run([...icu(1, '2150-01-01 08:00', '2150-01-01 20:00')], skips), []);
    assert.deepEqual(skips, [
      'ICU discharge or death within the gap',
      'ICU discharge or death within the gap',
      'left the ICU or died before the prediction time',
    ]);
    assert.deepEqual(run([...icu(1, '2150-01-01 08:00', '2150-01-03 08:01')]), [['2150-01-02 08:00', false]]);
  });

  it('one label per qualifying ICU stay', () => {
    const events = [
      ...icu(1, '2150-01-01 08:00', '2150-01-05 08:00'),
      ...icu(2, '2150-01-06 08:00', '2150-01-07 08:00'),
      ...icu(3, '2150-01-10 08:00', '2150-01-14 08:00'),
    ];
    assert.deepEqual(run(events), [
      ['2150-01-02 08:00', false],
      ['2150-01-11 08:00', false],
    ]);
  });
});
