import type { Event } from '../types.ts';
import { lookupTable } from '../lookupTable.ts';

/** The kind of clinical fact an event records; decides its heading inside a visit. */
export type EventGroup =
  'condition' | 'medication' | 'procedure' | 'measurement' | 'observation' | 'immunization' | 'allergy' | 'device' | 'careplan' | 'other';

/** Headings of the groups inside a detailed visit, in the order they are shown. */
export const EVENT_GROUP_HEADINGS: Readonly<Record<EventGroup, string>> = {
  condition: 'Conditions',
  medication: 'Medications',
  procedure: 'Procedures',
  measurement: 'Measurements',
  observation: 'Observations',
  immunization: 'Immunizations',
  allergy: 'Allergies',
  device: 'Devices',
  careplan: 'Care Plans',
  other: 'Other Events',
};

/** All groups in display order. */
export const EVENT_GROUPS: readonly EventGroup[] = Object.keys(EVENT_GROUP_HEADINGS) as EventGroup[];

/**
 * `extra.domain` / `extra.table` values (our converters' domains, OMOP CDM tables, Synthea CSV
 * files, MIMIC tables) → group. Lower-cased, `_occurrence`/`_exposure` suffixes removed before lookup.
 */
const DOMAIN_GROUPS: Readonly<Record<string, EventGroup>> = lookupTable({
  condition: 'condition',
  conditions: 'condition',
  diagnosis: 'condition',
  diagnoses: 'condition',
  diagnoses_icd: 'condition',
  problem: 'condition',
  medication: 'medication',
  medications: 'medication',
  drug: 'medication',
  drugs: 'medication',
  prescriptions: 'medication',
  emar: 'medication',
  inputevents: 'medication',
  medicationrequest: 'medication',
  procedure: 'procedure',
  procedures: 'procedure',
  procedures_icd: 'procedure',
  procedureevents: 'procedure',
  measurement: 'measurement',
  measurements: 'measurement',
  diagnostic_report: 'measurement',
  diagnosticreport: 'measurement',
  lab: 'measurement',
  labs: 'measurement',
  labevents: 'measurement',
  chartevents: 'measurement',
  outputevents: 'measurement',
  observation: 'observation',
  observations: 'observation',
  immunization: 'immunization',
  immunizations: 'immunization',
  vaccine: 'immunization',
  allergy: 'allergy',
  allergies: 'allergy',
  allergyintolerance: 'allergy',
  device: 'device',
  devices: 'device',
  supplies: 'device',
  death: 'other',
  note: 'other',
  notes: 'other',
  careplan: 'careplan',
  careplans: 'careplan',
  care_plan: 'careplan',
  care_plans: 'careplan',
});

/** Vocabulary (the part of a code before `/`, or MIMIC's part before `//`) → group. */
const VOCABULARY_GROUPS: Readonly<Record<string, EventGroup>> = lookupTable({
  ICD9CM: 'condition',
  ICD10CM: 'condition',
  ICD10: 'condition',
  ICD9: 'condition',
  ICDO3: 'condition',
  ICD10CN: 'condition',
  ICD10GM: 'condition',
  DIAGNOSIS: 'condition',
  RxNorm: 'medication',
  'RxNorm Extension': 'medication',
  ATC: 'medication',
  NDC: 'medication',
  MEDICATION: 'medication',
  INFUSION_START: 'medication',
  INFUSION_END: 'medication',
  CVX: 'immunization',
  CPT4: 'procedure',
  CPT: 'procedure',
  HCPCS: 'procedure',
  ICD10PCS: 'procedure',
  ICD9Proc: 'procedure',
  ICD9PCS: 'procedure',
  PROCEDURE: 'procedure',
  LOINC: 'measurement',
  LAB: 'measurement',
  SUBJECT_FLUID_OUTPUT: 'measurement',
  SUBJECT_WEIGHT_AT_INFUSION: 'measurement',
});

