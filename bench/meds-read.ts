/**
 * Benchmark: stream every subject of a generated MEDS dataset (10 million events over 20,000
 * subjects by default) and report events/s and peak RSS. Appends a section to bench/RESULTS.md.
 *
 *   node --import tsx bench/meds-read.ts [--events N] [--subjects N] [--shards N]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDuck } from '../src/meds/duckdb.ts';
import { openMedsDataset } from '../src/meds/MedsDataset.ts';
import { appendResult } from './appendResult.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    subjects: { type: 'string', default: '20000' },
    shards: { type: 'string', default: '8' },
  },
});
const N = Number(values.events);
const S = Number(values.subjects);
const SHARDS = Number(values.shards);

const dir = mkdtempSync(join(tmpdir(), 'meds-read-bench-'));
try {
  mkdirSync(join(dir, 'data', 'train'), { recursive: true });
  mkdirSync(join(dir, 'metadata'));
  const t0 = performance.now();
  const duck = await openDuck('2GB');
  // Realistic shape: 1 static row per subject, timed events over 20 years, 5,000 LOINC-like codes,
  // a third of events with a value, a few with text, a unit column.
  await duck.connection.run(`CREATE TABLE ev AS SELECT (i % ${S})::BIGINT AS subject_id,
      CASE WHEN i < ${S} THEN NULL ELSE TIMESTAMP '2000-01-01' + to_microseconds((hash(i) % 630000000000000)::BIGINT) END AS time,
      CASE WHEN i < ${S} THEN 'Gender/F' ELSE 'LOINC/' || (hash(i * 7) % 5000)::VARCHAR END AS code,
      CASE WHEN i % 3 = 0 THEN ((hash(i) % 100000) / 100.0)::FLOAT ELSE NULL END AS numeric_value,
      CASE WHEN i % 97 = 0 THEN 'positive' ELSE NULL END AS text_value,
      CASE WHEN i % 3 = 0 THEN 'mg/dL' ELSE NULL END AS unit
    FROM range(${N}) t(i)`);
  for (let s = 0; s < SHARDS; s++) {
    await duck.connection.run(
      `COPY (SELECT * FROM ev WHERE subject_id % ${SHARDS} = ${s} ORDER BY subject_id, time NULLS FIRST) TO '${join(dir, 'data', 'train', `${s}.parquet`)}' (FORMAT parquet, COMPRESSION zstd)`,
    );
  }
  duck.close();
  writeFileSync(join(dir, 'metadata', 'dataset.json'), JSON.stringify({ dataset_name: 'bench', meds_version: '0.3.3' }));
  const genS = (performance.now() - t0) / 1000;
  // The generator's DuckDB memory is freed above; measure RSS of the read from here on.
  const rssBefore = process.memoryUsage().rss;

  const t1 = performance.now();
  const ds = await openMedsDataset(dir);
  const openS = (performance.now() - t1) / 1000;
  let events = 0;
  let subjects = 0;
  let maxSubject = 0;
  let peakRss = 0;
  for await (const s of ds.subjects()) {
    events += s.events.length;
    subjects++;
    if (s.events.length > maxSubject) maxSubject = s.events.length;
    if ((subjects & 255) === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const totalS = (performance.now() - t1) / 1000;
  ds.close();
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const maxRssOs = process.resourceUsage().maxRSS * 1024;
  if (events !== N || subjects !== S) throw new Error(`read ${events} events / ${subjects} subjects, expected ${N} / ${S}`);

  const rate = events / totalS;
  const rows = [
    ['events', String(N)],
    ['subjects', String(S)],
    ['shards', String(SHARDS)],
    ['largest subject (events)', String(maxSubject)],
    ['generate (s)', genS.toFixed(1)],
    ['open + index (s)', openS.toFixed(2)],
    ['open + stream all (s)', totalS.toFixed(2)],
    ['events/s', Math.round(rate).toLocaleString('en-US')],
    ['RSS before open (MB)', (rssBefore / 1e6).toFixed(0)],
    ['peak RSS while streaming, sampled (MB)', (peakRss / 1e6).toFixed(0)],
    ['peak RSS of the process incl. generation (MB)', (maxRssOs / 1e6).toFixed(0)],
  ];
  console.table(Object.fromEntries(rows));
  appendResult(
    'meds-read',
    `node --import tsx bench/meds-read.ts --events ${N} --subjects ${S} --shards ${SHARDS}`,
    rows as [string, string][],
    `Target: at least 1,000,000 events/s and under 1.5 GB peak RSS: ${rate >= 1e6 ? 'met' : 'NOT met'} / ${peakRss < 1.5e9 ? 'met' : 'NOT met'}.`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
