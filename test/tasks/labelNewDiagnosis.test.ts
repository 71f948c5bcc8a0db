import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codeMatcher } from '../../src/tasks/codeMatcher.ts';
import { labelNewDiagnosis } from '../../src/tasks/labelNewDiagnosis.ts';
import { NO_PARENTS } from '../../src/tasks/LabelVocabulary.ts';
import { loadTaskSpecs } from '../../src/tasks/loadTaskSpecs.ts';
import type { NewDiagnosisTaskSpec } from '../../src/tasks/taskSpec.ts';
import { ev, iso, subject, visit } from './subjectBuilder.ts';

const specs = loadTaskSpecs();
const dx = (name: string): NewDiagnosisTaskSpec => {
  const s = specs.get(name);
  assert.ok(s && s.kind === 'new_diagnosis');
  return s;
};
const AMI = dx('new_acutemi');
const HTN = dx('new_hypertension');
const STAY = visit('IP', '2020-01-01 10:00', '2020-01-03 12:00'); // prediction at 2020-01-03 23:59
const LATER = ev('LOINC/8480-6', '2021-06-01 00:00', { value: 120 });

function run(spec: NewDiagnosisTaskSpec, events: Parameters<typeof subject>[0], skips?: string[]): [string, boolean | null | undefined][] {
  return labelNewDiagnosis(subject(events), spec, NO_PARENTS, (r) => skips?.push(r)).map((l) => [iso(l.predictionTime), l.booleanValue]);
}

describe('new-diagnosis labels', () => {
  it('a first diagnosis at exactly 1 day is outside (1 day, 365 days]; 1 day + 1 minute is inside', () => {
    assert.deepEqual(run(AMI, [STAY, ev('SNOMED/22298006', '2020-01-04 23:59'), LATER]), [['2020-01-03 23:59', false]]);
    assert.deepEqual(run(AMI, [STAY, ev('SNOMED/22298006', '2020-01-05 00:00'), LATER]), [['2020-01-03 23:59', true]]);
  });

  it('365 days is the last minute inside the horizon', () => {
    assert.deepEqual(run(AMI, [STAY, ev('ICD10CM/I21.4', '2021-01-02 23:59'), LATER]), [['2020-01-03 23:59', true]]);
    assert.deepEqual(run(AMI, [STAY, ev('ICD10CM/I21.4', '2021-01-03 00:00'), LATER]), [['2020-01-03 23:59', false]]);
  });

  it('optionally drops (instead of labelling negative) a first diagnosis inside the first day', () => {
    const strict = { ...AMI, exclusions: [...AMI.exclusions, 'diagnosis_before_horizon' as const] };
    assert.deepEqual(run(strict, [STAY, ev('SNOMED/22298006', '2020-01-04 12:00'), LATER]), []);
  });

  it('a diagnosis at or before the prediction time excludes that and every later prediction time', () => {
    const skips: string[] = [];
    const events = [
      visit('IP', '2019-06-01 10:00', '2019-06-02 12:00', 'early'),
      ev('ICD10CM/I10', '2019-09-01 10:00'),
      STAY,
      visit('IP', '2020-05-01 10:00', '2020-05-02 12:00', 'late'),
      LATER,
    ];
    assert.deepEqual(run(HTN, events, skips), [['2019-06-02 23:59', true]]);
    assert.deepEqual(skips, ['diagnosed before the prediction time', 'diagnosed before the prediction time']);
    // Diagnosed during the stay, before 23:59 of the discharge day: excluded too.
    assert.deepEqual(run(HTN, [STAY, ev('SNOMED/59621000', '2020-01-03 20:00'), LATER]), []);
    // A static (undated) diagnosis is known at every time.
    assert.deepEqual(run(HTN, [ev('SNOMED/38341003', null), STAY, LATER]), []);
  });

  it('censors negatives whose record ends within 365 days', () => {
    const skips: string[] = [];
    assert.deepEqual(run(AMI, [STAY, ev('LOINC/8480-6', '2020-06-01 00:00', { value: 120 })], skips), []);
    assert.deepEqual(skips, ['censored: record ends inside the horizon']);
  });

  it('matches codes in every spelling: SNOMED, ICD-10-CM and ICD-9-CM with or without dots, MIMIC DIAGNOSIS//ICD', () => {
    const m = codeMatcher(AMI.outcome, NO_PARENTS);
    for (const c of [
      'SNOMED/57054005',
      'SNOMED/401303003',
      'SNOMED/401314000',
      'SNOMED/22298006',
      'ICD10CM/I21',
      'ICD10CM/I21.4',
      'ICD10CM/I214',
      'DIAGNOSIS//ICD//10//I214',
      'ICD9CM/410.71',
      'ICD9CM/41071',
      'DIAGNOSIS//ICD//9//41001',
    ]) {
      assert.ok(m(c), c);
    }
    for (const c of ['SNOMED/399211009', 'ICD10CM/I22.0', 'ICD10CM/I2', 'ICD9CM/411.1', 'DIAGNOSIS//ICD//9//I214', 'LOINC/410'])
      assert.ok(!m(c), c);
    const celiac = codeMatcher(dx('new_celiac').outcome, NO_PARENTS);
    assert.ok(
      celiac('ICD10CM/K90.0') &&
        celiac('DIAGNOSIS//ICD//10//K900') &&
        celiac('ICD9CM/579.0') &&
        !celiac('ICD10CM/K90.1') &&
        !celiac('ICD9CM/579.1'),
    );
    const htn = codeMatcher(HTN.outcome, { parents: (c) => (c === 'LOCAL/HTN' ? ['ICD9CM/401.9'] : []) });
    assert.ok(htn('LOCAL/HTN'), 'matched through a parent code');
  });
});
