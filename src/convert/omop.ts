/**
 * OMOP CDM 5.3/5.4 CSV directory → MEDS. Reads PERSON (required), DEATH, VISIT_OCCURRENCE,
 * VISIT_DETAIL, CONDITION_OCCURRENCE, DRUG_EXPOSURE, PROCEDURE_OCCURRENCE, MEASUREMENT,
 * OBSERVATION and DEVICE_EXPOSURE, with CONCEPT for codes and names; file names in any case,
 * comma or tab separated, optionally gzip. Other tables (eras, cost, note, ...) are left alone.
 *
 * Codes are `vocabulary_id/concept_code` of the row's concept (`SNOMED/44054006`,
 * `RxNorm Extension/OMOP123`, `Visit/IP`), exactly as the EHRSHOT and MEDS-OMOP ETLs write them,
 * so that task definitions and vocabularies carry over. A concept id of 0 uses the row's source
 * concept when that one is known; an id CONCEPT.csv lacks becomes `OMOP_CONCEPT/<id>`, counted as a
 * fallback, with the row's `*_source_value` kept as a hint. Times are `*_datetime` when present,
 * else `*_date` (midnight UTC).
 */
import { statSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import type { ExtraValue } from '../types.ts';
import type { RecordLocation } from './ConversionReport.ts';
import type { ConvertContext, Converter } from './Converter.ts';
import { csvFindTable, csvTableNames } from './csvFindTable.ts';
import { csvReader, type CsvReader } from './csvReader.ts';
import { csvScan, type CsvGet } from './csvScan.ts';
import { csvTime } from './csvTime.ts';
import { numericValue as checkNumber } from './numericValue.ts';
import { utcTime } from './utcTime.ts';
import { VISIT_DESCRIPTIONS } from './csvVisitCodes.ts';
import { omopConcepts, type OmopConcept } from './omopConcepts.ts';
import { syntheaReadable } from './syntheaReadable.ts';

/** A clinical table whose rows are one coded event each. */
interface EventTable {
  readonly table: string;
  readonly domain: string;
  readonly id: string;
  readonly concept: string;
  readonly sourceConcept: string;
  readonly sourceValue: string;
  /** `[datetime, date]` column names of the start, and of the end where the table has one. */
  readonly start: readonly [string, string];
  readonly end?: readonly [string, string];
  /** Has value_as_number / value_as_concept_id / unit_concept_id (measurement, observation). */
  readonly values?: boolean;
}

const EVENT_TABLES: readonly EventTable[] = [
  {
    table: 'condition_occurrence',
    domain: 'condition',
    id: 'condition_occurrence_id',
    concept: 'condition_concept_id',
    sourceConcept: 'condition_source_concept_id',
    sourceValue: 'condition_source_value',
    start: ['condition_start_datetime', 'condition_start_date'],
    end: ['condition_end_datetime', 'condition_end_date'],
  },
  {
    table: 'drug_exposure',
    domain: 'medication',
    id: 'drug_exposure_id',
    concept: 'drug_concept_id',
    sourceConcept: 'drug_source_concept_id',
    sourceValue: 'drug_source_value',
    start: ['drug_exposure_start_datetime', 'drug_exposure_start_date'],
    end: ['drug_exposure_end_datetime', 'drug_exposure_end_date'],
  },
  {
    table: 'procedure_occurrence',
    domain: 'procedure',
    id: 'procedure_occurrence_id',
    concept: 'procedure_concept_id',
    sourceConcept: 'procedure_source_concept_id',
    sourceValue: 'procedure_source_value',
    start: ['procedure_datetime', 'procedure_date'],
    end: ['procedure_end_datetime', 'procedure_end_date'],
  },
  {
    table: 'measurement',
    domain: 'measurement',
    id: 'measurement_id',
    concept: 'measurement_concept_id',
    sourceConcept: 'measurement_source_concept_id',
    sourceValue: 'measurement_source_value',
    start: ['measurement_datetime', 'measurement_date'],
    values: true,
  },
  {
    table: 'observation',
    domain: 'observation',
    id: 'observation_id',
    concept: 'observation_concept_id',
    sourceConcept: 'observation_source_concept_id',
    sourceValue: 'observation_source_value',
    start: ['observation_datetime', 'observation_date'],
    values: true,
  },
  {
    table: 'device_exposure',
    domain: 'device',
    id: 'device_exposure_id',
    concept: 'device_concept_id',
    sourceConcept: 'device_source_concept_id',
    sourceValue: 'device_source_value',
    start: ['device_exposure_start_datetime', 'device_exposure_start_date'],
    end: ['device_exposure_end_datetime', 'device_exposure_end_date'],
  },
];

/**
 * Concepts every OMOP database uses, for when CONCEPT.csv is absent or a subset without them
 * (Eunomia's lacks gender and race). Codes and names as in the OMOP vocabulary, except that
 * gender reads "Female"/"Male" rather than OMOP's upper-case names.
 */
const KNOWN_CONCEPTS: ReadonlyMap<number, OmopConcept> = new Map([
  [8507, { vocabulary: 'Gender', code: 'M', name: 'Male' }],
  [8532, { vocabulary: 'Gender', code: 'F', name: 'Female' }],
  [8657, { vocabulary: 'Race', code: '1', name: 'American Indian or Alaska Native' }],
  [8515, { vocabulary: 'Race', code: '2', name: 'Asian' }],
  [8516, { vocabulary: 'Race', code: '3', name: 'Black or African American' }],
  [8557, { vocabulary: 'Race', code: '4', name: 'Native Hawaiian or Other Pacific Islander' }],
  [8527, { vocabulary: 'Race', code: '5', name: 'White' }],
  [38003563, { vocabulary: 'Ethnicity', code: 'Hispanic', name: 'Hispanic or Latino' }],
  [38003564, { vocabulary: 'Ethnicity', code: 'Not Hispanic', name: 'Not Hispanic or Latino' }],
  [9201, { vocabulary: 'Visit', code: 'IP', name: 'Inpatient Visit' }],
  [9202, { vocabulary: 'Visit', code: 'OP', name: 'Outpatient Visit' }],
  [9203, { vocabulary: 'Visit', code: 'ER', name: 'Emergency Room Visit' }],
  [262, { vocabulary: 'Visit', code: 'ERIP', name: 'Emergency Room and Inpatient Visit' }],
]);

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The OMOP CDM converter (`--from omop`). */
export const omopConverter: Converter = {
  name: 'omop',
  description:
    'OMOP CDM 5.3/5.4 CSV directory: PERSON, VISIT_OCCURRENCE, CONDITION_OCCURRENCE, DRUG_EXPOSURE, MEASUREMENT, ... and CONCEPT',
  convert,
};

interface Env {
  readonly ctx: ConvertContext;
  readonly concepts: ReadonlyMap<number, OmopConcept>;
  /** person_id values of PERSON: rows of other tables must name one. */
  readonly persons: ReadonlySet<string>;
  /** visit_occurrence_id → `concept|start|end`, to drop visit details that only repeat their visit. */
  readonly visits: Map<string, string>;
}

async function convert(input: string, ctx: ConvertContext): Promise<void> {
  if (!statSync(input).isDirectory())
    throw new UsageError('expected a directory of OMOP CDM tables (PERSON.csv, VISIT_OCCURRENCE.csv, ...)', { file: input });
  const personFile = csvFindTable(input, 'person');
  if (personFile === null) throw new UsageError('PERSON.csv not found: an OMOP CDM directory needs the PERSON table', { file: input });
  const names = ['person', 'death', 'visit_occurrence', 'visit_detail', ...EVENT_TABLES.map((t) => t.table)];
  const files = new Map<string, string>();
  for (const t of names) {
    const f = csvFindTable(input, t);
    if (f !== null) files.set(t, f);
  }
  const total = [...files.values()].reduce((n, f) => n + statSync(f).size, 0);
  ctx.progress(0, total);
  noteTables(input, names, files, ctx);

  const concepts = await loadConcepts(input, files, ctx);
  const env: Env = { ctx, concepts, persons: new Set<string>(), visits: new Map() };
  let done = 0;
  for (const table of names) {
    const file = files.get(table);
    if (file === undefined) continue;
    const reader = await csvReader(file);
    if (table === 'person') await readPerson(reader, done, env);
    else if (table === 'death') await readDeath(reader, done, env);
    else if (table === 'visit_occurrence') await readVisits(reader, done, env);
    else if (table === 'visit_detail') await readVisitDetails(reader, done, env);
    else {
      const spec = EVENT_TABLES.find((t) => t.table === table);
      if (spec) await readEvents(reader, done, env, spec);
    }
    done += reader.size;
  }
}

/** Why a table of an OMOP directory is not converted (tables not named here: "not a table this converter reads"). */
const NOT_CONVERTED: ReadonlyMap<string, string> = new Map([
  ['condition_era', 'derived from CONDITION_OCCURRENCE, whose events eras would repeat'],
  ['drug_era', 'derived from DRUG_EXPOSURE, whose events eras would repeat'],
  ['dose_era', 'derived from DRUG_EXPOSURE, whose events eras would repeat'],
  ['observation_period', 'enrollment periods, not clinical events'],
  ['note', 'free-text notes are not converted'],
  ['note_nlp', 'derived from NOTE'],
  ['specimen', 'specimens are not converted'],
  ['episode', 'episodes are not converted'],
  ['episode_event', 'episodes are not converted'],
  ['fact_relationship', 'relationships between rows, not events'],
  ['cost', 'billing table'],
  ['payer_plan_period', 'billing table'],
  ['cohort', 'cohort results, not source data'],
  ['cohort_definition', 'cohort results, not source data'],
  ['care_site', 'administrative table'],
  ['location', 'administrative table'],
  ['provider', 'administrative table'],
  ['cdm_source', 'metadata table'],
  ['metadata', 'metadata table'],
  ['concept', 'vocabulary: used for codes and names'],
  ...[
    'concept_ancestor',
    'concept_class',
    'concept_relationship',
    'concept_synonym',
    'domain',
    'drug_strength',
    'relationship',
    'source_to_concept_map',
    'vocabulary',
  ].map((t) => [t, 'vocabulary table'] as [string, string]),
]);

/** Say in the summary which tables were read, which are absent and which are left alone (and why). */
function noteTables(input: string, names: readonly string[], files: ReadonlyMap<string, string>, ctx: ConvertContext): void {
  for (const t of names)
    ctx.report.table(t, files.has(t) ? 'read' : t === 'person' ? 'read' : 'absent: no such file, so no events of this kind');
  for (const t of csvTableNames(input)) {
    if (names.includes(t)) continue;
    const why = NOT_CONVERTED.get(t);
    ctx.report.table(t, t === 'concept' ? (why as string) : `not converted: ${why ?? 'not an OMOP table this converter reads'}`);
  }
}

/** Concept-id columns per table, for the used-concepts scan. */
const CONCEPT_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  person: ['gender_concept_id', 'race_concept_id', 'ethnicity_concept_id'],
  death: [],
  visit_occurrence: ['visit_concept_id', 'visit_source_concept_id'],
  visit_detail: ['visit_detail_concept_id', 'visit_detail_source_concept_id'],
  ...Object.fromEntries(
    EVENT_TABLES.map((t) => [t.table, [t.concept, t.sourceConcept, ...(t.values ? ['value_as_concept_id', 'unit_concept_id'] : [])]]),
  ),
};

