/**
 * FHIR R4 and STU3 → MEDS. Input: a Bundle JSON file, NDJSON (optionally .gz) of Bundles or of
 * bare resources (bulk-export layout), or a directory of them. One event per clinical fact;
 * billing and administrative resources are counted and ignored; bad records are skipped with a
 * reason (see ConversionReport).
 */
import { dirname } from 'node:path';
import { statSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import type { Event, ExtraValue } from '../types.ts';
import type { Converter, ConvertContext } from './Converter.ts';
import { vocabularyOf, vocabularyRank } from './codeSystems.ts';
import { numericValue as checkNumber } from './numericValue.ts';
import { parseFhirDateTime } from './parseFhirDateTime.ts';
import { reasonValue } from './reasonValue.ts';
import { listFhirFiles, readRecords, totalBytes } from './readRecords.ts';
import { lookupTable } from '../lookupTable.ts';

/** A FHIR resource as parsed JSON. */
type R = Record<string, unknown>;

interface Where {
  readonly file: string;
  readonly line: number;
}

/** Resource types that are not clinical events for a patient timeline: counted, not converted. */
const IGNORED: Readonly<Record<string, string>> = lookupTable({
  Claim: 'billing resource',
  ExplanationOfBenefit: 'billing resource',
  Coverage: 'billing resource',
  Organization: 'administrative resource',
  Practitioner: 'administrative resource',
  PractitionerRole: 'administrative resource',
  Location: 'administrative resource',
  Provenance: 'administrative resource',
  CareTeam: 'administrative resource',
  Goal: 'not converted (goals are plans, not events)',
  Medication: 'used to resolve medication references',
  ImagingStudy: 'not converted (imaging metadata)',
  SupplyDelivery: 'not converted (supply logistics)',
  DocumentReference: 'not converted (documents)',
  Media: 'not converted (media)',
});

/** Visit class codes (R4 v3-ActCode and STU3/Synthea words) → our `Visit/` codes. */
const VISIT_CLASSES: Readonly<Record<string, [string, string]>> = lookupTable({
  IMP: ['Visit/IP', 'Inpatient Visit'],
  ACUTE: ['Visit/IP', 'Inpatient Visit'],
  NONAC: ['Visit/IP', 'Inpatient Visit'],
  inpatient: ['Visit/IP', 'Inpatient Visit'],
  EMER: ['Visit/ER', 'Emergency Room Visit'],
  emergency: ['Visit/ER', 'Emergency Room Visit'],
  AMB: ['Visit/AMB', 'Ambulatory Visit'],
  ambulatory: ['Visit/AMB', 'Ambulatory Visit'],
  outpatient: ['Visit/OP', 'Outpatient Visit'],
  wellness: ['Visit/WELL', 'Wellness Visit'],
  urgentcare: ['Visit/URGENT', 'Urgent Care Visit'],
  HH: ['Visit/HH', 'Home Health Visit'],
  home: ['Visit/HH', 'Home Health Visit'],
  VR: ['Visit/VR', 'Virtual Visit'],
  virtual: ['Visit/VR', 'Virtual Visit'],
  OBSENC: ['Visit/OBS', 'Observation Visit'],
  PRENC: ['Visit/PRE', 'Pre-admission Visit'],
  SS: ['Visit/SS', 'Short Stay Visit'],
  FLD: ['Visit/FLD', 'Field Visit'],
});

const GENDERS: Readonly<Record<string, [string, string]>> = lookupTable({
  female: ['Gender/F', 'Female'],
  male: ['Gender/M', 'Male'],
  other: ['Gender/O', 'Other gender'],
  unknown: ['Gender/U', 'Unknown gender'],
});

/** The FHIR converter (`--from fhir`). */
export const fhirConverter: Converter = {
  name: 'fhir',
  description: 'FHIR R4 or STU3: a Bundle .json, NDJSON (.gz) of Bundles or bare resources, or a directory of them',
  async convert(input: string, ctx: ConvertContext): Promise<void> {
    const files = listFhirFiles(input);
    const total = totalBytes(files);
    const root = statSync(input).isDirectory() ? input : dirname(input);
    // Bulk-export layout: Medication resources (read first) resolve references across files.
    const globalIndex = new Map<string, R>();
    const seen = new Set<string>();
    let usable = 0;
    let lines = 0;
    let firstProblem: string | undefined;
    ctx.progress(0, total);
    for await (const rec of readRecords(files, root, (b) => ctx.progress(b, total))) {
      const where = { file: rec.file, line: rec.line };
      lines++;
      if (rec.value === undefined) {
        firstProblem ??= `${rec.file}: ${rec.error ?? 'invalid JSON'}`;
        ctx.report.read('(unparsed line)');
        ctx.report.skip('(unparsed line)', rec.error ?? 'invalid JSON', where);
        continue;
      }
      const v = rec.value;
      if (rec.underflow) ctx.report.fallback('(record)', 'number literal too small for a double (1e-400): read as 0');
      if (!isObj(v) || typeof v.resourceType !== 'string') {
        ctx.report.read('(not a resource)');
        firstProblem ??= `${rec.file}: JSON value has no resourceType`;
        ctx.report.skip('(not a resource)', 'JSON value has no resourceType', where);
        continue;
      }
      usable++;
      if (v.resourceType === 'Bundle') {
        convertBundle(v, where, ctx, globalIndex, seen);
      } else {
        if (v.resourceType === 'Medication' && typeof v.id === 'string') indexResource(globalIndex, v, undefined);
        convertResource(v, where, ctx, (ref) => globalIndex.get(ref), seen);
      }
    }
    // Nothing at all was a FHIR resource: an empty, binary, UTF-16 or misnamed input, not data
    // with a few bad records. Failing beats writing an empty dataset with exit code 0.
    if (usable === 0) {
      throw new UsageError(
        `no FHIR resource could be read from ${files.length} file(s) (${lines} record(s) rejected; first: ${firstProblem ?? 'no records'}): expected UTF-8 JSON or NDJSON, optionally gzip`,
        { file: input },
      );
    }
  },
};

/**
 * Convert the resources of one Bundle. References resolve within the bundle first, then through
 * `globalIndex` (bulk-export Medications; pass an empty map for a lone bundle). Exported for the
 * service, which converts one in-memory bundle with the same code as the batch converter.
 */
export function convertBundle(
  bundle: Record<string, unknown>,
  where: { readonly file: string; readonly line: number },
  ctx: ConvertContext,
  globalIndex: Map<string, Record<string, unknown>>,
  seen: Set<string> = new Set(),
): void {
  if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) {
    ctx.report.read('Bundle');
    ctx.report.skip('Bundle', 'Bundle.entry is not an array', where);
    return;
  }
  const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
  const local = new Map<string, R>();
  for (const e of entries) {
    if (isObj(e) && isObj(e.resource)) indexResource(local, e.resource, typeof e.fullUrl === 'string' ? e.fullUrl : undefined);
  }
  const resolve = (ref: string): R | undefined => local.get(ref) ?? globalIndex.get(ref);
  for (const e of entries) {
    if (!isObj(e) || !isObj(e.resource) || typeof e.resource.resourceType !== 'string') {
      ctx.report.read('(bundle entry)');
      ctx.report.skip('(bundle entry)', 'bundle entry without a resource', where);
      continue;
    }
    convertResource(e.resource, where, ctx, resolve, seen);
  }
}

