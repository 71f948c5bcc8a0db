import { demographicLabel, raceTextLabel } from './demographicLabel.ts';
import type { PreparedSubject } from './PreparedSubject.ts';

/** A demographic statement and the event it comes from. */
export interface DemographicFact {
  /** `Patient age: 67`, `Female`, `White`, `Not Hispanic or Latino`. */
  readonly text: string;
  /** Index of the source event. */
  readonly source: number;
}

/** Whole years from birth to `t` (UTC calendar). */
export function ageInYears(birth: number, t: number): number {
  const b = new Date(birth);
  const d = new Date(t);
  let years = d.getUTCFullYear() - b.getUTCFullYear();
  if (d.getUTCMonth() < b.getUTCMonth() || (d.getUTCMonth() === b.getUTCMonth() && d.getUTCDate() < b.getUTCDate())) years--;
  return years;
}

/**
 * Age at the prediction time, sex, race and ethnicity, each from the latest usable event that
 * states it (race falls back to MIMIC's free-text `extra.race` on admission rows).
 *
 * @param p the prepared subject
 * @param k number of usable events: only indices below it are read
 * @param predictionTime epoch ms
 */
export function demographicFacts(p: PreparedSubject, k: number, predictionTime: number): DemographicFact[] {
  let birth = -1;
  let sex = -1;
  let race = -1;
  let ethnicity = -1;
  let raceText = -1;
  for (const i of p.demographics) {
    if (i >= k) break;
    switch (p.demographicKind[i]) {
      case 'birth':
        birth = i;
        break;
      case 'sex':
        sex = i;
        break;
      case 'race':
        race = i;
        break;
      case 'ethnicity':
        ethnicity = i;
        break;
      default:
        if (raceTextLabel(String(p.events[i]?.extra?.race)) !== null) raceText = i;
    }
  }
  const facts: DemographicFact[] = [];
  const code = (i: number): string => p.events[i]?.code ?? '';
  const birthTime = birth >= 0 ? (p.events[birth]?.time ?? null) : null;
  if (birthTime !== null) facts.push({ text: `Patient age: ${ageInYears(birthTime, predictionTime)}`, source: birth });
  if (sex >= 0) facts.push({ text: demographicLabel(code(sex), p.vocabulary), source: sex });
  if (race >= 0) facts.push({ text: demographicLabel(code(race), p.vocabulary), source: race });
  else if (raceText >= 0) facts.push({ text: raceTextLabel(String(p.events[raceText]?.extra?.race)) as string, source: raceText });
  if (ethnicity >= 0) facts.push({ text: demographicLabel(code(ethnicity), p.vocabulary), source: ethnicity });
  return facts;
}
