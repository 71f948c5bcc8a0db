import { charsTokenizer } from './charsTokenizer.ts';
import type { Tokenizer } from './tokenizer.ts';

/** What follows a line in the text: nothing (last line), one newline, or a newline and a blank line. */
export type LineEnd = 0 | 1 | 2;

const ENDINGS = ['', '\n', '\n\n'] as const;

/**
 * Counts of one line text for its three endings, packed into one small integer (10 bits each,
 * count + 1, 0 = not counted yet) so that the cache holds no per-line objects. Lines of 1022
 * tokens or more are not cached.
 */
const FIELD_BITS = 10;
const FIELD_MASK = (1 << FIELD_BITS) - 1;

/**
 * Token counts of text lines, cached by line text.
 *
 * A serialized record is a few hundred lines, most of which recur across records (section
 * headings, "No recent data", common diagnoses), so counting each distinct line once and
 * summing is far cheaper than tokenizing every text. The sum is the exact count of the joined
 * text when the tokenizer is {@link Tokenizer.newlineAdditive} and every line is non-empty and
 * starts with neither whitespace nor a combining mark (blank lines are expressed as
 * {@link LineEnd} 2 on the line before them, never as lines of their own).
 *
 * The cache keeps two generations of at most `capacity` lines each: when the young one is
 * full it becomes the old one and the previous old one is dropped; a hit in the old generation
 * is copied to the young one. That bounds memory like an LRU at the cost of one Map lookup more.
 */
export class LineTokenCounter {
  readonly tokenizer: Tokenizer;
  private readonly capacity: number;
  private young = new Map<string, number>();
  private old = new Map<string, number>();

  /**
   * @param tokenizer the tokenizer whose counts are cached
   * @param capacity lines per cache generation (default 200,000; the strings themselves dominate memory)
   */
  constructor(tokenizer: Tokenizer, capacity = 200_000) {
    this.tokenizer = tokenizer;
    this.capacity = capacity;
  }

  /** Tokens of `line` followed by the ending `end` (see {@link LineEnd}). */
  count(line: string, end: LineEnd): number {
    // Counting characters is cheaper than a cache lookup; each ending adds one or two newlines.
    if (this.tokenizer === charsTokenizer) return line.length + end;
    let packed = this.young.get(line);
    if (packed === undefined) {
      packed = this.old.get(line) ?? 0;
      if (this.young.size >= this.capacity) {
        this.old = this.young;
        this.young = new Map();
      }
      this.young.set(line, packed);
    }
    const shift = end * FIELD_BITS;
    const field = (packed >>> shift) & FIELD_MASK;
    if (field !== 0) return field - 1;
    const n = this.tokenizer.pieceAdditive === true ? this.countByCuts(line, end) : this.tokenizer.count(line + ENDINGS[end]);
    if (n < FIELD_MASK - 1) this.young.set(line, (this.young.get(line) ?? 0) | ((n + 1) << shift));
    return n;
  }

  /**
   * Tokens of a line given as pieces cut at piece boundaries (see `Tokenizer.pieceAdditive`),
   * followed by `end`. Each piece is cached on its own and the whole line is not stored: lines
   * built from pieces are typically unique (a visit heading with its day count) while their
   * pieces recur. `prefix`, when given, is a first piece (a line marker), so that lines that
   * differ only in their marker can share one pieces array.
   */
  countPieces(pieces: readonly string[], end: LineEnd, prefix = ''): number {
    const last = pieces.length - 1;
    if (this.tokenizer.pieceAdditive !== true) return this.count(prefix + pieces.join(''), end);
    if (last < 0) return this.count(prefix, end);
    let sum = prefix === '' ? 0 : this.count(prefix, 0);
    for (let k = 0; k < last; k++) sum += this.count(pieces[k] as string, 0);
    return sum + this.count(pieces[last] as string, end);
  }

  /** Count a line as the sum of its pieces at {@link pieceCuts} (see `Tokenizer.pieceAdditive`), each cached like a line. */
  private countByCuts(line: string, end: LineEnd): number {
    const cuts = pieceCuts(line);
    if (cuts.length === 0) return this.tokenizer.count(line + ENDINGS[end]);
    let sum = 0;
    let start = 0;
    for (const cut of cuts) {
      sum += this.count(line.slice(start, cut), 0);
      start = cut;
    }
    return sum + this.count(line.slice(start), end);
  }

  /** Number of distinct lines held (both generations, overlaps counted twice). */
  get size(): number {
    return this.young.size + this.old.size;
  }
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isSpace = (c: number): boolean =>
  c === 32 ||
  c === 9 ||
  c === 10 ||
  c === 13 ||
  c === 12 ||
  c === 11 ||
  c === 0xa0 ||
  c === 0x85 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x3000 ||
  c === 0x1680 ||
  c === 0xfeff;

/**
 * Positions (never 0) where a line may be cut into separately counted pieces (see
 * `Tokenizer.pieceAdditive`): before every space that follows a non-whitespace character, and
 * between `(` and a digit. None when the line contains `<`, which could start an added token.
 */
export function pieceCuts(line: string): number[] {
  const cuts: number[] = [];
  if (line.includes('<')) return cuts;
  for (let i = 1; i < line.length; i++) {
    const c = line.charCodeAt(i);
    const prev = line.charCodeAt(i - 1);
    if (c === 32 ? !isSpace(prev) : prev === 40 && isDigit(c)) cuts.push(i);
  }
  return cuts;
}

const counters = new WeakMap<Tokenizer, LineTokenCounter>();

/** The process-wide {@link LineTokenCounter} of a tokenizer, so that all callers share one cache. */
export function lineTokenCounter(tokenizer: Tokenizer): LineTokenCounter {
  let c = counters.get(tokenizer);
  if (c === undefined) {
    c = new LineTokenCounter(tokenizer);
    counters.set(tokenizer, c);
  }
  return c;
}