function indexResource(index: Map<string, R>, r: R, fullUrl: string | undefined): void {
  if (fullUrl) index.set(fullUrl, r);
  if (typeof r.id === 'string') {
    index.set(`${String(r.resourceType)}/${r.id}`, r);
    index.set(`urn:uuid:${r.id}`, r);
  }
}

/** Per-resource conversion environment. */
interface Env {
  readonly ctx: ConvertContext;
  readonly kind: string;
  readonly where: Where & { id?: string };
  readonly resource: R;
  readonly resolve: (ref: string) => R | undefined;
}

/** How a duplicate resource is counted (in `ignored`, by resource type). */
export const DUPLICATE_RESOURCE = 'duplicate: same resourceType and id as an earlier resource (converted once)';

/**
 * @param seen `resourceType/id` of the resources converted so far: the same resource twice (the
 *   same bundle in two files, a re-export appended to another) is converted once and counted.
 */
function convertResource(r: R, where: Where, ctx: ConvertContext, resolve: (ref: string) => R | undefined, seen: Set<string>): void {
  const kind = safeKind(r.resourceType as string);
  ctx.report.read(kind);
  const env: Env = { ctx, kind, where: { ...where, ...(typeof r.id === 'string' ? { id: r.id } : {}) }, resource: r, resolve };
  const ignored = IGNORED[kind];
  if (ignored !== undefined) {
    ctx.report.ignore(kind, ignored);
    return;
  }
  if (typeof r.id === 'string' && r.id !== '') {
    const key = `${kind}/${r.id}`;
    if (seen.has(key)) {
      ctx.report.ignore(kind, DUPLICATE_RESOURCE);
      return;
    }
    seen.add(key);
  }
  const handler = HANDLERS[kind];
  if (!handler) {
    ctx.report.skip(kind, `resource type ${kind === OTHER_KIND ? 'other than a FHIR name' : `"${kind}"`} is not supported`, env.where);
    return;
  }
  handler(env);
}

