/**
 * Code tables and description rules of the reference serializer (stefanhgm/ehrshot-benchmark,
 * `ehrshot/serialization/ehr_serializer.py` and `LLMFeaturizer.resolve_code_with_custom_ontologies`),
 * restated for ehr-embed's MEDS events.
 */
import type { Vocabulary } from '../vocabulary.ts';

/** One aggregated concept of the reference's Recent sections. */
export interface ReferenceConcept {
  readonly name: string;
  readonly codes: readonly string[];
  readonly min: number;
  readonly max: number;
  /** Normal range `[low, high]`, or null when the concept has none (weight, height, BSA). */
  readonly normal: readonly [number, number] | null;
  readonly unit: string;
  /** `int`: Python `int(x)` (truncation); 1 or 2: fixed decimals. */
  readonly format: 'int' | 1 | 2;
}

const c = (
  name: string,
  codes: string[],
  min: number,
  max: number,
  normal: [number, number] | null,
  unit: string,
  format: 'int' | 1 | 2,
): ReferenceConcept => ({ name, codes, min, max, normal, unit, format });

/** The reference's AGGREGATED_EVENTS (codes, plausible range, normal range, unit, number format). */
export const REFERENCE_CONCEPTS: readonly ReferenceConcept[] = [
  c('Heart rate', ['LOINC/8867-4', 'SNOMED/364075005', 'SNOMED/78564009'], 5, 300, [60, 100], 'bpm', 'int'),
  c('Systolic blood pressure', ['LOINC/8480-6', 'SNOMED/271649006'], 20, 300, [90, 140], 'mmHg', 'int'),
  c('Diastolic blood pressure', ['LOINC/8462-4', 'SNOMED/271650006'], 20, 300, [60, 90], 'mmHg', 'int'),
  // The reference writes [95, 100, 4] (a typo for 100.4): only the first two count.
  c('Body temperature', ['LOINC/8310-5'], 80, 120, [95, 100], '°F', 1),
  c('Respiratory rate', ['LOINC/9279-1'], 1, 100, [12, 18], 'breaths/min', 'int'),
  c('Oxygen saturation', ['LOINC/LP21258-6'], 1, 100, [95, 100], '%', 'int'),
  c('Body weight', ['LOINC/29463-7'], 350, 10000, null, 'oz', 1),
  c('Body height', ['LOINC/8302-2'], 5, 100, null, 'inch', 1),
  c('Body mass index / BMI', ['LOINC/39156-5'], 10, 100, [18.5, 24.9], 'kg/m2', 1),
  c('Body surface area', ['LOINC/8277-6', 'SNOMED/301898006'], 0.1, 10, null, 'm2', 2),
  c('Hemoglobin', ['LOINC/718-7', 'SNOMED/271026005', 'SNOMED/441689006'], 1, 20, [12, 17], 'g/dL', 1),
  c('Hematocrit', ['LOINC/4544-3', 'LOINC/20570-8', 'LOINC/48703-3', 'SNOMED/28317006'], 10, 100, [36, 51], '%', 'int'),
  c('Erythrocytes', ['LOINC/789-8', 'LOINC/26453-1'], 1, 10, [4.2, 5.9], '10^6/uL', 2),
  c('Leukocytes', ['LOINC/20584-9', 'LOINC/6690-2'], 1, 100, [4, 10], '10^3/uL', 1),
  c('Platelets', ['LOINC/777-3', 'SNOMED/61928009'], 10, 1000, [150, 350], '10^3/uL', 'int'),
  c('Sodium', ['LOINC/2951-2', 'LOINC/2947-0', 'SNOMED/25197003'], 100, 200, [136, 145], 'mmol/L', 'int'),
  c('Potassium', ['LOINC/2823-3', 'SNOMED/312468003', 'LOINC/6298-4', 'SNOMED/59573005'], 0.1, 10, [3.5, 5.0], 'mmol/L', 1),
  c('Chloride', ['LOINC/2075-0', 'SNOMED/104589004', 'LOINC/2069-3'], 50, 200, [98, 106], 'mmol/L', 'int'),
  c('Carbon dioxide, total', ['LOINC/2028-9'], 10, 100, [23, 28], 'mmol/L', 'int'),
  c('Calcium', ['LOINC/17861-6', 'SNOMED/271240001'], 1, 20, [9, 10.5], 'mg/dL', 1),
  c(
    'Glucose',
    ['LOINC/2345-7', 'SNOMED/166900001', 'LOINC/2339-0', 'SNOMED/33747003', 'LOINC/14749-6'],
    10,
    1000,
    [70, 100],
    'mg/dL',
    'int',
  ),
  c('Urea nitrogen', ['LOINC/3094-0', 'SNOMED/105011006'], 1, 200, [8, 20], 'mg/dL', 'int'),
  c('Creatinine', ['LOINC/2160-0', 'SNOMED/113075003'], 0.1, 10, [0.7, 1.3], 'mg/dL', 1),
  c('Anion gap', ['LOINC/33037-3', 'LOINC/41276-7', 'SNOMED/25469001'], -20, 50, [3, 11], 'mmol/L', 'int'),
];

