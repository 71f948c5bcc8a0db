import { sanitizeText } from './sanitizeText.ts';
import type { Vocabulary } from './vocabulary.ts';
import type { VisitKind } from '../meds/visits.ts';
import { titleCase } from './demographicLabel.ts';
import { lookupTable } from '../lookupTable.ts';

/** `Visit/<class>` (upper-cased class) → label, as OMOP names its visit concepts. */
const LABELS: Readonly<Record<string, string>> = lookupTable({
  IP: 'Inpatient Visit',
  ERIP: 'Emergency Room and Inpatient Visit',
  ER: 'Emergency Room Visit',
  ED: 'Emergency Room Visit',
  OP: 'Outpatient Visit',
  AMB: 'Ambulatory Visit',
  AMBULATORY: 'Ambulatory Visit',
  INPATIENT: 'Inpatient Visit',
  OUTPATIENT: 'Outpatient Visit',
  EMERGENCY: 'Emergency Room Visit',
  URGENTCARE: 'Urgent Care Visit',
  WELLNESS: 'Wellness Visit',
  WELL: 'Wellness Visit',
  URGENT: 'Urgent Care Visit',
  OBS: 'Observation Visit',
  HH: 'Home Health Visit',
  HOME: 'Home Visit',
  VIRTUAL: 'Virtual Visit',
  TELEHEALTH: 'Telehealth Visit',
  SNF: 'Skilled Nursing Facility Visit',
  HOSPICE: 'Hospice Visit',
  LTCP: 'Long Term Care Visit',
});

/**
 * How a visit is named in headings: a built-in label for the usual classes (`Visit/IP` →
 * `Inpatient Visit`, MIMIC admissions → `Inpatient Visit`, ED registrations → `Emergency Room
 * Visit`), else the vocabulary's description, else the class title-cased plus ` Visit`.
 */
export function visitLabel(code: string, kind: VisitKind, vocabulary: Vocabulary): string {
  if (code.startsWith('HOSPITAL_ADMISSION')) return 'Inpatient Visit';
  if (code.startsWith('ED_REGISTRATION')) return 'Emergency Room Visit';
  const cls = code.startsWith('Visit/') ? code.slice(6) : code;
  const builtin = LABELS[cls.toUpperCase()];
  if (builtin !== undefined) return builtin;
  const described = vocabulary.describe(code);
  if (described !== null && sanitizeText(described) !== '') return sanitizeText(described);
  const words = sanitizeText(titleCase(cls.replace(/[_/]+/g, ' ')));
  if (words === '') return kind === 'other' ? 'Visit' : `${titleCase(kind)} Visit`;
  return /visit$/i.test(words) ? words : `${words} Visit`;
}
