/**
 * Where descriptions and the code hierarchy come from. The serializer and the labelers ask only
 * these two questions, so any source fits (codes.parquet, an OMOP CONCEPT table, a title file).
 */
export interface Vocabulary {
  /** Human-readable description of `code`, or `null` when there is none. */
  describe(code: string): string | null;
  /** Direct parent codes of `code` (for example `LOINC/777-3` for MIMIC's `LAB//51265//K/uL`); empty when none. */
  parents(code: string): readonly string[];
}

/** Which link of a {@link VocabularyChain} described a code. */
export type DescriptionSource = 'codes.parquet' | 'omop-concept' | 'icd10cm-titles' | 'parent' | 'none';
