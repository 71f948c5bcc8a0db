import { editDistance } from './parseAcesConfig.ts';

/**
 * The codes nearest to a code (or a regex's literal prefix) that matched nothing: codes that start
 * with its longest matching prefix first, then by edit distance (case ignored). For a warning such
 * as `predicate icu_admission matched no event; closest codes: ICU_ADMISSION//MICU, ...`.
 * @param target the code as written (regexes: pass their literal prefix, see {@link literalPrefix})
 * @param codes the dataset's distinct codes
 * @param k how many to return (default 3)
 */
export function closestCodes(target: string, codes: Iterable<string>, k = 3): string[] {
  const t = target.toUpperCase();
  const scored: { code: string; prefix: number; dist: number }[] = [];
  for (const code of codes) {
    const c = code.toUpperCase();
    let prefix = 0;
    while (prefix < t.length && prefix < c.length && t[prefix] === c[prefix]) prefix++;
    // Edit distance on the first |target| + 8 characters: long codes differ in their tails (units, locations).
    scored.push({ code, prefix, dist: editDistance(t, c.slice(0, t.length + 8)) });
  }
  scored.sort((a, b) => b.prefix - a.prefix || a.dist - b.dist || a.code.localeCompare(b.code));
  const minPrefix = Math.min(3, t.length);
  const byPrefix = scored.filter((s) => s.prefix >= minPrefix);
  const pool = byPrefix.length > 0 ? byPrefix : [...scored].sort((a, b) => a.dist - b.dist || a.code.localeCompare(b.code));
  return pool.slice(0, k).map((s) => s.code);
}

/** The literal text a regex starts with (`^ICU_ADMISSION//.*` → `ICU_ADMISSION//`), for {@link closestCodes}. */
export function literalPrefix(regex: string): string {
  let s = regex.startsWith('^') ? regex.slice(1) : regex;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch === '\\' && i + 1 < s.length && /[^\w]/.test(s[i + 1] as string)) {
      out += s[i + 1];
      i++;
      continue;
    }
    if ('.*+?()[]{}|^$\\'.includes(ch)) break;
    out += ch;
  }
  s = out;
  return s;
}
