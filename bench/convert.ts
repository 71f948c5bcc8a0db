/**
 * Benchmark: convert the Synthea STU3 FHIR file (1,461 patients, about 137,000 resources) to MEDS.
 * Reports wall time, resources/s, events/s and peak RSS; appends to bench/RESULTS.md.
 *
 *   node --import tsx bench/convert.ts [--input path]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { convertToMeds } from '../src/convert/convertToMeds.ts';
import { appendResult } from './appendResult.ts';

const { values } = parseArgs({
  options: { input: { type: 'string', default: resolve(import.meta.dirname, '../data/synthea-fhir/stu3-synthea.bundles.ndjson.gz') } },
});
const out = join(mkdtempSync(join(tmpdir(), 'convert-bench-')), 'meds');
let peak = 0;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
try {
  const r = await convertToMeds({ from: 'fhir', input: values.input, out });
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  const rows: [string, string][] = [
    ['input', values.input.replace(/^.*\/data\//, 'data/')],
    ['subjects', String(r.dataset.subjects)],
    ['resources read', String(r.conversion.totals.read)],
    ['events written', String(r.conversion.totals.written)],
    ['skipped / ignored', `${r.conversion.totals.skipped} / ${r.conversion.totals.ignored}`],
    ['wall time (s)', r.seconds.toFixed(2)],
    ['resources/s', Math.round(r.conversion.totals.read / r.seconds).toLocaleString('en-US')],
    ['events/s', Math.round(r.conversion.totals.written / r.seconds).toLocaleString('en-US')],
    ['peak RSS (MB)', (peak / 1e6).toFixed(0)],
  ];
  console.table(Object.fromEntries(rows));
  appendResult(
    'convert (FHIR STU3 → MEDS)',
    'node --import tsx bench/convert.ts',
    rows,
    `Target: under 60 s and under 1 GB peak RSS: ${r.seconds < 60 ? 'met' : 'NOT met'} / ${peak < 1e9 ? 'met' : 'NOT met'}.`,
  );
} finally {
  clearInterval(timer);
  rmSync(join(out, '..'), { recursive: true, force: true });
}
