/**
 * Inline fixtures for the serializer tests: Synthea-like subjects in our converters' MEDS
 * conventions (codes, descriptions and units as Synthea writes them), MIMIC-IV-MEDS-like
 * subjects, a vocabulary, and a seeded random subject generator for property tests.
 */
import type { Event, ExtraValue, Subject } from '../../src/types.ts';
import type { Vocabulary } from '../../src/serialize/vocabulary.ts';
import { mulberry32 } from '../helpers/mulberry32.ts';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

/** Epoch ms of a UTC date-time written `YYYY-MM-DDTHH:MM`. */
export const at = (iso: string): number => Date.parse(`${iso}:00Z`);

const DESCRIPTIONS: Record<string, string> = {
  'Visit/IP': 'Inpatient Visit',
  'Visit/ER': 'Emergency Room Visit',
  'Visit/AMB': 'Ambulatory Visit',
  'Visit/OP': 'Outpatient Visit',
  'Gender/F': 'Female',
  'Race/2106-3': 'White',
  'Ethnicity/2186-5': 'Not Hispanic or Latino',
  'SNOMED/44054006': 'Diabetes mellitus type 2 (disorder)',
  'SNOMED/38341003': 'Hypertensive disorder, systemic arterial (disorder)',
  'SNOMED/195662009': 'Acute viral pharyngitis (disorder)',
  'SNOMED/162864005': 'Body mass index 30+ - obesity (finding)',
  'SNOMED/430193006': 'Medication reconciliation (procedure)',
  'SNOMED/76601001': 'Intramuscular injection (procedure)',
  'SNOMED/117015009': 'Throat culture (procedure)',
  'RxNorm/860975': '24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet',
  'RxNorm/197361': 'Amlodipine 5 MG Oral Tablet',
  'RxNorm/834060': 'Penicillin V Potassium 250 MG Oral Tablet',
  'CVX/140': 'Influenza, seasonal, injectable, preservative free',
  'LOINC/29463-7': 'Body Weight',
  'LOINC/8302-2': 'Body Height',
  'LOINC/39156-5': 'Body Mass Index',
  'LOINC/8480-6': 'Systolic Blood Pressure',
  'LOINC/8462-4': 'Diastolic Blood Pressure',
  'LOINC/8867-4': 'Heart rate',
  'LOINC/8310-5': 'Body temperature',
  'LOINC/2345-7': 'Glucose [Mass/volume] in Serum or Plasma',
  'LOINC/718-7': 'Hemoglobin [Mass/volume] in Blood',
  'LOINC/2823-3': 'Potassium [Moles/volume] in Serum or Plasma',
  'LOINC/4548-4': 'Hemoglobin A1c/Hemoglobin.total in Blood',
  'LOINC/72514-3': 'Pain severity - 0-10 verbal numeric rating [Score] - Reported',
  'LOINC/72166-2': 'Tobacco smoking status',
  'LAB//51265//K/uL': 'Platelets [#/volume] in Blood by Automated count',
  'LAB//50971//mEq/L': 'Potassium [Moles/volume] in Serum or Plasma',
  'DIAGNOSIS//ICD//10//I10': 'Essential (primary) hypertension',
};

const PARENTS: Record<string, readonly string[]> = {
  'LAB//51265//K/uL': ['LOINC/777-3'],
  'LAB//50971//mEq/L': ['LOINC/2823-3'],
  'DIAGNOSIS//ICD//10//I10': ['ICD10CM/I10'],
};

/** Descriptions and parents for the fixture codes (as codes.parquet would give them). */
export const vocabulary: Vocabulary = {
  describe: (code) => DESCRIPTIONS[code] ?? null,
  parents: (code) => PARENTS[code] ?? [],
};

/** Builds one subject's events in time order. */
export class SubjectBuilder {
  readonly events: Event[] = [];
  constructor(readonly subjectId: number) {}

  event(
    time: number | null,
    code: string,
    extra?: Record<string, ExtraValue>,
    numericValue: number | null = null,
    textValue: string | null = null,
  ): this {
    this.events.push({ subjectId: this.subjectId, time, code, numericValue, textValue, ...(extra === undefined ? {} : { extra }) });
    return this;
  }

