import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runEvaluation, summarize, type FeatureSet, type RunResult } from '../../src/eval/runEvaluation.ts';
import { lrHead } from '../../src/eval/lrHead.ts';
import type { TaskData } from '../../src/eval/TaskData.ts';
import { sampleShots } from '../../src/tasks/sampleShots.ts';
import { FeatureFileWriter } from '../../src/meds/featureFiles.ts';
import { readLabels } from '../../src/meds/labels.ts';
import { DATA, tempDir } from '../helpers/paths.ts';
import { runCli } from '../helpers/runCli.ts';

/** A task whose first feature carries the label plus noise; splits by subject. */
function syntheticTask(name: string, group: string, n: number, signal: number, seed: number): { task: TaskData; X: Float32Array } {
  let s = seed;
  const rnd = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const labels = Array.from({ length: n }, (_, i) => ({ subjectId: i, predictionTime: 0, booleanValue: rnd() < 0.3 }));
  const y = Int8Array.from(labels, (l) => (l.booleanValue ? 1 : 0));
  const split = labels.map((_, i) => (i % 10 < 6 ? 'train' : i % 10 < 8 ? 'tuning' : 'held_out'));
  const d = 5;
  const X = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) X[i * d + j] = (j === 0 ? signal * (y[i] as number) : 0) + rnd();
  const shots = sampleShots(name, labels, (id) => split[id] as string, { seed: 1, ks: [4, 16], replicates: 2 });
  return { task: { name, group, query: null, labels, y, split, shots }, X };
}

describe('runEvaluation', () => {
  it('learns a real signal, gives CIs around the estimate, and skips one-class tasks', async () => {
    const a = syntheticTask('a', 'g1', 400, 2, 1);
    const b = syntheticTask('b', 'g2', 400, 0.3, 2);
    const c = syntheticTask('c', 'g2', 50, 0, 3);
    const cTask: TaskData = { ...c.task, y: new Int8Array(50) };
    const matrices = new Map([
      ['a', a.X],
      ['b', b.X],
      ['c', c.X],
    ]);
    const fs: FeatureSet = { name: 'synthetic', baseline: true, dims: 5, rows: (t) => matrices.get(t)! };
    const r = await runEvaluation([a.task, b.task, cTask], [fs], [lrHead], {
      ks: [4, 16, 'all'],
      replicates: 2,
      bootstrap: 200,
      pairedResamples: 200,
    });
    const allA = r.results.find((x) => x.task === 'a' && x.k === 'all')!;
    assert.ok(allA.auroc.estimate > 0.9, `strong signal: ${allA.auroc.estimate}`);
    assert.ok(allA.auroc.lower <= allA.auroc.estimate && allA.auroc.estimate <= allA.auroc.upper);
    assert.equal(allA.nTest, a.task.split.filter((s) => s === 'held_out').length);
    assert.ok(typeof allA.chosen.C === 'number');
    assert.equal(r.results.filter((x) => x.task === 'a' && x.k === 4).length, 2, 'two replicates');
    assert.ok(r.skipped.some((x) => x.task === 'c' && /one class only in train/.test(x.reason)));
    const macroAll = r.macro.find((m) => m.k === 'all')!;
    const meanA = allA.auroc.estimate;
    const meanB = r.results.find((x) => x.task === 'b' && x.k === 'all')!.auroc.estimate;
    assert.ok(Math.abs(macroAll.macroAuroc - (meanA + meanB) / 2) < 1e-12, 'macro = mean of group means');
    assert.equal(r.bestBaseline, 'synthetic|lr');
  });

  it('runs a k whose sample differs although some split/class ran short; skips it only when train and tuning equal a smaller k', async () => {
    // train 100+/100-, tuning 59+/120-, held_out 30+/70-: at k = 64 the tuning positives already
    // run short, yet k = 128 draws 128 more training rows and 56 more tuning negatives; k = 256
    // draws exactly the k = 128 sample.
    const parts: [string, number, number][] = [
      ['train', 100, 100],
      ['tuning', 59, 120],
      ['held_out', 30, 70],
    ];
    const labels: { subjectId: number; predictionTime: number; booleanValue: boolean }[] = [];
    const split: string[] = [];
    for (const [name, pos, neg] of parts) {
      for (let i = 0; i < pos + neg; i++) {
        labels.push({ subjectId: labels.length, predictionTime: 0, booleanValue: i < pos });
        split.push(name);
      }
    }
    const n = labels.length;
    const y = Int8Array.from(labels, (l) => (l.booleanValue ? 1 : 0));
    let s = 7;
    const rnd = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const X = Float32Array.from({ length: n * 3 }, (_, idx) => (idx % 3 === 0 ? (y[Math.floor(idx / 3)] as number) : 0) + rnd());
    const shots = sampleShots('short', labels, (id) => split[id] as string, { seed: 1, ks: [64, 128, 256], replicates: 1 });
    const task: TaskData = { name: 'short', group: 'g', query: null, labels, y, split, shots };
    const fs: FeatureSet = { name: 'f', baseline: true, dims: 3, rows: () => X };
    const r = await runEvaluation([task], [fs], [lrHead], { ks: [64, 128, 256], replicates: 1, bootstrap: 20, pairedResamples: 20 });
    const at = (k: number) => r.results.find((x) => x.k === k);
    assert.equal(at(64)?.nTrain, 128);
    assert.equal(at(64)?.nVal, 59 + 64);
    assert.equal(at(128)?.nTrain, 200, 'k = 128 runs: train differs from k = 64');
    assert.equal(at(128)?.nVal, 59 + 120);
    assert.equal(at(256), undefined);
    const skip = r.skipped.find((x) => x.k === 256);
    assert.equal(skip?.sameAs, 128);
    assert.match(
      skip?.reason ?? '',
      /k=256 draws the same train and tuning sample as k=128 \(all available labels: train 100\+\/100-, tuning 59\+\/120-\)/,
    );
    assert.equal(r.skipped.length, 1);
  });

  it('summarize averages replicates, then tasks within a group, then groups', () => {
    const mk = (task: string, group: string, rep: number, v: number): RunResult =>
      ({
        task,
        group,
        featureSet: 'f',
        head: 'lr',
        k: 4,
        replicate: rep,
        auroc: { estimate: v, lower: v, upper: v },
      }) as unknown as RunResult;
    const [m] = summarize([mk('t1', 'g1', 0, 0.6), mk('t1', 'g1', 1, 0.8), mk('t2', 'g1', 0, 0.5), mk('t3', 'g2', 0, 0.9)]);
    assert.ok(Math.abs(m!.groups.g1! - 0.6) < 1e-12);
    assert.ok(Math.abs(m!.macroAuroc - 0.75) < 1e-12);
  });
});

