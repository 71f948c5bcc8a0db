import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelOperational } from '../../src/tasks/labelOperational.ts';
import { NO_PARENTS } from '../../src/tasks/LabelVocabulary.ts';
import { loadTaskSpecs } from '../../src/tasks/loadTaskSpecs.ts';
import type { OperationalTaskSpec } from '../../src/tasks/taskSpec.ts';
import { ev, iso, subject, t, visit } from './subjectBuilder.ts';

const specs = loadTaskSpecs();
const op = (name: string): OperationalTaskSpec => {
  const s = specs.get(name);
  assert.ok(s && s.kind === 'operational');
  return s;
};
const LONG_LOS = op('long_los');
const READMISSION = op('readmission_30d');
const ICU = op('icu_transfer');
const MORTALITY = op('mortality_1y');

/** Labels as [prediction time, value] pairs. */
function run(spec: OperationalTaskSpec, events: Parameters<typeof subject>[0], skips?: string[]): [string, boolean | null | undefined][] {
  return labelOperational(subject(events), spec, NO_PARENTS, (r) => skips?.push(r)).map((l) => [iso(l.predictionTime), l.booleanValue]);
}

/** Follow-up long enough that no label is censored. */
const LATER = ev('LOINC/8480-6', '2022-12-31 00:00', { value: 120 });

describe('long_los', () => {
  it('a stay of exactly 7 days is long; 1 minute less is not', () => {
    assert.deepEqual(run(LONG_LOS, [visit('IP', '2020-01-01 10:00', '2020-01-08 10:00')]), [['2020-01-01 23:59', true]]);
    assert.deepEqual(run(LONG_LOS, [visit('IP', '2020-01-01 10:00', '2020-01-08 09:59')]), [['2020-01-01 23:59', false]]);
  });

  it('predicts at 23:59 (UTC) of the admission day, truncated to the minute', () => {
    assert.deepEqual(run(LONG_LOS, [visit('IP', '2020-03-05 00:00:30', '2020-03-06 01:00')]), [['2020-03-05 23:59', false]]);
  });

  it('skips stays discharged on the admission day, even after 23:59', () => {
    const skips: string[] = [];
    assert.deepEqual(
      run(LONG_LOS, [visit('IP', '2020-01-01 10:00', '2020-01-01 18:00'), visit('IP', '2020-02-01 10:00', '2020-02-01 23:59:30')], skips),
      [],
    );
    assert.deepEqual(skips, ['discharged before the prediction time', 'discharged on the admission day']);
  });

  it('counts Visit/ERIP and MIMIC hospital admissions as inpatient, not ER or outpatient visits', () => {
    const mimic = [
      ev('HOSPITAL_ADMISSION//EW EMER.//EMERGENCY ROOM', '2150-01-01 08:00', { extra: { hadm_id: 7 } }),
      ev('HOSPITAL_DISCHARGE//HOME', '2150-01-09 12:00', { extra: { hadm_id: 7 } }),
    ];
    assert.deepEqual(run(LONG_LOS, mimic), [['2150-01-01 23:59', true]]);
    assert.deepEqual(run(LONG_LOS, [visit('ERIP', '2020-01-01 10:00', '2020-01-03 10:00')]), [['2020-01-01 23:59', false]]);
    assert.deepEqual(
      run(LONG_LOS, [visit('ER', '2020-01-01 10:00', '2020-01-09 10:00'), visit('OP', '2020-02-01 10:00', '2020-02-09 10:00')]),
      [],
    );
  });

  it('skips open stays (no end) and stays of subjects who died before the prediction time', () => {
    assert.deepEqual(run(LONG_LOS, [visit('IP', '2020-01-01 10:00', null)]), []);
    assert.deepEqual(run(LONG_LOS, [visit('IP', '2020-01-01 10:00', '2020-01-09 10:00'), ev('MEDS_DEATH', '2020-01-01 20:00')]), []);
  });

  it('a task may define its own inpatient visit codes', () => {
    const obs = { ...LONG_LOS, inpatient: { codes: ['Visit/OBS'], prefixes: [], icd10cm: [], icd9cm: [], matchParents: false } };
    assert.deepEqual(
      run(obs, [visit('OBS', '2020-01-01 10:00', '2020-01-09 10:00'), visit('IP', '2020-02-01 10:00', '2020-02-09 10:00')]),
      [['2020-01-01 23:59', true]],
    );
  });

  it('merges two stays admitted on the same day into one label (positive wins)', () => {
    const labels = run(LONG_LOS, [
      visit('IP', '2020-01-01 08:00', '2020-01-02 10:00', 'a'),
      visit('IP', '2020-01-01 12:00', '2020-01-10 10:00', 'b'),
    ]);
    assert.deepEqual(labels, [['2020-01-01 23:59', true]]);
  });
});

