/**
 * The request bodies of the HTTP API as zod schemas: the one definition behind both the server's
 * checks ({@link checkBody}, used by `parseRecordInput`, `parseSerializerSettings` and the
 * routes) and the OpenAPI document (`openApiDocument` turns them into JSON Schema). Each field's
 * error message is the one a caller sees. What one field cannot say alone stays in code: exactly
 * one of `bundle`/`events`/`subjectId`, the ISO 8601 parse, the FHIR conversion.
 */
import { z } from 'zod';
import { INSTRUCTION_MODES } from '../serialize/instructions.ts';
import { SERIALIZE_FORMATS } from '../serialize/serialize.ts';
import { TOKENIZER_NAMES } from '../tokenize/getTokenizer.ts';
import { ApiError } from './ApiError.ts';

/** A short description of a bad value for an error message: its type, or a short literal. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return v.length <= 40 ? JSON.stringify(v) : `a string of ${v.length} characters`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

/** `events[0].code` from zod's `['events', 0, 'code']`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** The message of every issue of a field, from its input and path. */
const says = (message: (input: unknown, path: string) => string) => ({
  error: (iss: { input?: unknown; path?: PropertyKey[] }) => message(iss.input, fieldPath(iss.path ?? [])),
});

const isoTimeMessage = (input: unknown, path: string): string =>
  input === undefined || input === null
    ? `${path} is required: an ISO 8601 date-time such as 2019-05-01T12:00:00Z`
    : `${path} must be an ISO 8601 date or date-time such as 2019-05-01T12:00:00Z, got ${describeValue(input)}`;

/** One MEDS event as JSON. */
export const MedsEventSchema = z
  .object(
    {
      time: z
        .string(says(isoTimeMessage))
        .nullable()
        .optional()
        .meta({ format: 'date-time', description: 'ISO 8601; null for static facts (sex, race)' }),
      code: z
        .string(says(() => 'code must be a non-empty string such as "LOINC/4548-4"'))
        .min(
          1,
          says(() => 'code must be a non-empty string such as "LOINC/4548-4"'),
        )
        .meta({ examples: ['LOINC/4548-4', 'MEDS_BIRTH', 'Gender/F'] }),
      numericValue: z
        .number(says(() => 'numericValue must be a finite number or null'))
        .nullable()
        .optional(),
      textValue: z
        .string(says(() => 'textValue must be a string or null'))
        .nullable()
        .optional(),
      description: z
        .string(says(() => 'description must be a string'))
        .nullable()
        .optional()
        .meta({ description: 'Description of the code (the first given per code is used)' }),
      extra: z
        .record(
          z.string(),
          z.union(
            [z.string(), z.number(), z.boolean(), z.null()],
            says(() => 'extra values must be strings, numbers or booleans'),
          ),
          says(() => 'extra must be an object of strings, numbers or booleans'),
        )
        .nullable()
        .optional()
        .meta({ description: 'Extra MEDS columns: unit, visit_id, end (ISO 8601), domain' }),
    },
    says(() => 'an event must be an object'),
  )
  .meta({ id: 'MedsEvent' });

/** The record of a request: a FHIR bundle, MEDS events or a dataset subject, and the prediction time. */
export const RecordFields = {
  bundle: z.unknown().optional().meta({
    type: 'object',
    description:
      'A FHIR R4 or STU3 Bundle holding exactly one Patient and its resources (as Synthea writes them). Converted with the batch converter (`ehr-embed convert --from fhir`).',
  }),
  // Before `events`: a bad prediction time is reported first.
  predictionTime: z
    .string(says(isoTimeMessage))
    .meta({ format: 'date-time', description: 'ISO 8601; only events at or before it are used. UTC unless an offset is given.' }),
  events: z
    .array(
      MedsEventSchema,
      says(() => 'events must be an array of MEDS events'),
    )
    .optional()
    .meta({ description: 'MEDS events of one subject, instead of a bundle' }),
  subjectId: z
    .union(
      [z.number(), z.string()],
      says(() => 'subjectId must be a number or a string'),
    )
    .optional()
    .meta({
      description:
        'A subject of the `--meds` dataset (MEDS id or source id), instead of a bundle; with `events`, the id to report (default 0)',
    }),
};

const maxTokensMessage = says((input) => `maxTokens must be a positive integer or null, got ${describeValue(input)}`);

