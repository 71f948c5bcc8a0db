import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { UsageError } from '../errors.ts';
import type { Split } from '../types.ts';
import { duckMessage, sqlString } from './duckdb.ts';

async function readTwoColumns(c: DuckDBConnection, file: string, root: string, valueColumn: string): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (!existsSync(file)) return out;
  const rel = relative(root, file);
  let rows;
  try {
    rows = (
      await c.runAndReadAll(`SELECT subject_id::DOUBLE AS sid, ${valueColumn}::VARCHAR AS v FROM read_parquet(${sqlString(file)})`)
    ).getRowObjectsJS();
  } catch (err) {
    throw new UsageError(`expected columns subject_id and ${valueColumn}: ${duckMessage(err)}`, { file: rel }, { cause: err });
  }
  for (const r of rows) if (r.sid !== null && r.v !== null) out.set(r.sid as number, String(r.v));
  return out;
}

/** Read `metadata/subject_splits.parquet` (`subject_id`, `split`); empty map when absent. */
export async function readSubjectSplits(c: DuckDBConnection, file: string, root: string): Promise<Map<number, Split | string>> {
  return readTwoColumns(c, file, root, 'split');
}

/** Read `metadata/subject_ids.parquet` (`subject_id`, `source_id`); empty map when absent. */
export async function readSubjectIds(c: DuckDBConnection, file: string, root: string): Promise<Map<number, string>> {
  return readTwoColumns(c, file, root, 'source_id');
}
