/**
 * Text written the way the reference builds it: lines and newline separators, with the source
 * events of each non-blank line in order (blank lines have none).
 *
 * With `collapse`, runs of three or more newlines become two, as the reference's final
 * `re.sub(r'\n{3,}', '\n\n', result)` does: separators are merged as they come, and the regular
 * expression runs only when a line itself holds line breaks (a multi-line text value).
 *
 * Lines are appended without being scanned for line breaks (scanning a concatenated string
 * flattens it, a copy per line): callers say when a line may hold one (it comes from a
 * description, unit or text value that does; see {@link hasBreak}). Sources are kept in one
 * flat list, so a line costs no array of its own.
 */
export class ReferenceText {
  private out = '';
  private pending = 0;
  private multiLine = false;
  /** Source event indices of all lines, flat; line k's are `flat[ends[k-1] .. ends[k])`. */
  private readonly flat: number[] = [];
  /** End offset in {@link ReferenceText.flat} of each non-blank line's sources. */
  private readonly ends: number[] = [];

  constructor(private readonly collapse: boolean) {}

  /** Number of non-blank lines so far. */
  get lineCount(): number {
    return this.ends.length;
  }

  /** Source event indices of non-blank line `k`. */
  sourcesOf(k: number): number[] {
    const end = this.ends[k];
    if (end === undefined) return [];
    return this.flat.slice(k === 0 ? 0 : (this.ends[k - 1] as number), end);
  }

  /**
   * Append one line (no newline around it) made from the events `src`; `mayBreak`: the text
   * may hold line breaks (every non-blank piece then counts as a line with these sources).
   */
  line(text: string, src: readonly number[] = NONE, mayBreak = false): void {
    if (text === '') return;
    this.flush();
    this.out += text;
    const flat = this.flat;
    for (let j = 0; j < src.length; j++) flat.push(src[j] as number);
    if (!mayBreak || text.indexOf('\n') < 0) {
      this.ends.push(flat.length);
      return;
    }
    this.pieces(text, flat.length - src.length);
  }

  /** Add source event `i` to the line being built (before {@link ReferenceText.endLine}). */
  source(i: number): void {
    this.flat.push(i);
  }

  /** Append a line whose sources were given with {@link ReferenceText.source} since the last line. */
  endLine(text: string, mayBreak: boolean): void {
    const from = this.ends.length === 0 ? 0 : (this.ends[this.ends.length - 1] as number);
    if (text === '') {
      this.flat.length = from;
      return;
    }
    this.flush();
    this.out += text;
    if (!mayBreak || text.indexOf('\n') < 0) this.ends.push(this.flat.length);
    else this.pieces(text, from);
  }

  /** A line with breaks in it: every non-blank piece is a line of the output, with the same sources. */
  private pieces(text: string, from: number): void {
    this.multiLine = true;
    const flat = this.flat;
    const to = flat.length;
    let firstPiece = true;
    for (const piece of text.split('\n')) {
      if (piece === '') continue;
      if (!firstPiece) for (let j = from; j < to; j++) flat.push(flat[j] as number);
      this.ends.push(flat.length);
      firstPiece = false;
    }
    if (firstPiece) flat.length = from; // only line breaks: no line, no sources
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

/** Whether a (flat) string holds a line break: descriptions, units and text values may. */
export function hasBreak(s: string | null): boolean {
  return s !== null && s.indexOf('\n') >= 0;
}

const NONE: readonly number[] = Object.freeze([]);