  /** A visit event plus its content; `fill` adds events at `start` with the visit id. */
  visit(code: string, visitId: string, start: number, end: number | null, fill: (v: VisitBuilder) => void = () => {}): this {
    const extra: Record<string, ExtraValue> = { visit_id: visitId, domain: 'visit' };
    if (end !== null) extra.end = end;
    this.event(start, code, extra);
    fill(new VisitBuilder(this, visitId, start));
    return this;
  }

  build(): Subject {
    const events = [...this.events].sort((a, b) => (a.time ?? -Infinity) - (b.time ?? -Infinity));
    return { subjectId: this.subjectId, events };
  }
}

/** Adds events belonging to one visit. */
export class VisitBuilder {
  constructor(
    private readonly s: SubjectBuilder,
    private readonly visitId: string,
    private readonly start: number,
  ) {}

  add(code: string, domain: string, offset = 0): this {
    this.s.event(this.start + offset, code, { visit_id: this.visitId, domain });
    return this;
  }

  value(code: string, value: number, unit: string | null, offset = 0): this {
    const extra: Record<string, ExtraValue> = { visit_id: this.visitId, domain: 'measurement' };
    if (unit !== null) extra.unit = unit;
    this.s.event(this.start + offset, code, extra, value);
    return this;
  }

  text(code: string, text: string, offset = 0): this {
    this.s.event(this.start + offset, code, { visit_id: this.visitId, domain: 'observation' }, null, text);
    return this;
  }
}

/**
 * A Synthea-like adult with diabetes and hypertension: yearly ambulatory visits with vitals and
 * labs, an ER visit, a past inpatient stay and an inpatient stay that is still open at
 * 2023-06-12T12:00 (its end, 2023-06-20, lies after that prediction time).
 */
export function syntheaPatient(): Subject {
  const b = new SubjectBuilder(1);
  b.event(null, 'Gender/F', { domain: 'demographics' });
  b.event(null, 'Race/2106-3', { domain: 'demographics' });
  b.event(null, 'Ethnicity/2186-5', { domain: 'demographics' });
  b.event(at('1956-03-15T00:00'), 'MEDS_BIRTH', { domain: 'demographics' });
  b.visit('Visit/AMB', 'v1', at('2019-05-02T09:00'), at('2019-05-02T09:30'), (v) =>
    v
      .value('LOINC/29463-7', 80.5, 'kg')
      .value('LOINC/8302-2', 165, 'cm')
      .value('LOINC/8480-6', 150, 'mm[Hg]')
      .value('LOINC/8462-4', 95, 'mm[Hg]')
      .value('LOINC/2345-7', 7.2, 'mmol/L')
      .value('LOINC/4548-4', 7.1, '%')
      .add('SNOMED/44054006', 'condition')
      .add('RxNorm/860975', 'medication')
      .add('SNOMED/430193006', 'procedure'),
  );
  b.visit('Visit/ER', 'v2', at('2020-11-20T22:10'), at('2020-11-21T01:40'), (v) =>
    v
      .add('SNOMED/195662009', 'condition')
      .add('SNOMED/117015009', 'procedure')
      .add('RxNorm/834060', 'medication')
      .value('LOINC/8310-5', 38.5, 'Cel')
      .value('LOINC/8867-4', 104, '/min'),
  );
  b.visit('Visit/IP', 'v3', at('2021-02-01T14:00'), at('2021-02-05T10:00'), (v) =>
    v
      .add('SNOMED/38341003', 'condition')
      .add('SNOMED/38341003', 'condition', HOUR)
      .add('RxNorm/197361', 'medication')
      .value('LOINC/4548-4', 7.4, '%', 2 * HOUR)
      .value('LOINC/4548-4', 7.9, '%', 26 * HOUR)
      .value('LOINC/4548-4', 8.15, '%', 50 * HOUR)
      .value('LOINC/4548-4', 8.4, '%', 74 * HOUR)
      .value('LOINC/718-7', 125, 'g/L', 3 * HOUR)
      .value('LOINC/2823-3', 12, 'mmol/L', 3 * HOUR)
      .text('LOINC/72166-2', 'Former smoker', HOUR),
  );
  b.visit('Visit/AMB', 'v4', at('2022-05-10T09:00'), at('2022-05-10T09:20'), (v) =>
    v
      .value('LOINC/29463-7', 82.25, 'kg')
      .value('LOINC/8302-2', 165.1, 'cm')
      .value('LOINC/39156-5', 30.17, 'kg/m2')
      .value('LOINC/8480-6', 138, 'mm[Hg]')
      .value('LOINC/8462-4', 88, 'mm[Hg]')
      .value('LOINC/2345-7', 140, 'mg/dL')
      .value('LOINC/72514-3', 2, '{score}')
      .add('CVX/140', 'immunization')
      .add('SNOMED/162864005', 'condition'),
  );
  b.visit('Visit/IP', 'v5', at('2023-06-10T08:00'), at('2023-06-20T12:00'), (v) =>
    v
      .add('SNOMED/44054006', 'condition')
      .add('RxNorm/860975', 'medication', HOUR)
      .add('SNOMED/76601001', 'procedure', 2 * HOUR)
      .value('LOINC/2345-7', 210, 'mg/dL', 3 * HOUR)
      .value('LOINC/29463-7', 84, 'kg', 3 * HOUR)
      .value('LOINC/8867-4', 88, '/min', 3 * HOUR)
      .value('LOINC/2345-7', 95, 'mg/dL', DAY)
      .value('LOINC/2345-7', 250, 'mg/dL', 9 * DAY),
  );
  // A condition recorded outside any visit.
  b.event(at('2018-01-03T00:00'), 'SNOMED/38341003', { domain: 'condition' });
  return b.build();
}

