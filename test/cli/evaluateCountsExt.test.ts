// `evaluate --counts-ext`: the extended count baseline (time bins, deciles, ontology ancestors) next
// to the plain counts, on the bundled Synthea STU3 sample.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { DATA, tempDir } from '../helpers/paths.ts';
import { runCli } from '../helpers/runCli.ts';

it('evaluate --counts --counts-ext --heads gbm writes both count baselines', () => {
  const dir = tempDir();
  const meds = join(dir, 'meds');
  const labels = join(dir, 'labels');
  assert.equal(
    runCli(['convert', '--from', 'fhir', '--input', join(DATA, 'synthea-fhir/stu3-synthea.bundles.ndjson.gz'), '--out', meds]).code,
    0,
  );
  assert.equal(runCli(['label', meds, '--tasks', 'hypoglycemia', '--out', labels]).code, 0);
  const out = join(dir, 'results.json');
  const r = runCli([
    'evaluate',
    '--labels',
    labels,
    '--counts',
    '--counts-ext',
    '--heads',
    'gbm',
    '--k',
    'all',
    '--bootstrap',
    '20',
    '--paired-resamples',
    '20',
    '--out',
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(readFileSync(out, 'utf8')) as {
    featureSets: { name: string; dims: number }[];
    results: { featureSet: string; head: string; auroc: { estimate: number } }[];
    settings: { counts: { ext: boolean } };
  };
  const dims = Object.fromEntries(res.featureSets.map((f) => [f.name, f.dims]));
  assert.ok(dims['counts']! > 10);
  // Each code has up to 5 time-bin columns and 10 deciles besides its count.
  assert.ok(dims['counts-ext']! > 2 * dims['counts']!, JSON.stringify(dims));
  assert.equal(res.settings.counts.ext, true);
  for (const fs of ['counts', 'counts-ext']) {
    const run = res.results.find((x) => x.featureSet === fs && x.head === 'gbm');
    assert.ok(run && run.auroc.estimate > 0.5, `${fs}: ${JSON.stringify(run?.auroc)}`);
  }
});