/** The serializer settings a request may give. */
export const SettingsFields = {
  format: z
    .enum(
      SERIALIZE_FORMATS,
      says((input) => `format must be one of ${SERIALIZE_FORMATS.join(', ')}, got ${describeValue(input)}`),
    )
    .nullish()
    .meta({
      description:
        "Serialization format: markdown and list are the paper's serializers byte for byte, markdown-plus and list-plus ehr-embed's variants (default: the loaded probes', else markdown)",
    }),
  maxTokens: z
    .number(maxTokensMessage)
    .int(maxTokensMessage)
    .min(1, maxTokensMessage)
    .nullable()
    .optional()
    .meta({ description: "Token budget; null for none (default: the probes', else none)" }),
  tokenizer: z
    .enum(
      TOKENIZER_NAMES as [string, ...string[]],
      says((input) => `tokenizer must be one of ${TOKENIZER_NAMES.join(', ')}, got ${describeValue(input)}`),
    )
    .nullish()
    .meta({ description: "Tokenizer of the budget and counts (default: the probes', else qwen2)" }),
};

/** The record fields alone (what `parseRecordInput` checks). */
export const RecordSchema = z.object(RecordFields);

/** The settings alone (what `parseSerializerSettings` checks). */
export const SettingsSchema = z.object(SettingsFields).meta({ id: 'Settings' });

/** Fields only `/v1/embed` reads. */
export const EmbedFields = {
  model: z.string().optional().meta({ description: "Must be the server's model spec when given" }),
  instruction: z
    .string(says(() => 'instruction must be a string (the instruction text) or null (none)'))
    .nullable()
    .optional()
    .meta({
      description: `Instruction text; null for none (default: the study's generic instruction; \`ehr-embed embed --instruction\` modes: ${INSTRUCTION_MODES.join(', ')})`,
    }),
};

const TASKS_MESSAGE = 'tasks must be a non-empty array of task names (see GET /v1/models)';

/** Fields only `/v1/predict` reads. */
export const PredictFields = {
  tasks: z
    .array(
      z.string(says(() => TASKS_MESSAGE)).min(
        1,
        says(() => TASKS_MESSAGE),
      ),
      says(() => 'tasks must be a non-empty array of task names (see GET /v1/models)'),
    )
    .min(
      1,
      says(() => 'tasks must be a non-empty array of task names (see GET /v1/models)'),
    )
    .optional()
    .meta({ description: 'Task names of loaded probes (default: all)' }),
};

/** The `/v1/embed` fields alone. */
export const EmbedFieldsSchema = z.object(EmbedFields);
/** The `/v1/predict` fields alone. */
export const PredictFieldsSchema = z.object(PredictFields);

/** Exactly one record source and a prediction time (JSON Schema only: checked in code). */
const ONE_RECORD = { oneOf: [{ required: ['bundle'] }, { required: ['events'] }, { required: ['subjectId'] }] };

/** `POST /v1/serialize` and `POST /v1/inspect`. */
export const SerializeRequestSchema = z.object({ ...RecordFields, ...SettingsFields }).meta({ id: 'SerializeRequest', ...ONE_RECORD });
/** `POST /v1/embed`. */
export const EmbedRequestSchema = z
  .object({ ...RecordFields, ...SettingsFields, ...EmbedFields })
  .meta({ id: 'EmbedRequest', ...ONE_RECORD });
/** `POST /v1/predict`. */
export const PredictRequestSchema = z.object({ ...RecordFields, ...PredictFields, ...SettingsFields }).meta({
  id: 'PredictRequest',
  description:
    'format, maxTokens and tokenizer may be restated but not changed: each probe serializes with its training settings (400 settings_mismatch).',
  ...ONE_RECORD,
});

/** The schemas the OpenAPI document lists under `components.schemas`, by name. */
export const REQUEST_SCHEMAS = {
  MedsEvent: MedsEventSchema,
  Settings: SettingsSchema,
  SerializeRequest: SerializeRequestSchema,
  EmbedRequest: EmbedRequestSchema,
  PredictRequest: PredictRequestSchema,
} as const;

/**
 * Check `body` against a schema; the first problem becomes a 400 `invalid_request` naming its
 * field (`events[2].code`).
 */
export function checkBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0] as z.core.$ZodIssue;
  const path = issue.path.length > 0 ? fieldPath(issue.path) : null;
  throw new ApiError(400, 'invalid_request', issue.message, path);
}

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of the request schemas, cross-referenced as `#/components/schemas/<name>`. */
export function requestJsonSchemas(): Record<string, Record<string, unknown>> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(REQUEST_SCHEMAS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, io: 'input', unrepresentable: 'any' });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, s]) => {
      const { $schema: _s, $id: _i, id: _id, ...rest } = s as Record<string, unknown>;
      return [id, rest];
    }),
  );
}
