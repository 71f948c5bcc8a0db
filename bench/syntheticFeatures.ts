/**
 * Feature file of a label file with cheap seeded vectors, written through FeatureFileWriter: the
 * writer and `evaluate` at study size without serializing or embedding (issue 15 measurements).
 *
 *   node --import tsx bench/syntheticFeatures.ts <labels.parquet> <out.parquet> <dims>
 */
import { readLabels } from '../src/meds/labels.ts';
import { FeatureFileWriter } from '../src/meds/featureFiles.ts';
const [labelsFile, out, dimsArg] = process.argv.slice(2) as [string, string, string];
const dims = Number(dimsArg);
const labels = await readLabels(labelsFile);
const w = new FeatureFileWriter(out);
const t0 = performance.now();
for (const l of labels) {
  let s = (l.subjectId * 2654435761 + l.predictionTime / 1000) >>> 0;
  const v = new Float32Array(dims);
  for (let j = 0; j < dims; j++) v[j] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5;
  w.add(l.subjectId, l.predictionTime, v);
}
const rows = await w.finish();
console.log(`${rows} rows x ${dims} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
