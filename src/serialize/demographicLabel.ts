import type { Vocabulary } from './vocabulary.ts';
import { sanitizeText } from './sanitizeText.ts';
import { lookupTable } from '../lookupTable.ts';

/** Built-in labels for the value part of demographic codes (upper-cased), before the vocabulary. */
const LABELS: Readonly<Record<string, string>> = lookupTable({
  // sex
  F: 'Female',
  FEMALE: 'Female',
  M: 'Male',
  MALE: 'Male',
  // race: Synthea values and CDC race codes (FHIR US Core)
  WHITE: 'White',
  '2106-3': 'White',
  BLACK: 'Black or African American',
  '2054-5': 'Black or African American',
  ASIAN: 'Asian',
  '2028-9': 'Asian',
  NATIVE: 'American Indian or Alaska Native',
  '1002-5': 'American Indian or Alaska Native',
  HAWAIIAN: 'Native Hawaiian or Other Pacific Islander',
  '2076-8': 'Native Hawaiian or Other Pacific Islander',
  OTHER: 'Other race',
  '2131-1': 'Other race',
  // ethnicity
  HISPANIC: 'Hispanic or Latino',
  '2135-2': 'Hispanic or Latino',
  NONHISPANIC: 'Not Hispanic or Latino',
  'NON-HISPANIC': 'Not Hispanic or Latino',
  '2186-5': 'Not Hispanic or Latino',
});

/** Free-text values that say nothing about the subject (MIMIC's `race` column). */
const UNINFORMATIVE = new Set(['UNKNOWN', 'UNABLE TO OBTAIN', 'PATIENT DECLINED TO ANSWER', 'DECLINED TO ANSWER', 'UNK', '']);

/** `BLACK/AFRICAN AMERICAN` → `Black/African American`. */
export function titleCase(text: string): string {
  return text.toLowerCase().replace(/(^|[\s/(-])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
}

/**
 * The label of a sex, race or ethnicity code (`Gender/F`, `GENDER//F`, `Race/white`,
 * `Ethnicity/2186-5`): a built-in label for the usual values, else the vocabulary's
 * description, else the value part of the code, title-cased.
 */
export function demographicLabel(code: string, vocabulary: Vocabulary): string {
  const sep = code.includes('//') ? code.lastIndexOf('//') + 2 : code.indexOf('/') + 1;
  const value = code.slice(sep);
  const builtin = LABELS[value.toUpperCase()];
  if (builtin !== undefined) return builtin;
  const described = vocabulary.describe(code);
  if (described !== null && sanitizeText(described) !== '') return sanitizeText(described);
  return sanitizeText(titleCase(value.replaceAll('_', ' '))) || 'Unknown';
}

/** MIMIC's free-text race (`extra.race` on admission rows) as a label, or null when uninformative. */
export function raceTextLabel(text: string): string | null {
  const t = text.trim().toUpperCase();
  if (UNINFORMATIVE.has(t)) return null;
  return LABELS[t] ?? (sanitizeText(titleCase(text)) || null);
}
