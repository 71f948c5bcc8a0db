/**
 * One example serialization per format, from a synthetic record written here (never a real
 * patient: reports may be shared). It exercises every section: demographics, recent vitals and
 * labs with unit conversion and flags, a current inpatient visit, an older outpatient visit.
 */
import { serialize, type SerializeFormat } from '../serialize/serialize.ts';
import { vocabularyFromCodes } from '../serialize/vocabulary.ts';
import type { CodeMetadata, Event, Subject } from '../types.ts';

const DAY = 86_400_000;

/** The synthetic subject and its prediction time. */
export function syntheticExample(): { subject: Subject; predictionTime: number; vocabulary: ReturnType<typeof vocabularyFromCodes> } {
  const t = Date.UTC(2023, 5, 15, 23, 59);
  const sid = 1;
  const ev = (daysBefore: number | null, code: string, value: number | null = null, extra: Event['extra'] = undefined): Event => ({
    subjectId: sid,
    time: daysBefore === null ? null : t - daysBefore * DAY,
    code,
    numericValue: value,
    textValue: null,
    ...(extra ? { extra } : {}),
  });
  const events: Event[] = [
    ev(null, 'Gender/F'),
    ev(null, 'Race/2106-3'),
    ev(null, 'Ethnicity/2186-5'),
    ev(67 * 365.25 + 40, 'MEDS_BIRTH'),
    ev(833, 'Visit/OP', null, { visit_id: 'v1', end: t - 833 * DAY + 3600_000 }),
    ev(833, 'SNOMED/44054006', null, { visit_id: 'v1', domain: 'condition' }),
    ev(833, 'LOINC/2345-7', 142, { visit_id: 'v1', unit: 'mg/dL', domain: 'measurement' }),
    ev(833, 'RxNorm/860975', null, { visit_id: 'v1', domain: 'medication' }),
    ev(400, 'SNOMED/59621000', null, { domain: 'condition' }),
    ev(3, 'Visit/IP', null, { visit_id: 'v2' }),
    ev(3, 'LOINC/8867-4', 88, { visit_id: 'v2', unit: '/min', domain: 'measurement' }),
    ev(3, 'LOINC/8310-5', 38.2, { visit_id: 'v2', unit: 'Cel', domain: 'measurement' }),
    ev(3, 'LOINC/29463-7', 68.5, { visit_id: 'v2', unit: 'kg', domain: 'measurement' }),
    ev(2, 'LOINC/718-7', 10.2, { visit_id: 'v2', unit: 'g/dL', domain: 'measurement' }),
    ev(2, 'LOINC/2345-7', 210, { visit_id: 'v2', unit: 'mg/dL', domain: 'measurement' }),
    ev(1, 'LOINC/2345-7', 95, { visit_id: 'v2', unit: 'mg/dL', domain: 'measurement' }),
    ev(2, 'SNOMED/38341003', null, { visit_id: 'v2', domain: 'condition' }),
    ev(2, 'RxNorm/308136', null, { visit_id: 'v2', domain: 'medication' }),
    ev(1, 'SNOMED/73761001', null, { visit_id: 'v2', domain: 'procedure' }),
  ];
  events.sort((a, b) => (a.time ?? -Infinity) - (b.time ?? -Infinity));
  const codes: CodeMetadata[] = [
    ['Gender/F', 'Female'],
    ['Race/2106-3', 'White'],
    ['Ethnicity/2186-5', 'Not Hispanic or Latino'],
    ['Visit/OP', 'Outpatient Visit'],
    ['Visit/IP', 'Inpatient Visit'],
    ['SNOMED/44054006', 'Type 2 diabetes mellitus'],
    ['SNOMED/59621000', 'Essential hypertension'],
    ['SNOMED/38341003', 'Hypertensive disorder'],
    ['SNOMED/73761001', 'Colonoscopy'],
    ['RxNorm/860975', 'metformin hydrochloride 500 MG Oral Tablet'],
    ['RxNorm/308136', 'amlodipine 2.5 MG Oral Tablet'],
    ['LOINC/2345-7', 'Glucose [Mass/volume] in Serum or Plasma'],
    ['LOINC/8867-4', 'Heart rate'],
    ['LOINC/8310-5', 'Body temperature'],
    ['LOINC/29463-7', 'Body weight'],
    ['LOINC/718-7', 'Hemoglobin [Mass/volume] in Blood'],
  ].map(([code, description]) => ({ code: code as string, description: description as string, parentCodes: [] }));
  return { subject: { subjectId: sid, events }, predictionTime: t, vocabulary: vocabularyFromCodes(codes) };
}

const FORMAT_TITLES: Readonly<Record<SerializeFormat, string>> = {
  markdown: "Markdown format (the paper's serializer)",
  list: "List format (the paper's serializer)",
  'markdown-plus': "Markdown-plus format (ehr-embed's variant)",
  'list-plus': "List-plus format (ehr-embed's variant)",
};

/**
 * The synthetic record in each format the run used (in the run's order, each once), so the
 * report shows what the models of this run read, not a format they never saw.
 */
export function exampleSerializations(formats: readonly SerializeFormat[]): { format: string; title: string; text: string }[] {
  const { subject, predictionTime, vocabulary } = syntheticExample();
  return [...new Set(formats)].map((format) => ({
    format,
    title: `${FORMAT_TITLES[format]} (synthetic record, 23:59 on day 2 of a current inpatient stay)`,
    text: serialize(subject, { predictionTime, format, vocabulary, tokenizer: 'chars' }).text,
  }));
}
