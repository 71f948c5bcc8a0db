import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { concatFeatureSets, loadEmbeddingFeatureSet, matrixFeatureSet } from '../../src/eval/featureSets.ts';
import type { TaskData } from '../../src/eval/TaskData.ts';
import { lrHead } from '../../src/eval/lrHead.ts';
import { runEvaluation, type FeatureSet } from '../../src/eval/runEvaluation.ts';
import { FeatureFileWriter } from '../../src/meds/featureFiles.ts';
import type { CountFeatures } from '../../src/features/buildCountFeatures.ts';
import { countFeatureSet } from '../../src/pipeline/countFeatureSet.ts';
import { denseToCsr } from '../../src/probe/csrMatrix.ts';
import { tempDir } from '../helpers/paths.ts';
import { fitPoolTask } from './fitPoolTask.ts';
import { layoutRow } from '../../src/eval/layoutRange.ts';
import { solverMemoryOfBuffer } from '../../src/probe/solverMemory.ts';

/** Write the rows of X as feature files: shuffled rows, in two shard parts. */
async function writeParts(dir: string, t: TaskData, X: Float32Array, d: number): Promise<void> {
  const order = t.labels.map((_, i) => i).sort((a, b) => ((a * 7919) % 101) - ((b * 7919) % 101));
  const half = Math.floor(order.length / 2);
  for (const [p, rows] of [order.slice(0, half), order.slice(half)].entries()) {
    const w = new FeatureFileWriter(join(dir, `t.part-${p}-of-2.parquet`), 16);
    for (const i of rows) w.add(t.labels[i]!.subjectId, t.labels[i]!.predictionTime, X.slice(i * d, (i + 1) * d));
    await w.finish();
  }
}

