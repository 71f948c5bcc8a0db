import type { Event } from '../types.ts';
import type { AcesCodeMatch, AcesPlainPredicate } from './AcesConfig.ts';

/** Tests one MEDS row against a plain predicate. */
export type EventMatcher = (event: Event) => boolean;

/**
 * A matcher for a plain ACES predicate, with ACES's semantics: the code equals, is in the list, or
 * contains a match of the regex (polars `str.contains`, not a full match); then `numeric_value`
 * must satisfy `value_min` / `value_max` (exclusive unless `*_inclusive: true`), and a row without
 * a numeric value fails any bound. Bounds are compared as float32, like the stored values. Code answers are memoized (a dataset has few distinct codes).
 */
export function plainPredicateMatcher(p: AcesPlainPredicate): EventMatcher {
  const codeOk = codeMatcher(p.code);
  // MEDS numeric_value is float32 and polars compares it with the bound cast to float32: so here.
  const lo = p.valueMin === null ? null : Math.fround(p.valueMin);
  const hi = p.valueMax === null ? null : Math.fround(p.valueMax);
  const { valueMinInclusive: loIn, valueMaxInclusive: hiIn } = p;
  if (lo === null && hi === null) return (e) => codeOk(e.code);
  return (e) => {
    if (!codeOk(e.code)) return false;
    const v = e.numericValue;
    if (v === null || Number.isNaN(v)) return false;
    if (lo !== null && (loIn ? v < lo : v <= lo)) return false;
    if (hi !== null && (hiIn ? v > hi : v >= hi)) return false;
    return true;
  };
}

/** A memoized test of a code against a predicate's code match. */
export function codeMatcher(m: AcesCodeMatch): (code: string) => boolean {
  switch (m.kind) {
    case 'exact':
      return (c) => c === m.code;
    case 'any': {
      const set = new Set(m.codes);
      return (c) => set.has(c);
    }
    case 'regex': {
      const memo = new Map<string, boolean>();
      const re = m.regex;
      return (c) => {
        let hit = memo.get(c);
        if (hit === undefined) {
          re.lastIndex = 0;
          hit = re.test(c);
          if (memo.size < 1_000_000) memo.set(c, hit);
        }
        return hit;
      };
    }
  }
}
