/**
 * Benchmark of the few-shot evaluation core (SPEC section 5) against scikit-learn.
 *
 * One synthetic task: 5,000 labels of 2,500 subjects, 4,096-dimensional float32 features shaped
 * like LLM embeddings (a 32-dimensional low-rank signal plus noise, rows L2-normalised), ~10%
 * positives, split 40/30/30 into train/val/test by subject. The sweep: k in {1, 2, 4, 8, 12, 16,
 * 24, 32, 48, 64, 128} positives and k negatives for train and for val (nested in k, 5
 * replicates) plus "all"; each run scales on train, fits the 12-C grid, picks C by validation
 * AUROC and scores the whole test split. Ours runs the product's path: the linear head's fits in
 * a FitPool of `--workers` threads (default 2; 1 = in this thread, as `evaluate --workers 1`),
 * reading the feature buffer from shared memory, k = all sent first, as `runEvaluation` does.
 * Then the same runs (same rows, same indices) in scikit-learn via bench/evaluate_sklearn.py
 * (OpenBLAS threads as installed), timed inside Python (sweep only, no loading).
 *
 * Timings: "ours" overall is the wall time of the sweep (the pool is started and ready before the
 * clock starts, as scikit-learn's imports are outside its time; the start is printed); the per-k
 * column is the sum of the runs' fit seconds, each measured in the thread that ran it (runs on
 * two threads overlap, so the column adds up to more than the wall time).
 *
 * Usage: node --import tsx bench/evaluate.ts [--skip-sklearn] [--sklearn-k 1,2,4,all]
 *        [--replicates 5] [--seed 1] [--tol 1e-8] [--workers 2] [--no-record]
 * Prints a table, writes bench/out/evaluate.json and (unless --no-record) appends a section to
 * bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { C_GRID } from '../src/eval/selectC.ts';
import { auroc } from '../src/eval/auroc.ts';
import { FitPool, type FitOutcome } from '../src/eval/FitPool.ts';
import type { HeadResult } from '../src/eval/Head.ts';
import { logisticHead } from '../src/eval/lrHead.ts';
import { newScratch, rowsView } from '../src/eval/rowsView.ts';
import { sharedFloat32 } from '../src/eval/sharedLayout.ts';
import { getKernels } from '../src/probe/kernels.ts';
import { machineLine } from './appendResult.ts';

const N = 5000;
const SUBJECTS = 2500;
const D = 4096;
const RANK = 32;
const KS = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 128];

const { values: args } = parseArgs({
  options: {
    'skip-sklearn': { type: 'boolean', default: false },
    'sklearn-k': { type: 'string' },
    replicates: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    tol: { type: 'string' },
    workers: { type: 'string', default: '2' },
    'no-record': { type: 'boolean', default: false },
  },
});
const REPLICATES = Number(args.replicates);
const SEED = Number(args.seed);
const WORKERS = Number(args.workers);
if (!(Number.isInteger(WORKERS) && WORKERS >= 1)) throw new Error(`--workers expects a positive integer, got ${args.workers}`);
const HEAD = logisticHead(args.tol === undefined ? {} : { tol: Number(args.tol) });

interface Run {
  readonly k: number | 'all';
  readonly replicate: number;
  readonly train: number[];
  readonly val: number[];
}

function gaussian(rng: RandomGenerator): number {
  // Box-Muller; 1 - u keeps the log finite.
  return Math.sqrt(-2 * Math.log(1 - uniformFloat64(rng))) * Math.cos(2 * Math.PI * uniformFloat64(rng));
}

function shuffle<T>(items: T[], rng: RandomGenerator): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

/** Synthetic embeddings: subject-level latent factors, a label driven by them, L2-normalised rows. */
function makeData(seed: number) {
  const rng = xoroshiro128plus(seed);
  const loadings = new Float64Array(RANK * D);
  for (let i = 0; i < loadings.length; i++) loadings[i] = gaussian(rng) / Math.sqrt(RANK);
  const subjectLatent = Array.from({ length: SUBJECTS }, () => Array.from({ length: RANK }, () => gaussian(rng)));
  const subjectOf = new Int32Array(N);
  for (let i = 0; i < N; i++) subjectOf[i] = i < SUBJECTS ? i : uniformInt(rng, 0, SUBJECTS - 1);
  // Shared memory, as evaluate's embedding sets: the pool's workers read it without a copy.
  const X = sharedFloat32(N * D);
  const y = new Uint8Array(N);
  const row = new Float64Array(D);
  const beta = Array.from({ length: RANK }, (_, k) => (k < 8 ? 1 / (k + 1) : 0));
  for (let i = 0; i < N; i++) {
    const base = subjectLatent[subjectOf[i] as number] as number[];
    const u = base.map((v) => v + 0.5 * gaussian(rng)); // label-time state drifts from the subject's
    let logit = -2.9;
    for (let k = 0; k < RANK; k++) logit += (beta[k] as number) * (u[k] as number);
    y[i] = uniformFloat64(rng) < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    let norm = 0;
    for (let j = 0; j < D; j++) {
      let v = 0.35 * gaussian(rng);
      for (let k = 0; k < RANK; k++) v += (u[k] as number) * (loadings[k * D + j] as number);
      row[j] = v;
      norm += v * v;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let j = 0; j < D; j++) X[i * D + j] = (row[j] as number) * inv;
  }
  // Split subjects 40/30/30.
  const order = shuffle(
    Array.from({ length: SUBJECTS }, (_, s) => s),
    rng,
  );
  const splitOf = new Uint8Array(SUBJECTS);
  order.forEach((s, rank) => (splitOf[s] = rank < 0.4 * SUBJECTS ? 0 : rank < 0.7 * SUBJECTS ? 1 : 2));
  const rows: [number[], number[], number[]] = [[], [], []];
  for (let i = 0; i < N; i++) rows[splitOf[subjectOf[i] as number] as number]?.push(i);
  return { X, y, subjectOf, train: rows[0], val: rows[1], test: rows[2] };
}

