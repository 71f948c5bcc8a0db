/**
 * One in-memory FHIR Bundle → one MEDS {@link Subject}, through the same converter code as
 * `ehr-embed convert --from fhir` (for the HTTP service: the text a model reads must not depend on
 * whether a patient came through the batch pipeline or a request).
 *
 * The batch pipeline stores events in parquet and reads them back, which changes them in three
 * ways that the serialized text can show; this function applies the same changes so that both
 * paths give the same events:
 * - `numeric_value` is float32 on disk: values are rounded with `Math.fround`;
 * - `time` (and the `end` extra column) are microsecond timestamps: times are rounded to whole
 *   microseconds;
 * - only the converter's extra columns are stored, null ones are dropped, and rows are ordered by
 *   time (static events first) keeping emission order within a time.
 */
import { devNull } from 'node:os';
import { UsageError } from '../errors.ts';
import type { CodeMetadata, Event, ExtraValue, Subject } from '../types.ts';
import { ConversionReport, type ConversionSummary } from './ConversionReport.ts';
import { CONVERTED_EXTRA_COLUMNS, type ConvertContext } from './Converter.ts';
import { convertBundle } from './fhir.ts';
import { SubjectIdMap } from './SubjectIdMap.ts';

/** Result of {@link fhirBundleToSubject}. */
export interface BundleSubject {
  /** The patient's events, as the batch pipeline would read them back from its MEDS dataset. */
  readonly subject: Subject;
  /** The Patient resource id (the source id recorded in `metadata/subject_ids.parquet`). */
  readonly sourceId: string;
  /**
   * Descriptions of the codes seen in the bundle, as `codes.parquet` would hold them (the first
   * non-null description of a code wins). Pass to `vocabularyFromCodes`.
   */
  readonly codes: readonly CodeMetadata[];
  /** Read, written, skipped and ignored counts of the conversion (no record content). */
  readonly report: ConversionSummary;
  /** Events of the bundle that belong to another patient than the bundle's Patient (left out). */
  readonly otherPatientEvents: number;
}

/** Options of {@link fhirBundleToSubject}. */
export interface FhirBundleToSubjectOptions {
  /**
   * Where the bundle came from, for error messages and the conversion report (default
   * `(request)`). Never holds patient content.
   */
  readonly source?: string;
}

const TIMESTAMP_EXTRAS = new Set(CONVERTED_EXTRA_COLUMNS.filter((c) => c.type === 'TIMESTAMP').map((c) => c.name));

/**
 * Convert one FHIR R4 or STU3 Bundle (parsed JSON) holding one Patient to that patient's
 * {@link Subject}. The subject id is the batch pipeline's ({@link SubjectIdMap}: a numeric
 * Patient id as is, otherwise the first 48 bits of the SHA-256 of the id). Resources the batch
 * converter skips or ignores are skipped here too (counted in `report`).
 *
 * @throws UsageError when the value is not a Bundle, holds no Patient with an id, or holds more
 *   than one Patient (field `entry`).
 */
export function fhirBundleToSubject(bundle: unknown, options: FhirBundleToSubjectOptions = {}): BundleSubject {
  const source = options.source ?? '(request)';
  if (typeof bundle !== 'object' || bundle === null || Array.isArray(bundle))
    throw new UsageError('expected a FHIR Bundle object', { field: 'bundle' });
  const b = bundle as Record<string, unknown>;
  if (b.resourceType !== 'Bundle') {
    const t = b.resourceType;
    const got =
      t === undefined || t === null
        ? 'none'
        : typeof t === 'string'
          ? /^[A-Za-z]{1,40}$/.test(t)
            ? `"${t}"`
            : `a string of ${t.length} characters`
          : Array.isArray(t)
            ? 'an array'
            : typeof t === 'object'
              ? 'an object'
              : String(t);
    throw new UsageError(`expected a FHIR Bundle (resourceType "Bundle"), got resourceType ${got}`, { field: 'bundle.resourceType' });
  }
  if (b.entry !== undefined && !Array.isArray(b.entry)) throw new UsageError('Bundle.entry must be an array', { field: 'bundle.entry' });
  const patientIds = new Set<string>();
  for (const e of (b.entry as unknown[] | undefined) ?? []) {
    const r = isObj(e) && isObj(e.resource) ? e.resource : undefined;
    if (r?.resourceType === 'Patient' && typeof r.id === 'string' && r.id !== '') patientIds.add(r.id);
  }
  if (patientIds.size === 0)
    throw new UsageError('the bundle has no Patient resource with an id: send one Patient and its resources in one Bundle', {
      field: 'bundle.entry',
    });
  if (patientIds.size > 1)
    throw new UsageError(`the bundle has ${patientIds.size} Patient resources: send one patient per request`, { field: 'bundle.entry' });
  const sourceId = [...patientIds][0] as string;

  const ids = new SubjectIdMap();
  const subjectId = ids.idFor(sourceId);
  // A real report (its counters are the batch converter's); its rejects go nowhere.
  const report = new ConversionReport(devNull);
  const events: Event[] = [];
  const descriptions = new Map<string, string | null>();
  let otherPatientEvents = 0;
  const ctx: ConvertContext = {
    emit(event, kind) {
      report.written(kind);
      if (event.subjectId !== subjectId) {
        otherPatientEvents++;
        return;
      }
      events.push(asStored(event));
    },
    describeCode(code, description) {
      // MedsWriter.setCode: the first non-null description wins.
      const prev = descriptions.get(code);
      if (prev === undefined || (prev === null && description !== null)) descriptions.set(code, description);
    },
    subjectId: (id) => ids.idFor(id),
    report,
    progress: () => undefined,
  };
  convertBundle(b, { file: source, line: 1 }, ctx, new Map());

  // The batch writer orders rows by (time NULLS FIRST, emission order); a stable sort does the same.
  events.sort((x, y) => (x.time === y.time ? 0 : x.time === null ? -1 : y.time === null ? 1 : x.time - y.time));
  const seen = new Set(events.map((e) => e.code));
  const codes: CodeMetadata[] = [];
  for (const [code, description] of descriptions) if (seen.has(code)) codes.push({ code, description, parentCodes: [] });
  return { subject: { subjectId, events }, sourceId, codes, report: report.summary('fhir', source), otherPatientEvents };
}

/** An event as it reads back from a MEDS dataset written by the batch converter. */
function asStored(e: Event): Event {
  let extra: Record<string, ExtraValue> | undefined;
  if (e.extra) {
    for (const col of CONVERTED_EXTRA_COLUMNS) {
      const v = e.extra[col.name];
      if (v === undefined || v === null) continue;
      extra ??= {};
      extra[col.name] =
        TIMESTAMP_EXTRAS.has(col.name) && typeof v === 'number'
          ? micros(v)
          : col.type === 'VARCHAR' && typeof v !== 'string'
            ? String(v)
            : v;
    }
  }
  return {
    subjectId: e.subjectId,
    time: e.time === null ? null : micros(e.time),
    code: e.code,
    numericValue: e.numericValue !== null && Number.isFinite(e.numericValue) ? Math.fround(e.numericValue) : null,
    textValue: e.textValue,
    ...(extra ? { extra } : {}),
  };
}

/** Epoch ms rounded to whole microseconds (MEDS `timestamp[us]`), as read back: `us / 1000`. */
function micros(t: number): number {
  return Math.round(t * 1000) / 1000;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
