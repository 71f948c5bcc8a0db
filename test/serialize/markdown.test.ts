import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serialize } from '../../src/serialize/index.ts';
import { at, DAY, HOUR, mimicPatient, SubjectBuilder, SYNTHEA_PREDICTION_TIME, syntheaPatient, vocabulary } from './fixtures.ts';

const EXPECTED = `# Electronic Healthcare Record

Current time: 2024-01-01

## Patient Demographics
- Patient age: 67
- Female
- White
- Not Hispanic or Latino

## Recent Body Metrics
- Body weight (oz): 2963, 2901.3, 2839.6
- Body height (inch): 65, 65
- Body mass index (kg/m2): 30.2 (high)
- Body surface area: No recent data

## Recent Vital Signs
- Heart rate (bpm): 88 (normal), 104 (high)
- Systolic blood pressure (mmHg): 138 (normal), 150 (high)
- Diastolic blood pressure (mmHg): 88 (normal), 95 (high)
- Body temperature (°F): 101.3 (high)
- Respiratory rate: No recent data
- Oxygen saturation: No recent data

## Recent Lab Results
- Hemoglobin (g/dL): 12.5 (normal)
- Hematocrit: No recent data
- Erythrocytes: No recent data
- Leukocytes: No recent data
- Platelets: No recent data
- Sodium: No recent data
- Potassium: No recent data
- Chloride: No recent data
- Carbon dioxide, total: No recent data
- Calcium: No recent data
- Glucose (mg/dL): 95 (normal), 210 (high), 140 (high)
- Urea nitrogen: No recent data
- Creatinine: No recent data
- Anion gap: No recent data

## Past Medical Visits
- Inpatient Visit on 2023-12-30 (2 days before prediction time, current visit)
- Ambulatory Visit on 2022-11-29 (398 days before prediction time, duration: 1 day)
- Inpatient Visit on 2021-08-23 (861 days before prediction time, duration: 4 days)
- Emergency Room Visit on 2021-06-11 (934 days before prediction time, duration: 1 day)
- Ambulatory Visit on 2019-11-21 (1502 days before prediction time, duration: 1 day)

## General Medical Events
- Hypertensive disorder, systemic arterial

## Detailed Past Medical Visits (most recent first)
### Inpatient Visit on 2023-12-30 (2 days before prediction time, current visit)
#### Conditions
- Diabetes mellitus type 2
#### Medications
- 24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet
#### Procedures
- Intramuscular injection
### Ambulatory Visit on 2022-11-29 (398 days before prediction time, duration: 1 day)
#### Conditions
- Body mass index 30+ - obesity
#### Measurements
- Pain severity - 0-10 verbal numeric rating [Score] - Reported (score): 2
#### Immunizations
- Influenza, seasonal, injectable, preservative free
### Inpatient Visit on 2021-08-23 (861 days before prediction time, duration: 4 days)
#### Conditions
- Hypertensive disorder, systemic arterial
#### Medications
- Amlodipine 5 MG Oral Tablet
#### Measurements
- Hemoglobin A1c/Hemoglobin.total in Blood (%): 7.9, 8.15, 8.4
#### Observations
- Tobacco smoking status: Former smoker
### Emergency Room Visit on 2021-06-11 (934 days before prediction time, duration: 1 day)
#### Conditions
- Acute viral pharyngitis
#### Medications
- Penicillin V Potassium 250 MG Oral Tablet
#### Procedures
- Throat culture
### Ambulatory Visit on 2019-11-21 (1502 days before prediction time, duration: 1 day)
#### Conditions
- Diabetes mellitus type 2
#### Medications
- 24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet
#### Procedures
- Medication reconciliation
#### Measurements
- Hemoglobin A1c/Hemoglobin.total in Blood (%): 7.1`;

const markdown = (predictionTime = SYNTHEA_PREDICTION_TIME, subject = syntheaPatient()): string =>
  serialize(subject, { predictionTime, format: 'markdown-plus', vocabulary, tokenizer: 'chars' }).text;

