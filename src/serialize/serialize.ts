import { UsageError } from '../errors.ts';
import { getTokenizer } from '../tokenize/getTokenizer.ts';
import type { Tokenizer } from '../tokenize/tokenizer.ts';
import type { Subject } from '../types.ts';
import type { EventRef } from './eventRef.ts';
import { fitToBudget } from './fitToBudget.ts';
import { listDocument } from './list.ts';
import { markdownDocument } from './markdown.ts';
import { PreparedSubject, prepareSubject } from './PreparedSubject.ts';
import type { DocLine, SerializedDocument, Selection } from './SerializedDocument.ts';
import { EMPTY_VOCABULARY } from './vocabulary.ts';
import { referenceSubject } from './reference/ReferenceSubject.ts';
import { serializeReference } from './reference/serializeReference.ts';
import type { Vocabulary } from './vocabulary.ts';

/**
 * All formats, in documentation order: `markdown` and `list` are the paper's serializers byte
 * for byte (the reference, SPEC 2.1/2.2); `markdown-plus` and `list-plus` are ehr-embed's
 * variants (concepts through parent codes, unit conversion, readable names, finer groups).
 * Every list of format names (CLI choices, configs, the service) derives from this one.
 */
export const SERIALIZE_FORMATS = ['markdown', 'list', 'markdown-plus', 'list-plus'] as const;

/** Output format, see {@link SERIALIZE_FORMATS}. */
export type SerializeFormat = (typeof SERIALIZE_FORMATS)[number];

/** Whether a format is a Markdown one (`markdown`, `markdown-plus`) rather than a list. */
export function isMarkdownFormat(format: SerializeFormat): boolean {
  return format === 'markdown' || format === 'markdown-plus';
}

/** Options of {@link serialize}. */
export interface SerializeOptions {
  /** Epoch ms. Only events with `time <= predictionTime` (and static events) are used. */
  readonly predictionTime: number;
  /** Output format. Default `markdown`. */
  readonly format?: SerializeFormat;
  /** Token budget; the text is cut to fit (SPEC 2.1/2.2 rules). Default: none (nothing cut). */
  readonly maxTokens?: number;
  /** Tokenizer for the budget and `tokenCount`: a registry name or an instance. Default `qwen2`. */
  readonly tokenizer?: string | Tokenizer;
  /**
   * Only events of the last `timeWindowDays` days before the prediction time (visits that ended
   * earlier are left out whole; static and demographic facts are always kept). Default: no window.
   */
  readonly timeWindowDays?: number;
  /**
   * Descriptions and code hierarchy. Default: none (codes are shown in a readable form). Must be
   * left out or be the same object when `subject` is a {@link PreparedSubject}.
   */
  readonly vocabulary?: Vocabulary;
}

/** One line of the output text and the events it was made from (blank lines have none). */
export interface SerializedLine {
  readonly text: string;
  readonly sources: readonly EventRef[];
}

/** What the token budget cut. */
export interface Truncation {
  /** Whether anything was cut. */
  readonly truncated: boolean;
  /** The budget, or null when none was given. */
  readonly maxTokens: number | null;
  /** Tokens of the whole record, before cutting. */
  readonly tokensBefore: number;
  /** Tokens of the returned text. */
  readonly tokensAfter: number;
  /** Non-blank lines of the whole record. */
  readonly linesBefore: number;
  /** Non-blank lines of the returned text. */
  readonly linesAfter: number;
  /** Sections removed entirely (`Detailed Past Medical Visits`, ...), in the order they went. */
  readonly droppedSections: readonly string[];
  /** Visit ids whose detailed block was dropped, oldest first (Markdown). */
  readonly droppedDetailedVisits: readonly string[];
  /** Visit ids whose line in Past Medical Visits was dropped, oldest first (Markdown). */
  readonly droppedVisitSummaries: readonly string[];
  /** Lines of General Medical Events dropped (Markdown), or event lines dropped (list). */
  readonly droppedEventLines: number;
  /** Lines of the fixed head (demographics, recent sections) cut as a last resort (Markdown). */
  readonly droppedHeadLines: number;
}