/** Nested few-shot draws: one shuffle of each class per replicate, the first k of each. */
function makeRuns(y: Uint8Array, train: number[], val: number[], seed: number): Run[] {
  const runs: Run[] = [];
  for (let r = 0; r < REPLICATES; r++) {
    const rng = xoroshiro128plus(seed * 1000 + r);
    const perm = (rows: number[], label: number) =>
      shuffle(
        rows.filter((i) => y[i] === label),
        rng,
      );
    const [trPos, trNeg, vaPos, vaNeg] = [perm(train, 1), perm(train, 0), perm(val, 1), perm(val, 0)];
    for (const k of KS) {
      if (k > trPos.length || k > vaPos.length) throw new Error(`not enough positives for k=${k}`);
      runs.push({
        k,
        replicate: r,
        train: [...trPos.slice(0, k), ...trNeg.slice(0, k)],
        val: [...vaPos.slice(0, k), ...vaNeg.slice(0, k)],
      });
    }
  }
  runs.push({ k: 'all', replicate: 0, train, val });
  return runs;
}

const loadAtStart = loadavg()[0] ?? Number.NaN;
const t0 = performance.now();
const data = makeData(SEED);
const runs = makeRuns(data.y, data.train, data.val, SEED);
const testY = data.test.map((i) => data.y[i] as number);
const pick = (rows: readonly number[]) => rows.map((i) => data.y[i] as number);
console.log(
  `data: ${N} labels x ${D} dims in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
    `train/val/test ${data.train.length}/${data.val.length}/${data.test.length} rows, ` +
    `${pick(data.train).reduce((a, b) => a + b, 0)}/${pick(data.val).reduce((a, b) => a + b, 0)}/${testY.reduce((a, b) => a + b, 0)} positives`,
);

interface Outcome {
  readonly k: number | 'all';
  readonly replicate: number;
  readonly C: number;
  readonly testAuroc: number;
  readonly seconds: number;
}
const ours: Outcome[] = [];
let worstRelGrad = 0;
let uncertified = 0;
const layout = { X: data.X, rowOf: Int32Array.from({ length: N }, (_, i) => i) };
// The pool starts before the clock, as scikit-learn's imports are not in its time either.
const poolStart = performance.now();
const pool = WORKERS > 1 ? new FitPool(WORKERS) : undefined;
await pool?.ready();
if (pool)
  console.log(`${WORKERS} fit worker threads ready in ${((performance.now() - poolStart) / 1000).toFixed(2)} s (not in the sweep time)`);
const sweepStart = performance.now();
// CPU seconds of the whole process (every thread): whether the threads did more work than one
// thread does, and (over the wall time) how many cores the run got. On a shared machine the
// scheduler gives each session's processes a share (autogroup), so two threads of one process may
// get one core between them: then the wall time cannot show what two cores give.
const cpuStart = process.cpuUsage();
// k = all first (the longest fit), as runEvaluation sends them; results kept in run order.
const order = [...runs.keys()].sort((a, b) => Number(runs[b]?.k === 'all') - Number(runs[a]?.k === 'all') || a - b);
const outcomes = new Array<FitOutcome>(runs.length);
if (pool === undefined) {
  const scratch = newScratch();
  for (const i of order) {
    const run = runs[i] as Run;
    const start = performance.now();
    const result = HEAD.fitPredict(
      { X: rowsView(layout, D, run.train, scratch.train), y: Uint8Array.from(pick(run.train)) },
      { X: rowsView(layout, D, run.val, scratch.val), y: Uint8Array.from(pick(run.val)) },
      rowsView(layout, D, data.test, scratch.test),
      D,
    );
    outcomes[i] = { result, seconds: (performance.now() - start) / 1000 };
  }
} else {
  try {
    const inFlight = new Set<Promise<void>>();
    for (const i of order) {
      while (inFlight.size >= pool.size) await Promise.race(inFlight);
      const run = runs[i] as Run;
      const p: Promise<void> = pool
        .fit({
          head: HEAD.spec!,
          layout,
          dims: D,
          train: Int32Array.from(run.train),
          yTrain: Uint8Array.from(pick(run.train)),
          val: Int32Array.from(run.val),
          yVal: Uint8Array.from(pick(run.val)),
          test: Int32Array.from(data.test),
        })
        .then((o) => void (outcomes[i] = o))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  } finally {
    await pool.close();
  }
}
const oursSeconds = (performance.now() - sweepStart) / 1000;
const cpuUsed = process.cpuUsage(cpuStart);
const oursCpuSeconds = (cpuUsed.user + cpuUsed.system) / 1e6;
runs.forEach((run, i) => {
  const { result, seconds } = outcomes[i] as { result: HeadResult; seconds: number };
  worstRelGrad = Math.max(worstRelGrad, result.fit?.worstRelGrad ?? Number.NaN);
  uncertified += result.fit?.uncertified ?? 0;
  const testAuroc = auroc(testY, result.scores ?? result.proba);
  ours.push({ k: run.k, replicate: run.replicate, C: result.chosen.C as number, testAuroc, seconds });
});
console.log(
  `ehr-embed sweep: ${runs.length} runs x ${C_GRID.length} C in ${oursSeconds.toFixed(2)} s wall, ${oursCpuSeconds.toFixed(2)} CPU s = ${(oursCpuSeconds / oursSeconds).toFixed(2)} cores on average (${WORKERS === 1 ? 'in this thread' : `${WORKERS} worker threads`}); ` +
    `every fit certified: ${uncertified === 0} (${uncertified} not), largest relGrad ${worstRelGrad.toExponential(1)}`,
);

// scikit-learn side.
const sklearnKs = args['sklearn-k']?.split(',').map((s) => (s === 'all' ? 'all' : Number(s)));
const skRuns = sklearnKs === undefined ? runs : runs.filter((r) => sklearnKs.includes(r.k));
let sk: { seconds: number; runs: { k: number | 'all'; replicate: number; C: number; testAuroc: number; seconds: number }[] } | undefined;
let skVersion = 'not run';
if (!args['skip-sklearn']) {
  const dir = mkdtempSync(join(tmpdir(), 'ehr-embed-bench-'));
  try {
    writeFileSync(join(dir, 'X.f32'), new Uint8Array(data.X.buffer, data.X.byteOffset, data.X.byteLength));
    writeFileSync(
      join(dir, 'sweep.json'),
      JSON.stringify({ n: N, d: D, y: Array.from(data.y), test: data.test, Cs: C_GRID, runs: skRuns }),
    );
    const res = spawnSync('/usr/bin/python3', [join(import.meta.dirname, 'evaluate_sklearn.py'), dir], { stdio: 'inherit' });
    if (res.status !== 0) throw new Error(`bench/evaluate_sklearn.py failed (status ${res.status})`);
    sk = JSON.parse(readFileSync(join(dir, 'sklearn.json'), 'utf8'));
    skVersion = spawnSync('/usr/bin/python3', ['-c', 'import sklearn, numpy; print(sklearn.__version__, "numpy", numpy.__version__)'], {
      encoding: 'utf8',
    }).stdout.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Table per k: mean test AUROC and time, ours vs scikit-learn.
const keyOf = (k: number | 'all', r: number) => `${k}/${r}`;
const skByKey = new Map((sk?.runs ?? []).map((r) => [keyOf(r.k, r.replicate), r]));
const lines: string[] = [
  '| k | runs | ours s (sum of fits) | sklearn s | ours test AUROC | sklearn test AUROC | max abs diff | same C |',
  '|---|---|---|---|---|---|---|---|',
];
let maxDiff = 0;
let sameC = 0;
let compared = 0;
let oursOnCompared = 0;
for (const k of [...KS, 'all' as const]) {
  const mine = ours.filter((o) => o.k === k);
  const theirs = mine.map((o) => skByKey.get(keyOf(o.k, o.replicate)));
  const mean = (v: number[]) => (v.length === 0 ? Number.NaN : v.reduce((a, b) => a + b, 0) / v.length);
  let diff = 0;
  let same = 0;
  let n = 0;
  mine.forEach((o, i) => {
    const t = theirs[i];
    if (t === undefined) return;
    diff = Math.max(diff, Math.abs(o.testAuroc - t.testAuroc));
    same += o.C === t.C ? 1 : 0;
    n++;
    oursOnCompared += o.seconds;
  });
  maxDiff = Math.max(maxDiff, diff);
  sameC += same;
  compared += n;
  const skAuc = theirs.filter((t) => t !== undefined).map((t) => t.testAuroc);
  const skSeconds = theirs.reduce((a, t) => a + (t?.seconds ?? 0), 0);
  lines.push(
    `| ${k} | ${mine.length} | ${mine.reduce((a, o) => a + o.seconds, 0).toFixed(2)} | ${n === 0 ? '' : skSeconds.toFixed(2)} | ` +
      `${mean(mine.map((o) => o.testAuroc)).toFixed(4)} | ` +
      `${n === 0 ? 'not run' : mean(skAuc).toFixed(4)} | ${n === 0 ? '' : diff.toExponential(1)} | ${n === 0 ? '' : `${same}/${n}`} |`,
  );
}
const table = lines.join('\n');
console.log(table);
const subset = sk !== undefined && skRuns.length < runs.length;
const threads = WORKERS === 1 ? '1 thread' : `${WORKERS} worker threads`;
// On all runs: wall time against wall time. On a subset the wall time of just those runs is not
// known (they overlap with the others), so the ratio is on the sum of their fit seconds.
const skSecondsAll = sk?.seconds ?? Number.NaN;
const speedUp = subset
  ? `speed-up ${(skSecondsAll / oursOnCompared).toFixed(2)}x on summed fit seconds (not wall time)`
  : `speed-up ${(skSecondsAll / oursSeconds).toFixed(2)}x (wall)`;
const summary =
  sk === undefined
    ? `ehr-embed ${oursSeconds.toFixed(2)} s wall (${threads}); scikit-learn not run; uncertified fits ${uncertified}, largest relGrad ${worstRelGrad.toExponential(1)}`
    : `ehr-embed ${oursSeconds.toFixed(2)} s wall (${threads}; fits sum to ${ours.reduce((a, o) => a + o.seconds, 0).toFixed(2)} s${subset ? `, ${oursOnCompared.toFixed(2)} s on the runs scikit-learn did` : ''}); scikit-learn ${sk.seconds.toFixed(2)} s` +
      `${subset ? ` on ${skRuns.length} of ${runs.length} runs (k = ${sklearnKs?.join(', ')})` : ''}; ` +
      `${speedUp}; max |test AUROC difference| ${maxDiff.toExponential(2)}; same C chosen in ${sameC}/${compared} runs; ` +
      `our fits: ${uncertified} of ${runs.length * C_GRID.length} not certified, largest relGrad ${worstRelGrad.toExponential(1)}`;
console.log(summary);

mkdirSync(join(import.meta.dirname, 'out'), { recursive: true });
writeFileSync(
  join(import.meta.dirname, 'out', 'evaluate.json'),
  JSON.stringify(
    {
      oursSeconds,
      workers: WORKERS,
      sklearnSeconds: sk?.seconds ?? null,
      maxAurocDiff: maxDiff,
      sameC,
      compared,
      ours,
      sklearn: sk?.runs ?? null,
    },
    null,
    1,
  ),
);
if (args['no-record']) process.exit(0);
const resultsPath = join(import.meta.dirname, 'RESULTS.md');
if (!existsSync(resultsPath)) writeFileSync(resultsPath, '# Benchmarks\n');
const argv = process.argv.slice(2).join(' ');
appendFileSync(
  resultsPath,
  [
    '',
    `## evaluate: few-shot sweep, ${new Date().toISOString().slice(0, 10)}`,
    '',
    `- machine: nproc ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()}, ${machineLine()}; scikit-learn ${skVersion}; OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? '(unset)'}; kernels ${getKernels().kind}`,
    `- command: \`node --import tsx bench/evaluate.ts${argv === '' ? '' : ` ${argv}`}\``,
    `- task: ${N} labels, ${D} float32 dims, train/val/test ${data.train.length}/${data.val.length}/${data.test.length} rows; ${runs.length} runs (11 k x ${REPLICATES} replicates + all), ${C_GRID.length} C each`,
    `- result: ${summary}`,
    `- 1-minute load average at start / end: ${loadAtStart.toFixed(1)} / ${(loadavg()[0] ?? Number.NaN).toFixed(1)} (timings on a shared machine vary with it)`,
    `- ours: ${threads === '1 thread' ? 'in the main thread' : `a FitPool of ${threads} (shared feature buffer, k = all sent first)`}; per fit: selectC (max-abs scaling, 12-C path with warm starts, kernel-form Newton for n < d, Newton-CG otherwise, WebAssembly SIMD kernels), ` +
      'every fit stopped on the certificate ||grad||_2 / max(1, |f|) <= 1e-8 (tol) plus a Newton step <= 1e-9 relative; ' +
      "scikit-learn: MaxAbsScaler + LogisticRegression(solver='lbfgs', max_iter=1000, tol=1e-4), a cold fit per C, which stops short of the optimum " +
      "(scipy factr=1e7), so different C choices and AUROC differences are scikit-learn's stopping error, not ours.",
    '',
    table,
    '',
  ].join('\n'),
);
console.log(`appended to ${resultsPath}`);
