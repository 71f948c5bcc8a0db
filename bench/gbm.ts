/**
 * Benchmark of the count-baseline GBM head (SPEC section 5): the full grid selection on
 * count-feature-like data, against Python XGBoost (Debian `python3-xgboost`, the same
 * libxgboost.so.0) on the same data in the same run, and dense against CSR input.
 *
 * Data: 5,000 training and 1,000 validation rows x 2,000 columns of small integer counts, ~2%
 * nonzero (50 "common codes" present in 20% of rows, the rest in 1.6%); the label depends on 12 of
 * the common codes through a logistic link, with one interaction; ~30% positives.
 *
 * Measured:
 * - ehr-embed: `selectGbm` over the SPEC grid (27 points, 21 distinct models x 100 rounds), dense
 *   float32 input, from the JS arrays to the chosen model.
 * - Python: the same 21 models (same XGBoost parameters, from `toXGBoostParams`) with
 *   `xgb.train` on a dense numpy DMatrix, timed inside Python (data loading excluded); then the
 *   largest difference between its validation predictions and ours for the chosen configuration.
 * - CSR: the same 21 models through `XGDMatrixCreateFromCSREx`. Zeros are then absent, i.e.
 *   *missing*, so models can differ slightly from the dense ones (the validation AUROC shows it).
 * All with the same thread count and `OMP_WAIT_POLICY` (see src/probe/xgboostLib.ts).
 *
 * Usage: node --import tsx bench/gbm.ts [--threads N] [--skip-python] [--skip-csr] [--no-record]
 * Prints a table, writes bench/out/gbm.json and (unless --no-record) appends a section to
 * bench/RESULTS.md through appendResult.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { selectGbm, distinctGbmConfigs, GBM_GRID } from '../src/eval/selectGbm.ts';
import { auroc } from '../src/eval/auroc.ts';
import { resolveParams, toXGBoostParams } from '../src/probe/gbm.ts';
import { loadXGBoost } from '../src/probe/xgboostLib.ts';
import { appendResult, machineLine } from './appendResult.ts';
import { mulberry32 as rng } from '../test/helpers/mulberry32.ts';

const N_TRAIN = 5000;
const N_VAL = 1000;
const D = 2000;
const COMMON = 50;

const { values: args } = parseArgs({
  options: {
    threads: { type: 'string' },
    'skip-python': { type: 'boolean', default: false },
    'skip-csr': { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
  },
});
const THREADS = args.threads === undefined ? availableParallelism() : Number(args.threads);

function makeData(n: number, seed: number): { X: Float32Array; y: Float64Array } {
  const r = rng(seed);
  const X = new Float32Array(n * D);
  const y = new Float64Array(n);
  const w = [1.2, -0.9, 0.8, 0.7, -0.6, 0.6, 0.5, -0.5, 0.4, 0.4, -0.3, 0.3];
  for (let i = 0; i < n; i++) {
    const row = i * D;
    for (let j = 0; j < D; j++) {
      if (r() < (j < COMMON ? 0.2 : 0.0164)) {
        // 1 + geometric(0.5): mostly 1s and 2s, as code counts are.
        let c = 1;
        while (r() < 0.5 && c < 20) c++;
        X[row + j] = c;
      }
    }
    let z = -1.2;
    w.forEach((wj, j) => (z += wj * Math.min(X[row + j] as number, 3)));
    if ((X[row] as number) > 0 && (X[row + 1] as number) > 0) z += 1.5;
    y[i] = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X, y };
}

const t0 = performance.now();
const train = makeData(N_TRAIN, 1);
const val = makeData(N_VAL, 2);
let nnz = 0;
for (const v of train.X) if (v !== 0) nnz++;
const density = nnz / train.X.length;
const prevalence = train.y.reduce((a, b) => a + b, 0) / N_TRAIN;
console.log(
  `data: ${N_TRAIN} + ${N_VAL} rows x ${D}, ${(100 * density).toFixed(2)}% nonzero, ${(100 * prevalence).toFixed(1)}% positive (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
);

const lib = loadXGBoost();
console.log(`XGBoost ${lib.version} from ${lib.path}, ${THREADS} threads, OMP_WAIT_POLICY=${process.env.OMP_WAIT_POLICY}`);
const distinct = distinctGbmConfigs();
const load0 = loadavg()[0] ?? 0;

// 1. ehr-embed, dense: the whole selection.
let t = performance.now();
const res = selectGbm(train, val, D, { nThread: THREADS });
const oursS = (performance.now() - t) / 1000;
const chosenIndex = distinct.findIndex((c) => c.config === res.config);
const oursBest = Math.max(...res.scores.map((s) => s.auroc));
const oursValProba = res.predictProba(val.X);
console.log(
  `ehr-embed dense: ${oursS.toFixed(2)} s for ${distinct.length} fits; chosen ${JSON.stringify(res.config)} val AUROC ${oursBest.toFixed(4)}`,
);

// 2. CSR input, same fits through the C API.
let csr: { buildS: number; trainS: number; best: number; config: string } | undefined;
if (!args['skip-csr']) {
  t = performance.now();
  const toCsr = (X: Float32Array, n: number) => {
    const indptr = new BigUint64Array(n + 1);
    let count = 0;
    for (const v of X) if (v !== 0) count++;
    const indices = new Uint32Array(count);
    const values = new Float32Array(count);
    let k = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < D; j++) {
        const v = X[i * D + j] as number;
        if (v !== 0) {
          indices[k] = j;
          values[k++] = v;
        }
      }
      indptr[i + 1] = BigInt(k);
    }
    return lib.dmatrixFromCsr(indptr, indices, values, D);
  };
  const dtrain = toCsr(train.X, N_TRAIN);
  const dval = toCsr(val.X, N_VAL);
  const buildS = (performance.now() - t) / 1000;
  lib.setFloatInfo(dtrain, 'label', Float32Array.from(train.y));
  const baseScore = Math.fround(prevalence);
  let best = -1;
  let bestConfig = '';
  t = performance.now();
  try {
    for (const c of distinct) {
      const p = resolveParams(c.config);
      const booster = lib.createBooster([dtrain, dval]);
      try {
        for (const [k, v] of toXGBoostParams(p, baseScore, THREADS)) lib.setParam(booster, k, v);
        for (let it = 0; it < p.nEstimators; it++) lib.updateOneIter(booster, it, dtrain);
        const a = auroc(val.y, lib.predict(booster, dval, 0));
        if (a > best) [best, bestConfig] = [a, JSON.stringify(c.config)];
      } finally {
        lib.freeBooster(booster);
      }
    }
  } finally {
    lib.freeDMatrix(dtrain);
    lib.freeDMatrix(dval);
  }
  csr = { buildS, trainS: (performance.now() - t) / 1000, best, config: bestConfig };
  console.log(
    `CSR: build ${buildS.toFixed(2)} s, ${distinct.length} fits ${csr.trainS.toFixed(2)} s; best val AUROC ${best.toFixed(4)} ${bestConfig}`,
  );
}

// 3. Python xgboost on the same data and parameters.
const PY = String.raw`
import json, sys, time
import numpy as np
import xgboost as xgb
d = sys.argv[1]
cfg = json.load(open(d + '/configs.json'))
n, nv, D = cfg['n'], cfg['nVal'], cfg['d']
X = np.fromfile(d + '/X.f32', dtype=np.float32).reshape(n, D)
Xv = np.fromfile(d + '/Xv.f32', dtype=np.float32).reshape(nv, D)
y = np.array(cfg['y'], dtype=np.float32)
t = time.perf_counter()
dtrain = xgb.DMatrix(X, label=y, missing=np.nan, nthread=cfg['threads'])
dval = xgb.DMatrix(Xv, missing=np.nan, nthread=cfg['threads'])
build = time.perf_counter() - t
preds = []
t = time.perf_counter()
for params in cfg['params']:
    b = xgb.train([tuple(kv) for kv in params], dtrain, num_boost_round=cfg['rounds'])
    preds.append(b.predict(dval))
train = time.perf_counter() - t
np.asarray(preds, dtype=np.float32).tofile(d + '/preds.f32')
print(json.dumps({'build': build, 'train': train, 'xgboost': xgb.__version__}))
`;
let python: { buildS: number; trainS: number; best: number; config: string; maxDiff: number; version: string } | undefined;
if (!args['skip-python']) {
  const dir = mkdtempSync(join(tmpdir(), 'ehr-embed-bench-gbm-'));
  try {
    const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    writeFileSync(join(dir, 'X.f32'), bytes(train.X));
    writeFileSync(join(dir, 'Xv.f32'), bytes(val.X));
    const baseScore = Math.fround(prevalence);
    const params = distinct.map((c) => toXGBoostParams(resolveParams(c.config), baseScore, THREADS));
    writeFileSync(
      join(dir, 'configs.json'),
      JSON.stringify({ n: N_TRAIN, nVal: N_VAL, d: D, y: Array.from(train.y), threads: THREADS, rounds: 100, params }),
    );
    const r = spawnSync('/usr/bin/python3', ['-c', PY, dir], { encoding: 'utf8', env: process.env, maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { build: number; train: number; xgboost: string };
    const preds = new Float32Array(readFileSync(join(dir, 'preds.f32')).buffer.slice(0));
    let best = -1;
    let bestConfig = '';
    distinct.forEach((c, i) => {
      const a = auroc(val.y, preds.subarray(i * N_VAL, (i + 1) * N_VAL));
      if (a > best) [best, bestConfig] = [a, JSON.stringify(c.config)];
    });
    let maxDiff = 0;
    const mine = preds.subarray(chosenIndex * N_VAL, (chosenIndex + 1) * N_VAL);
    mine.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - (oursValProba[i] as number)))));
    python = { buildS: out.build, trainS: out.train, best, config: bestConfig, maxDiff, version: out.xgboost };
    console.log(
      `python xgboost ${out.xgboost}: build ${out.build.toFixed(2)} s, ${distinct.length} fits ${out.train.toFixed(2)} s; best ${best.toFixed(4)} ${bestConfig}; max |pred diff| chosen config ${maxDiff}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const load1 = loadavg()[0] ?? 0;
const rows: [string, string][] = [
  [
    'data',
    `${N_TRAIN} train + ${N_VAL} val rows x ${D} counts, ${(100 * density).toFixed(2)}% nonzero, ${(100 * prevalence).toFixed(1)}% positive`,
  ],
  [
    'grid',
    `${GBM_GRID.length} points, ${distinct.length} distinct models x 100 rounds; ${THREADS} threads; OMP_WAIT_POLICY=${process.env.OMP_WAIT_POLICY}`,
  ],
  ['ehr-embed selectGbm, dense float32 (s)', oursS.toFixed(2)],
  ['ehr-embed per fit (s)', (oursS / distinct.length).toFixed(2)],
  ['ehr-embed chosen config, val AUROC', `${JSON.stringify(res.config)}, ${oursBest.toFixed(4)}`],
];
if (python !== undefined) {
  rows.push(
    [`Python xgboost ${python.version} DMatrix + 21 fits + predict (s)`, `${python.buildS.toFixed(2)} + ${python.trainS.toFixed(2)}`],
    ['Python best config, val AUROC', `${python.config}, ${python.best.toFixed(4)}`],
    ['max abs val prediction difference, chosen config', String(python.maxDiff)],
  );
}
if (csr !== undefined) {
  rows.push(
    ['CSR input: DMatrix build + 21 fits (s)', `${csr.buildS.toFixed(2)} + ${csr.trainS.toFixed(2)}`],
    ['CSR best config, val AUROC (absent = missing)', `${csr.config}, ${csr.best.toFixed(4)}`],
  );
}
rows.push(['1-min load average before / after', `${load0.toFixed(2)} / ${load1.toFixed(2)}`]);

console.log(`\n${machineLine()}`);
console.table(Object.fromEntries(rows));
mkdirSync(join(import.meta.dirname, 'out'), { recursive: true });
writeFileSync(
  join(import.meta.dirname, 'out', 'gbm.json'),
  JSON.stringify(
    { machine: machineLine(), threads: THREADS, oursS, scores: res.scores, config: res.config, python, csr, load: [load0, load1] },
    null,
    2,
  ),
);
if (!args['no-record']) {
  appendResult(
    'gbm: count-baseline grid selection (XGBoost via koffi)',
    `node --import tsx bench/gbm.ts${args.threads === undefined ? '' : ` --threads ${THREADS}`}`,
    rows,
    'Same libxgboost.so.0 on both sides; Python timed inside Python, without loading the data. CSR leaves zeros out, so XGBoost treats them as missing.',
  );
}