async function loadConcepts(input: string, files: ReadonlyMap<string, string>, ctx: ConvertContext): Promise<Map<number, OmopConcept>> {
  const conceptFile = csvFindTable(input, 'concept');
  if (conceptFile === null) {
    // Still convertible: visits, gender and race have built-in codes; the rest falls back per row.
    ctx.report.fallback('concept', 'no CONCEPT.csv: concept ids kept as OMOP_CONCEPT/<id>');
    return new Map(KNOWN_CONCEPTS);
  }
  const conceptReader = await csvReader(conceptFile);
  for (const c of ['concept_id', 'vocabulary_id', 'concept_code', 'concept_name']) conceptReader.required(c);
  conceptReader.close();
  const uses = [];
  for (const [table, file] of files) {
    const reader = await csvReader(file);
    reader.close();
    uses.push({
      file,
      delimiter: reader.delimiter,
      gzip: reader.gzip,
      columns: (CONCEPT_COLUMNS[table] ?? []).filter((c) => reader.column(c) >= 0).map((c) => reader.header[reader.column(c)] ?? c),
    });
  }
  const loaded = await omopConcepts({ file: conceptFile, delimiter: conceptReader.delimiter, gzip: conceptReader.gzip }, uses);
  const out = new Map(KNOWN_CONCEPTS);
  for (const [id, c] of loaded) if (!KNOWN_CONCEPTS.has(id)) out.set(id, c);
  return out;
}