/** SNOMED CT semantic tags (the trailing parenthesis of a fully specified name) → group. */
const SNOMED_TAG_GROUPS: Readonly<Record<string, EventGroup>> = lookupTable({
  disorder: 'condition',
  finding: 'condition',
  situation: 'condition',
  'morphologic abnormality': 'condition',
  event: 'condition',
  procedure: 'procedure',
  'regime/therapy': 'procedure',
  'observable entity': 'observation',
  substance: 'allergy',
  organism: 'allergy',
  'physical object': 'device',
  product: 'medication',
});

const SNOMED_TAG = /\s*\(([a-z/ ]+)\)\s*$/;

/** The vocabulary part of a code: before `//` for MIMIC-style codes, else before the first `/`. */
export function codeVocabulary(code: string): string {
  const dd = code.indexOf('//');
  if (dd >= 0) return code.slice(0, dd);
  const s = code.indexOf('/');
  return s >= 0 ? code.slice(0, s) : code;
}

/** The SNOMED CT semantic tag at the end of a description (`"Hypertension (disorder)"` → `disorder`), or null. */
export function snomedTag(description: string): string | null {
  const m = SNOMED_TAG.exec(description);
  return m !== null && m[1] !== undefined && Object.hasOwn(SNOMED_TAG_GROUPS, m[1]) ? m[1] : null;
}

/** A description without its SNOMED CT semantic tag (`"Hypertension (disorder)"` → `"Hypertension"`). */
export function stripSnomedTag(description: string): string {
  return snomedTag(description) === null ? description : description.replace(SNOMED_TAG, '');
}

/** The group named by an event's `extra.domain` or `extra.table`, if any. */
export function domainGroup(event: Event): EventGroup | null {
  const extra = event.extra;
  if (extra === undefined) return null;
  return groupOfDomain(extra.domain) ?? groupOfDomain(extra.table);
}

// A dataset has a handful of domain and table names: look each up once.
const domains = new Map<string, EventGroup | null>();

function groupOfDomain(v: unknown): EventGroup | null {
  if (typeof v !== 'string') return null;
  let g = domains.get(v);
  if (g === undefined) {
    const k = v.toLowerCase().replace(/_(occurrence|exposure)$/, '');
    g = Object.hasOwn(DOMAIN_GROUPS, k) ? (DOMAIN_GROUPS[k] as EventGroup) : null;
    if (domains.size < 1000) domains.set(v, g);
  }
  return g;
}

/**
 * The group of a code when the event gives no domain: by vocabulary (ICD → condition, RxNorm →
 * medication, CPT4 → procedure, LOINC → measurement, ...), else by the vocabularies of its parents
 * (MIMIC's `DIAGNOSIS//ICD//9//4280` has parent `ICD9CM/428.0`), else for SNOMED by the semantic tag
 * of its description, else `condition` for SNOMED and `other` for the rest.
 *
 * @param code the event's code
 * @param description its description as given by the vocabulary (with any semantic tag)
 * @param parents its parent codes
 */
export function codeGroup(code: string, description: string | null, parents: readonly string[]): EventGroup {
  const vocab = codeVocabulary(code);
  const direct = Object.hasOwn(VOCABULARY_GROUPS, vocab) ? VOCABULARY_GROUPS[vocab] : undefined;
  if (direct !== undefined) return direct;
  if (vocab === 'SNOMED' || vocab === 'SNOMEDCT' || vocab === 'SNOMED-CT') {
    const tag = description === null ? null : snomedTag(description);
    return tag === null ? 'condition' : (SNOMED_TAG_GROUPS[tag] as EventGroup);
  }
  for (const p of parents) {
    const g = Object.hasOwn(VOCABULARY_GROUPS, codeVocabulary(p)) ? VOCABULARY_GROUPS[codeVocabulary(p)] : undefined;
    if (g !== undefined) return g;
  }
  return 'other';
}
