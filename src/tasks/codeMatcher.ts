import { normalizeIcd } from '../vocab/normalizeIcd.ts';
import type { LabelVocabulary } from './LabelVocabulary.ts';
import type { CodeSet } from './taskSpec.ts';

/** Tests whether a MEDS code belongs to a {@link CodeSet}. */
export type CodeMatcher = (code: string) => boolean;

/** Parent chains deeper than this are cut (codes.parquet hierarchies are one or two levels). */
const MAX_PARENT_DEPTH = 8;

// Matchers are rebuilt for every subject otherwise; key by the (immutable, parsed) set and vocabulary.
const cache = new WeakMap<CodeSet, WeakMap<LabelVocabulary, CodeMatcher>>();

/**
 * A matcher for a code set: exact codes, code prefixes, ICD-10-CM / ICD-9-CM prefixes in any MEDS
 * spelling (`ICD10CM/I21.4`, `ICD10CM/I214`, `DIAGNOSIS//ICD//10//I214`), and, when
 * `matchParents` is set (default), any ancestor code from the vocabulary. Answers are memoized per
 * code, so calling it for every event is cheap.
 */
export function codeMatcher(set: CodeSet, vocab: LabelVocabulary): CodeMatcher {
  let byVocab = cache.get(set);
  if (!byVocab) {
    byVocab = new WeakMap();
    cache.set(set, byVocab);
  }
  const hit = byVocab.get(vocab);
  if (hit) return hit;

  const exact = new Set(set.codes);
  const prefixes = set.prefixes;
  const icd10 = set.icd10cm.map(undot);
  const icd9 = set.icd9cm.map(undot);
  const memo = new Map<string, boolean>();

  const direct = (code: string): boolean => {
    if (exact.has(code)) return true;
    for (const p of prefixes) if (code.startsWith(p)) return true;
    if (icd10.length > 0 || icd9.length > 0) {
      const icd = normalizeIcd(code);
      if (icd) {
        const list = icd.version === 10 ? icd10 : icd9;
        for (const p of list) if (icd.code.startsWith(p)) return true;
      }
    }
    return false;
  };

  const matches = (code: string): boolean => {
    const known = memo.get(code);
    if (known !== undefined) return known;
    let result = direct(code);
    if (!result && set.matchParents) {
      // Breadth-first over ancestors; `seen` guards against cycles in hand-made hierarchies.
      const seen = new Set<string>([code]);
      let frontier: readonly string[] = [code];
      for (let depth = 0; depth < MAX_PARENT_DEPTH && !result && frontier.length > 0; depth++) {
        const next: string[] = [];
        for (const c of frontier) {
          for (const p of vocab.parents(c)) {
            if (seen.has(p)) continue;
            seen.add(p);
            if (direct(p)) {
              result = true;
              break;
            }
            next.push(p);
          }
          if (result) break;
        }
        frontier = next;
      }
    }
    memo.set(code, result);
    return result;
  };
  byVocab.set(vocab, matches);
  return matches;
}

function undot(prefix: string): string {
  return prefix.replaceAll('.', '').toUpperCase();
}
