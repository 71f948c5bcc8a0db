import { charsTokenizer } from '../../tokenize/charsTokenizer.ts';
import { lineTokenCounter } from '../../tokenize/LineTokenCounter.ts';
import type { LineEnd } from '../../tokenize/LineTokenCounter.ts';
import type { Tokenizer } from '../../tokenize/tokenizer.ts';
import type { EventRef } from '../eventRef.ts';
import type { SerializedLine, SerializeResult, Truncation } from '../serialize.ts';
import { referenceList } from './referenceList.ts';
import { referenceMarkdown } from './referenceMarkdown.ts';
import type { ReferenceSubject } from './ReferenceSubject.ts';
import type { ReferenceText } from './referenceText.ts';

const NO_REFS: readonly EventRef[] = Object.freeze([]);
const NONE: readonly string[] = Object.freeze([]);
const BLANK: SerializedLine = Object.freeze({ text: '', sources: NO_REFS });

/** A reference-format result; per-line provenance is built on first access. */
class ReferenceResult implements SerializeResult {
  readonly #subject: ReferenceSubject;
  readonly #built: ReferenceText;
  #lines: SerializedLine[] | undefined;

  constructor(
    readonly text: string,
    readonly tokenCount: number,
    readonly truncation: Truncation,
    built: ReferenceText,
    subject: ReferenceSubject,
  ) {
    this.#built = built;
    this.#subject = subject;
  }

  get lines(): readonly SerializedLine[] {
    if (this.#lines === undefined) {
      const lines: SerializedLine[] = [];
      let k = 0;
      for (const text of this.text.split('\n')) {
        if (text === '') {
          lines.push(BLANK);
          continue;
        }
        const src = this.#built.sourcesOf(k++);
        lines.push({ text, sources: src.length === 0 ? NO_REFS : src.map((i) => this.#subject.ref(i)) });
      }
      this.#lines = lines;
    }
    return this.#lines;
  }

  toJSON(): SerializeResult {
    return { text: this.text, tokenCount: this.tokenCount, truncation: this.truncation, lines: this.lines };
  }
}

/** Whether a line may start a separately counted part (see `Tokenizer.newlineAdditive`). */
const ADDITIVE_START = /^[^\s\p{M}]/u;

/**
 * Token counts of every prefix of the text that ends at a non-blank line: `prefix[k]` is the
 * count of the text up to and including the k-th non-blank line (no newline after it). Uses
 * cached per-line counts when the tokenizer is newline-additive and the layout allows it,
 * else counts each needed prefix whole (callers ask only for a few).
 */
function prefixCounter(text: string, tokenizer: Tokenizer): { count: number; lines: number; upTo(k: number): number; offsets: number[] } {
  const parts = text.split('\n');
  // Leading newlines (the Markdown starts with two) form a part of their own.
  let lead = 0;
  while (lead < parts.length - 1 && parts[lead] === '') lead++;
  const lines: string[] = [];
  const ends: number[] = [];
  const offsets: number[] = []; // end offset of each non-blank line in `text`
  let offset = lead;
  for (let p = lead; p < parts.length; p++) {
    const line = parts[p] as string;
    if (line === '') {
      if (ends.length > 0) ends[ends.length - 1] = (ends[ends.length - 1] as number) + 1;
      offset += 1;
      continue;
    }
    if (ends.length > 0) ends[ends.length - 1] = (ends[ends.length - 1] as number) + 1;
    lines.push(line);
    ends.push(0);
    offset += line.length;
    offsets.push(offset);
    offset += 1;
  }
  const additive =
    tokenizer.newlineAdditive && lines.every((l, j) => (j === 0 && lead === 0) || ADDITIVE_START.test(l)) && ends.every((e) => e <= 2);
  if (!additive) {
    return {
      count: tokenizer.count(text),
      lines: lines.length,
      offsets,
      upTo: (k) => tokenizer.count(text.slice(0, offsets[k] as number)),
    };
  }
  const counter = lineTokenCounter(tokenizer);
  const leadTokens = lead === 0 ? 0 : tokenizer.count('\n'.repeat(lead));
  const before = new Float64Array(lines.length + 1);
  before[0] = leadTokens;
  for (let j = 0; j < lines.length; j++) before[j + 1] = (before[j] as number) + counter.count(lines[j] as string, ends[j] as LineEnd);
  const upTo = (k: number): number => (before[k] as number) + counter.count(lines[k] as string, 0);
  return { count: lines.length === 0 ? leadTokens : (before[lines.length] as number), lines: lines.length, offsets, upTo };
}

/**
 * Serialize in a reference format (`markdown` or `list`). The budget keeps the longest prefix of
 * whole lines that fits: the reference's encoder truncates tokens from the right, so the text
 * kept is what that truncation keeps, less the part of a line it would cut.
 */
export function serializeReference(
  s: ReferenceSubject,
  format: 'markdown' | 'list',
  t: number,
  windowStart: number,
  tokenizer: Tokenizer,
  maxTokens: number | null,
): SerializeResult {
  const built = format === 'markdown' ? referenceMarkdown(s, t, windowStart) : referenceList(s, t, windowStart);
  const text = built.text();
  const linesBefore = built.lineCount;
  // Characters need no counting; other tokenizers count the whole text once when it fits.
  if (tokenizer === charsTokenizer && (maxTokens === null || text.length <= maxTokens)) {
    return new ReferenceResult(text, text.length, untouched(maxTokens, text.length, linesBefore), built, s);
  }
  const pc = prefixCounter(text, tokenizer);
  const tokensBefore = pc.count;
  if (maxTokens === null || tokensBefore <= maxTokens) {
    return new ReferenceResult(text, tokensBefore, untouched(maxTokens, tokensBefore, linesBefore), built, s);
  }
  // Largest k such that the text up to line k fits (counts grow with k).
  let lo = -1;
  let hi = pc.lines - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (pc.upTo(mid) <= maxTokens) lo = mid;
    else hi = mid - 1;
  }
  const kept = lo < 0 ? '' : text.slice(0, pc.offsets[lo] as number);
  const tokensAfter = lo < 0 ? 0 : pc.upTo(lo);
  const droppedLines = text
    .slice(kept.length)
    .split('\n')
    .filter((l) => l !== '');
  const truncation: Truncation = {
    truncated: true,
    maxTokens,
    tokensBefore,
    tokensAfter,
    linesBefore,
    linesAfter: lo + 1,
    droppedSections: droppedLines.filter((l) => l.startsWith('## ')).map((l) => l.slice(3)),
    droppedDetailedVisits: NONE,
    droppedVisitSummaries: NONE,
    droppedEventLines: droppedLines.filter((l) => !l.startsWith('#')).length,
    droppedHeadLines: 0,
  };
  return new ReferenceResult(kept, tokensAfter, truncation, built, s);
}

function untouched(maxTokens: number | null, tokens: number, lines: number): Truncation {
  return {
    truncated: false,
    maxTokens,
    tokensBefore: tokens,
    tokensAfter: tokens,
    linesBefore: lines,
    linesAfter: lines,
    droppedSections: NONE,
    droppedDetailedVisits: NONE,
    droppedVisitSummaries: NONE,
    droppedEventLines: 0,
    droppedHeadLines: 0,
  };
}
