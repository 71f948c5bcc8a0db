import type { Tokenizer } from './tokenizer.ts';

/**
 * A tokenizer that counts characters as JavaScript does: UTF-16 code units (`text.length`; an
 * emoji outside the Basic Multilingual Plane counts 2).
 *
 * For tests, for character budgets of models without a tokenizer here, and for serializing
 * without a budget when token counts do not matter (it costs nothing). Trivially additive.
 */
export const charsTokenizer: Tokenizer = {
  name: 'chars',
  newlineAdditive: true,
  pieceAdditive: true,
  count: (text: string): number => text.length,
};
