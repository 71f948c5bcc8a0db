/**
 * The DuckDB engine behind every parquet read and write (DESIGN: `meds/` is the only place that
 * touches parquet). One in-memory instance per opened dataset or writer, closed with it.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { availableParallelism, tmpdir } from 'node:os';

/** An open DuckDB connection plus the instance that owns it. */
export interface Duck {
  readonly connection: DuckDBConnection;
  /** A further connection to the same database: a streaming read needs its own, or any other query on the connection cuts it short. */
  connect(): Promise<DuckDBConnection>;
  close(): void;
}

/**
 * Open an in-memory DuckDB with bounded memory; it spills to a temp directory beyond the limit.
 * @param memoryLimit DuckDB memory limit (default `'1GB'`, keeps peak RSS predictable).
 */
export async function openDuck(memoryLimit = '1GB'): Promise<Duck> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(Math.max(1, Math.min(4, availableParallelism()))),
    memory_limit: memoryLimit,
    temp_directory: tmpdir(),
  });
  const connection = await instance.connect();
  const extra: DuckDBConnection[] = [];
  return {
    connection,
    async connect() {
      const c = await instance.connect();
      extra.push(c);
      return c;
    },
    close() {
      for (const c of extra) c.closeSync();
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Quote a string as a SQL literal. */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** Quote an identifier (column name). */
export function sqlIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/** A SQL list literal of file paths, for `read_parquet([...])`. */
export function sqlFileList(files: readonly string[]): string {
  return `[${files.map(sqlString).join(', ')}]`;
}

/** Strip DuckDB's boilerplate from an error message so the user sees the cause. */
export function duckMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/^(IO|Invalid Input|Binder|Conversion|Parser|Catalog) Error:\s*/i, '').split('\n')[0] ?? msg;
}
