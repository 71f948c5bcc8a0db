/**
 * EHRSHOT CSV → MEDS. EHRSHOT (Wornow et al., 2023) ships its patients as one long CSV with the
 * columns `patient_id,start,end,code,value,unit,visit_id,omop_table`: codes are already
 * `VOCABULARY/code` (from the OMOP tables named in `omop_table`), `value` is a number or text.
 * Input is that file or a directory of such files (`.csv` or `.csv.gz`, read in name order).
 *
 * Three normalisations make it match the other converters: EHRSHOT's birth and death codes
 * (`SNOMED/3950001`, `SNOMED/419620001`) become `MEDS_BIRTH` and `MEDS_DEATH` (the original code
 * kept as source value); `Gender/`, `Race/` and `Ethnicity/` rows become static (time null); and
 * the OMOP table names the domain. The CSV has no descriptions: only visit, gender, birth and
 * death codes get one here; the rest come from a vocabulary later.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UsageError } from '../errors.ts';
import type { ExtraValue } from '../types.ts';
import type { ConvertContext, Converter } from './Converter.ts';
import { csvReader } from './csvReader.ts';
import { csvScan } from './csvScan.ts';
import { csvTime } from './csvTime.ts';
import { isFileOrLinkToFile } from './csvFindTable.ts';
import { numericValue as checkNumber } from './numericValue.ts';
import { VISIT_DESCRIPTIONS } from './csvVisitCodes.ts';
import { lookupTable } from '../lookupTable.ts';

/** EHRSHOT `omop_table` → the domain our other converters write. */
const DOMAINS: Readonly<Record<string, string>> = lookupTable({
  person: 'demographics',
  death: 'death',
  visit_occurrence: 'visit',
  visit_detail: 'visit_detail',
  condition_occurrence: 'condition',
  drug_exposure: 'medication',
  procedure_occurrence: 'procedure',
  measurement: 'measurement',
  observation: 'observation',
  device_exposure: 'device',
  note: 'note',
  image_occurrence: 'imaging',
});

const SPECIAL: Readonly<Record<string, { code: string; description: string; domain: string }>> = lookupTable({
  'SNOMED/3950001': { code: 'MEDS_BIRTH', description: 'Birth', domain: 'demographics' },
  'SNOMED/419620001': { code: 'MEDS_DEATH', description: 'Death', domain: 'death' },
});

const STATIC_PREFIXES = ['Gender/', 'Race/', 'Ethnicity/'];
const GENDERS: Readonly<Record<string, string>> = lookupTable({ 'Gender/F': 'Female', 'Gender/M': 'Male' });
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const FILES = /\.csv(\.gz)?$/i;

/** The EHRSHOT CSV converter (`--from ehrshot`). */
export const ehrshotConverter: Converter = {
  name: 'ehrshot',
  description: 'EHRSHOT CSV (patient_id,start,end,code,value,unit,visit_id,omop_table): a file or a directory of .csv/.csv.gz files',
  convert,
};

async function convert(input: string, ctx: ConvertContext): Promise<void> {
  const files = listFiles(input);
  const total = files.reduce((n, f) => n + statSync(f).size, 0);
  ctx.progress(0, total);
  let done = 0;
  for (const file of files) {
    const reader = await csvReader(file);
    const c = {
      patient: reader.required('patient_id'),
      start: reader.required('start'),
      code: reader.required('code'),
      end: reader.column('end'),
      value: reader.column('value'),
      unit: reader.column('unit'),
      visit: reader.column('visit_id'),
      table: reader.column('omop_table'),
    };
    const kind = 'ehrshot';
    const name = statSync(input).isDirectory() ? relative(input, file) : undefined;
    await csvScan(reader, { kind, ctx, bytesBefore: done, ...(name !== undefined ? { name } : {}) }, (get, where) => {
      const patient = get(c.patient);
      if (patient === null) return ctx.report.skip(kind, 'missing patient_id', where);
      let code = get(c.code);
      if (code === null) return ctx.report.skip(kind, 'missing code', where);
      const time = csvTime(get(c.start));
      if (time === null) return ctx.report.skip(kind, 'missing or unparseable start', where);
      const table = get(c.table)?.toLowerCase() ?? null;
      const extra: Record<string, ExtraValue> = {};
      let domain = table !== null ? (DOMAINS[table] ?? table) : null;
      let description: string | undefined = VISIT_DESCRIPTIONS[code] ?? GENDERS[code];
      const special = SPECIAL[code];
      if (special !== undefined) {
        extra.source_value = code;
        code = special.code;
        description = special.description;
        domain = special.domain;
      }
      if (domain !== null) extra.domain = domain;
      const visitId = get(c.visit);
      if (visitId !== null) extra.visit_id = visitId;
      const endText = get(c.end);
      if (endText !== null) {
        const end = csvTime(endText);
        if (end !== null) extra.end = end;
        else ctx.report.fallback(kind, 'unparseable end (no end)');
      }
      let numericValue: number | null = null;
      let textValue: string | null = null;
      const value = get(c.value);
      if (value !== null) {
        const checked = NUMBER.test(value.trim()) ? checkNumber(Number(value), value) : null;
        if (checked?.note) ctx.report.fallback(kind, checked.note);
        if (checked != null && checked.value !== null) numericValue = checked.value;
        else textValue = value;
      }
      const unit = get(c.unit);
      if (unit !== null) extra.unit = unit;
      // Demographics hold at all times; EHRSHOT dates them at birth.
      const isStatic = STATIC_PREFIXES.some((p) => (code as string).startsWith(p));
      ctx.emit({ subjectId: ctx.subjectId(patient), time: isStatic ? null : time, code, numericValue, textValue, extra }, kind);
      if (description !== undefined) ctx.describeCode(code, description);
    });
    done += reader.size;
  }
}

/** The input file, or every .csv/.csv.gz file under the input directory in name order. */
function listFiles(input: string): string[] {
  if (statSync(input).isFile()) return [input];
  const out: string[] = [];
  const visited = new Set<string>();
  const walk = (dir: string): void => {
    // Symbolic links are followed; a link back to a parent directory is visited once.
    const real = realpathSync(dir);
    if (visited.has(real)) return;
    visited.add(real);
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory() || (e.isSymbolicLink() && isDirectory(p))) walk(p);
      else if (FILES.test(e.name) && isFileOrLinkToFile(dir, e)) out.push(p);
    }
  };
  walk(input);
  if (out.length === 0) throw new UsageError('no .csv or .csv.gz files found', { file: input });
  return out.sort();
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false; // a broken link
  }
}