describe('ehr-embed evaluate on Synthea STU3', () => {
  it('count baseline by k with CIs; mismatched features are a clear error', async () => {
    const dir = tempDir();
    const meds = join(dir, 'meds');
    const labels = join(dir, 'labels');
    assert.equal(
      runCli(['convert', '--from', 'fhir', '--input', join(DATA, 'synthea-fhir/stu3-synthea.bundles.ndjson.gz'), '--out', meds]).code,
      0,
    );
    const l = runCli(['label', meds, '--tasks', 'hypoglycemia,readmission_30d', '--out', labels]);
    assert.equal(l.code, 0, l.stderr);
    const out = join(dir, 'results.json');
    const r = runCli([
      'evaluate',
      '--labels',
      labels,
      '--counts',
      '--k',
      '8,all',
      '--replicates',
      '2',
      '--bootstrap',
      '100',
      '--paired-resamples',
      '100',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /counts\|lr/);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    const hypo = res.results.filter((x: { task: string }) => x.task === 'hypoglycemia');
    assert.equal(hypo.length, 3, 'k=8 twice and all once');
    // Calibration on every run; subgroups from the MEDS demographics at k = all.
    const all = hypo.find((x: { k: unknown }) => x.k === 'all');
    assert.equal(all.rankedOn, 'decision');
    assert.equal(
      all.calibration.bins.reduce((a: number, b: { count: number }) => a + b.count, 0),
      all.nTest,
    );
    const attrs = new Set(all.subgroups.map((g: { attribute: string }) => g.attribute));
    assert.ok(attrs.has('sex') && attrs.has('age'), `subgroup attributes: ${[...attrs].join(', ')}`);
    for (const attr of attrs) {
      const groups = all.subgroups.filter((g: { attribute: string }) => g.attribute === attr);
      assert.equal(
        groups.reduce((a: number, g: { labels: number }) => a + g.labels, 0),
        all.nTest,
        `${attr} groups partition the test labels`,
      );
    }
    assert.deepEqual(res.fitWarnings, []);
    assert.ok(res.skipped.some((x: { task: string; reason: string }) => x.task === 'readmission_30d' && /tuning/.test(x.reason)));
    // An embedding set on the same labels (vectors made here: the first value carries the outcome)
    // through 1 and 2 worker threads: the same results.json apart from timings.
    const hypoLabels = await readLabels(join(labels, 'hypoglycemia.parquet'));
    const embDir = join(dir, 'emb');
    const ew = new FeatureFileWriter(join(embDir, 'hypoglycemia.parquet'));
    hypoLabels.forEach((l, i) =>
      ew.add(
        l.subjectId,
        l.predictionTime,
        Float32Array.from({ length: 8 }, (_, j) => (j === 0 && l.booleanValue ? 0.8 : 0) + ((i * 7 + j * 13) % 11) / 11),
      ),
    );
    await ew.finish();
    const byWorkers = [1, 2].map((n) => {
      const file = join(dir, `emb-${n}.json`);
      const e = runCli([
        'evaluate',
        '--labels',
        labels,
        '--features',
        `emb=${embDir}`,
        '--tasks',
        'hypoglycemia',
        '--k',
        '8,all',
        '--replicates',
        '2',
        '--bootstrap',
        '50',
        '--paired-resamples',
        '50',
        '--workers',
        String(n),
        '--out',
        file,
      ]);
      assert.equal(e.code, 0, e.stderr);
      const { createdAt: _c, ...rest } = JSON.parse(readFileSync(file, 'utf8'));
      return { ...rest, results: rest.results.map(({ seconds: _s, ...r }: { seconds: number }) => r) };
    });
    assert.equal(byWorkers[0].results.length, 3);
    assert.deepEqual(byWorkers[1], byWorkers[0]);
    assert.equal(runCli(['evaluate', '--labels', labels, '--workers', '0', '--out', join(dir, 'x.json')]).code, 2);
    // Features that do not match the labels.
    const feats = join(dir, 'feats');
    const w = new FeatureFileWriter(join(feats, 'hypoglycemia.parquet'));
    w.add(1, 0, new Float32Array(4));
    await w.finish();
    const bad = runCli([
      'evaluate',
      '--labels',
      labels,
      '--features',
      `x=${feats}`,
      '--tasks',
      'hypoglycemia',
      '--out',
      join(dir, 'r2.json'),
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /features and labels do not match: \d+ of \d+ labels of task "hypoglycemia" have no feature row/);
  });
});