/** Indexes of a table's columns by name; -1 where absent. */
function columnsOf<K extends string>(reader: CsvReader, names: Readonly<Record<K, string>>): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of Object.keys(names) as K[]) out[k] = reader.column(names[k]);
  return out;
}

async function readPerson(reader: CsvReader, bytesBefore: number, env: Env): Promise<void> {
  const { ctx } = env;
  const kind = 'person';
  const id = reader.required('person_id');
  const c = columnsOf(reader, {
    gender: 'gender_concept_id',
    year: 'year_of_birth',
    month: 'month_of_birth',
    day: 'day_of_birth',
    birth: 'birth_datetime',
    race: 'race_concept_id',
    ethnicity: 'ethnicity_concept_id',
    source: 'person_source_value',
    genderSource: 'gender_source_value',
    raceSource: 'race_source_value',
    ethnicitySource: 'ethnicity_source_value',
  });
  const persons = env.persons as Set<string>;
  await csvScan(reader, { kind, ctx, bytesBefore }, (get, where) => {
    const personId = get(id);
    if (personId === null) return ctx.report.skip(kind, 'missing person_id', where);
    const at = { ...where, id: personId };
    if (persons.has(personId)) return ctx.report.skip(kind, 'duplicate person_id', at);
    persons.add(personId);
    const subjectId = ctx.subjectId(personId);
    const base = { subjectId, numericValue: null, textValue: null };
    const birth = birthTime(get, c, kind, ctx);
    if (birth !== null) {
      const extra: Record<string, ExtraValue> = { domain: 'demographics' };
      const source = get(c.source);
      if (source !== null) extra.source_value = source;
      ctx.emit({ ...base, time: birth, code: 'MEDS_BIRTH', extra }, kind);
      ctx.describeCode('MEDS_BIRTH', 'Birth');
    }
    for (const [prefix, col, sourceCol] of [
      ['Gender', c.gender, c.genderSource],
      ['Race', c.race, c.raceSource],
      ['Ethnicity', c.ethnicity, c.ethnicitySource],
    ] as const) {
      const concept = env.concepts.get(conceptId(get(col)));
      const source = get(sourceCol);
      let code: string;
      let description: string;
      if (concept !== undefined) {
        code = `${concept.vocabulary}/${concept.code}`;
        description = concept.name;
      } else if (source !== null) {
        code = `${prefix}/${source}`;
        description = syntheaReadable(source) ?? source;
        ctx.report.fallback(kind, `${prefix.toLowerCase()} concept unknown or 0: ${prefix}/<source value> used`);
      } else continue;
      ctx.emit(
        {
          ...base,
          time: null,
          code,
          extra: source !== null ? { domain: 'demographics', source_value: source } : { domain: 'demographics' },
        },
        kind,
      );
      ctx.describeCode(code, description);
    }
  });
}

