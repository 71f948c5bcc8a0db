import type { Vocabulary } from '../serialize/vocabulary.ts';

/**
 * A vocabulary that asks `primary` first and `fallback` for what `primary` does not know.
 *
 * The server serves texts with the training dataset's descriptions (a probe's vocabulary, or the
 * `--meds` dataset's) so that a code reads the same as it did in training, even when a request's
 * bundle describes it in other words; codes the training data never saw get the request's own.
 */
export function layeredVocabulary(primary: Vocabulary, fallback: Vocabulary): Vocabulary {
  return {
    describe: (code) => primary.describe(code) ?? fallback.describe(code),
    parents: (code) => {
      const p = primary.parents(code);
      return p.length > 0 ? p : fallback.parents(code);
    },
  };
}
