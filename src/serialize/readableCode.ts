/**
 * Readable fallbacks for codes without a description.
 */
import { lookupTable } from '../lookupTable.ts';

/** MIMIC-IV MEDS code prefixes (the part before the first `//`) and how to read them. */
const MIMIC_PREFIXES: Readonly<Record<string, string>> = lookupTable({
  HOSPITAL_ADMISSION: 'Hospital admission',
  HOSPITAL_DISCHARGE: 'Hospital discharge',
  ED_REGISTRATION: 'Emergency department registration',
  ED_OUT: 'Emergency department discharge',
  ICU_ADMISSION: 'ICU admission',
  ICU_DISCHARGE: 'ICU discharge',
  TRANSFER_TO: 'Transfer to',
  SUBJECT_WEIGHT_AT_INFUSION: 'Weight at infusion',
  SUBJECT_FLUID_OUTPUT: 'Fluid output',
  INFUSION_START: 'Infusion start',
  INFUSION_END: 'Infusion end',
  DIAGNOSIS: 'Diagnosis',
  PROCEDURE: 'Procedure',
  LAB: 'Lab',
  GENDER: 'Gender',
  MEDICATION: 'Medication',
});

const SPECIAL: Readonly<Record<string, string>> = lookupTable({
  MEDS_BIRTH: 'Birth',
  MEDS_DEATH: 'Death',
});

/**
 * A readable form of a code, used when the vocabulary has no description:
 * `LOINC/4548-4` → `LOINC 4548-4`; MIMIC's `//`-separated codes read as a phrase
 * (`MEDICATION//START//Heparin` → `Heparin`, `MEDICATION//STOP//Heparin` → `Heparin (stopped)`,
 * `ICU_ADMISSION//Trauma SICU (TSICU)` → `ICU admission: Trauma SICU (TSICU)`, `LAB//51249//g/dL` →
 * `Lab item 51249`, the unit being shown with the value); `UNK` parts are dropped.
 */
export function readableCode(code: string): string {
  const special = SPECIAL[code] ?? (Object.hasOwn(MIMIC_PREFIXES, code) ? MIMIC_PREFIXES[code] : undefined);
  if (special !== undefined) return special;
  if (code.includes('//')) {
    const parts = code.split('//').filter((p) => p !== '' && p !== 'UNK');
    const [head = '', ...rest] = parts;
    if (head === 'MEDICATION' && rest.length >= 2) {
      // Prescriptions: MEDICATION//START|STOP//<drug>; eMAR: MEDICATION//<drug>//<action>.
      const [first = '', ...more] = rest;
      const tail = more.join(' ');
      if (first === 'START') return tail;
      if (first === 'STOP') return `${tail} (stopped)`;
      return `${first} (${tail.toLowerCase()})`;
    }
    if (head === 'LAB' && rest.length >= 1) return `Lab item ${rest[0]}`;
    const label = Object.hasOwn(MIMIC_PREFIXES, head) ? (MIMIC_PREFIXES[head] as string) : head.replaceAll('_', ' ');
    return rest.length === 0 ? label : `${label}: ${rest.join(' ')}`;
  }
  const slash = code.indexOf('/');
  return slash > 0 ? `${code.slice(0, slash)} ${code.slice(slash + 1)}` : code;
}
