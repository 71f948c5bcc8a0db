import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyLabValue } from '../../src/tasks/classifyLabValue.ts';
import { labelLab } from '../../src/tasks/labelLab.ts';
import { NO_PARENTS, type LabelVocabulary } from '../../src/tasks/LabelVocabulary.ts';
import { labResultUnit } from '../../src/tasks/labResultUnit.ts';
import { loadTaskSpecs } from '../../src/tasks/loadTaskSpecs.ts';
import type { LabTaskSpec } from '../../src/tasks/taskSpec.ts';
import { ev, iso, subject } from './subjectBuilder.ts';

const specs = loadTaskSpecs();
const lab = (name: string): LabTaskSpec => {
  const s = specs.get(name);
  assert.ok(s && s.kind === 'lab');
  return s;
};
const cls = (name: string, value: number, unit: string | null): number | string => {
  const c = classifyLabValue(value, unit, lab(name));
  return 'error' in c ? c.error : c.class;
};
const BIRTH = ev('MEDS_BIRTH', '1950-01-01 00:00');

describe('lab labels', () => {
  it('predict 1 minute before each result, truncated to the minute', () => {
    const s = subject([
      BIRTH,
      ev('LOINC/2947-0', '2020-01-01 10:00', { value: 140, extra: { unit: 'mmol/L' } }),
      ev('LOINC/2947-0', '2020-01-02 10:00:45', { value: 128, extra: { unit: 'mmol/L' } }),
    ]);
    const labels = labelLab(s, lab('hyponatremia'), NO_PARENTS);
    assert.deepEqual(
      labels.map((l) => [iso(l.predictionTime), l.integerValue, l.booleanValue]),
      [
        ['2020-01-01 09:59', 0, false],
        ['2020-01-02 09:59', 2, true],
      ],
    );
  });

  it('class boundaries follow SPEC 4 for every lab task', () => {
    // thrombocytopenia: < 50 severe, < 100 moderate, < 150 mild (10^9/L)
    assert.deepEqual(
      [49, 50, 99, 100, 149, 150].map((v) => cls('thrombocytopenia', v, '10*3/uL')),
      [3, 2, 2, 1, 1, 0],
    );
    // hyperkalemia: > 7 severe, > 6 moderate, > 5.5 mild
    assert.deepEqual(
      [7.1, 7, 6.1, 6, 5.6, 5.5].map((v) => cls('hyperkalemia', v, 'mmol/L')),
      [3, 2, 2, 1, 1, 0],
    );
    // hypoglycemia: < 3 severe, < 3.5 moderate, <= 3.9 mild
    assert.deepEqual(
      [2.9, 3, 3.4, 3.5, 3.9, 4].map((v) => cls('hypoglycemia', v, 'mmol/L')),
      [3, 2, 2, 1, 1, 0],
    );
    // hyponatremia: < 125 severe, < 130 moderate, <= 135 mild
    assert.deepEqual(
      [124, 125, 129, 130, 135, 136].map((v) => cls('hyponatremia', v, 'mmol/L')),
      [3, 2, 2, 1, 1, 0],
    );
    // anemia: < 70 severe, < 110 moderate, < 120 mild (g/L)
    assert.deepEqual(
      [69, 70, 109, 110, 119, 120].map((v) => cls('anemia', v, 'g/L')),
      [3, 2, 2, 1, 1, 0],
    );
  });

  it('converts units: glucose mg/dL ÷ 18.016, hemoglobin g/dL × 10, platelets K/uL = 10^9/L, mEq/L = mmol/L', () => {
    assert.equal(cls('hypoglycemia', 70, 'mg/dL'), 1, '70 mg/dL = 3.885 mmol/L');
    assert.equal(cls('hypoglycemia', 71, 'mg/dL'), 0, '71 mg/dL = 3.941 mmol/L');
    assert.equal(cls('hypoglycemia', 54, 'MG/DL'), 3, 'units ignore case');
    assert.equal(cls('anemia', 11.9, 'g/dL'), 1);
    assert.equal(cls('anemia', 12, 'g/dL'), 0);
    assert.equal(cls('anemia', 6.9, 'g / dL'), 3, 'units ignore spaces');
    assert.equal(cls('thrombocytopenia', 27, 'K/uL'), 3);
    assert.equal(cls('thrombocytopenia', 140_000, '/uL'), 1);
    assert.equal(cls('hyperkalemia', 6.2, 'mEq/L'), 2);
  });

  it('float32 values at a threshold classify as written (3.9 stored as 3.9000000953674316)', () => {
    assert.equal(cls('hypoglycemia', Math.fround(3.9), 'mmol/L'), 1);
    assert.equal(cls('hyponatremia', Math.fround(135), 'mmol/L'), 1);
  });

  it('skips results with an unknown unit, or without a unit where the unit is ambiguous', () => {
    assert.match(String(cls('hypoglycemia', 5, 'mEq/L')), /unit "mEq\/L" has no conversion to mmol\/L/);
    assert.equal(cls('hypoglycemia', 5, null), 'result has no unit');
    assert.equal(cls('hyponatremia', 128, null), 2, 'sodium without a unit is read as mmol/L');
    const skips: string[] = [];
    const s = subject([
      BIRTH,
      ev('LOINC/2339-0', '2020-01-01 10:00', { value: 60 }),
      ev('LOINC/2339-0', '2020-01-01 11:00', { text: 'see note', extra: { unit: 'mg/dL' } }),
    ]);
    assert.deepEqual(
      labelLab(s, lab('hypoglycemia'), NO_PARENTS, (r) => skips.push(r)),
      [],
    );
    assert.deepEqual(skips, ['result has no unit', 'result has no numeric value']);
  });

  it('matches MIMIC lab codes through their LOINC parent and reads the unit from the code', () => {
    const vocab: LabelVocabulary = {
      parents: (c) => (c === 'LAB//51265//K/uL' ? ['LOINC/777-3'] : c === 'LAB//51222//g/dL' ? ['LOINC/718-7'] : []),
    };
    const e = ev('LAB//51265//K/uL', '2150-01-01 06:00', { value: 88 });
    assert.equal(labResultUnit(e), 'K/uL');
    assert.equal(labResultUnit(ev('LAB//51237//UNK', '2150-01-01 06:00')), null);
    const s = subject([
      BIRTH,
      e,
      ev('LAB//51222//g/dL', '2150-01-01 06:00', { value: 10.2 }),
      ev('LAB//51301//K/uL', '2150-01-01 06:00', { value: 3 }),
    ]);
    const plt = labelLab(s, lab('thrombocytopenia'), vocab);
    assert.deepEqual(
      plt.map((l) => [iso(l.predictionTime), l.integerValue]),
      [['2150-01-01 05:59', 2]],
    );
    assert.deepEqual(
      labelLab(s, lab('anemia'), vocab).map((l) => l.integerValue),
      [2],
    );
    assert.deepEqual(labelLab(s, lab('thrombocytopenia'), NO_PARENTS), [], 'without codes.parquet parents the MIMIC code is unknown');
  });

  it('one label per prediction time: simultaneous results merge to the most severe', () => {
    const s = subject([
      BIRTH,
      ev('LOINC/2823-3', '2020-01-01 10:00:10', { value: 5.0, extra: { unit: 'mmol/L' } }),
      ev('LOINC/6298-4', '2020-01-01 10:00:50', { value: 6.5, extra: { unit: 'mmol/L' } }),
    ]);
    assert.deepEqual(
      labelLab(s, lab('hyperkalemia'), NO_PARENTS).map((l) => [iso(l.predictionTime), l.integerValue, l.booleanValue]),
      [['2020-01-01 09:59', 2, true]],
    );
  });

  it('skips a result at the very first event (nothing to predict from) and urine tests', () => {
    const s = subject([
      ev('LOINC/2947-0', '2020-01-01 10:00', { value: 120, extra: { unit: 'mmol/L' } }),
      ev('LOINC/2955-3', '2020-01-02 10:00', { value: 20, extra: { unit: 'mmol/L' } }),
    ]);
    assert.deepEqual(labelLab(s, lab('hyponatremia'), NO_PARENTS), []);
  });

  it('every label sees none of its own result: the result time is after the prediction time', () => {
    const events = [
      BIRTH,
      ...[0, 1, 2, 3].map((i) =>
        ev('LOINC/2339-0', `2020-01-0${i + 1} 0${i}:00:${String(i * 15).padStart(2, '0')}`, {
          value: 50 + i * 20,
          extra: { unit: 'mg/dL' },
        }),
      ),
    ];
    const labels = labelLab(subject(events), lab('hypoglycemia'), NO_PARENTS);
    assert.equal(labels.length, 4);
    labels.forEach((l, i) => {
      const result = events[i + 1]!;
      assert.ok(result.time! > l.predictionTime && result.time! - l.predictionTime <= 120_000);
      assert.equal(l.integerValue, cls('hypoglycemia', result.numericValue!, 'mg/dL'));
    });
  });
});