/** Birth time: birth_datetime, else year/month/day of birth (a missing month or day is the 1st). */
function birthTime(
  get: CsvGet,
  c: { birth: number; year: number; month: number; day: number },
  kind: string,
  ctx: ConvertContext,
): number | null {
  const exact = csvTime(get(c.birth));
  if (exact !== null) return exact;
  if (get(c.birth) !== null) ctx.report.fallback(kind, 'unreadable birth_datetime: year/month/day_of_birth used');
  const year = get(c.year);
  if (year === null || !/^\d{4}$/.test(year.trim())) {
    ctx.report.fallback(kind, 'no usable birth date (no MEDS_BIRTH)');
    return null;
  }
  const month = Number(get(c.month) ?? NaN);
  const day = Number(get(c.day) ?? NaN);
  const hasMonth = Number.isInteger(month) && month >= 1 && month <= 12;
  const hasDay = hasMonth && Number.isInteger(day) && day >= 1 && day <= 31;
  if (!hasDay) ctx.report.fallback(kind, 'birth month or day missing: the 1st used');
  const t = utcTime(Number(year), hasMonth ? month : 1, hasDay ? day : 1);
  if (t === null) ctx.report.fallback(kind, 'no usable birth date (no MEDS_BIRTH)');
  return t;
}

