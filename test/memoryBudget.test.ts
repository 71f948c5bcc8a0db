import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { evaluationMemoryNeeds, type CountMatrixSize } from '../src/eval/evaluationMemory.ts';
import { FeatureFileWriter } from '../src/meds/featureFiles.ts';
import { readLabels } from '../src/meds/labels.ts';
import { availableMemory, checkMemory, MARGIN, RUNTIME_BYTES } from '../src/memoryBudget.ts';
import { labelMemoryNeeds, LABEL_HELD_BYTES } from '../src/tasks/labelMemory.ts';
import { startEmbeddingServer } from './helpers/embeddingServer.ts';
import { MIMIC_MEDS, tempDir } from './helpers/paths.ts';
import { runCli, runCliAsync } from './helpers/runCli.ts';

describe('memory guard', () => {
  it('estimates an evaluation from label counts and dimensions, and stops past the bound with what to do', () => {
    const needs = evaluationMemoryNeeds({
      tasks: [{ name: 'hyponatremia', labels: 120_700, train: 72_000, tuning: 24_000 }],
      sets: [{ name: 'emb', dims: 4096 }],
      heads: ['lr'],
    });
    const features = needs.find((n) => n.what.startsWith('feature set "emb"'));
    assert.equal(features?.bytes, 120_700 * 4096 * 4);
    // The train rows are loaded into solver memory and fitted in place: only vectors of d + 1.
    const inPlace = needs.find((n) => n.what.startsWith('logistic fit'));
    assert.equal(inPlace?.bytes, 16 * 4097 * 8);
    assert.match(inPlace?.what ?? '', /in place in solver memory/);
    // Two worker threads: the two largest k = all fits may overlap, each with its copies; the features
    // are shared. A --combine join is not in solver memory: the solver's float32 copy of its train
    // rows and a d-square float64 matrix; no float64 copies.
    const two = evaluationMemoryNeeds({
      tasks: [
        { name: 'hyponatremia', labels: 120_700, train: 72_000, tuning: 24_000 },
        { name: 'long_los', labels: 12_000, train: 6_000, tuning: 2_000 },
        { name: 'tiny', labels: 100, train: 50, tuning: 20 },
      ],
      sets: [{ name: 'emb', dims: 4096 }],
      combined: [{ name: 'emb+counts', dims: 4200 }],
      heads: ['lr'],
      workers: 2,
    });
    const fits = two.filter((n) => n.what.startsWith('logistic fit'));
    assert.deepEqual(
      fits.map((n) => n.bytes),
      [72_000 * 4200 * 4 + 4200 * 4200 * 12, 6_000 * 4200 * 4 + 4200 * 4200 * 12],
    );
    assert.match(fits[1]?.what ?? '', /"emb\+counts" of task long_los/);
    // A join of a wide embedding set keeps its training rows in solver memory as well.
    const joined = evaluationMemoryNeeds({
      tasks: [{ name: 'hyponatremia', labels: 120_700, train: 72_000, tuning: 24_000 }],
      sets: [],
      combined: [{ name: 'emb+counts', dims: 4200, embeddingDims: 4096 }],
      heads: ['lr'],
    });
    assert.equal(joined.find((n) => n.what.startsWith('logistic fit'))?.bytes, 16 * 4201 * 8);
    assert.equal(two.find((n) => n.what.startsWith('feature set "emb"'))?.bytes, (120_700 + 12_000 + 100) * 4096 * 4);
    const total = needs.reduce((a, n) => a + n.bytes, 0) * MARGIN + RUNTIME_BYTES;
    assert.doesNotThrow(() => checkMemory('evaluate', needs, { maxMemory: total, advice: 'x' }));
    assert.throws(
      () => checkMemory('evaluate', needs, { maxMemory: total - 1, advice: 'Evaluate fewer tasks.' }),
      (err: Error) =>
        /evaluate would need about \d\.\d GB of memory \(.*feature set "emb" \(120,700 rows × 4,096 float32\): 1\.8 GB.*more than the \d\.\d GB available \(--max-memory\); stopped before allocating it\. Evaluate fewer tasks\./.test(
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
    // Training rows x dimensions past one WebAssembly memory (4 GiB): stopped before loading, with
    // what to do. The check reads the counts of summary.json: here a task of 300,000 training
    // labels (the demo has no train split) against the 4,096-d file.
    const big = join(dir, 'big-labels');
    cpSync(labels, big, { recursive: true });
    const summary = JSON.parse(readFileSync(join(big, 'summary.json'), 'utf8'));
    summary.tasks.mortality_1y.splits.train.labels = 300_000;
    summary.tasks.mortality_1y.total.labels += 300_000;
    writeFileSync(join(big, 'summary.json'), JSON.stringify(summary));
    const capArgs = ['evaluate', '--labels', big, '--features', `emb=${join(dir, 'feats')}`, '--out', join(dir, 'r.json')];
    const cap = runCli(capArgs);
    assert.equal(cap.code, 2, cap.stderr);
    assert.match(
      cap.stderr,
      /task mortality_1y: the k = all logistic fit on "emb" would hold 300,000 training rows × 4,096 float32 \(4\.6 GiB\), more than the 4 GiB one WebAssembly memory holds/,
    );
    assert.match(cap.stderr, /Leave k = all out \(--k\)/);
    const fewShot = runCli([...capArgs, '--k', '4']);
    assert.doesNotMatch(fewShot.stderr, /WebAssembly/, 'without k = all there is no such fit');
  });

  it('estimates count matrices from their stored entries, their largest fit, and --combine sets from their columns', () => {
    const counts: CountMatrixSize = {
      name: 'counts',
      rows: 100_000,
      entries: 50_000_000,
      projected: true,
      dims: 20_001,
      keys: 30_000,
      heads: ['lr', 'gbm'],
      tasks: [
        { name: 'small', trainRows: 10, fitRows: 20, fitEntries: 10_000, testRows: 10, testEntries: 5_000 },
        { name: 'big', trainRows: 60_000, fitRows: 80_000, fitEntries: 40_000_000, testRows: 20_000, testEntries: 10_000_000 },
      ],
    };
    const needs = evaluationMemoryNeeds({
      tasks: [{ name: 'big', labels: 100_000, train: 60_000, tuning: 20_000 }],
      sets: [],
      heads: ['lr', 'gbm'],
      counts: [counts],
    });
    const matrix = needs.find((n) => n.what.startsWith('count matrix "counts"'));
    assert.match(matrix?.what ?? '', /100,000 rows, 50,000,000 stored entries projected/);
    // 8 bytes per entry, twice while the arrays double; offsets and the pass's maps per row.
    assert.equal(matrix?.bytes, 50_000_000 * 16 + 100_000 * 112);
    assert.equal(needs.find((n) => n.what.startsWith('count features'))?.heap, true);
    // The big task's fit: its rows copied (8 bytes per entry and per row), then XGBoost's copies
    // (larger than the linear head's float64 values at this size).
    const fit = needs.find((n) => n.what.startsWith('fit on "counts"'));
    assert.match(fit?.what ?? '', /task big/);
    assert.equal(fit?.bytes, (50_000_000 + 100_000) * 8 + 40_000_000 * 12 + 10_000_000 * 8 + 100_000 * 16);
    // --combine: a dense float32 matrix of every label × (embedding + count columns).
    const joined = evaluationMemoryNeeds({
      tasks: [{ name: 'big', labels: 100_000, train: 60_000, tuning: 20_000 }],
      sets: [{ name: 'emb', dims: 4096 }],
      heads: ['lr'],
      combined: [{ name: 'emb+counts', dims: 4096 + 20_001 }],
    });
    assert.equal(joined.find((n) => n.what.startsWith('combined set "emb+counts"'))?.bytes, 100_000 * 24_097 * 4);
    // The dense fit is sized by the widest set, the combined one.
    assert.match(joined.find((n) => n.what.startsWith('logistic fit'))?.what ?? '', /on "emb\+counts" .*× 24,097 float32/);
  });

  it('evaluate --counts stops during the count pass when the projected matrix does not fit, and runs within a generous bound', async () => {
    const dir = tempDir();
    const labels = join(dir, 'labels');
    assert.equal(runCli(['label', MIMIC_MEDS, '--tasks', 'long_los', '--out', labels]).code, 0);
    const args = [
      'evaluate',
      '--labels',
      labels,
      '--counts',
      '--k',
      'all',
      '--bootstrap',
      '10',
      '--paired-resamples',
      '10',
      '--out',
      join(dir, 'r.json'),
    ];
    // Room for the runtime and the labels (checked before the pass), not for the count matrix.
    const r = runCli([...args, '--max-memory', String(RUNTIME_BYTES + 100_000)]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /count matrix "counts" \(\d+ rows, [\d,]+ stored entries projected from the rows built so far/);
    assert.match(r.stderr, /fit on "counts" of task long_los/);
    assert.match(r.stderr, /--time-bins/);
    assert.equal(runCli([...args, '--max-memory', '4gb']).code, 0);

    // --combine: the joined dense matrix is part of the estimate, with the counts' columns.
    const rows = await readLabels(join(labels, 'long_los.parquet'));
    const w = new FeatureFileWriter(join(dir, 'feats', 'long_los.parquet'));
    for (const l of rows) w.add(l.subjectId, l.predictionTime, new Float32Array(4096));
    await w.finish();
    // One fit at a time (--workers 1): two would double the fit's share.
    const combine = [...args, '--features', `emb=${join(dir, 'feats')}`, '--combine', '--heads', 'lr', '--workers', '1'];
    // The joined set passes the guard's checks (before, during and after the count pass) and runs;
    // its size in the estimate is checked above (evaluationMemoryNeeds with `combined`).
    const c = runCli([...combine, '--max-memory', '4gb']);
    assert.equal(c.code, 0, c.stderr);
    const written = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as {
      results: { featureSet: string }[];
      skipped: { featureSet: string }[];
    };
    assert.ok(
      [...written.results, ...written.skipped].some((r) => r.featureSet === 'emb+counts'),
      JSON.stringify(written.skipped),
    );
  });

  it('label projects its labels from the subjects done to all subjects, and --max-memory stops the pass early', () => {
    const needs = labelMemoryNeeds({ subjects: 500, totalSubjects: 10_000, labels: [1_000, 30], largestSubjectEvents: 5_000 }, ['a', 'b']);
    const labels = needs.find((n) => n.what.includes('labels of 2 task(s)'));
    assert.match(labels?.what ?? '', /^20,600 labels of 2 task\(s\) \(projected from 500 of 10,000 subjects\)/);
    assert.equal(labels?.bytes, 20_600 * LABEL_HELD_BYTES);
    assert.match(needs.map((n) => n.what).join('; '), /writing task a \(20,000 label rows\)/);

    const dir = tempDir();
    const r = runCli(['label', MIMIC_MEDS, '--tasks', 'all', '--out', join(dir, 'labels'), '--max-memory', String(RUNTIME_BYTES + 1000)]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /label would need about .* labels of \d+ task\(s\) \(projected from \d+ of 20 subjects\).* more than the 512 MB available \(--max-memory\)/,
    );
    assert.match(r.stderr, /Label fewer tasks per run/);
  });

  it('a real embed checks its memory before serializing: pairs and cache keys, not texts', async () => {
    const dir = tempDir();
    const labels = join(dir, 'labels');
    assert.equal(runCli(['label', MIMIC_MEDS, '--tasks', 'long_los,mortality_1y', '--out', labels]).code, 0);
    const server = await startEmbeddingServer({ dims: 16 });
    try {
      const args = ['embed', MIMIC_MEDS, '--labels', labels, '--model', `openai:${server.url}#Qwen3-Embedding-test`, '--max-tokens', '256'];
      const r = await runCliAsync([
        ...args,
        '--out',
        join(dir, 'feats'),
        '--cache',
        join(dir, 'cache'),
        '--max-memory',
        String(RUNTIME_BYTES + 1000),
      ]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /embed would need about .*\(subject, time\) pairs and \d+ cache keys.*texts in flight \(up to 64 awaiting the embedder and about \d+ being serialized, 256 tokens each\)/,
      );
      assert.equal(server.requests.inputs, 1, 'only the server check: nothing was serialized or embedded');
    } finally {
      await server.close();
    }
  });
});
