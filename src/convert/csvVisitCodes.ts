/**
 * Visit codes of the CSV converters (Synthea, OMOP, EHRSHOT) and their descriptions. The codes
 * are OMOP's `Visit` vocabulary codes (concept 9201 is `Visit/IP`, 9203 `Visit/ER`, 262
 * `Visit/ERIP`), which is what EHRSHOT writes; Synthea's encounter classes map onto the same codes
 * (and the same words the FHIR converter maps), so that one labeler finds inpatient stays in any
 * source.
 */
import { lookupTable } from '../lookupTable.ts';

/** Description of every visit code a CSV converter may write, by code. */
export const VISIT_DESCRIPTIONS: Readonly<Record<string, string>> = lookupTable({
  'Visit/IP': 'Inpatient Visit',
  'Visit/ER': 'Emergency Room Visit',
  'Visit/ERIP': 'Emergency Room and Inpatient Visit',
  'Visit/OP': 'Outpatient Visit',
  'Visit/AMB': 'Ambulatory Visit',
  'Visit/WELL': 'Wellness Visit',
  'Visit/URGENT': 'Urgent Care Visit',
  'Visit/HH': 'Home Health Visit',
  'Visit/VR': 'Virtual Visit',
});

/** Synthea `ENCOUNTERCLASS` words → visit codes. */
const SYNTHEA_CLASSES: Readonly<Record<string, string>> = lookupTable({
  inpatient: 'Visit/IP',
  emergency: 'Visit/ER',
  outpatient: 'Visit/OP',
  ambulatory: 'Visit/AMB',
  wellness: 'Visit/WELL',
  urgentcare: 'Visit/URGENT',
  home: 'Visit/HH',
  virtual: 'Visit/VR',
});

/**
 * The visit code and description of a Synthea encounter class. An unknown class becomes
 * `Visit/<CLASS>` (upper case, punctuation as `_`) described as `<class> Visit`; `known` tells
 * the caller to count it as a fallback.
 */
export function csvVisitCode(encounterClass: string): { code: string; description: string; known: boolean } {
  const cls = encounterClass.trim();
  const code = SYNTHEA_CLASSES[cls.toLowerCase()];
  if (code !== undefined) return { code, description: VISIT_DESCRIPTIONS[code] ?? code, known: true };
  const upper = cls.toUpperCase().replace(/[^A-Z0-9]+/g, '_') || 'UNKNOWN';
  const other = `Visit/${upper}`;
  return { code: other, description: VISIT_DESCRIPTIONS[other] ?? `${cls || 'Unknown'} Visit`, known: false };
}
