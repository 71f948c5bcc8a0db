import { charsTokenizer } from '../tokenize/charsTokenizer.ts';
import { lineTokenCounter } from '../tokenize/LineTokenCounter.ts';
import type { LineEnd, LineTokenCounter } from '../tokenize/LineTokenCounter.ts';
import type { Tokenizer } from '../tokenize/tokenizer.ts';
import { fullSelection, linesText, selectedLines } from './SerializedDocument.ts';
import type { DocItem, DocLine, SerializedDocument, Selection } from './SerializedDocument.ts';

/** The outcome of {@link fitToBudget}. */
export interface BudgetFit {
  readonly selection: Selection;
  /** Exact tokens of the whole document. */
  readonly tokensBefore: number;
  /** Exact tokens of the kept text (at most the budget). */
  readonly tokensAfter: number;
  /** The kept lines, in output order. */
  readonly lines: readonly DocLine[];
  /** Their text (see `linesText`). */
  readonly text: string;
}

/** Exact token totals of selections of one document. */
interface Measure {
  total(sel: Selection): number;
}

// Visit bodies are shared between serializations of a subject: their token sums are kept per counter.
const restMemo = new WeakMap<LineTokenCounter, WeakMap<readonly DocLine[], number>>();

const endAfter = (next: DocLine | undefined): LineEnd => (next === undefined ? 0 : next.blankBefore ? 2 : 1);

/**
 * Totals from cached per-line counts, in O(sections) per selection: prefix sums of line counts
 * within the fixed head and within each section, corrected at the cut points where a line's
 * ending changes (last line of the text: no newline; last line before a `##` heading: blank line).
 * Exact for newline-additive tokenizers (see `Tokenizer.newlineAdditive`).
 */
function additiveMeasure(doc: SerializedDocument, counter: LineTokenCounter): Measure {
  const c = (l: DocLine, end: LineEnd): number =>
    l.pieces === undefined ? counter.count(l.text, end) : counter.countPieces(l.pieces, end, l.prefix);
  // Tokens of an item's later lines, each ending in a newline (a blank line where the next asks for one).
  let memo = restMemo.get(counter);
  if (memo === undefined) {
    memo = new WeakMap();
    restMemo.set(counter, memo);
  }
  const memoized = memo;
  const restTokens = (rest: readonly DocLine[]): number => {
    if (rest.length === 0) return 0;
    let n = memoized.get(rest);
    if (n === undefined) {
      n = 0;
      for (let k = 0; k < rest.length; k++) n += c(rest[k] as DocLine, endAfter(rest[k + 1]) || 1);
      memoized.set(rest, n);
    }
    return n;
  };
  const fixed = doc.fixed;
  // fixedPrefix[f]: tokens of fixed lines before f, each with the ending it has inside the head.
  const fixedPrefix = new Float64Array(fixed.length + 1);
  const fixedEnd: LineEnd[] = [];
  for (let i = 0; i < fixed.length; i++) {
    const e = endAfter(fixed[i + 1]) || 1;
    fixedEnd.push(e);
    fixedPrefix[i + 1] = (fixedPrefix[i] as number) + c(fixed[i] as DocLine, e);
  }
  const sections = doc.sections.map((s) => {
    const prefix = new Float64Array(s.items.length + 1);
    for (let j = 0; j < s.items.length; j++) {
      const item = s.items[j] as DocItem;
      // Inside a section no line is preceded by a blank one, so every line but the section's last ends in one newline.
      prefix[j + 1] =
        (prefix[j] as number) +
        c(item.first, item.rest.length > 0 && (item.rest[0] as DocLine).blankBefore ? 2 : 1) +
        restTokens(item.rest);
    }
    const first = s.heading ?? (s.items[0] as DocItem | undefined)?.first;
    return { s, prefix, head: s.heading === null ? 0 : c(s.heading, 1), lead: first?.blankBefore === true ? 2 : 1 };
  });

  return {
    total(sel: Selection): number {
      let total = 0;
      // Walk parts backwards so each knows how the next kept part begins.
      let after: LineEnd = 0;
      for (let si = sections.length - 1; si >= 0; si--) {
        const m = sel.items[si] ?? 0;
        if (m === 0) continue;
        const { s, prefix, head, lead } = sections[si] as (typeof sections)[number];
        const lastItem = s.items[m - 1] as DocItem;
        const lastLine = lastItem.rest.length > 0 ? (lastItem.rest[lastItem.rest.length - 1] as DocLine) : lastItem.first;
        total += head + (prefix[m] as number) - c(lastLine, 1) + c(lastLine, after);
        after = lead as LineEnd;
      }
      const f = sel.fixed;
      if (f > 0) {
        const lastLine = fixed[f - 1] as DocLine;
        total += (fixedPrefix[f] as number) - c(lastLine, fixedEnd[f - 1] as LineEnd) + c(lastLine, after);
      }
      return total;
    },
  };
}

