import { sqlString } from '../meds/duckdb.ts';
import type { MedsDataset } from '../meds/MedsDataset.ts';
import type { CodeCountSource } from './countAcesPredicates.ts';

/** Code counts of an open MEDS dataset, by SQL over its shards (one scan for codes, one per value-bounded predicate). */
export function medsCodeCounts(ds: MedsDataset): CodeCountSource {
  return {
    async codeCounts() {
      return new Map(await ds.codeCounts());
    },
    async countValues(codes, b) {
      // numeric_value is FLOAT: compare with the bound as FLOAT too (as polars does in ACES).
      const conds = [`code::VARCHAR IN (${codes.map(sqlString).join(', ')})`, 'numeric_value IS NOT NULL', 'NOT isnan(numeric_value)'];
      if (b.min !== null) conds.push(`numeric_value ${b.minInclusive ? ">=" : ">"} CAST(${b.min} AS FLOAT)`);
      if (b.max !== null) conds.push(`numeric_value ${b.maxInclusive ? '<=' : '<'} CAST(${b.max} AS FLOAT)`);
      const rows = await ds.query(`SELECT count(*)::BIGINT AS n FROM ${ds.dataRelation} WHERE ${conds.join(' AND ')}`);
      return Number(rows[0]?.n ?? 0);
    },
  };
}
