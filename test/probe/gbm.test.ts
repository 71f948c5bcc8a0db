// Gradient-boosted trees through XGBoost (needs Debian libxgboost0, installed by .ci/run), and the
// grid selection of src/eval/selectGbm.ts, which is tested here next to the probe it drives.
// Every fit uses nThread 1: results do not depend on it, but OpenMP threads fighting the
// concurrent test files for the same cores can slow fits down a hundredfold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fitGbm, fitGbmPath, FittedGbm, GBM_DEFAULTS, resolveParams, toXGBoostParams } from '../../src/probe/gbm.ts';
import type { GbmParams } from '../../src/probe/gbm.ts';
import { loadXGBoost, XGBOOST_LIB_ENV, XGBOOST_MISSING_MESSAGE } from '../../src/probe/xgboostLib.ts';
import { distinctGbmConfigs, GBM_GRID, selectGbm } from '../../src/eval/selectGbm.ts';
import { auroc } from '../../src/eval/auroc.ts';
import { isUsageError } from '../../src/errors.ts';
import { mulberry32 as rng } from '../helpers/mulberry32.ts';

const ONE = { nThread: 1 } as const;

interface GoldenFit {
  params: GbmParams;
  xgbParams: [string, string][];
  predictions: number[];
}
interface GoldenDataset {
  name: string;
  n: number;
  d: number;
  X: (number | null)[];
  y: number[];
  Xtest: (number | null)[];
  baseScore: number;
  fits: GoldenFit[];
}
const golden = JSON.parse(readFileSync(new URL('../golden/xgboost/predictions.json', import.meta.url), 'utf8')) as {
  datasets: GoldenDataset[];
};
const f32 = (a: (number | null)[]): Float32Array => Float32Array.from(a, (v) => (v === null ? Number.NaN : v));

/**
 * Count-like features: d columns of small counts (the first 4 present in 40% of rows, the rest in
 * 10%); the label depends on presence of code 0, the count of code 1 and an interaction of codes 2
 * and 3, through a logistic link (so no model can reach AUROC 1). `oracle` is the true log-odds.
 */
function synthetic(n: number, seed: number, d = 30): { X: Float32Array; y: Float64Array; d: number; oracle: Float64Array } {
  const r = rng(seed);
  const X = new Float32Array(n * d);
  const y = new Float64Array(n);
  const oracle = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) X[i * d + j] = r() < (j < 4 ? 0.4 : 0.1) ? 1 + Math.floor(r() * 4) : 0;
    const x = (j: number): number => X[i * d + j] as number;
    const z = 2 * Number(x(0) > 0) + 0.8 * x(1) + 3 * Number(x(2) > 0 && x(3) > 0) - 2.5;
    oracle[i] = z;
    y[i] = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X, y, d, oracle };
}

function expectUsage(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => isUsageError(err) && pattern.test((err as Error).message));
}

test('predictions agree with Python xgboost (same libxgboost, same parameters) on the golden datasets', () => {
  let worst = 0;
  for (const ds of golden.datasets) {
    const X = f32(ds.X);
    const Xtest = f32(ds.Xtest);
    for (const fit of ds.fits) {
      const p = resolveParams(fit.params);
      // Both sides must hand XGBoost the very same parameters for the comparison to mean anything.
      assert.deepEqual(toXGBoostParams(p, ds.baseScore, 1), fit.xgbParams, `${ds.name} ${JSON.stringify(fit.params)}`);
      const model = fitGbm(X, ds.y, ds.d, { ...fit.params, ...ONE });
      assert.equal(model.baseScore, ds.baseScore);
      const pred = model.predictProba(Xtest, 1);
      assert.equal(pred.length, fit.predictions.length);
      pred.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (fit.predictions[i] as number)))));
    }
  }
  // Same library, same parameters, same float32 data: in practice bit-identical (worst = 0).
  assert.ok(worst <= 1e-6, `max |ours - python| = ${worst}`);
});

test('fits a count-feature problem: held-out AUROC well above chance, close to the true model', () => {
  const train = synthetic(1500, 1);
  const test_ = synthetic(1500, 2);
  const model = fitGbm(train.X, train.y, train.d, { maxDepth: 3, learningRate: 0.1, ...ONE });
  const a = auroc(test_.y, model.predictProba(test_.X));
  const best = auroc(test_.y, test_.oracle);
  assert.ok(a > 0.75 && a > best - 0.03, `held-out AUROC ${a}, oracle ${best}`);
  assert.equal(model.nRounds, 100);
  assert.equal(model.nFeatures, 30);
  assert.deepEqual(model.params, { ...GBM_DEFAULTS, maxDepth: 3 });
});

