/**
 * The tokenizer contract used for token budgets.
 *
 * Budgets only need counts, never ids, so the interface is a counter. Counts exclude the special
 * tokens a model adds around a text (BOS, EOS): the embedder adds its own wrapper (instruction,
 * `Query:` prefix, special tokens) and accounts for it separately.
 */

/** Counts tokens of a text the way a model's tokenizer would. */
export interface Tokenizer {
  /** Registry name, for example `qwen2`, `llama3` or `chars`. */
  readonly name: string;
  /** Number of tokens of `text`, without special tokens added around it. */
  count(text: string): number;
  /**
   * True when counts add up over lines: for any text `a` that ends with `\n` and any text `b`
   * that starts with a character that is neither whitespace nor a combining mark,
   * `count(a + b) === count(a) + count(b)`.
   *
   * This holds for byte-level BPE tokenizers whose pre-tokenizer regex cannot carry a match
   * across a newline into a following non-space character (the GPT-4-style patterns of Qwen2/3
   * and Llama 3: `\s*[\r\n]+` and `[^\s\p{L}\p{N}]+[\r\n]*` end every newline run, and the
   * letter pattern `[^\r\n\p{L}\p{N}]?\p{L}+` cannot start at a newline), and BPE merges never
   * cross pre-token boundaries. It lets the serializer count each distinct line once, cache it,
   * and sum. Tokenizers that do not promise it are counted on the whole text instead.
   */
  readonly newlineAdditive: boolean;
  /**
   * True when counts also add up at these points inside a line, provided the line contains no
   * `<` (added tokens such as `<|im_start|>` are matched before pre-tokenization): before a space
   * that follows a non-whitespace character, and between `(` and an ASCII digit.
   *
   * For the cl100k-style patterns of Qwen2/3 and Llama 3 no pre-token can contain such a space
   * unless it starts there: a space may only open a match (the optional first character of
   * `[^\r\n\p{L}\p{N}]?\p{L}+` and ` ?[^\s\p{L}\p{N}]+`) or sit in a whitespace run, and a run
   * that contains it would have to contain the non-whitespace character before it. A piece
   * never ends in whitespace, so the lookahead of `\s+(?!\S)` sees the same thing in the piece
   * as in the line; `(` then a digit is a boundary because punctuation runs exclude digits. This
   * lets lines such as `- Glucose (mg/dL): 210 (high), 95` be counted as cached words
   * (`-`, ` Glucose`, ` (mg/dL):`, ` 210`, ` (high),`, ` 95`), so that unseen combinations of
   * known words cost map lookups rather than tokenization.
   */
  readonly pieceAdditive?: boolean;
}