describe('readmission_30d', () => {
  const first = visit('IP', '2020-01-01 10:00', '2020-01-03 12:00', 'first');
  it('a readmission at exactly 30 days after the prediction time is positive; 30 days + 1 minute is not', () => {
    assert.deepEqual(run(READMISSION, [first, visit('IP', '2020-02-02 23:59', '2020-02-04 10:00', 'second'), LATER]), [
      ['2020-01-03 23:59', true],
      ['2020-02-04 23:59', false],
    ]);
    assert.deepEqual(run(READMISSION, [first, visit('IP', '2020-02-03 00:00', '2020-02-04 10:00', 'second'), LATER]), [
      ['2020-01-03 23:59', false],
      ['2020-02-04 23:59', false],
    ]);
  });

  it('skips a discharge followed by a readmission on the same day', () => {
    const skips: string[] = [];
    const labels = run(READMISSION, [first, visit('IP', '2020-01-03 20:00', '2020-01-06 10:00', 'second'), LATER], skips);
    assert.deepEqual(labels, [['2020-01-06 23:59', false]]);
    assert.ok(skips.includes('readmitted on the discharge day'));
  });

  it('the outcome window starts 1 minute after the prediction time', () => {
    // Admitted at 00:00 the next day: 1 minute after 23:59, so not in (1 minute, 30 days].
    assert.deepEqual(run(READMISSION, [first, visit('IP', '2020-01-04 00:00', '2020-01-05 10:00', 'second'), LATER])[0], [
      '2020-01-03 23:59',
      false,
    ]);
    assert.deepEqual(run(READMISSION, [first, visit('IP', '2020-01-04 00:01', '2020-01-05 10:00', 'second'), LATER])[0], [
      '2020-01-03 23:59',
      true,
    ]);
  });

  it('emergency visits are not readmissions', () => {
    assert.deepEqual(run(READMISSION, [first, visit('ER', '2020-01-10 10:00', '2020-01-10 14:00'), LATER]), [['2020-01-03 23:59', false]]);
  });

  it('drops a negative whose record ends inside the 30 days (censored), keeps it with follow-up', () => {
    const skips: string[] = [];
    assert.deepEqual(run(READMISSION, [first, ev('LOINC/8480-6', '2020-01-20 00:00', { value: 120 })], skips), []);
    assert.deepEqual(skips, ['censored: record ends inside the horizon']);
    assert.deepEqual(run(READMISSION, [first, ev('LOINC/8480-6', '2020-02-02 23:59', { value: 120 })]), [['2020-01-03 23:59', false]]);
  });

  it('reads MIMIC admissions and discharges by hadm_id', () => {
    const events = [
      ev('HOSPITAL_ADMISSION//EW EMER.//EMERGENCY ROOM', '2150-01-01 08:00', { extra: { hadm_id: 1 } }),
      ev('HOSPITAL_DISCHARGE//HOME', '2150-01-05 12:00', { extra: { hadm_id: 1 } }),
      ev('HOSPITAL_ADMISSION//URGENT//TRANSFER FROM HOSPITAL', '2150-01-20 08:00', { extra: { hadm_id: 2 } }),
      ev('HOSPITAL_DISCHARGE//HOME', '2150-01-22 12:00', { extra: { hadm_id: 2 } }),
      ev('LAB//50971//mEq/L', '2150-06-01 00:00', { value: 4 }),
    ];
    assert.deepEqual(run(READMISSION, events), [
      ['2150-01-05 23:59', true],
      ['2150-01-22 23:59', false],
    ]);
  });
});