test('deterministic: the same data and seed give the same model bytes and predictions', () => {
  const { X, y, d } = synthetic(400, 3);
  const a = fitGbm(X, y, d, { seed: 7, ...ONE });
  const b = fitGbm(X, y, d, { seed: 7, nThread: 2 });
  assert.deepEqual(a.model, b.model);
  assert.deepEqual(a.predictProba(X, 1), b.predictProba(X, 2));
});

test('JSON round trip predicts identically and keeps params and names', () => {
  const { X, y, d } = synthetic(300, 4);
  const names = Array.from({ length: d }, (_, j) => `code/${j}`);
  const model = fitGbm(X, y, d, { maxDepth: 6, maxLeaves: 25, learningRate: 0.5, featureNames: names, ...ONE });
  const json = JSON.parse(JSON.stringify(model)) as unknown;
  const back = FittedGbm.fromJSON(json);
  assert.deepEqual(back.predictProba(X, 1), model.predictProba(X, 1));
  assert.deepEqual(back.model, model.model);
  assert.deepEqual(back.params, model.params);
  assert.deepEqual(back.featureNames, names);
  assert.equal(back.baseScore, model.baseScore);
  assert.equal(back.xgboostVersion, loadXGBoost().version);
  assert.ok(Object.isFrozen(back) && Object.isFrozen(back.params));
  // The model is XGBoost's own UBJSON: a corrupted one is reported as a usage error at predict time.
  const good = model.toJSON();
  expectUsage(
    () => FittedGbm.fromJSON({ ...good, model: Buffer.from('{"not":"a model"}').toString('base64') }).predictProba(X, 1),
    /not a valid XGBoost model/,
  );
  expectUsage(() => FittedGbm.fromJSON({ ...good, kind: 'logistic' }), /field "kind"/);
  expectUsage(() => FittedGbm.fromJSON({ ...good, params: { maxDepth: 3 } }), /field "params"/);
  expectUsage(() => FittedGbm.fromJSON({ ...good, params: { ...good.params, learningRate: -1 } }), /learningRate/);
  expectUsage(() => FittedGbm.fromJSON({ ...good, featureNames: ['a'] }), /field "featureNames"/);
  expectUsage(() => FittedGbm.fromJSON(null), /not a GBM probe/);
});

test('float64 input gives the same model as the same values in float32', () => {
  const { X, y, d } = synthetic(200, 5);
  const a = fitGbm(X, y, d, ONE);
  const b = fitGbm(Float64Array.from(X), y, d, ONE);
  assert.deepEqual(a.model, b.model);
  assert.deepEqual(a.predictProba(Float64Array.from(X), 1), a.predictProba(X, 1));
});

test('NaN features are missing values: allowed in training and prediction, and usable as signal', () => {
  const n = 600;
  const d = 3;
  const r = rng(6);
  const X = new Float32Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = r() < 0.5 ? 1 : 0;
    // Feature 0 is missing for most positives: missingness alone predicts the label.
    X[i * d] = (y[i] === 1 ? r() < 0.8 : r() < 0.1) ? Number.NaN : r();
    X[i * d + 1] = r();
    X[i * d + 2] = r() < 0.3 ? Number.NaN : r();
  }
  const model = fitGbm(X, y, d, { maxDepth: 3, ...ONE });
  const p = model.predictProba(X, 1);
  assert.ok(p.every(Number.isFinite));
  assert.ok(auroc(y, p) > 0.8, `AUROC ${auroc(y, p)}`);
  const allMissing = model.predictProba(new Float32Array(d).fill(Number.NaN), 1);
  assert.ok(Number.isFinite(allMissing[0]));
});

test('bad inputs and parameters are usage errors naming what is wrong', () => {
  const { X, y, d } = synthetic(50, 7);
  expectUsage(() => fitGbm(X, new Float64Array(50), d, ONE), /both classes, got 0 positive and 50 negative/);
  expectUsage(() => fitGbm(X, new Float64Array(50).fill(1), d, ONE), /both classes/);
  expectUsage(
    () =>
      fitGbm(
        X,
        Array.from(y, (v, i) => (i === 4 ? 2 : v)),
        d,
        ONE,
      ),
    /row 5, field "label": label must be 0 or 1, got 2/,
  );
  expectUsage(() => fitGbm(X, y.subarray(1), d, ONE), /50 rows but there are 49 labels/);
  expectUsage(() => fitGbm(X.subarray(1), y, d, ONE), /not a multiple of 30/);
  const inf = X.slice();
  inf[2 * d + 4] = Infinity;
  expectUsage(() => fitGbm(inf, y, d, ONE), /row 3, field "column 5".*finite or NaN/);
  expectUsage(
    () =>
      fitGbm(
        Float64Array.from(X, (v, i) => (i === 0 ? 1e39 : v)),
        y,
        d,
        ONE,
      ),
    /row 1/,
  );
  expectUsage(() => fitGbm(X, y, d, { ...ONE, maxDepth: -1 }), /maxDepth must be an integer >= 0/);
  expectUsage(() => fitGbm(X, y, d, { ...ONE, maxLeaves: 1 }), /maxLeaves/);
  expectUsage(() => fitGbm(X, y, d, { ...ONE, learningRate: 0 }), /learningRate/);
  expectUsage(() => fitGbm(X, y, d, { ...ONE, nEstimators: 1.5 }), /nEstimators/);
  expectUsage(() => fitGbm(X, y, d, { nThread: 0 }), /nThread/);
  expectUsage(() => fitGbm(X, y, d, { ...ONE, featureNames: ['a'] }), /1 feature names given for 30 features/);
  expectUsage(() => fitGbmPath(X, y, d, [ONE], { earlyStoppingRounds: 5 }), /needs evalX and evalScore/);
  const model = fitGbm(X, y, d, { ...ONE, nEstimators: 3 });
  expectUsage(() => model.predictProba(new Float32Array(7), 1), /not a multiple of 30/);
});