const HANDLERS: Readonly<Record<string, (env: Env) => void>> = lookupTable({
  Patient: patient,
  Encounter: encounter,
  Condition: (env) =>
    clinical(env, env.resource.code, 'condition', ['onsetDateTime', 'onsetPeriod.start', 'recordedDate', 'assertedDate'], {
      endFields: ['abatementDateTime', 'abatementPeriod.end'],
    }),
  Observation: observation,
  MedicationRequest: (env) => medication(env, ['authoredOn']),
  MedicationStatement: (env) => medication(env, ['effectiveDateTime', 'effectivePeriod.start', 'dateAsserted']),
  MedicationAdministration: (env) => medication(env, ['effectiveDateTime', 'effectivePeriod.start']),
  MedicationDispense: (env) => medication(env, ['whenHandedOver', 'whenPrepared']),
  Procedure: (env) =>
    clinical(env, env.resource.code, 'procedure', ['performedDateTime', 'performedPeriod.start'], { endFields: ['performedPeriod.end'] }),
  Immunization: immunization,
  AllergyIntolerance: (env) =>
    clinical(env, env.resource.code, 'allergy', ['onsetDateTime', 'onsetPeriod.start', 'recordedDate', 'assertedDate']),
  DiagnosticReport: (env) =>
    clinical(env, env.resource.code, 'diagnostic_report', ['effectiveDateTime', 'effectivePeriod.start', 'issued']),
  CarePlan: carePlan,
  Device: (env) => clinical(env, env.resource.type, 'device', ['manufactureDate']),
});

// ---------------------------------------------------------------------------------------------

