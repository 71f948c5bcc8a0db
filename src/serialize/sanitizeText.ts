/**
 * One-line text for the serialized record.
 *
 * Every output line must be non-empty, contain no line break and start with a character that
 * is neither whitespace nor a combining mark: that is what makes per-line token counts add up
 * exactly (see `Tokenizer.newlineAdditive`), and stray line breaks inside a description would
 * break the Markdown structure anyway. U+0085 is listed because JS `\s` omits it while the
 * tokenizers' Unicode `\s` includes it.
 */
export function sanitizeText(text: string): string {
  return text
    .replace(/[\s\u0085]+/g, ' ')
    .trim()
    .replace(/^\p{M}+/u, '');
}
