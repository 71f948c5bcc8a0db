import type { CodeMetadata } from '../types.ts';

/**
 * Where descriptions and the code hierarchy come from (for example `metadata/codes.parquet`).
 *
 * The serializer only asks two questions of it, so any source fits: a Map built from
 * codes.parquet, an OMOP CONCEPT table, a remote terminology server behind a cache.
 */
export interface Vocabulary {
  /** Human-readable description of `code`, or `null` when there is none. */
  describe(code: string): string | null;
  /** Direct parent codes of `code` (for example `LOINC/777-3` for MIMIC's `LAB//51265//K/uL`); empty when none. */
  parents(code: string): readonly string[];
}

const NO_PARENTS: readonly string[] = Object.freeze([]);

/** A vocabulary that knows nothing: every description falls back to a readable form of the code. */
export const EMPTY_VOCABULARY: Vocabulary = Object.freeze({
  describe: () => null,
  parents: () => NO_PARENTS,
});

/**
 * A vocabulary over rows of `metadata/codes.parquet` (a later row for the same code wins; empty
 * descriptions count as missing).
 */
export function vocabularyFromCodes(rows: Iterable<CodeMetadata>): Vocabulary {
  const byCode = new Map<string, CodeMetadata>();
  for (const row of rows) byCode.set(row.code, row);
  return {
    describe: (code) => {
      const d = byCode.get(code)?.description;
      return d === undefined || d === null || d.trim() === '' ? null : d;
    },
    parents: (code) => byCode.get(code)?.parentCodes ?? NO_PARENTS,
  };
}