function patient(env: Env): void {
  const { ctx, resource: r } = env;
  if (typeof r.id !== 'string' || r.id === '') return env.ctx.report.skip(env.kind, 'Patient without an id', env.where);
  const subjectId = ctx.subjectId(r.id);
  const base = { subjectId, numericValue: null, textValue: null };
  const birth = parseFhirDateTime(r.birthDate);
  if (birth !== null) {
    ctx.emit({ ...base, time: birth, code: 'MEDS_BIRTH', extra: { domain: 'demographics', source_value: r.id } }, env.kind);
    ctx.describeCode('MEDS_BIRTH', 'Birth');
  } else {
    ctx.report.fallback(env.kind, 'no usable birthDate (no MEDS_BIRTH)');
  }
  const gender = typeof r.gender === 'string' ? GENDERS[r.gender] : undefined;
  if (gender === undefined && r.gender !== undefined) ctx.report.fallback(env.kind, 'unknown gender value (no Gender/ event)');
  if (gender) {
    ctx.emit({ ...base, time: null, code: gender[0], extra: { domain: 'demographics' } }, env.kind);
    ctx.describeCode(gender[0], gender[1]);
  }
  for (const [url, prefix] of [
    ['us-core-race', 'Race'],
    ['us-core-ethnicity', 'Ethnicity'],
  ] as const) {
    const coding = usCoreCategory(r, url);
    if (coding) {
      const code = `${prefix}/${coding.code}`;
      ctx.emit({ ...base, time: null, code, extra: { domain: 'demographics' } }, env.kind);
      ctx.describeCode(code, coding.display);
    }
  }
  const death = parseFhirDateTime(r.deceasedDateTime);
  if (death !== null) {
    ctx.emit({ ...base, time: death, code: 'MEDS_DEATH', extra: { domain: 'death' } }, env.kind);
    ctx.describeCode('MEDS_DEATH', 'Death');
  } else if (r.deceasedBoolean === true) {
    ctx.report.fallback(env.kind, 'deceasedBoolean without a date (no MEDS_DEATH)');
  }
}

/** Race/ethnicity from US Core (R4: nested ombCategory/text) or STU3-style valueCodeableConcept. */
function usCoreCategory(r: R, urlSuffix: string): { code: string; display: string } | null {
  const exts = Array.isArray(r.extension) ? r.extension.filter(isObj) : [];
  const ext = exts.find((e) => typeof e.url === 'string' && e.url.endsWith(urlSuffix));
  if (!ext) return null;
  const inner = Array.isArray(ext.extension) ? ext.extension.filter(isObj) : [];
  const omb = inner.find((e) => e.url === 'ombCategory');
  const text = inner.find((e) => e.url === 'text');
  const coding = isObj(omb?.valueCoding) ? omb.valueCoding : firstCoding(ext.valueCodeableConcept);
  if (coding && typeof coding.code === 'string') {
    const display =
      typeof coding.display === 'string' ? coding.display : typeof text?.valueString === 'string' ? text.valueString : coding.code;
    return { code: coding.code, display };
  }
  if (typeof text?.valueString === 'string') return { code: slug(text.valueString), display: text.valueString };
  return null;
}

function encounter(env: Env): void {
  const { ctx, resource: r } = env;
  const subjectId = subjectOf(env);
  if (subjectId === null) return;
  const period = isObj(r.period) ? r.period : {};
  const start = parseFhirDateTime(period.start);
  if (start === null) return ctx.report.skip(env.kind, 'Encounter without a usable period.start', env.where);
  const end = parseFhirDateTime(period.end);
  const cls = classCode(r.class);
  const mapped = cls ? VISIT_CLASSES[cls] : undefined;
  const [code, description] = mapped ?? [
    `Visit/${(cls ?? 'UNKNOWN').toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`,
    `${cls ?? 'Unknown'} Visit`,
  ];
  if (!mapped) ctx.report.fallback(env.kind, `unmapped encounter class ${cls === null ? '(none)' : reasonValue(cls)}`);
  const type = Array.isArray(r.type) ? r.type.find(isObj) : undefined;
  const typeText = type ? (typeof type.text === 'string' ? type.text : (firstCoding(type)?.display as string | undefined)) : undefined;
  const extra: Record<string, ExtraValue> = { domain: 'visit', visit_id: typeof r.id === 'string' ? r.id : null };
  if (end !== null) extra.end = end;
  ctx.emit({ subjectId, time: start, code, numericValue: null, textValue: typeText ?? null, extra }, env.kind);
  ctx.describeCode(code, description);
}

function classCode(c: unknown): string | null {
  const v = Array.isArray(c) ? c[0] : c;
  if (!isObj(v)) return null;
  if (typeof v.code === 'string') return v.code;
  const coding = firstCoding(v);
  return typeof coding?.code === 'string' ? coding.code : null;
}

