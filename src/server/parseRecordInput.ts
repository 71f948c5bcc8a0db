/**
 * The patient-record part of a request body, shared by every endpoint that reads one: a FHIR
 * `bundle`, MEDS `events`, or (with a dataset loaded) a `subjectId`; plus `predictionTime` and
 * the optional serializer settings.
 */
import { fhirBundleToSubject } from '../convert/fhirBundleToSubject.ts';
import { parseFhirDateTime } from '../convert/parseFhirDateTime.ts';
import { isUsageError } from '../errors.ts';
import { SERIALIZE_FORMATS, type SerializeFormat } from '../serialize/serialize.ts';
import { EMPTY_VOCABULARY, vocabularyFromCodes, type Vocabulary } from '../serialize/vocabulary.ts';
import { TOKENIZER_NAMES } from '../tokenize/getTokenizer.ts';
import type { CodeMetadata, Event, ExtraValue, Subject } from '../types.ts';
import { ApiError } from './ApiError.ts';

/** A record read from a request. */
export interface RecordInput {
  readonly subject: Subject;
  /** Descriptions that came with the record (the bundle's displays, the events' descriptions, or the dataset's vocabulary). */
  readonly vocabulary: Vocabulary;
  /** Where the record came from. */
  readonly source: 'bundle' | 'events' | 'dataset';
  /** Epoch ms. */
  readonly predictionTime: number;
}

/** How texts are serialized. */
export interface SerializerSettings {
  readonly format: SerializeFormat;
  /** Token budget, or null for none. */
  readonly maxTokens: number | null;
  readonly tokenizer: string;
}

/** Looks up a subject of the loaded MEDS dataset (the inspector's source). */
export type SubjectLookup = (subjectId: number | string) => Promise<{ subject: Subject; vocabulary: Vocabulary }>;

/** The request body as an object, or a 400. */
export function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'invalid_request', 'the request body must be a JSON object', null);
  return body as Record<string, unknown>;
}

/**
 * Parse an ISO 8601 date or date-time (`2019-05-01`, `2019-05-01T23:59:00Z`, with an offset or
 * fractional seconds; UTC when no offset is given) to epoch ms.
 *
 * @throws ApiError 400 naming `path`.
 */
export function parseIsoTime(value: unknown, path: string): number {
  if (value === undefined || value === null) throw new ApiError(400, 'invalid_request', `${path} is required: an ISO 8601 date-time such as 2019-05-01T12:00:00Z`, path);
  const t = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? parseFhirDateTime(value) : null;
  if (t === null || !Number.isFinite(t)) throw new ApiError(400, 'invalid_request', `${path} must be an ISO 8601 date or date-time such as 2019-05-01T12:00:00Z, got ${describeValue(value)}`, path);
  return t;
}

/**
 * Read the record and prediction time of a request body.
 *
 * @param lookup - resolves `subjectId` inputs; absent when the server has no dataset.
 * @throws ApiError 400 for a missing or ambiguous input, a malformed bundle or event, a bundle
 *   without a Patient, or a missing or invalid `predictionTime`; 404 for an unknown subject.
 */
