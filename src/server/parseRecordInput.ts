/**
 * The patient-record part of a request body, shared by every endpoint that reads one: a FHIR
 * `bundle`, MEDS `events`, or (with a dataset loaded) a `subjectId`; plus `predictionTime` and
 * the optional serializer settings.
 */
import { fhirBundleToSubject } from '../convert/fhirBundleToSubject.ts';
import { parseFhirDateTime } from '../convert/parseFhirDateTime.ts';
import { isUsageError } from '../errors.ts';
import type { SerializeFormat } from '../serialize/serialize.ts';
import { EMPTY_VOCABULARY, vocabularyFromCodes, type Vocabulary } from '../serialize/vocabulary.ts';
import type { CodeMetadata, Event, ExtraValue, Subject } from '../types.ts';
import { ApiError } from './ApiError.ts';
import { checkBody, describeValue, RecordSchema, SettingsSchema } from './requestSchemas.ts';

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
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError(400, 'invalid_request', 'the request body must be a JSON object', null);
  return body as Record<string, unknown>;
}

/**
 * Parse an ISO 8601 date or date-time (`2019-05-01`, `2019-05-01T23:59:00Z`, with an offset or
 * fractional seconds; UTC when no offset is given) to epoch ms.
 *
 * @throws ApiError 400 naming `path`.
 */
export function parseIsoTime(value: unknown, path: string): number {
  if (value === undefined || value === null)
    throw new ApiError(400, 'invalid_request', `${path} is required: an ISO 8601 date-time such as 2019-05-01T12:00:00Z`, path);
  const t = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? parseFhirDateTime(value) : null;
  if (t === null || !Number.isFinite(t))
    throw new ApiError(
      400,
      'invalid_request',
      `${path} must be an ISO 8601 date or date-time such as 2019-05-01T12:00:00Z, got ${describeValue(value)}`,
      path,
    );
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
  if (given.length === 0)
    throw new ApiError(
      400,
      'invalid_request',
      'give the record as "bundle" (a FHIR R4 or STU3 Bundle) or "events" (MEDS events)',
      'bundle',
    );
  if (given.length > 1)
    throw new ApiError(
      400,
      'invalid_request',
      `give one of "bundle", "events" or "subjectId", not ${given.map((g) => `"${g}"`).join(' and ')}`,
      given[1] ?? null,
    );
  // Types of every field (requestSchemas.ts, the schemas the OpenAPI document shows); what one
  // field cannot say alone is checked below.
  checkBody(RecordSchema, body);
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
    const { subject, codes } = parseEvents(body.events as EventJson[], body.subjectId);
    return { subject, vocabulary: codes.length > 0 ? vocabularyFromCodes(codes) : EMPTY_VOCABULARY, source: 'events', predictionTime };
  }
  if (!lookup)
    throw new ApiError(
      400,
      'no_dataset',
      '"subjectId" needs a MEDS dataset: start the server with --meds <dir>, or send "bundle" or "events"',
      'subjectId',
    );
  const id = body.subjectId as number | string;
  const { subject, vocabulary } = await lookup(id);
  return { subject, vocabulary, source: 'dataset', predictionTime };
}

/** One event of a request, as {@link MedsEventSchema} has checked its types. */
interface EventJson {
  readonly time?: string | null;
  readonly code: string;
  readonly numericValue?: number | null;
  readonly textValue?: string | null;
  readonly description?: string | null;
  readonly extra?: Record<string, string | number | boolean | null> | null;
}

/**
 * MEDS events as JSON (types checked by {@link RecordSchema}): `[{ "time": ISO 8601 | null,
 * "code", "numericValue"?, "textValue"?, "description"?, "extra"? }]`. Static facts (sex, race)
 * have `time: null`. `description`s become the vocabulary (first one per code wins).
 */
function parseEvents(value: readonly EventJson[], subjectIdValue: unknown): { subject: Subject; codes: CodeMetadata[] } {
  if (value.length === 0) throw new ApiError(400, 'invalid_request', 'events is empty: send at least one event', 'events');
  const subjectId = subjectIdValue === undefined ? 0 : subjectIdValue;
  if (typeof subjectId !== 'number' || !Number.isSafeInteger(subjectId))
    throw new ApiError(400, 'invalid_request', 'subjectId (with events) must be an integer', 'subjectId');
  const events: Event[] = [];
  const descriptions = new Map<string, string>();
  value.forEach((e, i) => {
    const p = `events[${i}]`;
    const time = e.time === null || e.time === undefined ? null : parseIsoTime(e.time, `${p}.time`);
    const num = e.numericValue ?? null;
    const text = e.textValue ?? null;
    let extra: Record<string, ExtraValue> | undefined;
    if (e.extra !== undefined && e.extra !== null) {
      for (const [k, v] of Object.entries(e.extra)) {
        if (v === null) continue;
        // `end` is a time column in MEDS: accept it as ISO 8601 like `time`.
        (extra ??= {})[k] = k === 'end' && typeof v === 'string' ? parseIsoTime(v, `${p}.extra.end`) : v;
      }
    }
    if (e.description !== undefined && e.description !== null && !descriptions.has(e.code)) descriptions.set(e.code, e.description);
    events.push({ subjectId, time, code: e.code, numericValue: num, textValue: text, ...(extra ? { extra } : {}) });
  });
  // MEDS order: static facts first, then by time; input order kept within a time.
  events.sort((a, b) => (a.time === b.time ? 0 : a.time === null ? -1 : b.time === null ? 1 : a.time - b.time));
  return {
    subject: { subjectId, events },
    codes: [...descriptions].map(([code, description]) => ({ code, description, parentCodes: [] })),
  };
}

/**
 * The serializer settings of a request: `format`, `maxTokens` (a positive integer or null),
 * `tokenizer`, each falling back to `defaults`.
 *
 * @throws ApiError 400 naming the bad field.
 */
export function parseSerializerSettings(body: Record<string, unknown>, defaults: SerializerSettings): SerializerSettings {
  const s = checkBody(SettingsSchema, body);
  return {
    format: s.format ?? defaults.format,
    maxTokens: s.maxTokens === undefined ? defaults.maxTokens : s.maxTokens,
    tokenizer: s.tokenizer ?? defaults.tokenizer,
  };
}
