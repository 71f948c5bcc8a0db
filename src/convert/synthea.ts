/**
 * Synthea CSV export → MEDS. Reads a directory with `patients.csv` (required) and any of
 * `encounters`, `conditions`, `observations`, `medications`, `procedures`, `immunizations`,
 * `allergies`, `careplans`, `devices`, `imaging_studies`; other files (claims, payers,
 * organizations, supplies, ...) are left alone.
 *
 * Synthea writes a human-readable DESCRIPTION next to every code, so every code gets a
 * description. Codes are SNOMED (conditions, procedures, careplans, devices, allergies),
 * LOINC (observations), RxNorm (medications), CVX (immunizations) and DICOM (imaging modality),
 * unless a `SYSTEM` column says otherwise (allergies to drugs are RxNorm).
 */
import { statSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import type { ExtraValue } from '../types.ts';
import type { ConvertContext, Converter } from './Converter.ts';
import { csvFindTable } from './csvFindTable.ts';
import { csvReader, type CsvReader } from './csvReader.ts';
import { csvScan } from './csvScan.ts';
import { csvTime } from './csvTime.ts';
import { numericValue } from './numericValue.ts';
import { reasonValue } from './reasonValue.ts';
import { csvVisitCode } from './csvVisitCodes.ts';
import { syntheaReadable } from './syntheaReadable.ts';
import { lookupTable } from '../lookupTable.ts';

/** A Synthea table whose rows are one coded event each. */
interface EventTable {
  readonly table: string;
  readonly domain: string;
  /** Vocabulary when the file has no SYSTEM column (or it is empty). */
  readonly vocabulary: string;
  /** Start column candidates, first present wins (older exports use DATE for procedures). */
  readonly time: readonly string[];
}

const EVENT_TABLES: readonly EventTable[] = [
  { table: 'conditions', domain: 'condition', vocabulary: 'SNOMED', time: ['START'] },
  { table: 'medications', domain: 'medication', vocabulary: 'RxNorm', time: ['START'] },
  { table: 'procedures', domain: 'procedure', vocabulary: 'SNOMED', time: ['START', 'DATE'] },
  { table: 'immunizations', domain: 'immunization', vocabulary: 'CVX', time: ['DATE'] },
  { table: 'allergies', domain: 'allergy', vocabulary: 'SNOMED', time: ['START'] },
  { table: 'careplans', domain: 'careplan', vocabulary: 'SNOMED', time: ['START'] },
  { table: 'devices', domain: 'device', vocabulary: 'SNOMED', time: ['START'] },
];

const GENDERS: Readonly<Record<string, string>> = lookupTable({ F: 'Female', M: 'Male' });

/** Observation categories that are measurements (as the FHIR converter decides it). */
const MEASUREMENT_CATEGORIES = new Set(['laboratory', 'vital-signs']);

/** Synthea's own summary scores, whose DESCRIPTION only repeats the code. */
const SCORES: Readonly<Record<string, string>> = lookupTable({
  QALY: 'Quality-adjusted life years',
  DALY: 'Disability-adjusted life years',
  QOLS: 'Quality of life score',
});

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const LOINC_CODE = /^(?:L[APL])?\d+-\d$/;

/** The Synthea CSV converter (`--from synthea`). */
export const syntheaConverter: Converter = {
  name: 'synthea',
  description: 'Synthea CSV export: a directory with patients.csv, encounters.csv, conditions.csv, observations.csv, ...',
  convert,
};

async function convert(input: string, ctx: ConvertContext): Promise<void> {
  if (!statSync(input).isDirectory())
    throw new UsageError('expected a directory of Synthea CSV files (patients.csv, encounters.csv, ...)', { file: input });
  const patientsFile = csvFindTable(input, 'patients');
  if (patientsFile === null) throw new UsageError('patients.csv not found: a Synthea CSV export has one', { file: input });
  const files = new Map<string, string>();
  for (const t of ['encounters', 'observations', 'imaging_studies', ...EVENT_TABLES.map((e) => e.table)]) {
    const f = csvFindTable(input, t);
    if (f !== null) files.set(t, f);
  }
  const total = [patientsFile, ...files.values()].reduce((n, f) => n + statSync(f).size, 0);
  ctx.progress(0, total);
  let done = 0;
  const run = async (file: string, fn: (reader: CsvReader, before: number) => Promise<void>): Promise<void> => {
    const reader = await csvReader(file);
    await fn(reader, done);
    done += reader.size;
  };

  const patients = new Set<string>();
  await run(patientsFile, (r, before) => readPatients(r, before, ctx, patients));
  const env = { ctx, patients };
  const encounters = files.get('encounters');
  if (encounters) await run(encounters, (r, before) => readEncounters(r, before, env));
  for (const spec of EVENT_TABLES) {
    const f = files.get(spec.table);
    if (f) await run(f, (r, before) => readEvents(r, before, env, spec));
  }
  const observations = files.get('observations');
  if (observations) await run(observations, (r, before) => readObservations(r, before, env));
  const imaging = files.get('imaging_studies');
  if (imaging) await run(imaging, (r, before) => readImaging(r, before, env));
}

interface Env {
  readonly ctx: ConvertContext;
  /** Ids of patients.csv: rows of other tables must name one of them. */
  readonly patients: ReadonlySet<string>;
}

const DEMOGRAPHICS = { domain: 'demographics' } as const;

async function readPatients(reader: CsvReader, bytesBefore: number, ctx: ConvertContext, patients: Set<string>): Promise<void> {
  const kind = 'patients';
  const c = {
    id: reader.required('Id'),
    birth: reader.required('BIRTHDATE'),
    death: reader.column('DEATHDATE'),
    gender: reader.column('GENDER'),
    race: reader.column('RACE'),
    ethnicity: reader.column('ETHNICITY'),
  };
  await csvScan(reader, { kind, ctx, bytesBefore }, (get, where) => {
    const id = get(c.id);
    if (id === null) return ctx.report.skip(kind, 'missing Id', where);
    if (patients.has(id)) return ctx.report.skip(kind, 'duplicate patient Id', { ...where, id });
    patients.add(id);
    const subjectId = ctx.subjectId(id);
    const base = { subjectId, numericValue: null, textValue: null };
    const birth = csvTime(get(c.birth));
    if (birth !== null) {
      ctx.emit({ ...base, time: birth, code: 'MEDS_BIRTH', extra: { domain: 'demographics', source_value: id } }, kind);
      ctx.describeCode('MEDS_BIRTH', 'Birth');
    } else {
      // The patient's other records are still worth having; only the birth event is lost.
      ctx.report.fallback(kind, 'missing or unparseable BIRTHDATE (no MEDS_BIRTH)');
    }
    const gender = get(c.gender);
    if (gender !== null) {
      const code = `Gender/${gender}`;
      ctx.emit({ ...base, time: null, code, extra: DEMOGRAPHICS }, kind);
      ctx.describeCode(code, GENDERS[gender] ?? gender);
    }
    for (const [prefix, col] of [
      ['Race', c.race],
      ['Ethnicity', c.ethnicity],
    ] as const) {
      const v = get(col);
      if (v === null) continue;
      const code = `${prefix}/${v}`;
      ctx.emit({ ...base, time: null, code, extra: DEMOGRAPHICS }, kind);
      ctx.describeCode(code, syntheaReadable(v) ?? v);
    }
    const deathText = get(c.death);
    if (deathText !== null) {
      const death = csvTime(deathText);
      if (death === null) ctx.report.fallback(kind, 'unparseable DEATHDATE (no MEDS_DEATH)');
      else {
        ctx.emit({ ...base, time: death, code: 'MEDS_DEATH', extra: { domain: 'death' } }, kind);
        ctx.describeCode('MEDS_DEATH', 'Death');
      }
    }
  });
}

async function readEncounters(reader: CsvReader, bytesBefore: number, env: Env): Promise<void> {
  const { ctx } = env;
  const kind = 'encounters';
  const c = {
    id: reader.required('Id'),
    start: reader.required('START'),
    stop: reader.column('STOP'),
    patient: reader.required('PATIENT'),
    cls: reader.required('ENCOUNTERCLASS'),
    code: reader.column('CODE'),
    description: reader.column('DESCRIPTION'),
  };
  await csvScan(reader, { kind, ctx, bytesBefore }, (get, where) => {
    const id = get(c.id);
    if (id === null) return ctx.report.skip(kind, 'missing Id', where);
    const subjectId = subjectOf(env, kind, get(c.patient), { ...where, id });
    if (subjectId === null) return;
    const start = csvTime(get(c.start));
    if (start === null) return ctx.report.skip(kind, 'missing or unparseable START', { ...where, id });
    const visit = csvVisitCode(get(c.cls) ?? '');
    if (!visit.known) ctx.report.fallback(kind, `unmapped ENCOUNTERCLASS ${reasonValue(get(c.cls) ?? '')} kept as Visit/<class>`);
    const extra: Record<string, ExtraValue> = { domain: 'visit', visit_id: id };
    const end = endTime(env, kind, get(c.stop), 'STOP');
    if (end !== null) extra.end = end;
    const code = get(c.code);
    if (code !== null) extra.source_value = code;
    ctx.emit({ subjectId, time: start, code: visit.code, numericValue: null, textValue: get(c.description), extra }, kind);
    ctx.describeCode(visit.code, visit.description);
  });
}

async function readEvents(reader: CsvReader, bytesBefore: number, env: Env, spec: EventTable): Promise<void> {
  const { ctx } = env;
  const kind = spec.table;
  const timeName = spec.time.find((t) => reader.column(t) >= 0) ?? spec.time[0] ?? 'START';
  const c = {
    time: reader.required(timeName),
    stop: reader.column('STOP'),
    patient: reader.required('PATIENT'),
    encounter: reader.column('ENCOUNTER'),
    code: reader.required('CODE'),
    system: reader.column('SYSTEM'),
    description: reader.column('DESCRIPTION'),
  };
  await csvScan(reader, { kind, ctx, bytesBefore }, (get, where) => {
    const subjectId = subjectOf(env, kind, get(c.patient), where);
    if (subjectId === null) return;
    const time = csvTime(get(c.time));
    if (time === null) return ctx.report.skip(kind, `missing or unparseable ${timeName}`, where);
    const raw = get(c.code);
    if (raw === null) return ctx.report.skip(kind, 'missing CODE', where);
    const code = `${vocabularyOf(get(c.system), spec.vocabulary)}/${raw}`;
    const extra: Record<string, ExtraValue> = { domain: spec.domain };
    const visitId = get(c.encounter);
    if (visitId !== null) extra.visit_id = visitId;
    const end = endTime(env, kind, get(c.stop), 'STOP');
    if (end !== null) extra.end = end;
    ctx.emit({ subjectId, time, code, numericValue: null, textValue: null, extra }, kind);
    ctx.describeCode(code, get(c.description));
  });
}

async function readObservations(reader: CsvReader, bytesBefore: number, env: Env): Promise<void> {
  const { ctx } = env;
  const kind = 'observations';
  const c = {
    time: reader.required('DATE'),
    patient: reader.required('PATIENT'),
    encounter: reader.column('ENCOUNTER'),
    category: reader.column('CATEGORY'),
    code: reader.required('CODE'),
    system: reader.column('SYSTEM'),
    description: reader.column('DESCRIPTION'),
    value: reader.column('VALUE'),
    units: reader.column('UNITS'),
    type: reader.column('TYPE'),
  };
  await csvScan(reader, { kind, ctx, bytesBefore }, (get, where) => {
    const subjectId = subjectOf(env, kind, get(c.patient), where);
    if (subjectId === null) return;
    const time = csvTime(get(c.time));
    if (time === null) return ctx.report.skip(kind, 'missing or unparseable DATE', where);
    const raw = get(c.code);
    if (raw === null) return ctx.report.skip(kind, 'missing CODE', where);
    // Synthea's observations are LOINC, except its own summary scores (QALY, DALY, QOLS).
    const system = get(c.system);
    const vocabulary = system !== null ? vocabularyOf(system, 'LOINC') : LOINC_CODE.test(raw) ? 'LOINC' : 'Synthea';
    const code = `${vocabulary}/${raw}`;
    const value = get(c.value);
    const type = get(c.type);
    let numeric: number | null = null;
    let textValue: string | null = null;
    if (value !== null) {
      const wantsNumber = type === null ? NUMBER.test(value) : type.toLowerCase() === 'numeric';
      const checked = wantsNumber && NUMBER.test(value.trim()) ? numericValue(Number(value), value) : null;
      if (checked !== null && checked.note !== null) ctx.report.fallback(kind, checked.note);
      if (checked !== null && checked.value !== null) numeric = checked.value;
      else if (checked !== null) textValue = value;
      else {
        if (wantsNumber) ctx.report.fallback(kind, 'numeric VALUE that is not a number kept as text');
        textValue = value;
      }
    }
    const category = get(c.category);
    const domain =
      c.category >= 0
        ? category !== null && MEASUREMENT_CATEGORIES.has(category.toLowerCase())
          ? 'measurement'
          : 'observation'
        : numeric !== null
          ? 'measurement'
          : 'observation';
    const extra: Record<string, ExtraValue> = { domain };
    const visitId = get(c.encounter);
    if (visitId !== null) extra.visit_id = visitId;
    const unit = get(c.units);
    if (numeric !== null && unit !== null) extra.unit = unit;
    ctx.emit({ subjectId, time, code, numericValue: numeric, textValue, extra }, kind);
    ctx.describeCode(code, (vocabulary === 'Synthea' ? SCORES[raw] : undefined) ?? get(c.description));
  });
}

/**
 * Imaging studies: Synthea writes a row per DICOM instance; one event per series (modality and
 * body site) is what a reader of the record wants. The modality is the code (`DICOM/DX`,
 * "Digital Radiography"), the body site its text value, the procedure code the source value.
 */
async function readImaging(reader: CsvReader, bytesBefore: number, env: Env): Promise<void> {
  const { ctx } = env;
  const kind = 'imaging_studies';
  const c = {
    id: reader.column('Id'),
    time: reader.required('DATE'),
    patient: reader.required('PATIENT'),
    encounter: reader.column('ENCOUNTER'),
    series: reader.column('SERIES_UID'),
    bodySite: reader.column('BODYSITE_DESCRIPTION'),
    bodySiteCode: reader.column('BODYSITE_CODE'),
    modality: reader.required('MODALITY_CODE'),
    modalityDescription: reader.column('MODALITY_DESCRIPTION'),
    procedure: reader.column('PROCEDURE_CODE'),
  };
  const seen = new Set<string>();
  await csvScan(reader, { kind, ctx, bytesBefore }, (get, where) => {
    const subjectId = subjectOf(env, kind, get(c.patient), where);
    if (subjectId === null) return;
    const time = csvTime(get(c.time));
    if (time === null) return ctx.report.skip(kind, 'missing or unparseable DATE', where);
    const modality = get(c.modality);
    if (modality === null) return ctx.report.skip(kind, 'missing MODALITY_CODE', where);
    const key = [get(c.patient), get(c.id), get(c.series) ?? '', modality, get(c.bodySiteCode) ?? '', time].join('\u0000');
    if (seen.has(key)) return ctx.report.ignore(kind, 'another instance of a series already written');
    seen.add(key);
    const code = `DICOM/${modality}`;
    const extra: Record<string, ExtraValue> = { domain: 'imaging' };
    const visitId = get(c.encounter);
    if (visitId !== null) extra.visit_id = visitId;
    const procedure = get(c.procedure);
    if (procedure !== null) extra.source_value = `SNOMED/${procedure}`;
    ctx.emit({ subjectId, time, code, numericValue: null, textValue: get(c.bodySite), extra }, kind);
    ctx.describeCode(code, get(c.modalityDescription));
  });
}

/** The subject of a row, or null (after skipping it) when PATIENT is missing or unknown. */
function subjectOf(env: Env, kind: string, patient: string | null, where: { file: string; line?: number; id?: string }): number | null {
  if (patient === null) {
    env.ctx.report.skip(kind, 'missing PATIENT', where);
    return null;
  }
  if (!env.patients.has(patient)) {
    // A row for a patient the export does not have: a cut or corrupted export.
    env.ctx.report.skip(kind, 'PATIENT not in patients.csv', where);
    return null;
  }
  return env.ctx.subjectId(patient);
}

/** An end time, or null; a STOP that is present but unreadable is counted, not fatal. */
function endTime(env: Env, kind: string, value: string | null, column: string): number | null {
  if (value === null) return null;
  const t = csvTime(value);
  if (t === null) env.ctx.report.fallback(kind, `unparseable ${column} (no end)`);
  return t;
}

/** A Synthea SYSTEM value (`SNOMED-CT`, `RxNorm`, a FHIR URI) as a MEDS vocabulary prefix. */
function vocabularyOf(system: string | null, fallback: string): string {
  if (system === null) return fallback;
  const s = system.toLowerCase();
  if (s.includes('snomed')) return 'SNOMED';
  if (s.includes('loinc')) return 'LOINC';
  if (s.includes('rxnorm')) return 'RxNorm';
  if (s.includes('cvx')) return 'CVX';
  if (/icd-?10/.test(s)) return 'ICD10CM';
  if (/icd-?9/.test(s)) return 'ICD9CM';
  if (s.includes('dicom') || s.endsWith('/dcm')) return 'DICOM';
  if (s.includes('ndc')) return 'NDC';
  if (s.includes('cpt')) return 'CPT4';
  if (s.includes('hcpcs')) return 'HCPCS';
  return system.replace(/[^A-Za-z0-9.\-_]+/g, '_');
}
