/**
 * What the inspector page shows for a record: the whole serialized text (no budget), which of its
 * lines the token budget cut, and for each line the events it was made from.
 */
import type { SerializeResult } from '../serialize/serialize.ts';
import type { Vocabulary } from '../serialize/vocabulary.ts';
import type { Event } from '../types.ts';
import type { RecordInput, SerializerSettings } from './parseRecordInput.ts';
import type { ScoringService } from './ScoringService.ts';

/** One source event of a line, ready to display. */
export interface InspectedEvent {
  /** ISO 8601, or null for a static fact. */
  readonly time: string | null;
  readonly code: string;
  readonly description: string | null;
  readonly numericValue: number | null;
  readonly textValue: string | null;
  readonly unit: string | null;
}

/** One line of the whole (unbudgeted) text. */
export interface InspectedLine {
  readonly text: string;
  /** True when the budgeted text does not have this line (cut by `maxTokens`). */
  readonly cut: boolean;
  readonly events: readonly InspectedEvent[];
}

/** Result of {@link inspectRecord} (the body of `POST /v1/inspect`). */
export interface InspectResult {
  readonly subjectId: number;
  readonly predictionTime: string;
  readonly settings: SerializerSettings;
  /** Events at or before the prediction time (static ones included) of all the record's events. */
  readonly eventsUsed: number;
  readonly eventsTotal: number;
  /** The text the model reads (budgeted). */
  readonly text: string;
  readonly tokenCount: number;
  /** Tokens of the whole record before the budget. */
  readonly tokensBefore: number;
  readonly truncation: SerializeResult['truncation'];
  readonly lines: readonly InspectedLine[];
}

/**
 * Serialize a record twice, without and with the budget, and mark the lines of the first that the
 * second lacks (matched in order: the budget only removes lines).
 */
export function inspectRecord(
  service: ScoringService,
  record: RecordInput,
  settings: SerializerSettings,
  vocabulary: Vocabulary = service.recordVocabulary(record),
): InspectResult {
  const budgeted = service.serialize(record, settings, vocabulary);
  const full = settings.maxTokens === null ? budgeted : service.serialize(record, { ...settings, maxTokens: null }, vocabulary);
  const kept = budgeted.lines.map((l) => l.text);
  let k = 0;
  const byRef = new Map<string, Event[]>();
  for (const e of record.subject.events) {
    const key = `${e.time}|${e.code}`;
    const list = byRef.get(key);
    if (list) list.push(e);
    else byRef.set(key, [e]);
  }
  const lines = full.lines.map((l): InspectedLine => {
    let cut = true;
    if (k < kept.length && kept[k] === l.text) {
      cut = false;
      k++;
    }
    const events: InspectedEvent[] = [];
    const seen = new Set<Event>();
    for (const ref of l.sources) {
      for (const e of byRef.get(`${ref.time}|${ref.code}`) ?? []) {
        if (seen.has(e)) continue;
        seen.add(e);
        // A ref names (time, code); events of the same code at the same time are all shown.
        if (e.time !== null && record.predictionTime < e.time) continue;
        const unit = e.extra?.unit;
        events.push({
          time: e.time === null ? null : new Date(e.time).toISOString(),
          code: e.code,
          description: vocabulary.describe(e.code),
          numericValue: e.numericValue,
          textValue: e.textValue,
          unit: typeof unit === 'string' ? unit : null,
        });
      }
    }
    return { text: l.text, cut, events };
  });
  const eventsUsed = record.subject.events.filter((e) => e.time === null || e.time <= record.predictionTime).length;
  return {
    subjectId: record.subject.subjectId,
    predictionTime: new Date(record.predictionTime).toISOString(),
    settings,
    eventsUsed,
    eventsTotal: record.subject.events.length,
    text: budgeted.text,
    tokenCount: budgeted.tokenCount,
    tokensBefore: budgeted.truncation.tokensBefore,
    truncation: budgeted.truncation,
    lines,
  };
}
