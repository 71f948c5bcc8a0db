/**
 * Text written the way the reference builds it: one string with Python's separators, plus the
 * source events of each non-blank line in order (blank lines have none).
 */
export class ReferenceText {
  private readonly parts: string[] = [];
  /** Sources of each non-blank line, in output order. */
  readonly sources: (readonly number[])[] = [];

  /** Append `text` (whole lines plus separators); every non-blank line in it gets `src`. */
  add(text: string, src: readonly number[] = NONE): void {
    this.parts.push(text);
    if (text.indexOf('\n') < 0) {
      if (text !== '') this.sources.push(src);
      return;
    }
    for (const piece of text.split('\n')) if (piece !== '') this.sources.push(src);
  }

  /** The text, with runs of three or more newlines made two (the reference's final `re.sub`) when `collapse`. */
  text(collapse: boolean): string {
    const t = this.parts.join('');
    return collapse ? t.replace(/\n{3,}/g, '\n\n') : t;
  }
}

const NONE: readonly number[] = Object.freeze([]);