/** The result of {@link serialize}. */
export interface SerializeResult {
  readonly text: string;
  /** Exact token count of `text` with the chosen tokenizer. */
  readonly tokenCount: number;
  readonly truncation: Truncation;
  /** Per line of `text` (`text.split('\n')`), its source events. */
  readonly lines: readonly SerializedLine[];
}

const DAY_MS = 86_400_000;
const NO_SOURCES: readonly EventRef[] = Object.freeze([]);
const BLANK: SerializedLine = Object.freeze({ text: '', sources: NO_SOURCES });

/**
 * A {@link SerializeResult} whose provenance is built on first access: most callers (embedding
 * runs) never read it. A class, not an object literal with a `get lines()`: such a literal makes
 * a new closure and hidden class per call, which kept every result's lines alive through
 * several garbage collections and tripled the collector's work (measured on Synthea STU3).
 */
class Result implements SerializeResult {
  readonly #kept: readonly DocLine[];
  readonly #prepared: PreparedSubject;
  #lines: SerializedLine[] | undefined;

  constructor(
    readonly text: string,
    readonly tokenCount: number,
    readonly truncation: Truncation,
    kept: readonly DocLine[],
    prepared: PreparedSubject,
  ) {
    this.#kept = kept;
    this.#prepared = prepared;
  }