/** The prediction time inside the open inpatient stay of {@link syntheaPatient}. */
export const SYNTHEA_PREDICTION_TIME = at('2023-06-12T12:00');

/** A MIMIC-IV-MEDS-like subject: an ED stay, a hospital admission with an ICU stay, labs without hadm_id. */
export function mimicPatient(): Subject {
  const b = new SubjectBuilder(10012853);
  b.event(null, 'GENDER//F');
  b.event(at('2084-01-01T00:00'), 'MEDS_BIRTH');
  b.event(at('2175-04-05T06:22'), 'ED_REGISTRATION');
  b.event(at('2175-04-05T06:30'), 'LAB//51265//K/uL', undefined, 337);
  b.event(at('2175-04-05T06:30'), 'LAB//50971//mEq/L', undefined, 3.5999999046325684);
  b.event(at('2175-04-05T06:35'), 'LAB//220045//bpm', { hadm_id: 26369609 }, 92);
  b.event(at('2175-04-05T15:36'), 'HOSPITAL_ADMISSION//EW EMER.//EMERGENCY ROOM', { hadm_id: 26369609, race: 'BLACK/AFRICAN AMERICAN' });
  b.event(at('2175-04-05T17:10'), 'ED_OUT');
  b.event(at('2175-04-05T19:00'), 'MEDICATION//START//Heparin', { route: 'SC' });
  b.event(at('2175-04-06T02:34'), 'ICU_ADMISSION//Trauma SICU (TSICU)', { hadm_id: 26369609, icustay_id: 31338022 });
  b.event(at('2175-04-06T06:30'), 'LAB//51265//K/uL', undefined, 140);
  b.event(at('2175-04-07T06:30'), 'LAB//51265//K/uL', undefined, 95);
  b.event(at('2175-04-08T20:58'), 'ICU_DISCHARGE//Trauma SICU (TSICU)', { hadm_id: 26369609, icustay_id: 31338022 });
  b.event(at('2175-04-10T16:55'), 'DIAGNOSIS//ICD//10//I10', { hadm_id: 26369609 });
  b.event(at('2175-04-10T16:55'), 'HOSPITAL_DISCHARGE//HOME', { hadm_id: 26369609 });
  b.event(at('2175-06-01T10:00'), 'LAB//51265//K/uL', undefined, 250);
  return b.build();
}