async function readDeath(reader: CsvReader, bytesBefore: number, env: Env): Promise<void> {
  const { ctx } = env;
  const kind = 'death';
  const person = reader.required('person_id');
  const c = columnsOf(reader, { datetime: 'death_datetime', date: 'death_date', cause: 'cause_source_value' });
  await csvScan(reader, { kind, ctx, bytesBefore }, (get, where) => {
    const subjectId = subjectOf(env, kind, get(person), where);
    if (subjectId === null) return;
    const time = timeOf(get, c.datetime, c.date, env, kind);
    if (time === null) return ctx.report.skip(kind, 'missing or unparseable death_date', where);
    ctx.emit({ subjectId, time, code: 'MEDS_DEATH', numericValue: null, textValue: null, extra: { domain: 'death' } }, kind);
    ctx.describeCode('MEDS_DEATH', 'Death');
  });
}

async function readVisits(reader: CsvReader, bytesBefore: number, env: Env): Promise<void> {
  const { ctx } = env;
  const kind = 'visit_occurrence';
  const id = reader.required('visit_occurrence_id');
  const person = reader.required('person_id');
  reader.required('visit_concept_id');
  const c = columnsOf(reader, {
    concept: 'visit_concept_id',
    sourceConcept: 'visit_source_concept_id',
    startDatetime: 'visit_start_datetime',
    startDate: 'visit_start_date',
    endDatetime: 'visit_end_datetime',
    endDate: 'visit_end_date',
    source: 'visit_source_value',
  });
  await csvScan(reader, { kind, ctx, bytesBefore }, (get, where) => {
    const visitId = get(id);
    if (visitId === null) return ctx.report.skip(kind, 'missing visit_occurrence_id', where);
    const at = { ...where, id: visitId };
    const subjectId = subjectOf(env, kind, get(person), at);
    if (subjectId === null) return;
    const start = timeOf(get, c.startDatetime, c.startDate, env, kind);
    if (start === null) return ctx.report.skip(kind, 'missing or unparseable visit_start_date', at);
    const end = timeOf(get, c.endDatetime, c.endDate, env, kind);
    const source = get(c.source);
    const code = codeOf(env, kind, get(c.concept), get(c.sourceConcept), source);
    env.visits.set(visitId, `${code.code}|${start}|${end ?? ''}`);
    const extra: Record<string, ExtraValue> = { domain: 'visit', visit_id: visitId };
    if (end !== null) extra.end = end;
    if (source !== null) extra.source_value = source;
    ctx.emit({ subjectId, time: start, code: code.code, numericValue: null, textValue: code.name, extra }, kind);
    ctx.describeCode(code.code, VISIT_DESCRIPTIONS[code.code] ?? code.name);
  });
}

/**
 * Visit details: a detail that only repeats its visit (same concept, start and end; ETL-Synthea
 * writes one per visit) is counted as ignored. Others (ward or ICU stays) become events in domain
 * `visit_detail` that carry their visit's id, so that they are not mistaken for visits.
 */
