/**
 * MEDS label files: `subject_id` int64, `prediction_time` timestamp[us], and the value columns
 * `boolean_value`, `integer_value`, `float_value`, `categorical_value` (nullable).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.ts';
import type { Label } from '../types.ts';
import { duckMessage, openDuck, sqlString } from './duckdb.ts';
import { writeRows } from './MedsWriter.ts';

const VALUE_COLUMNS = ['boolean_value', 'integer_value', 'float_value', 'categorical_value'] as const;

/**
 * Read a MEDS label parquet file. Missing value columns read as null; `subject_id` and
 * `prediction_time` are required. Throws {@link UsageError} naming the file otherwise.
 */
export async function readLabels(file: string): Promise<Label[]> {
  if (!existsSync(file)) throw new UsageError('label file does not exist', { file });
  const duck = await openDuck('512MB');
  try {
    const c = duck.connection;
    let cols: Map<string, string>;
    try {
      cols = new Map(
        (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`))
          .getRowObjectsJS()
          .map((r) => [String(r.column_name), String(r.column_type)]),
      );
    } catch (err) {
      throw new UsageError(`cannot read parquet file (corrupt or not parquet): ${duckMessage(err)}`, { file }, { cause: err });
    }
    for (const req of ['subject_id', 'prediction_time']) {
      if (!cols.has(req))
        throw new UsageError(`missing required MEDS label column "${req}" (found: ${[...cols.keys()].join(', ')})`, { file, field: req });
    }
    const v = (name: string, expr: string): string => (cols.has(name) ? expr : 'NULL');
    const rows = (
      await c.runAndReadAll(`SELECT subject_id::DOUBLE AS sid, epoch_us(prediction_time::TIMESTAMP) / 1000.0 AS t,
        ${v('boolean_value', 'boolean_value::BOOLEAN')} AS b, ${v('integer_value', 'integer_value::DOUBLE')} AS i,
        ${v('float_value', 'float_value::DOUBLE')} AS f, ${v('categorical_value', 'categorical_value::VARCHAR')} AS c
        FROM read_parquet(${sqlString(file)}, file_row_number = true) ORDER BY file_row_number`)
    ).getRowObjectsJS();
    return rows.map((r, i) => {
      if (r.sid === null) throw new UsageError('null subject_id', { file, record: i + 1, field: 'subject_id' });
      if (r.t === null) throw new UsageError('null prediction_time', { file, record: i + 1, field: 'prediction_time' });
      return {
        subjectId: r.sid as number,
        predictionTime: r.t as number,
        booleanValue: r.b as boolean | null,
        integerValue: r.i as number | null,
        floatValue: r.f as number | null,
        categoricalValue: r.c as string | null,
      };
    });
  } finally {
    duck.close();
  }
}

/** Write labels as a MEDS label parquet file (sorted by subject and prediction time). */
export async function writeLabels(file: string, labels: readonly Label[]): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const duck = await openDuck('512MB');
  const spill = join(dirname(file), `.labels-${process.pid}.ndjson`);
  try {
    const rows = labels.map((l, i) => {
      if (!Number.isSafeInteger(l.subjectId))
        throw new UsageError(`subject_id must be a safe integer, got ${l.subjectId}`, { file, record: i + 1, field: 'subject_id' });
      if (!Number.isFinite(l.predictionTime))
        throw new UsageError('prediction_time must be finite epoch milliseconds', { file, record: i + 1, field: 'prediction_time' });
      return {
        subject_id: l.subjectId,
        prediction_time: Math.round(l.predictionTime * 1000),
        boolean_value: l.booleanValue ?? null,
        integer_value: l.integerValue ?? null,
        float_value: l.floatValue ?? null,
        categorical_value: l.categoricalValue ?? null,
        _row: i,
      };
    });
    await writeRows(
      duck.connection,
      spill,
      file,
      rows,
      {
        subject_id: 'BIGINT',
        prediction_time: 'BIGINT',
        boolean_value: 'BOOLEAN',
        integer_value: 'BIGINT',
        float_value: 'DOUBLE',
        categorical_value: 'VARCHAR',
        _row: 'BIGINT',
      },
      `subject_id, make_timestamp(prediction_time) AS prediction_time, ${VALUE_COLUMNS.join(', ')}`,
      'subject_id, prediction_time, _row',
    );
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`writing labels failed: ${duckMessage(err)}`, { file }, { cause: err });
  } finally {
    rmSync(spill, { force: true });
    duck.close();
  }
}