/** The shared seeded PRNG, re-exported for the serialization tests that import it from here. */
export { mulberry32 };

const RANDOM_CODES: readonly [string, string, string | null, number, number][] = [
  // code, domain, unit, low, high (value range; low > high means no value)
  ['SNOMED/44054006', 'condition', null, 1, 0],
  ['SNOMED/38341003', 'condition', null, 1, 0],
  ['SNOMED/195662009', 'condition', null, 1, 0],
  ['RxNorm/860975', 'medication', null, 1, 0],
  ['RxNorm/197361', 'medication', null, 1, 0],
  ['SNOMED/430193006', 'procedure', null, 1, 0],
  ['CVX/140', 'immunization', null, 1, 0],
  ['LOINC/29463-7', 'measurement', 'kg', 2, 200],
  ['LOINC/8302-2', 'measurement', 'cm', 40, 210],
  ['LOINC/8310-5', 'measurement', 'Cel', 30, 43],
  ['LOINC/8867-4', 'measurement', '/min', 0, 320],
  ['LOINC/2345-7', 'measurement', 'mg/dL', 5, 1100],
  ['LOINC/2823-3', 'measurement', 'mmol/L', 1, 12],
  ['LOINC/4548-4', 'measurement', '%', 4, 12],
  ['LOINC/72514-3', 'measurement', '{score}', 0, 10],
  ['LOINC/9999-9', 'measurement', 'mg', 0, 5],
];

/**
 * A random subject: demographics, visits of random kinds (some open-ended, some overlapping),
 * events inside and outside visits, MIMIC-style admissions with discharge rows and labs without
 * ids. Deterministic for a seed.
 */
export function randomSubject(seed: number): Subject {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const b = new SubjectBuilder(seed);
  b.event(null, pick(['Gender/F', 'Gender/M']));
  if (rand() < 0.7) b.event(null, 'Race/2106-3');
  const birth = at('1950-01-01T00:00') + Math.floor(rand() * 40 * 365) * DAY;
  b.event(birth, 'MEDS_BIRTH');
  let t = birth + 20 * 365 * DAY;
  const nVisits = 1 + Math.floor(rand() * 12);
  for (let v = 0; v < nVisits; v++) {
    t += Math.floor(rand() * 400 * DAY) + HOUR;
    const mimic = rand() < 0.25;
    const id = `r${seed}-${v}`;
    const length = rand() < 0.3 ? Math.floor(rand() * 10 * DAY) : Math.floor(rand() * 2 * HOUR);
    if (mimic) {
      const hadm = seed * 100 + v;
      b.event(t, 'HOSPITAL_ADMISSION//EW EMER.//EMERGENCY ROOM', { hadm_id: hadm });
      if (rand() < 0.8) b.event(t + length, 'HOSPITAL_DISCHARGE//HOME', { hadm_id: hadm });
      for (let k = 0; k < 6; k++)
        b.event(
          t + Math.floor(rand() * (length + 2 * DAY)),
          'LAB//51265//K/uL',
          rand() < 0.5 ? { hadm_id: hadm } : undefined,
          Math.floor(rand() * 500),
        );
    } else {
      const end = rand() < 0.15 ? null : t + length;
      b.visit(pick(['Visit/IP', 'Visit/ER', 'Visit/AMB', 'Visit/OP']), id, t, end, (vb) => {
        const n = Math.floor(rand() * 10);
        for (let k = 0; k < n; k++) {
          const [code, domain, unit, lo, hi] = pick(RANDOM_CODES);
          const offset = Math.floor(rand() * Math.max(length, HOUR));
          if (lo > hi) vb.add(code, domain, offset);
          else vb.value(code, lo + rand() * (hi - lo), rand() < 0.1 ? null : unit, offset);
        }
      });
    }
    if (rand() < 0.3) b.event(t + Math.floor(rand() * 30 * DAY), pick(RANDOM_CODES)[0], { domain: 'condition' });
  }
  return b.build();
}