function observation(env: Env): void {
  const { ctx, resource: r } = env;
  const subjectId = subjectOf(env);
  if (subjectId === null) return;
  const time = firstTime(r, ['effectiveDateTime', 'effectivePeriod.start', 'effectiveInstant', 'issued'], env);
  if (time === null) return ctx.report.skip(env.kind, 'Observation without a usable effective time', env.where);
  const main = pickCode(r.code);
  if (!main) return ctx.report.skip(env.kind, 'Observation without a usable code', env.where);
  const categories = Array.isArray(r.category) ? r.category : [];
  const isMeasurement = categories.some((c) => {
    const code = firstCoding(c)?.code;
    return code === 'laboratory' || code === 'vital-signs';
  });
  const domain = isMeasurement ? 'measurement' : 'observation';
  const visitId = encounterOf(r);
  const components = Array.isArray(r.component) ? r.component.filter(isObj) : [];
  const hasValue = Object.keys(r).some((k) => k.startsWith('value'));
  const events: Event[] = [];
  if (hasValue || components.length === 0) {
    const val = observationValue(r);
    if ('error' in val) return ctx.report.skip(env.kind, val.error, env.where);
    if (val.note) ctx.report.fallback(env.kind, val.note);
    events.push(valueEvent(subjectId, time, main.code, val, domain, visitId));
    ctx.describeCode(main.code, main.description);
  }
  for (const comp of components) {
    const cc = pickCode(comp.code);
    if (!cc) return ctx.report.skip(env.kind, 'Observation component without a usable code', env.where);
    const val = observationValue(comp);
    if (!('error' in val) && val.note) ctx.report.fallback(env.kind, val.note);
    if ('error' in val) return ctx.report.skip(env.kind, `component ${reasonValue(cc.code)}: ${val.error}`, env.where);
    events.push(valueEvent(subjectId, time, cc.code, val, domain, visitId));
    ctx.describeCode(cc.code, cc.description);
  }
  for (const e of events) ctx.emit(e, env.kind);
}

type ObsValue = { numeric: number | null; text: string | null; unit: string | null; note?: string | null } | { error: string };

/** A JSON number as numeric_value, with a note when float32 storage cannot keep it (then kept as text). */
function numberValue(x: number, unit: string | null): ObsValue {
  const c = checkNumber(x, String(x));
  return { numeric: c.value, text: c.value === null ? String(x) : null, unit, note: c.note };
}

function observationValue(o: R): ObsValue {
  if (o.valueQuantity !== undefined) {
    const q = o.valueQuantity;
    if (!isObj(q) || typeof q.value !== 'number' || !Number.isFinite(q.value)) return { error: 'valueQuantity.value is not a number' };
    const unit = typeof q.code === 'string' && q.code !== '' ? q.code : typeof q.unit === 'string' ? q.unit : null;
    return numberValue(q.value, unit);
  }
  if (typeof o.valueInteger === 'number') return numberValue(o.valueInteger, null);
  if (typeof o.valueDecimal === 'number') return numberValue(o.valueDecimal, null);
  if (typeof o.valueString === 'string') return { numeric: null, text: o.valueString, unit: null };
  if (typeof o.valueBoolean === 'boolean') return { numeric: null, text: String(o.valueBoolean), unit: null };
  if (o.valueCodeableConcept !== undefined) {
    const cc = o.valueCodeableConcept;
    const c = firstCoding(cc);
    const text =
      isObj(cc) && typeof cc.text === 'string'
        ? cc.text
        : typeof c?.display === 'string'
          ? c.display
          : typeof c?.code === 'string'
            ? c.code
            : null;
    return { numeric: null, text, unit: null };
  }
  for (const k of ['valueDateTime', 'valueTime', 'valuePeriod', 'valueRange', 'valueRatio', 'valueSampledData']) {
    if (o[k] !== undefined) return { numeric: null, text: typeof o[k] === 'string' ? o[k] : JSON.stringify(o[k]), unit: null };
  }
  return { numeric: null, text: null, unit: null };
}