async function readVisitDetails(reader: CsvReader, bytesBefore: number, env: Env): Promise<void> {
  const { ctx } = env;
  const kind = 'visit_detail';
  const person = reader.required('person_id');
  const c = columnsOf(reader, {
    id: 'visit_detail_id',
    concept: 'visit_detail_concept_id',
    sourceConcept: 'visit_detail_source_concept_id',
    startDatetime: 'visit_detail_start_datetime',
    startDate: 'visit_detail_start_date',
    endDatetime: 'visit_detail_end_datetime',
    endDate: 'visit_detail_end_date',
    source: 'visit_detail_source_value',
    visit: 'visit_occurrence_id',
  });
  await csvScan(reader, { kind, ctx, bytesBefore }, (get, where) => {
    const at = { ...where, ...(get(c.id) !== null ? { id: get(c.id) as string } : {}) };
    const subjectId = subjectOf(env, kind, get(person), at);
    if (subjectId === null) return;
    const start = timeOf(get, c.startDatetime, c.startDate, env, kind);
    if (start === null) return ctx.report.skip(kind, 'missing or unparseable visit_detail_start_date', at);
    const end = timeOf(get, c.endDatetime, c.endDate, env, kind);
    const source = get(c.source);
    const code = codeOf(env, kind, get(c.concept), get(c.sourceConcept), source);
    const visitId = get(c.visit);
    if (visitId !== null && env.visits.get(visitId) === `${code.code}|${start}|${end ?? ''}`) {
      return ctx.report.ignore(kind, 'repeats its visit_occurrence (same concept, start and end)');
    }
    const extra: Record<string, ExtraValue> = { domain: 'visit_detail' };
    if (visitId !== null) extra.visit_id = visitId;
    if (end !== null) extra.end = end;
    if (source !== null) extra.source_value = source;
    ctx.emit({ subjectId, time: start, code: code.code, numericValue: null, textValue: code.name, extra }, kind);
    ctx.describeCode(code.code, VISIT_DESCRIPTIONS[code.code] ?? code.name);
  });
}

async function readEvents(reader: CsvReader, bytesBefore: number, env: Env, spec: EventTable): Promise<void> {
  const { ctx } = env;
  const kind = spec.table;
  const person = reader.required('person_id');
  reader.required(spec.concept);
  if (reader.column(spec.start[0]) < 0) reader.required(spec.start[1]);
  const c = columnsOf(reader, {
    id: spec.id,
    concept: spec.concept,
    sourceConcept: spec.sourceConcept,
    source: spec.sourceValue,
    startDatetime: spec.start[0],
    startDate: spec.start[1],
    endDatetime: spec.end?.[0] ?? '',
    endDate: spec.end?.[1] ?? '',
    visit: 'visit_occurrence_id',
    number: 'value_as_number',
    string: 'value_as_string',
    valueConcept: 'value_as_concept_id',
    unitConcept: 'unit_concept_id',
    unitSource: 'unit_source_value',
    valueSource: 'value_source_value',
  });
  await csvScan(reader, { kind, ctx, bytesBefore }, (get, where) => {
    const rowId = get(c.id);
    const at: RecordLocation = rowId !== null ? { ...where, id: rowId } : where;
    const subjectId = subjectOf(env, kind, get(person), at);
    if (subjectId === null) return;
    const time = timeOf(get, c.startDatetime, c.startDate, env, kind);
    if (time === null) return ctx.report.skip(kind, `missing or unparseable ${spec.start[1]}`, at);
    const source = get(c.source);
    const code = codeOf(env, kind, get(c.concept), get(c.sourceConcept), source);
    const extra: Record<string, ExtraValue> = { domain: spec.domain };
    const visitId = get(c.visit);
    if (visitId !== null) extra.visit_id = visitId;
    const end = timeOf(get, c.endDatetime, c.endDate, env, kind);
    if (end !== null) extra.end = end;
    if (source !== null) extra.source_value = source;
    let numericValue: number | null = null;
    let textValue: string | null = null;
    if (spec.values) {
      const number = get(c.number);
      // ETL-Synthea leaves value_as_number empty for negative results but keeps value_source_value.
      const sourceNumber = number === null ? get(c.valueSource) : null;
      const numeric = number ?? (sourceNumber !== null && NUMBER.test(sourceNumber.trim()) ? sourceNumber : null);
      if (numeric !== null && NUMBER.test(numeric.trim())) {
        if (numeric !== number) ctx.report.fallback(kind, 'value_as_number empty: number read from value_source_value');
        const checked = checkNumber(Number(numeric), numeric);
        if (checked.note !== null) ctx.report.fallback(kind, checked.note);
        numericValue = checked.value;
        if (numericValue === null) textValue = numeric;
        const unit = env.concepts.get(conceptId(get(c.unitConcept)));
        const unitText = unit !== undefined ? unit.code : get(c.unitSource);
        if (unitText !== null) extra.unit = unitText;
      } else {
        // Text in order of precedence: value_as_string, the value concept's name, the source value.
        const valueConcept = conceptId(get(c.valueConcept));
        const conceptName = valueConcept !== 0 ? env.concepts.get(valueConcept)?.name : undefined;
        textValue = get(c.string) ?? conceptName ?? number ?? get(c.valueSource);
      }
    }
    ctx.emit({ subjectId, time, code: code.code, numericValue, textValue, extra }, kind);
    ctx.describeCode(code.code, code.description);
  });
}