describe('icu_transfer', () => {
  const hadm = (start: string, end: string): ReturnType<typeof ev>[] => [
    ev('HOSPITAL_ADMISSION//EW EMER.//EMERGENCY ROOM', start, { extra: { hadm_id: 9 } }),
    ev('HOSPITAL_DISCHARGE//HOME', end, { extra: { hadm_id: 9 } }),
  ];
  const icu = (start: string, end: string): ReturnType<typeof ev>[] => [
    ev('ICU_ADMISSION//Medical Intensive Care Unit (MICU)', start, { extra: { hadm_id: 9, icustay_id: 3 } }),
    ev('ICU_DISCHARGE//Medical Intensive Care Unit (MICU)', end, { extra: { hadm_id: 9, icustay_id: 3 } }),
  ];

  it('positive when an ICU stay starts after 23:59 of the admission day and during the visit', () => {
    assert.deepEqual(run(ICU, [...hadm('2150-01-01 08:00', '2150-01-10 12:00'), ...icu('2150-01-03 10:00', '2150-01-05 10:00')]), [
      ['2150-01-01 23:59', true],
    ]);
    assert.deepEqual(run(ICU, [...hadm('2150-01-01 08:00', '2150-01-10 12:00')]), [['2150-01-01 23:59', false]]);
  });

  it('skips visits with ICU on the admission day, and same-day discharges', () => {
    const skips: string[] = [];
    assert.deepEqual(
      run(ICU, [...hadm('2150-01-01 08:00', '2150-01-10 12:00'), ...icu('2150-01-01 23:30', '2150-01-05 10:00')], skips),
      [],
    );
    assert.deepEqual(run(ICU, [...hadm('2150-02-01 08:00', '2150-02-01 20:00')], skips), []);
    assert.deepEqual(skips, ['ICU stay on the admission day', 'discharged before the prediction time']);
  });

  it('an ICU stay of another admission does not count', () => {
    const other = [
      ev('ICU_ADMISSION//CCU', '2150-01-03 10:00', { extra: { hadm_id: 8, icustay_id: 4 } }),
      ev('ICU_DISCHARGE//CCU', '2150-01-04 10:00', { extra: { hadm_id: 8, icustay_id: 4 } }),
    ];
    assert.deepEqual(run(ICU, [...hadm('2150-01-01 08:00', '2150-01-10 12:00'), ...other]), [['2150-01-01 23:59', false]]);
  });

  it('Visit/ICU inside a Visit/IP counts by time', () => {
    assert.deepEqual(
      run(ICU, [visit('IP', '2020-01-01 08:00', '2020-01-10 12:00'), visit('ICU', '2020-01-02 08:00', '2020-01-03 12:00')]),
      [['2020-01-01 23:59', true]],
    );
  });
});

describe('mortality_1y', () => {
  const stay = visit('IP', '2020-01-01 10:00', '2020-01-03 12:00');
  it('death within 365 days after 23:59 of the discharge day is positive; later is negative', () => {
    assert.deepEqual(run(MORTALITY, [stay, ev('MEDS_DEATH', '2021-01-02 23:59')]), [['2020-01-03 23:59', true]]);
    assert.deepEqual(run(MORTALITY, [stay, ev('MEDS_DEATH', '2021-01-03 00:00')]), [['2020-01-03 23:59', false]]);
  });

  it('never labels a stay the subject died in; censors short follow-up', () => {
    const skips: string[] = [];
    assert.deepEqual(run(MORTALITY, [stay, ev('MEDS_DEATH', '2020-01-03 12:00')], skips), []);
    assert.deepEqual(run(MORTALITY, [stay, ev('LOINC/8480-6', '2020-06-01 00:00', { value: 120 })], skips), []);
    assert.deepEqual(skips, ['died before the prediction time', 'censored: record ends inside the horizon']);
    assert.deepEqual(run(MORTALITY, [stay, LATER]), [['2020-01-03 23:59', false]]);
  });
});

describe('leakage', () => {
  it('no operational label has its outcome at or before the prediction time', () => {
    const events = [
      visit('IP', '2020-01-01 10:00', '2020-01-09 12:00', 'a'),
      visit('IP', '2020-01-10 01:00', '2020-01-12 12:00', 'b'),
      visit('IP', '2020-01-12 15:00', '2020-01-20 12:00', 'c'),
      LATER,
    ];
    for (const spec of [LONG_LOS, READMISSION, MORTALITY]) {
      for (const l of labelOperational(subject(events), spec, NO_PARENTS)) {
        assert.equal(l.predictionTime % 60_000, 0, 'truncated to the minute');
        if (spec === READMISSION && l.booleanValue) {
          const starts = [t('2020-01-10 01:00'), t('2020-01-12 15:00')];
          assert.ok(starts.some((s) => s > l.predictionTime + 60_000 && s <= l.predictionTime + 30 * 86_400_000));
        }
      }
    }
  });
});