function valueEvent(
  subjectId: number,
  time: number,
  code: string,
  v: { numeric: number | null; text: string | null; unit: string | null },
  domain: string,
  visitId: string | null,
): Event {
  const extra: Record<string, ExtraValue> = { domain };
  if (v.unit !== null) extra.unit = v.unit;
  if (visitId !== null) extra.visit_id = visitId;
  return { subjectId, time, code, numericValue: v.numeric, textValue: v.text, extra };
}

function medication(env: Env, timeFields: string[]): void {
  const { ctx, resource: r } = env;
  let concept: unknown = r.medicationCodeableConcept;
  if (concept === undefined && isObj(r.medicationReference)) {
    const ref = r.medicationReference.reference;
    let med: R | undefined;
    if (typeof ref === 'string' && ref.startsWith('#')) {
      const contained = Array.isArray(r.contained) ? r.contained.filter(isObj) : [];
      med = contained.find((c) => c.id === ref.slice(1));
    } else if (typeof ref === 'string') {
      med = env.resolve(ref);
    }
    if (!med)
      return ctx.report.skip(
        env.kind,
        `medicationReference ${typeof ref === 'string' ? 'to an unknown Medication' : 'without a reference'}`,
        env.where,
      );
    concept = med.code;
  }
  // R5 uses medication.concept / medication.reference.
  if (concept === undefined && isObj(r.medication)) concept = r.medication.concept;
  clinical(env, concept, 'medication', timeFields, { endFields: ['effectivePeriod.end'] });
}

function immunization(env: Env): void {
  const r = env.resource;
  if (r.notGiven === true || r.status === 'not-done') {
    env.ctx.report.ignore(env.kind, 'immunization not given');
    return;
  }
  clinical(env, r.vaccineCode, 'immunization', ['occurrenceDateTime', 'date', 'recorded']);
}

function carePlan(env: Env): void {
  const { ctx, resource: r } = env;
  const subjectId = subjectOf(env);
  if (subjectId === null) return;
  const start = firstTime(r, ['period.start', 'created'], env);
  if (start === null) return ctx.report.skip(env.kind, 'CarePlan without a usable period.start', env.where);
  const end = firstTime(r, ['period.end'], env);
  const visitId = encounterOf(r);
  const concepts: unknown[] = [...(Array.isArray(r.category) ? r.category : [])];
  for (const a of Array.isArray(r.activity) ? r.activity.filter(isObj) : []) if (isObj(a.detail)) concepts.push(a.detail.code);
  let n = 0;
  for (const c of concepts) {
    const picked = pickCode(c);
    if (!picked) continue;
    // Generic "care plan" category codes without a system add nothing a reader can use.
    if (picked.code.startsWith('UNKNOWN/')) continue;
    const extra: Record<string, ExtraValue> = { domain: 'careplan' };
    if (visitId !== null) extra.visit_id = visitId;
    if (end !== null) extra.end = end;
    ctx.emit({ subjectId, time: start, code: picked.code, numericValue: null, textValue: null, extra }, env.kind);
    ctx.describeCode(picked.code, picked.description);
    n++;
  }
  if (n === 0) ctx.report.skip(env.kind, 'CarePlan without a usable category or activity code', env.where);
}

/** The common case: one coded event at the first usable time field. */
function clinical(env: Env, concept: unknown, domain: string, timeFields: string[], opts: { endFields?: string[] } = {}): void {
  const { ctx, resource: r } = env;
  const subjectId = subjectOf(env);
  if (subjectId === null) return;
  const time = firstTime(r, timeFields, env);
  if (time === null) return ctx.report.skip(env.kind, `${env.kind} without a usable date (${timeFields.join(', ')})`, env.where);
  const picked = pickCode(concept);
  if (!picked) return ctx.report.skip(env.kind, `${env.kind} without a usable code`, env.where);
  const extra: Record<string, ExtraValue> = { domain };
  const visitId = encounterOf(r);
  if (visitId !== null) extra.visit_id = visitId;
  const end = opts.endFields ? firstTime(r, opts.endFields) : null;
  if (end !== null) extra.end = end;
  ctx.emit({ subjectId, time, code: picked.code, numericValue: null, textValue: null, extra }, env.kind);
  ctx.describeCode(picked.code, picked.description);
}

