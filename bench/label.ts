/**
 * Benchmark: label the whole Synthea STU3 dataset (1,461 patients, converted here from the bundled
 * FHIR file) for every built-in task, then write the label files, summary.json and shots.json.
 * Reports each stage's wall time and peak RSS; appends to bench/RESULTS.md. Target: labeling and
 * writing under 60 s.
 *
 *   node --import tsx bench/label.ts [--input stu3.bundles.ndjson.gz] [--meds <already converted dir>]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { convertToMeds } from '../src/convert/convertToMeds.ts';
import { openMedsDataset } from '../src/meds/MedsDataset.ts';
import { labelDataset } from '../src/tasks/labelDataset.ts';
import { loadTaskSpecs } from '../src/tasks/loadTaskSpecs.ts';
import { writeLabelOutputs } from '../src/artifacts/labelsDir.ts';
import { appendResult } from './appendResult.ts';

const { values } = parseArgs({
  options: {
    input: { type: 'string', default: resolve(import.meta.dirname, '../data/synthea-fhir/stu3-synthea.bundles.ndjson.gz') },
    meds: { type: 'string' },
  },
});
const work = mkdtempSync(join(tmpdir(), 'label-bench-'));
let peak = 0;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
try {
  let convertS = NaN;
  let medsDir = values.meds;
  if (medsDir === undefined) {
    medsDir = join(work, 'meds');
    convertS = (await convertToMeds({ from: 'fhir', input: values.input, out: medsDir })).seconds;
  }
  const specs = [...loadTaskSpecs().values()];
  const t0 = performance.now();
  const ds = await openMedsDataset(medsDir);
  const t1 = performance.now();
  const result = await labelDataset(ds, specs, { seed: 0 });
  const t2 = performance.now();
  const events = ds.eventCount;
  ds.close();
  await writeLabelOutputs(join(work, 'labels'), result.tasks, { ...result, dataset: medsDir, seed: 0 });
  const t3 = performance.now();
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const labels = result.tasks.reduce((n, t) => n + t.labels.length, 0);
  const positives = result.tasks.reduce((n, t) => n + t.summary.total.positives, 0);
  const totalS = (t3 - t0) / 1000;
  const rows: [string, string][] = [
    ['dataset', values.meds ?? `Synthea STU3 (${values.input.replace(/^.*\/data\//, 'data/')}, converted)`],
    ['subjects', String(result.subjects)],
    ['events', String(events)],
    ['tasks', String(specs.length)],
    ['labels written (all tasks)', String(labels)],
    ['positives (all tasks)', String(positives)],
    ['convert FHIR → MEDS (s, not part of the target)', Number.isNaN(convertS) ? '-' : convertS.toFixed(2)],
    ['open + index (s)', ((t1 - t0) / 1000).toFixed(2)],
    ['label all tasks, one pass (s)', ((t2 - t1) / 1000).toFixed(2)],
    ['write label files + summary.json + shots.json (s)', ((t3 - t2) / 1000).toFixed(2)],
    ['total: open, label, write (s)', totalS.toFixed(2)],
    ['subjects/s (labeling)', Math.round(result.subjects / ((t2 - t1) / 1000)).toLocaleString('en-US')],
    ['events/s (labeling)', Math.round(events / ((t2 - t1) / 1000)).toLocaleString('en-US')],
    ['peak RSS, sampled (MB)', (peak / 1e6).toFixed(0)],
  ];
  console.table(Object.fromEntries(rows));
  appendResult(
    'label (Synthea STU3, all tasks)',
    'node --import tsx bench/label.ts',
    rows,
    `Target: labeling and writing every task under 60 s: ${totalS < 60 ? 'met' : 'NOT met'}.`,
  );
} finally {
  clearInterval(timer);
  rmSync(work, { recursive: true, force: true });
}