test('a missing XGBoost library is a usage error with install instructions, and only fitting needs it', () => {
  expectUsage(() => loadXGBoost('/nonexistent/libxgboost.so'), new RegExp(XGBOOST_MISSING_MESSAGE.replace(/[()]/g, '\\$&')));
  // In a fresh process (the loader caches), with the variable pointing nowhere: importing the
  // probe and selection modules works, fitting fails with the message.
  const gbmUrl = new URL('../../src/probe/gbm.ts', import.meta.url).href;
  const selUrl = new URL('../../src/eval/selectGbm.ts', import.meta.url).href;
  const script = `
    const { fitGbm } = await import(${JSON.stringify(gbmUrl)});
    await import(${JSON.stringify(selUrl)});
    try {
      fitGbm(new Float32Array([0, 1]), [0, 1], 1, { nThread: 1 });
      console.log(JSON.stringify({ ok: true }));
    } catch (e) {
      console.log(JSON.stringify({ name: e.name, message: e.message }));
    }`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, [XGBOOST_LIB_ENV]: '/nonexistent/libxgboost.so.0' },
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim()) as { name: string; message: string };
  assert.equal(out.name, 'UsageError');
  assert.ok(out.message.includes(XGBOOST_MISSING_MESSAGE), out.message);
  assert.ok(out.message.includes('/nonexistent/libxgboost.so.0'), out.message);
});

test('no native memory leak: 200 fits and predictions grow RSS by less than 50 MB', () => {
  // Big enough that leaking the DMatrices and boosters of each fit would cost ~1 MB a fit
  // (measured: 224 MB over the 200 fits with the frees removed, ~10 MB with them).
  const { X, y, d } = synthetic(2000, 8, 25);
  const run = (): void => {
    const m = fitGbm(X, y, d, { nEstimators: 10, maxLeaves: 10, ...ONE });
    m.predictProba(X, 1);
  };
  for (let i = 0; i < 20; i++) run(); // warm up allocator pools and the OpenMP runtime
  const before = process.memoryUsage().rss;
  for (let i = 0; i < 200; i++) run();
  const grown = (process.memoryUsage().rss - before) / 2 ** 20;
  assert.ok(grown < 50, `RSS grew ${grown.toFixed(1)} MB`);
});

test('evaluation predictions of the live booster equal predictions of the saved model', () => {
  const train = synthetic(400, 9);
  const val = synthetic(200, 10);
  const fits = fitGbmPath(
    train.X,
    train.y,
    train.d,
    [
      { maxDepth: 3, ...ONE },
      { maxDepth: 0, maxLeaves: 100, learningRate: 0.5 },
    ],
    { evalX: val.X },
  );
  for (const f of fits) {
    assert.equal(f.evalScore, undefined);
    assert.deepEqual(f.evalProba, f.probe.predictProba(val.X, 1));
  }
});

test('early stopping keeps the best round by the evaluation score', () => {
  const train = synthetic(400, 11);
  const val = synthetic(300, 12);
  const score = (p: Float64Array): number => auroc(val.y, p);
  const [fit] = fitGbmPath(train.X, train.y, train.d, [{ maxDepth: 0, maxLeaves: 100, learningRate: 0.5, nEstimators: 200, ...ONE }], {
    evalX: val.X,
    evalScore: score,
    earlyStoppingRounds: 10,
  });
  assert.ok(fit !== undefined && fit.evalScore !== undefined && fit.evalProba !== undefined);
  assert.ok(fit.probe.nRounds >= 1 && fit.probe.nRounds < 200, `rounds ${fit.probe.nRounds}`);
  assert.deepEqual(fit.probe.predictProba(val.X, 1), fit.evalProba);
  assert.equal(score(fit.evalProba), fit.evalScore);
  // No round count does better on validation than the one kept (the rest of the run stopped early).
  const full = fitGbm(train.X, train.y, train.d, {
    maxDepth: 0,
    maxLeaves: 100,
    learningRate: 0.5,
    nEstimators: fit.probe.nRounds,
    ...ONE,
  });
  assert.deepEqual(full.predictProba(val.X, 1), fit.evalProba);
});