/** A concept id as a number; empty or malformed ids read as 0 ("no matching concept"). */
function conceptId(value: string | null): number {
  if (value === null) return 0;
  const v = value.trim();
  return /^-?\d+$/.test(v) ? Number(v) : 0;
}

/**
 * The code of a row: its concept, else (concept 0) its source concept, else `OMOP_CONCEPT/<id>`
 * counted as a fallback. `name` is the concept's name (null when unknown), `description` what
 * codes.parquet gets.
 */
function codeOf(
  env: Env,
  kind: string,
  concept: string | null,
  sourceConcept: string | null,
  sourceValue: string | null,
): { code: string; name: string | null; description: string | null } {
  const id = conceptId(concept);
  const hit = id !== 0 ? env.concepts.get(id) : undefined;
  if (hit !== undefined) return { code: `${hit.vocabulary}/${hit.code}`, name: hit.name, description: hit.name };
  if (id === 0) {
    const src = env.concepts.get(conceptId(sourceConcept));
    if (src !== undefined && conceptId(sourceConcept) !== 0) {
      env.ctx.report.fallback(kind, 'concept_id 0: source concept used');
      return { code: `${src.vocabulary}/${src.code}`, name: src.name, description: src.name };
    }
    env.ctx.report.fallback(
      kind,
      `concept_id 0 and no known source concept: OMOP_CONCEPT/0${sourceValue !== null ? ' (source_value kept)' : ''}`,
    );
    return { code: 'OMOP_CONCEPT/0', name: null, description: 'No matching concept' };
  }
  env.ctx.report.fallback(kind, 'concept_id not in CONCEPT.csv: OMOP_CONCEPT/<id>');
  return { code: `OMOP_CONCEPT/${id}`, name: null, description: null };
}

/** `*_datetime` when present and readable, else `*_date`; null when neither is. */
function timeOf(get: CsvGet, datetime: number, date: number, env: Env, kind: string): number | null {
  const raw = get(datetime);
  const exact = csvTime(raw);
  if (exact !== null) return exact;
  const day = csvTime(get(date));
  // A datetime that is there but unreadable is worth knowing about even when the date saves the row.
  if (raw !== null && day !== null) env.ctx.report.fallback(kind, 'unreadable *_datetime: *_date used');
  return day;
}

/** The subject of a row, or null (after skipping it) when person_id is missing or not in PERSON. */
function subjectOf(env: Env, kind: string, personId: string | null, where: RecordLocation): number | null {
  if (personId === null) {
    env.ctx.report.skip(kind, 'missing person_id', where);
    return null;
  }
  if (!env.persons.has(personId)) {
    env.ctx.report.skip(kind, 'person_id not in PERSON', where);
    return null;
  }
  return env.ctx.subjectId(personId);
}
