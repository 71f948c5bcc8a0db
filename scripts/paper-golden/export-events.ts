/**
 * Export MEDS rows for the paper-serializer golden harness (`paper_golden.py`): one NDJSON line
 * per subject of a pairs file, `{subject_id, rows: [{time, code, numeric_value, text_value,
 * unit, hadm_id, end}]}` in the order ehr-embed reads them (subject, shard file, row; `time` in
 * epoch ms or null; `visit_id` too; a column the dataset lacks is null), and `codes.json`, the description of
 * every code in `metadata/codes.parquet` (non-empty ones).
 *
 *   node --import tsx scripts/paper-golden/export-events.ts <MEDS dir> <pairs.json> <out dir>
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDuck, sqlString } from '../../src/meds/duckdb.ts';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';

const [dir, pairsFile, out] = process.argv.slice(2);
if (dir === undefined || pairsFile === undefined || out === undefined)
  throw new Error('usage: export-events.ts <MEDS dir> <pairs.json> <out dir>');
mkdirSync(out, { recursive: true });
const pairs = JSON.parse(readFileSync(pairsFile, 'utf8')) as { subject_id: number }[];
const ids = [...new Set(pairs.map((p) => p.subject_id))].sort((a, b) => a - b);

const ds = await openMedsDataset(dir);
const lines: string[] = [];
try {
  for (const id of ids) {
    const s = await ds.getSubject(id);
    const rows = s.events.map((e) => {
      const x = e.extra ?? {};
      const num = e.numericValue;
      return {
        time: e.time,
        code: e.code,
        numeric_value: num === null || Number.isNaN(num) ? null : num,
        text_value: e.textValue,
        unit: x.unit ?? null,
        hadm_id: x.hadm_id ?? null,
        visit_id: x.visit_id ?? null,
        end: x.end ?? null,
      };
    });
    lines.push(JSON.stringify({ subject_id: id, rows }));
  }
} finally {
  ds.close();
}
writeFileSync(join(out, 'events.ndjson'), lines.join('\n') + '\n');

const duck = await openDuck('1GB');
try {
  const r = await duck.connection.runAndReadAll(
    `SELECT code, description FROM read_parquet(${sqlString(join(dir, 'metadata/codes.parquet'))}) WHERE description IS NOT NULL AND description <> ''`,
  );
  const codes: Record<string, string> = {};
  for (const row of r.getRowObjectsJS()) codes[String(row.code)] = String(row.description);
  writeFileSync(join(out, 'codes.json'), JSON.stringify(codes));
} finally {
  duck.close();
}
console.log(`${ids.length} subjects, ${lines.length} lines -> ${out}`);
