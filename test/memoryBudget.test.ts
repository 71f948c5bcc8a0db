import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { evaluationMemoryNeeds } from '../src/eval/evaluationMemory.ts';
import { FeatureFileWriter } from '../src/meds/featureFiles.ts';
import { availableMemory, checkMemory, MARGIN, RUNTIME_BYTES } from '../src/memoryBudget.ts';
import { MIMIC_MEDS, tempDir } from './helpers/paths.ts';
import { runCli } from './helpers/runCli.ts';

describe('memory guard', () => {
  it('estimates an evaluation from label counts and dimensions, and stops past the bound with what to do', () => {
    const needs = evaluationMemoryNeeds({
      tasks: [{ name: 'hyponatremia', labels: 120_700, train: 72_000, tuning: 24_000 }],
      sets: [{ name: 'emb', dims: 4096 }],
      heads: ['lr'],
    });
    const features = needs.find((n) => n.what.startsWith('feature set "emb"'));
    assert.equal(features?.bytes, 120_700 * 4096 * 4);
    assert.equal(needs.find((n) => n.what.startsWith('logistic fit'))?.bytes, 96_000 * 4096 * 8 + 72_000 * 4096 * 4 + 4096 * 4096 * 8);
    // Two worker threads: two k = all fits may overlap, each with its copies; the features are shared.
    const two = evaluationMemoryNeeds({
      tasks: [{ name: 'hyponatremia', labels: 120_700, train: 72_000, tuning: 24_000 }],
      sets: [{ name: 'emb', dims: 4096 }],
      heads: ['lr'],
      workers: 2,
    });
    assert.equal(
      two.find((n) => n.what.startsWith('2 × logistic fit'))?.bytes,
      2 * (96_000 * 4096 * 8 + 72_000 * 4096 * 4 + 4096 * 4096 * 8),
    );
    assert.equal(two.find((n) => n.what.startsWith('feature set "emb"'))?.bytes, 120_700 * 4096 * 4);
    const total = needs.reduce((a, n) => a + n.bytes, 0) * MARGIN + RUNTIME_BYTES;
    assert.doesNotThrow(() => checkMemory('evaluate', needs, { maxMemory: total, advice: 'x' }));
    assert.throws(
      () => checkMemory('evaluate', needs, { maxMemory: total - 1, advice: 'Evaluate fewer tasks.' }),
      (err: Error) =>
        /evaluate would need about 7\.\d GB of memory \(.*feature set "emb" \(120,700 rows × 4,096 float32\): 1\.8 GB.*more than the 7\.\d GB available \(--max-memory\); stopped before allocating it\. Evaluate fewer tasks\./.test(
          err.message,
        ),
    );
    // Objects on the JavaScript heap are held to V8's limit, not to RAM.
    const heap = availableMemory().heapBytes;
    assert.throws(
      () => checkMemory('embed', [{ what: 'texts', bytes: heap, heap: true }], { maxMemory: heap * 4, advice: 'y' }),
      /--max-old-space-size/,
    );
  });

  it('evaluate --max-memory below the estimate stops before loading, naming the feature set', async () => {
    const dir = tempDir();
    const labels = join(dir, 'labels');
    assert.equal(runCli(['label', MIMIC_MEDS, '--tasks', 'mortality_1y', '--out', labels]).code, 0);
    // One 4,096-d row is enough: the estimate reads row counts from the labels and dimensions from the file.
    const w = new FeatureFileWriter(join(dir, 'feats', 'mortality_1y.parquet'));
    w.add(1, 0, new Float32Array(4096));
    await w.finish();
    const args = ['evaluate', '--labels', labels, '--features', `emb=${join(dir, 'feats')}`, '--out', join(dir, 'r.json')];
    const r = runCli([...args, '--max-memory', '300mb']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /evaluate would need about .* feature set "emb" \(\d+ rows × 4,096 float32\).* more than the 300 MB available \(--max-memory\)/,
    );
    assert.match(r.stderr, /--tasks/);
    // Within the bound, the run goes on to load the features (and finds they do not match the labels).
    const ok = runCli([...args, '--max-memory', '4gb']);
    assert.equal(ok.code, 2);
    assert.match(ok.stderr, /features and labels do not match/);
  });
});
