/**
 * MEDS column names and the mapping between on-disk column types and JS values.
 * On-disk snake_case names appear only in this folder.
 */
import type { ColumnType, ExtraColumn } from '../types.ts';
import { sqlIdent } from './duckdb.ts';

/** The standard MEDS data columns (MEDS 0.3 and 0.4). */
export const STANDARD_COLUMNS = ['subject_id', 'time', 'code', 'numeric_value', 'text_value'] as const;

/** Columns a data shard must have. Without `time` every event would read as static (visible at every prediction time: a leak), so it is required. */
export const REQUIRED_COLUMNS = ['subject_id', 'time', 'code'] as const;

/** Map a DuckDB type name (from DESCRIBE) to the column type we keep for it. */
export function columnTypeOf(duckType: string): ColumnType {
  const t = duckType.toUpperCase();
  if (/^(BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT)$/.test(t))
    return t === 'INTEGER' || t === 'SMALLINT' || t === 'TINYINT' ? 'INTEGER' : 'BIGINT';
  if (t === 'FLOAT' || t === 'REAL') return 'FLOAT';
  if (t === 'DOUBLE' || t.startsWith('DECIMAL')) return 'DOUBLE';
  if (t === 'BOOLEAN') return 'BOOLEAN';
  if (t.startsWith('TIMESTAMP') || t === 'DATE') return 'TIMESTAMP';
  return 'VARCHAR';
}

/**
 * SQL expression that reads an extra column as a JS-friendly value: numbers as DOUBLE,
 * timestamps as epoch milliseconds, nested types as JSON text.
 */
export function extraSelectExpr(col: ExtraColumn, duckType: string): string {
  const id = sqlIdent(col.name);
  switch (col.type) {
    case 'BIGINT':
    case 'INTEGER':
    case 'FLOAT':
    case 'DOUBLE':
      return `${id}::DOUBLE`;
    case 'TIMESTAMP':
      return `epoch_us(${id}::TIMESTAMP) / 1000.0`;
    case 'BOOLEAN':
      return id;
    case 'VARCHAR':
      return /^(VARCHAR|TEXT|STRING)$/i.test(duckType) ? id : `to_json(${id})::VARCHAR`;
  }
}

/** SQL expression that turns an epoch-microsecond BIGINT back into a MEDS timestamp. */
export function timestampFromMicros(expr: string): string {
  return `make_timestamp(${expr})`;
}
