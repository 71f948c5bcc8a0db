import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { UsageError } from '../errors.ts';
import type { CodeMetadata } from '../types.ts';
import { duckMessage, sqlString } from './duckdb.ts';

/**
 * Read `metadata/codes.parquet` (`code`, `description`, `parent_codes`) into a map by code.
 * A missing file gives an empty map (descriptions then come from the vocabulary chain).
 */
export async function readCodes(c: DuckDBConnection, file: string, root: string): Promise<Map<string, CodeMetadata>> {
  const out = new Map<string, CodeMetadata>();
  if (!existsSync(file)) return out;
  const rel = relative(root, file);
  let cols: string[];
  try {
    cols = (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`))
      .getRowObjectsJS()
      .map((r) => String(r.column_name));
  } catch (err) {
    throw new UsageError(`cannot read parquet file (corrupt or not parquet): ${duckMessage(err)}`, { file: rel }, { cause: err });
  }
  if (!cols.includes('code')) throw new UsageError('missing column "code"', { file: rel, field: 'code' });
  const desc = cols.includes('description') ? 'description::VARCHAR' : 'NULL::VARCHAR';
  const parents = cols.includes('parent_codes') ? 'parent_codes::VARCHAR[]' : '[]::VARCHAR[]';
  const rows = (
    await c.runAndReadAll(
      `SELECT code::VARCHAR AS code, ${desc} AS description, ${parents} AS parents FROM read_parquet(${sqlString(file)}) WHERE code IS NOT NULL`,
    )
  ).getRowObjectsJS();
  for (const r of rows) {
    const parentCodes = Array.isArray(r.parents) ? (r.parents as unknown[]).filter((p): p is string => typeof p === 'string') : [];
    const code = String(r.code);
    const prev = out.get(code);
    // Some ETLs write one row per (code, source item); keep the first description, union the parents.
    out.set(code, {
      code,
      description: prev?.description ?? ((r.description as string | null) || null),
      parentCodes: prev ? [...new Set([...prev.parentCodes, ...parentCodes])] : parentCodes,
    });
  }
  return out;
}