// ---------------------------------------------------------------------------------------------

function subjectOf(env: Env): number | null {
  const r = env.resource;
  const ref = isObj(r.subject) ? r.subject.reference : isObj(r.patient) ? r.patient.reference : undefined;
  const id = typeof ref === 'string' ? idFromReference(ref) : null;
  if (id === null) {
    env.ctx.report.skip(env.kind, `${env.kind} without a patient reference (subject or patient)`, env.where);
    return null;
  }
  return env.ctx.subjectId(id);
}

function encounterOf(r: R): string | null {
  const ref = isObj(r.encounter) ? r.encounter.reference : isObj(r.context) ? r.context.reference : undefined;
  return typeof ref === 'string' ? idFromReference(ref) : null;
}

/** `urn:uuid:X`, `Patient/X`, `https://server/fhir/Patient/X` → `X`. */
export function idFromReference(ref: string): string | null {
  if (ref.startsWith('urn:uuid:')) return ref.slice(9) || null;
  if (ref.startsWith('urn:oid:')) return ref.slice(8) || null;
  const parts = ref.split('/').filter(Boolean);
  const hist = parts.indexOf('_history');
  const id = hist > 0 ? parts[hist - 1] : parts[parts.length - 1];
  return id && !id.startsWith('#') ? id : null;
}

/**
 * First time among dotted field paths (`effectivePeriod.start`). A field that is present but
 * unreadable (`effectiveDateTime: "2019-13-45"`) is passed over for the next one; when `env` is
 * given that fallback is counted, so that a record dated by `issued` instead is not silent.
 */
function firstTime(r: R, fields: string[], env?: Env): number | null {
  let bad: string | null = null;
  for (const f of fields) {
    let v: unknown = r;
    for (const p of f.split('.')) v = isObj(v) ? v[p] : undefined;
    const t = parseFhirDateTime(v);
    if (t !== null) {
      if (bad !== null && env) env.ctx.report.fallback(env.kind, `unreadable ${bad}: ${f} used`);
      return t;
    }
    if (v !== undefined && bad === null) bad = f;
  }
  return null;
}

/** Choose the code of a CodeableConcept: the best-ranked vocabulary among its codings. */
export function pickCode(cc: unknown): { code: string; description: string | null } | null {
  if (!isObj(cc)) return null;
  const codings = Array.isArray(cc.coding) ? cc.coding.filter((c): c is R => isObj(c) && typeof c.code === 'string' && c.code !== '') : [];
  if (codings.length === 0) return null;
  let best = codings[0] as R;
  let bestRank = vocabularyRank(vocabularyOf(best.system as string | undefined));
  for (const c of codings.slice(1)) {
    const rank = vocabularyRank(vocabularyOf(c.system as string | undefined));
    if (rank < bestRank) {
      best = c;
      bestRank = rank;
    }
  }
  const description = typeof best.display === 'string' ? best.display : typeof cc.text === 'string' ? cc.text : null;
  return { code: `${vocabularyOf(best.system as string | undefined)}/${best.code as string}`, description };
}

function firstCoding(cc: unknown): R | undefined {
  if (!isObj(cc) || !Array.isArray(cc.coding)) return undefined;
  return cc.coding.find(isObj);
}

const OTHER_KIND = '(unknown resource type)';

/** A resource type for the counts: a FHIR-like name as is, anything else under one label. */
function safeKind(t: string): string {
  return /^[A-Z][A-Za-z]{0,63}$/.test(t) ? t : OTHER_KIND;
}

function isObj(v: unknown): v is R {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function slug(s: string): string {
  return (
    s
      .trim()
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/^_|_$/g, '') || 'unknown'
  );
}