describe('loadEmbeddingFeatureSet', () => {
  it('reads parts straight into one buffer, each split contiguous; evaluation equals the label-order matrix', async () => {
    // 37 values a row: rows straddle DuckDB's 2,048-value chunks.
    const d = 37;
    const { task: t, X } = fitPoolTask('t', 240, d, 5, 1.5);
    const dir = tempDir();
    await writeParts(dir, t, X, d);
    const fs = await loadEmbeddingFeatureSet('emb', dir, [t]);
    assert.equal(fs.dims, d);
    assert.deepEqual(fs.rows('t'), X, 'rows() is the label-order matrix');
    const layout = fs.layout!('t');
    // Labelled train rows first, then tuning, then held_out, label order within each.
    const expected = ['train', 'tuning', 'held_out'].flatMap((sp) =>
      t.labels.map((_, i) => i).filter((i) => t.split[i] === sp && t.y[i]! >= 0),
    );
    expected.forEach((label, r) => assert.equal(layout.rowOf[label], r));
    for (let i = 0; i < t.labels.length; i++) assert.deepEqual(layoutRow(layout, d, layout.rowOf[i]!), X.subarray(i * d, (i + 1) * d));
    assert.equal(layout.head, undefined, 'a narrow set keeps every row in one buffer');
    // The same evaluation from the layout (views and scratch) and from a plain label-order set.
    const dense: FeatureSet = matrixFeatureSet('emb', d, new Map([['t', X]]), false);
    const opts = { ks: [4, 16, 'all'] as const, replicates: 2, bootstrap: 50, pairedResamples: 50 };
    const a = await runEvaluation([t], [fs], [lrHead], { ...opts, ks: [...opts.ks] });
    const b = await runEvaluation([t], [dense], [lrHead], { ...opts, ks: [...opts.ks] });
    assert.equal(a.results.length, 5);
    const strip = (r: typeof a): unknown => r.results.map(({ seconds: _s, ...rest }) => rest);
    assert.deepEqual(strip(a), strip(b));
    // Concatenation keeps the first set's layout and the label-order rows.
    const counts = matrixFeatureSet('counts', 2, new Map([['t', Float32Array.from({ length: t.labels.length * 2 }, (_, k) => k)]]), true);
    const both = concatFeatureSets('emb+counts', fs, counts);
    const rows = both.rows('t');
    assert.deepEqual(rows.subarray(0, d), X.subarray(0, d));
    assert.deepEqual(Array.from(rows.subarray(d, d + 2)), [0, 1]);
    assert.deepEqual(both.layout!('t').rowOf, layout.rowOf);
    // Count features as CSR (some rows absent: -1) are joined from their stored entries, equal to joining their dense copy.
    const n = t.labels.length;
    const denseCounts = Float32Array.from({ length: n * 3 }, (_, k) => (k % 4 === 0 ? 0 : k % 7));
    const rowsOf = Int32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? -1 : n - 1 - i));
    const matrix = denseToCsr(denseCounts, 3);
    const cf = { space: {} as CountFeatures['space'], dims: 3, matrix, rowsByTask: new Map([['t', rowsOf]]) };
    const sparse = countFeatureSet('counts', cf);
    const viaCsr = concatFeatureSets('emb+counts', fs, { ...sparse, rows: () => assert.fail('the dense copy is not needed') });
    const viaDense = concatFeatureSets('emb+counts', fs, matrixFeatureSet('counts', 3, new Map([['t', sparse.rows('t')]]), true));
    assert.deepEqual(viaCsr.rows('t'), viaDense.rows('t'));
    assert.deepEqual(Array.from(viaCsr.rows('t').subarray(d, d + 3)), [0, 0, 0], 'an absent row joins as zeros');
  });

  it('keeps the training rows of a wide set in solver memory; the k = all fit reads them in place, in any thread, with the same results', async () => {
    // 640 columns (> 600) and about 680 labelled training rows: the solver's primal path.
    const d = 640;
    const { task: t, X } = fitPoolTask('t', 1200, d, 11, 1.5);
    const dir = tempDir();
    await writeParts(dir, t, X, d);
    const fs = await loadEmbeddingFeatureSet('emb', dir, [t]);
    const layout = fs.layout!('t');
    const train = t.labels.map((_, i) => i).filter((i) => t.split[i] === 'train' && t.y[i]! >= 0);
    assert.ok(train.length >= d);
    assert.ok(layout.head, 'the training rows have a buffer of their own');
    assert.equal(layout.head.length, train.length * d);
    assert.equal(solverMemoryOfBuffer(layout.head.buffer)?.length, train.length * d, 'in a registered solver memory');
    assert.equal(layout.X.length, (t.labels.length - train.length) * d);
    assert.deepEqual(fs.rows('t'), X, 'rows() is the label-order matrix across both buffers');
    // The same evaluation from the layout (in place) and from a plain label-order set (copied),
    // in this thread and in two workers.
    const dense: FeatureSet = matrixFeatureSet('emb', d, new Map([['t', X]]), false);
    const opts = { ks: [4, 'all'] as ('all' | number)[], replicates: 1, bootstrap: 20, pairedResamples: 20 };
    // The fit's scratch follows the rows in the same memory: written only by a fit in place.
    const mem = solverMemoryOfBuffer(layout.head.buffer)!.memory.buffer as SharedArrayBuffer;
    const scratch = new Float64Array(mem, Math.ceil(layout.head.length / 2) * 8, 2 * (d + 1));
    assert.ok(scratch.every((v) => v === 0));
    const a = await runEvaluation([t], [fs], [lrHead], opts);
    assert.ok(
      scratch.some((v) => v !== 0),
      'the fit in this thread ran in place',
    );
    scratch.fill(0);
    const b = await runEvaluation([t], [dense], [lrHead], opts);
    assert.ok(
      scratch.every((v) => v === 0),
      'a label-order copy is fitted elsewhere',
    );
    const c = await runEvaluation([t], [fs], [lrHead], { ...opts, workers: 2 });
    assert.ok(
      scratch.some((v) => v !== 0),
      'the fit in a worker ran in place',
    );
    const strip = (r: typeof a): unknown => r.results.map(({ seconds: _s, ...rest }) => rest);
    assert.deepEqual(strip(a), strip(b));
    assert.deepEqual(strip(c), strip(a));
    const all = a.results.find((r) => r.k === 'all')!;
    assert.equal(all.fit?.uncertified, 0);
    assert.deepEqual(fs.rows('t'), X, 'the fits left the rows as they were');
    // Joined with two count columns: the joined training rows are in solver memory too, and fit
    // as the label-order join does.
    const n = t.labels.length;
    const countRows = Float32Array.from({ length: n * 2 }, (_, k) => (k * 37) % 5);
    const counts = matrixFeatureSet('counts', 2, new Map([['t', countRows]]), true);
    const both = concatFeatureSets('emb+counts', fs, counts);
    const joined = both.layout!('t');
    assert.equal(joined.head?.length, train.length * (d + 2));
    assert.ok(solverMemoryOfBuffer(joined.head.buffer));
    const labelOrder = new Float32Array(n * (d + 2));
    for (let i = 0; i < n; i++) {
      labelOrder.set(X.subarray(i * d, (i + 1) * d), i * (d + 2));
      labelOrder.set(countRows.subarray(i * 2, i * 2 + 2), i * (d + 2) + d);
    }
    assert.deepEqual(both.rows('t'), labelOrder);
    const allOnly = { ...opts, ks: ['all' as const] };
    const e = await runEvaluation([t], [both], [lrHead], allOnly);
    const f = await runEvaluation([t], [matrixFeatureSet('emb+counts', d + 2, new Map([['t', labelOrder]]), false)], [lrHead], allOnly);
    assert.deepEqual(strip(e), strip(f));
  });

  it('names the first label without a feature row', async () => {
    const d = 3;
    const { task: t, X } = fitPoolTask('t', 20, d, 9, 1.5);
    const dir = tempDir();
    const w = new FeatureFileWriter(join(dir, 't.parquet'));
    for (let i = 1; i < 20; i++) w.add(t.labels[i]!.subjectId, t.labels[i]!.predictionTime, X.slice(i * d, (i + 1) * d));
    await w.finish();
    await assert.rejects(
      loadEmbeddingFeatureSet('emb', dir, [t]),
      /1 of 20 labels of task "t" have no feature row \(first: subject 100 at 2020-01-01T00:00:00.000Z\)/,
    );
  });
});