export async function parseRecordInput(body: Record<string, unknown>, lookup?: SubjectLookup): Promise<RecordInput> {
  const given = (['bundle', 'events', 'subjectId'] as const).filter((k) => body[k] !== undefined);
  if (given.length === 0) throw new ApiError(400, 'invalid_request', 'give the record as "bundle" (a FHIR R4 or STU3 Bundle) or "events" (MEDS events)', 'bundle');
  if (given.length > 1) throw new ApiError(400, 'invalid_request', `give one of "bundle", "events" or "subjectId", not ${given.map((g) => `"${g}"`).join(' and ')}`, given[1] ?? null);
  const predictionTime = parseIsoTime(body.predictionTime, 'predictionTime');
  if (body.bundle !== undefined) {
    try {
      const r = fhirBundleToSubject(body.bundle);
      return { subject: r.subject, vocabulary: vocabularyFromCodes(r.codes), source: 'bundle', predictionTime };
    } catch (err) {
      if (isUsageError(err)) {
        const field = err.location.field ?? 'bundle';
        const code = /no Patient/.test(err.message) ? 'no_patient' : 'invalid_bundle';
        throw new ApiError(400, code, err.message.replace(/^field "[^"]*": /, ''), field);
      }
      throw err;
    }
  }
  if (body.events !== undefined) {
    const { subject, codes } = parseEvents(body.events, body.subjectId);
    return { subject, vocabulary: codes.length > 0 ? vocabularyFromCodes(codes) : EMPTY_VOCABULARY, source: 'events', predictionTime };
  }
  if (!lookup) throw new ApiError(400, 'no_dataset', '"subjectId" needs a MEDS dataset: start the server with --meds <dir>, or send "bundle" or "events"', 'subjectId');
  const id = body.subjectId;
  if (typeof id !== 'number' && typeof id !== 'string') throw new ApiError(400, 'invalid_request', 'subjectId must be a number or a string', 'subjectId');
  const { subject, vocabulary } = await lookup(id);
  return { subject, vocabulary, source: 'dataset', predictionTime };
}

/**
 * MEDS events as JSON: `[{ "time": ISO 8601 | null, "code", "numericValue"?, "textValue"?,
 * "description"?, "extra"? }]`. Static facts (sex, race) have `time: null`. `description`s
 * become the vocabulary (first one per code wins).
 */
function parseEvents(value: unknown, subjectIdValue: unknown): { subject: Subject; codes: CodeMetadata[] } {
  if (!Array.isArray(value)) throw new ApiError(400, 'invalid_request', 'events must be an array of MEDS events', 'events');
  if (value.length === 0) throw new ApiError(400, 'invalid_request', 'events is empty: send at least one event', 'events');
  const subjectId = subjectIdValue === undefined ? 0 : subjectIdValue;
  if (typeof subjectId !== 'number' || !Number.isSafeInteger(subjectId)) throw new ApiError(400, 'invalid_request', 'subjectId (with events) must be an integer', 'subjectId');
  const events: Event[] = [];
  const descriptions = new Map<string, string>();
  value.forEach((raw, i) => {
    const p = `events[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ApiError(400, 'invalid_request', 'an event must be an object', p);
    const e = raw as Record<string, unknown>;
    if (typeof e.code !== 'string' || e.code === '') throw new ApiError(400, 'invalid_request', 'code must be a non-empty string such as "LOINC/4548-4"', `${p}.code`);
    const time = e.time === null || e.time === undefined ? null : parseIsoTime(e.time, `${p}.time`);
    const num = e.numericValue ?? null;
    if (num !== null && (typeof num !== 'number' || !Number.isFinite(num))) throw new ApiError(400, 'invalid_request', 'numericValue must be a finite number or null', `${p}.numericValue`);
    const text = e.textValue ?? null;
    if (text !== null && typeof text !== 'string') throw new ApiError(400, 'invalid_request', 'textValue must be a string or null', `${p}.textValue`);
    let extra: Record<string, ExtraValue> | undefined;
    if (e.extra !== undefined && e.extra !== null) {
      if (typeof e.extra !== 'object' || Array.isArray(e.extra)) throw new ApiError(400, 'invalid_request', 'extra must be an object of strings, numbers or booleans', `${p}.extra`);
      for (const [k, v] of Object.entries(e.extra as Record<string, unknown>)) {
        if (v === null) continue;
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new ApiError(400, 'invalid_request', 'extra values must be strings, numbers or booleans', `${p}.extra.${k}`);
        // `end` is a time column in MEDS: accept it as ISO 8601 like `time`.
        (extra ??= {})[k] = k === 'end' && typeof v === 'string' ? parseIsoTime(v, `${p}.extra.end`) : v;
      }
    }
    if (e.description !== undefined && e.description !== null) {
      if (typeof e.description !== 'string') throw new ApiError(400, 'invalid_request', 'description must be a string', `${p}.description`);
      if (!descriptions.has(e.code)) descriptions.set(e.code, e.description);
    }
    events.push({ subjectId, time, code: e.code, numericValue: num as number | null, textValue: text as string | null, ...(extra ? { extra } : {}) });
  });
  // MEDS order: static facts first, then by time; input order kept within a time.
  events.sort((a, b) => (a.time === b.time ? 0 : a.time === null ? -1 : b.time === null ? 1 : a.time - b.time));
  return { subject: { subjectId, events }, codes: [...descriptions].map(([code, description]) => ({ code, description, parentCodes: [] })) };
}

/**
 * The serializer settings of a request: `format`, `maxTokens` (a positive integer or null),
 * `tokenizer`, each falling back to `defaults`.
 *
 * @throws ApiError 400 naming the bad field.
 */
export function parseSerializerSettings(body: Record<string, unknown>, defaults: SerializerSettings): SerializerSettings {
  const format = body.format ?? defaults.format;
  if (typeof format !== 'string' || !(SERIALIZE_FORMATS as readonly string[]).includes(format)) {
    throw new ApiError(400, 'invalid_request', `format must be one of ${SERIALIZE_FORMATS.join(', ')}, got ${describeValue(body.format)}`, 'format');
  }
  const maxTokens = body.maxTokens === undefined ? defaults.maxTokens : body.maxTokens;
  if (maxTokens !== null && (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1)) {
    throw new ApiError(400, 'invalid_request', `maxTokens must be a positive integer or null, got ${describeValue(body.maxTokens)}`, 'maxTokens');
  }
  const tokenizer = body.tokenizer ?? defaults.tokenizer;
  if (typeof tokenizer !== 'string' || !TOKENIZER_NAMES.includes(tokenizer)) {
    throw new ApiError(400, 'invalid_request', `tokenizer must be one of ${TOKENIZER_NAMES.join(', ')}, got ${describeValue(body.tokenizer)}`, 'tokenizer');
  }
  return { format: format as SerializeFormat, maxTokens, tokenizer };
}

/** A short description of a bad value for an error message: its type, or a short literal. */
function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return v.length <= 40 ? JSON.stringify(v) : `a string of ${v.length} characters`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}
