import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDuck, sqlString } from '../../src/meds/duckdb.ts';

/**
 * Copy a MEDS dataset keeping only the columns MEDS promises (subject_id, time, code,
 * numeric_value, text_value), shard by shard, with its metadata: what a dataset from another
 * ETL may look like (no hadm_id, icustay_id, ...).
 */
export async function standardColumnsCopy(src: string, dest: string): Promise<string> {
  const duck = await openDuck('512MB');
  try {
    for (const split of readdirSync(join(src, 'data'))) {
      mkdirSync(join(dest, 'data', split), { recursive: true });
      for (const f of readdirSync(join(src, 'data', split)).filter((x) => x.endsWith('.parquet'))) {
        await duck.connection.run(
          `COPY (SELECT subject_id, time, code, numeric_value, text_value FROM read_parquet(${sqlString(join(src, 'data', split, f))})) TO ${sqlString(join(dest, 'data', split, f))} (FORMAT parquet)`,
        );
      }
    }
  } finally {
    duck.close();
  }
  cpSync(join(src, 'metadata'), join(dest, 'metadata'), { recursive: true });
  return dest;
}