test('the SPEC grid has 27 points and 21 distinct models; equivalent points grow identical trees', () => {
  assert.equal(GBM_GRID.length, 27);
  const distinct = distinctGbmConfigs();
  assert.equal(distinct.length, 21);
  assert.equal(
    distinct.reduce((s, c) => s + c.equivalent.length, 0),
    27,
  );
  const depth3 = distinct.filter((c) => c.config.maxDepth === 3);
  assert.equal(depth3.length, 3);
  for (const c of depth3)
    assert.deepEqual(
      c.equivalent.map((p) => p.maxLeaves),
      [10, 25, 100],
    );
  assert.equal(distinct.find((c) => c.config.maxDepth === 6 && c.config.maxLeaves === 100)?.effectiveLeaves, 64);
  // A depth cap of at least leaves - 1 cannot bind: same class as no depth cap.
  assert.equal(
    distinctGbmConfigs([
      { maxDepth: 9, learningRate: 0.1, maxLeaves: 10 },
      { maxDepth: 0, learningRate: 0.1, maxLeaves: 10 },
    ]).length,
    1,
  );
  const { X, y, d } = synthetic(500, 13);
  const a = fitGbm(X, y, d, { maxDepth: 3, maxLeaves: 10, ...ONE });
  const b = fitGbm(X, y, d, { maxDepth: 3, maxLeaves: 100, ...ONE });
  assert.deepEqual(a.predictProba(X, 1), b.predictProba(X, 1));
  const c = fitGbm(X, y, d, { maxDepth: 6, maxLeaves: 100, ...ONE });
  const e = fitGbm(X, y, d, { maxDepth: 6, maxLeaves: 0, ...ONE });
  assert.deepEqual(c.predictProba(X, 1), e.predictProba(X, 1));
});

test('selectGbm picks the best validation AUROC and returns that configuration fitted on train', () => {
  const train = synthetic(500, 14);
  const val = synthetic(300, 15);
  const res = selectGbm(train, val, train.d, ONE);
  assert.equal(res.scores.length, 21);
  const best = Math.max(...res.scores.map((s) => s.auroc));
  const chosen = res.scores.find((s) => s.config === res.config);
  assert.ok(chosen !== undefined);
  assert.equal(chosen.auroc, best);
  assert.equal(auroc(val.y, res.predictProba(val.X)), best);
  assert.deepEqual(res.probe.params, { ...GBM_DEFAULTS, ...res.config });
  assert.ok(best > 0.75 && best > auroc(val.y, val.oracle) - 0.05, `best validation AUROC ${best}`);
  // Scores are a function of the configuration: the same as a direct fit.
  const s0 = res.scores[0];
  assert.ok(s0 !== undefined);
  assert.equal(auroc(val.y, fitGbm(train.X, train.y, train.d, { ...s0.config, ...ONE }).predictProba(val.X, 1)), s0.auroc);
});

test('selectGbm ties go to the simpler model', () => {
  // Perfectly separated by feature 0: every configuration reaches validation AUROC 1.
  const n = 40;
  const mk = (offset: number) => {
    const X = new Float32Array(n * 2);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 2;
      X[i * 2] = y[i] === 1 ? 5 + ((i + offset) % 3) : (i + offset) % 3;
      X[i * 2 + 1] = (i * 7 + offset) % 5;
    }
    return { X, y };
  };
  const res = selectGbm(mk(0), mk(1), 2, ONE);
  assert.ok(res.scores.every((s) => s.auroc === 1));
  assert.deepEqual(res.config, { maxDepth: 3, learningRate: 0.02, maxLeaves: 10 });
});

test('selectGbm with early stopping reports the rounds kept', () => {
  const train = synthetic(300, 16);
  const val = synthetic(200, 17);
  const grid = [
    { maxDepth: 3, learningRate: 0.5, maxLeaves: 10 },
    { maxDepth: 0, learningRate: 0.5, maxLeaves: 100 },
  ];
  const res = selectGbm(train, val, train.d, { ...ONE, grid, earlyStoppingRounds: 5, nEstimators: 300 });
  assert.equal(res.scores.length, 2);
  for (const s of res.scores) assert.ok(s.nRounds >= 1 && s.nRounds < 300);
  expectUsage(() => selectGbm(train, val, train.d, { ...ONE, grid: [] }), /grid is empty/);
});