describe('Markdown format (SPEC 2.1)', () => {
  it('renders every section of a Synthea-like record exactly', () => {
    assert.equal(markdown(), EXPECTED);
  });

  it('never shows the end or length of a visit still open at the prediction time', () => {
    const text = markdown();
    const current = text.split('\n').filter((l) => l.includes('(2 days before prediction time'));
    assert.equal(current.length, 2);
    for (const l of current) {
      assert.match(l, /current visit\)$/);
      assert.doesNotMatch(l, /duration/);
    }
    // After the discharge (2023-06-20 12:00) the same stay shows its length.
    assert.match(markdown(at('2023-06-21T00:00')), /Inpatient Visit on 2023-12-21 \(11 days before prediction time, duration: 10 days\)/);
    // At the discharge minute itself the visit is over (end <= prediction time).
    assert.match(markdown(at('2023-06-20T12:00')), /duration: 10 days\)/);
  });

  it('treats a visit without an end as current', () => {
    const s = new SubjectBuilder(3)
      .visit('Visit/IP', 'a', at('2020-01-01T10:00'), null, (v) => v.add('SNOMED/44054006', 'condition'))
      .build();
    assert.match(
      markdown(at('2020-03-01T00:00'), s),
      /### Inpatient Visit on 2023-11-02 \(60 days before prediction time, current visit\)/,
    );
  });

  it('drops implausible values, converts units and flags against the normal range', () => {
    const text = markdown();
    // Potassium 12 mmol/L is outside 0.1-10: shown nowhere.
    assert.match(text, /- Potassium: No recent data/);
    assert.doesNotMatch(text, /Potassium \[/);
    // kg -> oz, cm -> inch, Cel -> °F, g/L -> g/dL, mmol/L glucose -> mg/dL.
    assert.match(text, /Body weight \(oz\): 2963,/); // 84 kg
    assert.match(text, /Body height \(inch\): 65/); // 165.1 cm
    assert.match(text, /Body temperature \(°F\): 101.3 \(high\)/); // 38.5 °C
    assert.match(text, /Hemoglobin \(g\/dL\): 12.5 \(normal\)/); // 125 g/L
    const early = markdown(at('2019-06-01T00:00'));
    assert.match(early, /Glucose \(mg\/dL\): 130 \(high\)/); // 7.2 mmol/L
  });

  it('shows a value in a unit that cannot be converted as a plain event', () => {
    const s = new SubjectBuilder(4)
      .visit('Visit/AMB', 'a', at('2020-01-01T10:00'), at('2020-01-01T11:00'), (v) =>
        v.value('LOINC/29463-7', 3, 'stone').value('LOINC/8867-4', 70, null),
      )
      .build();
    const text = markdown(at('2020-02-01T00:00'), s);
    assert.match(text, /- Body weight: No recent data/);
    assert.match(text, /#### Measurements\n- Body Weight \(stone\): 3$/m);
    // No unit: the table's unit is assumed.
    assert.match(text, /- Heart rate \(bpm\): 70 \(normal\)/);
  });

  it('keeps the last three values of a repeated measurement, oldest to newest, and deduplicates by description', () => {
    const text = markdown();
    assert.match(text, /- Hemoglobin A1c\/Hemoglobin.total in Blood \(%\): 7.9, 8.15, 8.4\n/);
    assert.equal(text.match(/- Hypertensive disorder, systemic arterial/g)?.length, 2); // once in the visit, once in General
  });

  it('shows the last three recent values newest first', () => {
    assert.match(markdown(), /- Glucose \(mg\/dL\): 95 \(normal\), 210 \(high\), 140 \(high\)\n/);
  });

  it('formats numbers with at most two decimals and no trailing zeros', () => {
    const s = new SubjectBuilder(5)
      .visit('Visit/AMB', 'a', at('2020-01-01T10:00'), at('2020-01-01T11:00'), (v) =>
        v
          .value('LOINC/72514-3', 2.0, '{score}')
          .value('LOINC/72514-3', 3.456, '{score}', 1)
          .value('LOINC/72514-3', 2.9000000953674316, '{score}', 2),
      )
      .build();
    assert.match(markdown(at('2020-02-01T00:00'), s), /\(score\): 2, 3.46, 2.9$/m);
  });

  it('renders MIMIC-IV MEDS stays: admission to discharge, labs by time, chart items as vitals', () => {
    const during = markdown(at('2175-04-07T12:00'), mimicPatient());
    assert.match(during, /- Black\/African American/);
    assert.match(during, /- Platelets \(10\^3\/uL\): 95 \(low\), 140 \(low\), 337 \(normal\)/);
    assert.match(during, /- Heart rate \(bpm\): 92 \(normal\)/);
    assert.match(
      during,
      /### Inpatient Visit on 2023-12-30 \(2 days before prediction time, current visit\)\n#### Medications\n- Heparin\n#### Other Events\n- ICU admission: Trauma SICU \(TSICU\)/,
    );
    assert.doesNotMatch(during, /ICU discharge|hypertension/);
    const after = markdown(at('2175-07-01T12:00'), mimicPatient());
    assert.match(
      after,
      /### Inpatient Visit on 2023-10-06 \(87 days before prediction time, duration: 5 days\)\n#### Conditions\n- Essential \(primary\) hypertension/,
    );
  });

  it('leaves out events and finished visits outside the time window', () => {
    const s = syntheaPatient();
    const text = serialize(s, {
      predictionTime: SYNTHEA_PREDICTION_TIME,
      format: 'markdown-plus',
      vocabulary,
      tokenizer: 'chars',
      timeWindowDays: 400,
    }).text;
    assert.match(text, /Ambulatory Visit on 2022-11-29/);
    assert.doesNotMatch(text, /2021-08-23|Hypertensive disorder/);
    assert.match(text, /- Patient age: 67/);
    assert.match(text, /- Glucose \(mg\/dL\): 95 \(normal\), 210 \(high\), 140 \(high\)/);
    assert.match(text, /- Heart rate \(bpm\): 88 \(normal\)\n/);
  });

  it('reports per line the events it came from', () => {
    const s = syntheaPatient();
    const r = serialize(s, { predictionTime: SYNTHEA_PREDICTION_TIME, format: 'markdown-plus', vocabulary, tokenizer: 'chars' });
    assert.deepEqual(
      r.lines.map((l) => l.text),
      r.text.split('\n'),
    );
    const glucose = r.lines.find((l) => l.text.startsWith('- Glucose'));
    assert.deepEqual(
      glucose?.sources.map((e) => [e.time, e.code]),
      [
        [at('2023-06-10T08:00') + DAY, 'LOINC/2345-7'],
        [at('2023-06-10T08:00') + 3 * HOUR, 'LOINC/2345-7'],
        [at('2022-05-10T09:00'), 'LOINC/2345-7'],
      ],
    );
    const age = r.lines.find((l) => l.text === '- Patient age: 67');
    assert.deepEqual(age?.sources, [{ subjectId: 1, time: at('1956-03-15T00:00'), code: 'MEDS_BIRTH' }]);
    const heading = r.lines.find((l) => l.text.startsWith('### Emergency Room Visit'));
    assert.deepEqual(
      heading?.sources.map((e) => e.code),
      ['Visit/ER'],
    );
    for (const l of r.lines)
      if (
        l.text === '' ||
        (l.text.startsWith('#') && !l.text.startsWith('### ')) ||
        l.text.startsWith('Current time') ||
        l.text.endsWith('No recent data')
      )
        assert.equal(l.sources.length, 0, l.text);
    for (const l of r.lines) if (l.text.startsWith('- ') && !l.text.endsWith('No recent data')) assert.ok(l.sources.length > 0, l.text);
  });
});
