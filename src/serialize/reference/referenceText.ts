/**
 * Text written the way the reference builds it: lines and newline separators, with the source
 * events of each non-blank line in order (blank lines have none).
 *
 * With `collapse`, runs of three or more newlines become two, as the reference's final
 * `re.sub(r'\n{3,}', '\n\n', result)` does: separators are merged as they come, and the regular
 * expression runs only when a line itself holds line breaks (a multi-line text value).
 */
export class ReferenceText {
  private out = '';
  private pending = 0;
  private multiLine = false;
  /** Sources of each non-blank line, in output order. */
  readonly sources: (readonly number[])[] = [];

  constructor(private readonly collapse: boolean) {}

  /** Append one line (no newline around it) made from the events `src`. */
  line(text: string, src: readonly number[] = NONE): void {
    if (text === '') return;
    this.flush();
    this.out += text;
    if (text.indexOf('\n') < 0) {
      this.sources.push(src);
      return;
    }
    // A value with line breaks in it: every non-blank piece is a line of the output.
    this.multiLine = true;
    for (const piece of text.split('\n')) if (piece !== '') this.sources.push(src);
  }

  /** Append `n` newlines (a separator, blank lines). */
  sep(n: number): void {
    this.pending += n;
  }

  private flush(): void {
    const n = this.collapse && this.pending > 2 ? 2 : this.pending;
    if (n > 0) this.out += n === 1 ? '\n' : n === 2 ? '\n\n' : '\n'.repeat(n);
    this.pending = 0;
  }

  /** The text. */
  text(): string {
    this.flush();
    return this.collapse && this.multiLine ? this.out.replace(/\n{3,}/g, '\n\n') : this.out;
  }
}

const NONE: readonly number[] = Object.freeze([]);