  get lines(): readonly SerializedLine[] {
    if (this.#lines === undefined) {
      const lines: SerializedLine[] = [];
      const kept = this.#kept;
      for (let i = 0; i < kept.length; i++) {
        const l = kept[i] as DocLine;
        if (i > 0 && l.blankBefore) lines.push(BLANK);
        lines.push({ text: l.text, sources: l.sources.length === 0 ? NO_SOURCES : l.sources.map((j) => this.#prepared.ref(j)) });
      }
      this.#lines = lines;
    }
    return this.#lines;
  }

  /** The plain object (`lines` included, internals left out), for JSON output. */
  toJSON(): SerializeResult {
    return { text: this.text, tokenCount: this.tokenCount, truncation: this.truncation, lines: this.lines };
  }
}

function validate(options: SerializeOptions): void {
  const { predictionTime, format, maxTokens, timeWindowDays } = options;
  if (typeof predictionTime !== 'number' || !Number.isFinite(predictionTime)) {
    throw new UsageError(`predictionTime must be epoch milliseconds (a finite number), got ${String(predictionTime)}`, {
      field: 'predictionTime',
    });
  }
  if (format !== undefined && !(SERIALIZE_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`unknown format "${String(format)}"; known formats: ${SERIALIZE_FORMATS.join(', ')}`, { field: 'format' });
  }
  if (maxTokens !== undefined && (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1)) {
    throw new UsageError(`maxTokens must be a positive integer, got ${String(maxTokens)}`, { field: 'maxTokens' });
  }
  if (timeWindowDays !== undefined && (typeof timeWindowDays !== 'number' || !(timeWindowDays > 0) || !Number.isFinite(timeWindowDays))) {
    throw new UsageError(`timeWindowDays must be a positive number, got ${String(timeWindowDays)}`, { field: 'timeWindowDays' });
  }
}

const NONE: readonly string[] = Object.freeze([]);

function truncationReport(
  doc: SerializedDocument,
  sel: Selection,
  maxTokens: number | null,
  tokensBefore: number,
  tokensAfter: number,
  linesAfter: number,
): Truncation {
  if (tokensAfter === tokensBefore && sel.fixed === doc.fixed.length && doc.sections.every((s, si) => s.items.length === sel.items[si])) {
    return {
      truncated: false,
      maxTokens,
      tokensBefore,
      tokensAfter,
      linesBefore: linesAfter,
      linesAfter,
      droppedSections: NONE,
      droppedDetailedVisits: NONE,
      droppedVisitSummaries: NONE,
      droppedEventLines: 0,
      droppedHeadLines: 0,
    };
  }
  const droppedSections: string[] = [];
  let droppedDetailedVisits: string[] = [];
  let droppedVisitSummaries: string[] = [];
  let droppedEventLines = 0;
  let linesBefore = doc.fixed.length;
  for (const [si, s] of doc.sections.entries()) {
    const n = s.items.length;
    if (n > 0 && s.heading !== null) linesBefore++;
    for (const item of s.items) linesBefore += 1 + item.rest.length;
    const m = sel.items[si] ?? 0;
    if (m === n) continue;
    if (m === 0 && s.heading !== null) droppedSections.push(s.name);
    // Items are newest first; report the dropped ones oldest first.
    const ids = s.items
      .slice(m)
      .map((it) => it.id ?? '')
      .reverse();
    if (s.kind === 'detailedVisits') droppedDetailedVisits = ids;
    else if (s.kind === 'visitSummaries') droppedVisitSummaries = ids;
    else droppedEventLines += n - m;
  }
  // Order sections as they went: by drop order.
  droppedSections.sort(
    (a, b) =>
      doc.dropOrder.indexOf(doc.sections.findIndex((s) => s.name === a)) -
      doc.dropOrder.indexOf(doc.sections.findIndex((s) => s.name === b)),
  );
  for (const l of doc.fixed.slice(sel.fixed)) if (l.text.startsWith('## ')) droppedSections.push(l.text.slice(3));
  return {
    truncated: tokensAfter < tokensBefore || linesAfter < linesBefore,
    maxTokens,
    tokensBefore,
    tokensAfter,
    linesBefore,
    linesAfter,
    droppedSections,
    droppedDetailedVisits,
    droppedVisitSummaries,
    droppedEventLines,
    droppedHeadLines: doc.fixed.length - sel.fixed,
  };
}

/**
 * Serialize a subject's record at a prediction time as text for an LLM embedder (SPEC 2).
 *
 * The leakage rule is structural: the first step finds the usable events, those with
 * `time <= predictionTime` (static events always), as a prefix of the time-sorted events, and
 * the renderers read nothing past that prefix. A visit still open at the prediction time is a
 * "current visit" whose end and length are never shown.
 *
 * Pass a {@link PreparedSubject} (or the same `Subject` object again: its preparation is cached)
 * to serialize one subject at many prediction times cheaply.
 *
 * @throws UsageError for a bad option (non-finite prediction time, unknown format or tokenizer,
 *   non-positive budget) or a bad event time
 */
export function serialize(subject: Subject | PreparedSubject, options: SerializeOptions): SerializeResult {
  validate(options);
  const { predictionTime } = options;
  const format = options.format ?? 'markdown';
  const maxTokens = options.maxTokens ?? null;
  const tokenizer = typeof options.tokenizer === 'object' ? options.tokenizer : getTokenizer(options.tokenizer ?? 'qwen2');
  const windowStart = options.timeWindowDays === undefined ? -Infinity : predictionTime - options.timeWindowDays * DAY_MS;
  if (format === 'markdown' || format === 'list') {
    if (subject instanceof PreparedSubject && options.vocabulary !== undefined && options.vocabulary !== subject.vocabulary) {
      throw new UsageError('vocabulary differs from the one the subject was prepared with; prepare it again or leave vocabulary out', {
        field: 'vocabulary',
      });
    }
    const vocabulary = subject instanceof PreparedSubject ? subject.vocabulary : (options.vocabulary ?? EMPTY_VOCABULARY);
    return serializeReference(referenceSubject(subject, vocabulary), format, predictionTime, windowStart, tokenizer, maxTokens);
  }
  let prepared: PreparedSubject;
  if (subject instanceof PreparedSubject) {
    if (options.vocabulary !== undefined && options.vocabulary !== subject.vocabulary) {
      throw new UsageError('vocabulary differs from the one the subject was prepared with; prepare it again or leave vocabulary out', {
        field: 'vocabulary',
      });
    }
    prepared = subject;
  } else {
    prepared = prepareSubject(subject, options.vocabulary ?? EMPTY_VOCABULARY);
  }

  // Leakage rule: k usable events; nothing below reads an event at index >= k.
  const k = prepared.usableCount(predictionTime);
  const doc =
    format === 'markdown-plus'
      ? markdownDocument(prepared, k, predictionTime, windowStart)
      : listDocument(prepared, k, predictionTime, windowStart);

  const fit = fitToBudget(doc, tokenizer, maxTokens);
  return new Result(
    fit.text,
    fit.tokensAfter,
    truncationReport(doc, fit.selection, maxTokens, fit.tokensBefore, fit.tokensAfter, fit.lines.length),
    fit.lines,
    prepared,
  );
}