/** Totals by counting the rendered text: for tokenizers that are not newline-additive. */
function renderingMeasure(doc: SerializedDocument, tokenizer: Tokenizer): Measure {
  return { total: (sel) => tokenizer.count(linesText(selectedLines(doc, sel))) };
}

/** Largest m in [0, n] with fits(m), assuming fits is true up to some point and false after; -1 if not even fits(0). */
function largestFitting(n: number, fits: (m: number) => boolean): number {
  if (!fits(0)) return -1;
  let lo = 0; // fits(lo) holds
  let hi = n + 1; // fits(hi) fails or is out of range
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Choose what to keep of a document so that its text has at most `maxTokens` tokens: empty the
 * droppable sections from their ends in `dropOrder` (a section whose items are all gone loses its
 * heading too), and only then cut the fixed head from its end (never leaving a heading last).
 * Every selection that is accepted is counted exactly, so the result never exceeds the budget;
 * within a section the cut point is found by bisection (token totals shrink as items go).
 *
 * @param doc the document
 * @param tokenizer the tokenizer that counts
 * @param maxTokens the budget, or null for none (everything kept, still counted)
 */
export function fitToBudget(doc: SerializedDocument, tokenizer: Tokenizer, maxTokens: number | null): BudgetFit {
  if (maxTokens === null && tokenizer === charsTokenizer) {
    // Nothing to choose and nothing worth caching: count the text once.
    const selection = fullSelection(doc);
    const lines = selectedLines(doc, selection);
    const text = linesText(lines);
    const total = charsTokenizer.count(text);
    return { selection, tokensBefore: total, tokensAfter: total, lines, text };
  }
  const measure = tokenizer.newlineAdditive ? additiveMeasure(doc, lineTokenCounter(tokenizer)) : renderingMeasure(doc, tokenizer);
  const full = fullSelection(doc);
  const tokensBefore = measure.total(full);
  const done = (selection: Selection, tokensAfter: number): BudgetFit => {
    const lines = selectedLines(doc, selection);
    return { selection, tokensBefore, tokensAfter, lines, text: linesText(lines) };
  };
  if (maxTokens === null || tokensBefore <= maxTokens) return done(full, tokensBefore);

  const items = [...full.items];
  let fixed = full.fixed;
  const fits = (): boolean => measure.total({ fixed, items }) <= maxTokens;
  for (const si of doc.dropOrder) {
    const n = items[si] ?? 0;
    const m = largestFitting(n, (k) => {
      items[si] = k;
      return fits();
    });
    items[si] = Math.max(m, 0);
    if (m >= 0) return done({ fixed, items }, measure.total({ fixed, items }));
  }
  // Last resort: cut the fixed head from its end.
  let f = largestFitting(fixed, (k) => {
    fixed = k;
    return fits();
  });
  f = Math.max(f, 0);
  // A heading with nothing under it says nothing; cut it as well (and re-check: bisection assumed monotone totals).
  while (f > 0 && ((doc.fixed[f - 1] as DocLine).text.startsWith('#') || measure.total({ fixed: f, items }) > maxTokens)) f--;
  fixed = f;
  return done({ fixed, items }, measure.total({ fixed, items }));
}