/** The reference's Recent sections: heading and concept names in display order. */
export const REFERENCE_RECENT_SECTIONS: readonly { readonly heading: string; readonly names: readonly string[] }[] = [
  { heading: '## Recent Body Metrics', names: ['Body weight', 'Body height', 'Body mass index / BMI', 'Body surface area'] },
  {
    heading: '## Recent Vital Signs',
    names: [
      'Heart rate',
      'Respiratory rate',
      'Systolic blood pressure',
      'Diastolic blood pressure',
      'Body temperature',
      'Oxygen saturation',
    ],
  },
  {
    heading: '## Recent Lab Results',
    names: [
      'Hemoglobin',
      'Hematocrit',
      'Erythrocytes',
      'Leukocytes',
      'Platelets',
      'Sodium',
      'Potassium',
      'Chloride',
      'Carbon dioxide, total',
      'Calcium',
      'Glucose',
      'Urea nitrogen',
      'Creatinine',
      'Anion gap',
    ],
  },
];

/** Exact code → index into {@link REFERENCE_CONCEPTS} (the reference matches codes exactly, no parents). */
export const REFERENCE_CONCEPT_OF: ReadonlyMap<string, number> = new Map(
  REFERENCE_CONCEPTS.flatMap((k, i) => k.codes.map((code) => [code, i] as const)),
);

const AGGREGATED_LOINC = new Set(REFERENCE_CONCEPTS.flatMap((k) => k.codes.filter((code) => code.includes('LOINC'))));

/** `--excluded_ontologies no_unres`, normalized as the reference does (upper case, `_` for spaces). */
const EXCLUDED_ONTOLOGIES = new Set(['CARE_SITE', 'ICDO3']);

/** Vocabularies the reference names from its own CSV files only (a code missing there is dropped). */
const CUSTOM_ONTOLOGY = /^(CPT4|ICD10PCS|CVX)\//;

/** The reference's age pseudo-code prefix (`Patient age: 53`). */
export const AGE_PREFIX = 'Patient age: ';

/** A description from the vocabulary's own entry for the code: never a parent's (femr's ontology has no parent fallback). */
function ownDescription(vocabulary: Vocabulary, code: string): string | null {
  const d = vocabulary.describe(code);
  if (d === null) return null;
  const chain = vocabulary as Vocabulary & { sourceOf?: (code: string) => string };
  if (typeof chain.sourceOf === 'function' && chain.sourceOf(code) === 'parent') return null;
  return d;
}

/**
 * The reference's `resolve_code`: the text shown for a code, or null when the code is left out.
 * `markdown` drops descriptions starting with "Birth" (the Markdown strategy shows the age instead).
 *
 * Differences of input only: femr's ontology is replaced by the vocabulary's own entry (never a
 * parent's description), else the code itself; the reference's custom CSV ontologies (CPT4,
 * ICD-10-PCS, CVX) by the vocabulary's entry, so such a code without one is dropped as there.
 */
export function resolveReferenceCode(vocabulary: Vocabulary, code: string, markdown: boolean): string | null {
  const slash = code.indexOf('/');
  const ontology = (slash < 0 ? code : code.slice(0, slash)).trim();
  if (EXCLUDED_ONTOLOGIES.has(ontology.replaceAll(' ', '_').toUpperCase()) && !AGGREGATED_LOINC.has(code)) return null;
  if (code.startsWith(AGE_PREFIX)) return code;
  if (ontology === 'Cancer Modifier' && !code.includes('OMOP')) {
    return code
      .slice(slash + 1)
      .replace(/[_\-/]/g, ' ')
      .trim();
  }
  const own = ownDescription(vocabulary, code);
  let description = own ?? code;
  if (markdown && description.startsWith('Birth')) return null;
  if (CUSTOM_ONTOLOGY.test(code)) {
    if (own === null) return null;
    description = own;
  }
  return description.trim();
}
