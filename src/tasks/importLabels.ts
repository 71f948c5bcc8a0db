/**
 * Bring existing labels in: MEDS label parquet files (for example the MIMIC-IV demo's
 * `tasks/icu_mortality_first_24h.parquet`) and EHRSHOT's `labeled_patients.csv`
 * (`patient_id,prediction_time,value,label_type`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import { readLabels } from '../meds/labels.ts';
import type { Label } from '../types.ts';

/** Which value column imported labels use. */
export type LabelValueType = 'boolean' | 'integer' | 'float' | 'categorical' | 'mixed' | 'none';

/** Labels read by {@link importLabels}, in file order. */
export interface ImportedLabels {
  readonly labels: Label[];
  readonly format: 'meds' | 'ehrshot-csv';
  readonly valueType: LabelValueType;
}

/**
 * Read a label file: `.parquet` as a MEDS label file; `.csv` as EHRSHOT `labeled_patients.csv`
 * (`patient_id` or `subject_id`, `prediction_time`, `value`, `label_type` with `boolean`
 * (`True`/`False`), `categorical` (integers, e.g. lab classes 0-3, to `integer_value`; other text
 * to `categorical_value`) or `numeric` (to `float_value`); times as `YYYY-MM-DD HH:MM:SS` UTC).
 * Throws {@link UsageError} naming the file, row and column for anything it cannot read.
 */
export async function importLabels(path: string): Promise<ImportedLabels> {
  if (!existsSync(path)) throw new UsageError('label file does not exist', { file: path });
  if (/\.parquet$/i.test(path)) {
    const labels = await readLabels(path);
    return { labels, format: 'meds', valueType: valueTypeOf(labels) };
  }
  if (/\.csv$/i.test(path)) {
    const labels = readEhrshotCsv(path);
    return { labels, format: 'ehrshot-csv', valueType: valueTypeOf(labels) };
  }
  throw new UsageError('unknown label file type: expected a MEDS label .parquet file or an EHRSHOT labeled_patients .csv file', {
    file: path,
  });
}

function readEhrshotCsv(file: string): Label[] {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim().toLowerCase());
  const col = (names: string[]): number => header.findIndex((h) => names.includes(h));
  const idCol = col(['patient_id', 'subject_id']);
  const timeCol = col(['prediction_time']);
  const valueCol = col(['value']);
  const typeCol = col(['label_type']);
  for (const [c, name] of [
    [idCol, 'patient_id'],
    [timeCol, 'prediction_time'],
    [valueCol, 'value'],
  ] as const) {
    if (c < 0)
      throw new UsageError(
        `missing column "${name}" (found: ${header.join(', ')}); expected EHRSHOT labeled_patients.csv columns patient_id,prediction_time,value,label_type`,
        { file, record: 1, field: name },
      );
  }
  const labels: Label[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const row = i + 1;
    const f = splitCsvLine(line);
    const idText = (f[idCol] ?? '').trim();
    if (!/^-?\d+$/.test(idText) || !Number.isSafeInteger(Number(idText)))
      throw new UsageError(`expected an integer patient id, got "${idText}"`, { file, record: row, field: header[idCol] });
    const t = parseUtcTime((f[timeCol] ?? '').trim());
    if (t === null)
      throw new UsageError(`expected a time like "2012-06-06 23:59:00", got "${f[timeCol] ?? ''}"`, {
        file,
        record: row,
        field: 'prediction_time',
      });
    const type = typeCol >= 0 ? (f[typeCol] ?? '').trim().toLowerCase() : '';
    labels.push({ subjectId: Number(idText), predictionTime: t, ...parseValue((f[valueCol] ?? '').trim(), type, file, row) });
  }
  return labels;
}

function parseValue(v: string, type: string, file: string, row: number): Partial<Label> {
  const bool = /^(true|false)$/i.test(v) ? v.toLowerCase() === 'true' : null;
  const int = /^[-+]?\d+$/.test(v) ? Number(v) : null;
  const num = v !== '' && Number.isFinite(Number(v)) ? Number(v) : null;
  switch (type) {
    case 'boolean':
      if (bool !== null) return { booleanValue: bool };
      if (v === '0' || v === '1') return { booleanValue: v === '1' };
      throw new UsageError(`boolean label needs True or False, got "${v}"`, { file, record: row, field: 'value' });
    case 'categorical':
      return int !== null && Number.isSafeInteger(int) ? { integerValue: int } : { categoricalValue: v };
    case 'numeric':
    case 'float':
      if (num === null) throw new UsageError(`numeric label needs a number, got "${v}"`, { file, record: row, field: 'value' });
      return { floatValue: num };
    case '':
      // No label_type column: read the value for what it looks like.
      if (bool !== null) return { booleanValue: bool };
      if (int !== null && Number.isSafeInteger(int)) return { integerValue: int };
      if (num !== null) return { floatValue: num };
      return { categoricalValue: v };
    default:
      throw new UsageError(`unsupported label_type "${type}" (expected boolean, categorical or numeric)`, {
        file,
        record: row,
        field: 'label_type',
      });
  }
}

/** `YYYY-MM-DD[ T]HH:MM[:SS[.ffffff]][Z]` or `YYYY-MM-DD`, read as UTC; fractional milliseconds kept. */
function parseUtcTime(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(?:Z|\+00:?00)?$/.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, sec, frac] = m;
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(sec ?? 0));
  return Number.isNaN(t) ? null : t + (frac ? Number(frac) * 1000 : 0);
}

/** Split one CSV line: commas, double-quoted fields with `""` escapes. */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function valueTypeOf(labels: readonly Label[]): LabelValueType {
  const seen = new Set<LabelValueType>();
  for (const l of labels) {
    if (l.booleanValue != null) seen.add('boolean');
    else if (l.integerValue != null) seen.add('integer');
    else if (l.floatValue != null) seen.add('float');
    else if (l.categoricalValue != null) seen.add('categorical');
    if (seen.size > 1) return 'mixed';
  }
  return [...seen][0] ?? 'none';
}
