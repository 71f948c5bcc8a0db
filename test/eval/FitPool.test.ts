import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FitPool } from '../../src/eval/FitPool.ts';
import { loadEmbeddingFeatureSet, matrixFeatureSet } from '../../src/eval/featureSets.ts';
import { availableGbmHead } from '../../src/eval/gbmHead.ts';
import { logisticHead, lrHead } from '../../src/eval/lrHead.ts';
import { runEvaluation, type EvaluationResults } from '../../src/eval/runEvaluation.ts';
import { sharedLayout } from '../../src/eval/sharedLayout.ts';
import { UsageError } from '../../src/errors.ts';
import { tempDir } from '../helpers/paths.ts';
import { fitPoolTask, writeFitPoolFeatures } from './fitPoolTask.ts';

/** Everything but the timings. */
function strip(r: EvaluationResults): unknown {
  return { ...r, results: r.results.map(({ seconds: _s, ...rest }) => rest) };
}

describe('FitPool', () => {
  it('gives the same evaluation with 1 and 2 workers: values, chosen C, certificates, order', async () => {
    const d = 24;
    const a = fitPoolTask('a', 300, d, 5);
    const b = fitPoolTask('b', 200, d, 8);
    const dir = tempDir();
    await writeFitPoolFeatures(dir, a.task, a.X, d);
    await writeFitPoolFeatures(dir, b.task, b.X, d);
    const tasks = [a.task, b.task];
    // An embedding set (its buffer shared with the workers) and a label-order matrix set (copied to shared memory once per task).
    const emb = await loadEmbeddingFeatureSet('emb', dir, tasks);
    assert.ok(emb.layout!('a').X.buffer instanceof SharedArrayBuffer);
    const plain = matrixFeatureSet(
      'plain',
      d,
      new Map([
        ['a', a.X],
        ['b', b.X],
      ]),
      true,
    );
    const subgroups = (t: (typeof tasks)[number]) => ({ sex: t.labels.map((_, i) => (i % 2 ? 'F' : 'M')) });
    const opts = { ks: [4, 16, 'all'] as const, replicates: 2, bootstrap: 50, pairedResamples: 50, subgroups };
    const heads = [lrHead, logisticHead({ grid: [0.01, 1, 100], tol: 1e-10 })].map((h, i) => (i === 0 ? h : { ...h, name: 'lr-small' }));
    const one = await runEvaluation(tasks, [emb, plain], heads, { ...opts, ks: [...opts.ks], workers: 1 });
    const two = await runEvaluation(tasks, [emb, plain], heads, { ...opts, ks: [...opts.ks], workers: 2 });
    assert.equal(one.results.length, 2 * 2 * 2 * 5);
    assert.ok(one.results.every((r) => r.fit !== undefined && typeof r.chosen.C === 'number'));
    assert.deepEqual(strip(two), strip(one));
    // Byte-identical results.json content apart from the timings.
    assert.equal(JSON.stringify(strip(two)), JSON.stringify(strip(one)));
  });

  it('surfaces a fit error in a worker as the head threw it, and rejects fits after close', async () => {
    const d = 4;
    const { task, X } = fitPoolTask('t', 80, d, 2);
    X[1] = Number.POSITIVE_INFINITY;
    const layout = sharedLayout({ X, rowOf: Int32Array.from(task.labels, (_, i) => i) });
    const pool = new FitPool(2);
    const idx = (split: string) => Int32Array.from(task.labels.map((_, i) => i).filter((i) => task.split[i] === split && task.y[i]! >= 0));
    const job = (train: Int32Array) => ({
      head: lrHead.spec!,
      layout,
      dims: d,
      train,
      yTrain: Uint8Array.from(train, (i) => task.y[i]!),
      val: idx('tuning'),
      yVal: Uint8Array.from(idx('tuning'), (i) => task.y[i]!),
      test: idx('held_out'),
    });
    try {
      await pool.ready();
      await assert.rejects(
        pool.fit(job(idx('train'))),
        (e: Error) => e instanceof UsageError && /feature value must be finite, got Infinity/.test(e.message),
      );
      // The worker lives on: a fit without the bad row succeeds.
      const ok = await pool.fit(job(idx('train').filter((i) => i !== 0)));
      assert.equal(ok.result.proba.length, idx('held_out').length);
      await assert.rejects(pool.fit({ ...job(idx('train')), head: { kind: 'svm' } as never }), /unknown head kind "svm"/);
      // Closing the pool mid-fit fails the fit instead of leaving it pending.
      const running = pool.fit(job(idx('train').filter((i) => i !== 0)));
      const closing = pool.close();
      await assert.rejects(running, /the fit pool was closed with this fit in flight/);
      await closing;
    } finally {
      await pool.close();
    }
    await assert.rejects(pool.fit(job(idx('train'))), /the fit pool is closed/);
  });

  it('runs the GBM head in a worker with the in-process result (XGBoost through koffi in each thread)', async (t) => {
    const { head: gbm, reason } = await availableGbmHead();
    if (!gbm) return t.skip(reason);
    const d = 5;
    const { task, X } = fitPoolTask('g', 240, d, 6);
    const rowOf = Int32Array.from(task.labels, (_, i) => i);
    const layout = sharedLayout({ X, rowOf });
    const idx = (split: string) => Int32Array.from(task.labels.map((_, i) => i).filter((i) => task.split[i] === split && task.y[i]! >= 0));
    const rows = (ix: Int32Array) => Float32Array.from(Array.from(ix).flatMap((i) => Array.from(X.subarray(i * d, (i + 1) * d))));
    const labelsOf = (ix: Int32Array) => Uint8Array.from(ix, (i) => task.y[i]!);
    const [tr, va, te] = [idx('train'), idx('tuning'), idx('held_out')];
    const here = gbm.fitPredict({ X: rows(tr), y: labelsOf(tr) }, { X: rows(va), y: labelsOf(va) }, rows(te), d);
    const pool = new FitPool(2);
    try {
      const there = await pool.fit({
        head: gbm.spec!,
        layout,
        dims: d,
        train: tr,
        yTrain: labelsOf(tr),
        val: va,
        yVal: labelsOf(va),
        test: te,
      });
      assert.deepEqual(there.result.chosen, here.chosen);
      assert.deepEqual(there.result.proba, here.proba);
    } finally {
      await pool.close();
    }
  });

  it('closes its threads: the process ends by itself after a run and after a failed one', () => {
    const child = join(import.meta.dirname, 'fitPoolChild.ts');
    const run = (arg: string): { runs?: number; error?: string; name?: string } => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', child, arg], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.signal, null, `${arg}: the process had to be killed (a worker kept it alive)`);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    assert.ok((run('ok').runs ?? 0) > 0);
    const bad = run('bad');
    assert.equal(bad.name, 'UsageError');
    assert.match(bad.error ?? '', /^row 1, field "column 3": feature value must be finite, got NaN/);
  });
});
