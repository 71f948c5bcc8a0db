/** UCUM spellings → how they read in text. */
const SPECIAL: Readonly<Record<string, string>> = lookupTable({
  'mm[Hg]': 'mmHg',
  '[degF]': '°F',
  Cel: '°C',
  '[lb_av]': 'lb',
  '[oz_av]': 'oz',
  '[in_i]': 'in',
  '[in_us]': 'in',
  '[ft_i]': 'ft',
  '{score}': 'score',
});

const cache = new Map<string, string>();

/**
 * A unit as it should read in the record: UCUM bracket names spelled out (`mm[Hg]` → `mmHg`,
 * `[degF]` → `°F`, `Cel` → `°C`, `[lb_av]` → `lb`), powers of ten written `10^3/uL`, annotations
 * unwrapped (`{beats}/min` → `beats/min`). Other units pass through unchanged.
 */
import { lookupTable } from '../lookupTable.ts';
export function displayUnit(unit: string): string {
  let d = cache.get(unit);
  if (d === undefined) {
    d =
      SPECIAL[unit] ??
      unit
        .replace(/10\*(-?\d+)/g, '10^$1')
        .replace(/[{}]/g, '')
        .replace(/[\s\u0085]+/g, ' ')
        .trim();
    if (cache.size < 10_000) cache.set(unit, d);
  }
  return d;
}
