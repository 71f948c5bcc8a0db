import type { Vocabulary } from '../vocab/Vocabulary.ts';

/**
 * What labelers ask of a vocabulary: a code's parent codes (for example `LOINC/777-3` for MIMIC's
 * `LAB//51265//K/uL`, `ICD9CM/401.9` for `DIAGNOSIS//ICD//9//4019`). Any {@link Vocabulary} fits.
 */
export type LabelVocabulary = Pick<Vocabulary, 'parents'>;

const NONE: readonly string[] = Object.freeze([]);

/** A vocabulary without a hierarchy: code sets then match codes only as written. */
export const NO_PARENTS: LabelVocabulary = Object.freeze({ parents: () => NONE });
