import type { Event } from '../types.ts';

/**
 * The unit of a lab result: the `unit` extra column (our converters, EHRSHOT, OMOP), else the
 * unit MIMIC-IV MEDS writes as the last part of the code (`LAB//51265//K/uL`); null when unknown
 * (MIMIC writes `UNK`).
 */
export function labResultUnit(e: Event): string | null {
  const u = e.extra?.unit ?? e.extra?.units;
  if (typeof u === 'string' && u.trim() !== '') return u.trim();
  if (e.code.startsWith('LAB//')) {
    const i = e.code.lastIndexOf('//');
    const tail = i > 3 ? e.code.slice(i + 2).trim() : '';
    if (tail !== '' && tail.toUpperCase() !== 'UNK') return tail;
  }
  return null;
}
