/**
 * The few-shot evaluation of SPEC 5: for every task, feature set, head, k and replicate, select
 * hyperparameters on the validation shots, fit on the training shots, score the whole test split;
 * AUROC and AUPRC on the decision values, Brier and calibration on the probabilities, with 95% CIs
 * from bootstrap resamples of test subjects; macro averages
 * over task groups; paired bootstrap tests against the best baseline with Holm's correction.
 */
import { UsageError } from '../errors.ts';
import { averagePrecision } from './averagePrecision.ts';
import { auroc } from './auroc.ts';
import { bootstrapCI, pairedBootstrapTest, type Interval } from './bootstrap.ts';
import { brier } from './brier.ts';
import { calibration, type Calibration } from './calibration.ts';
import { FitPool } from './FitPool.ts';
import { sharedLayout, type SharedLayout } from './sharedLayout.ts';
import type { FitCertificate, Head, HeadResult } from './Head.ts';
import { holm } from './holm.ts';
import { subgroupAuroc, type SubgroupResult } from './subgroupAuroc.ts';
import type { TaskData } from './TaskData.ts';
import { csrSelectRows, type CsrMatrix } from '../probe/csrMatrix.ts';
import { newScratch, rowsView } from './rowsView.ts';

/** A feature set: a dense matrix per task aligned with the task's labels. */
export interface FeatureSet {
  readonly name: string;
  /** True for count-based baselines (paired tests compare against the best of these). */
  readonly baseline: boolean;
  readonly dims: number;
  /** Heads to run on this set (default: all). EHRSHOT runs trees on counts only. */
  readonly heads?: readonly string[];
  /** The task's rows in label order (`labels.length * dims` values). May build a copy: the evaluation prefers {@link FeatureSet.layout}. */
  rows(task: string): Float32Array;
  /**
   * The task's rows in the set's own order, when it keeps them that way (embedding sets keep each
   * split's labelled rows contiguous, so a run on a whole split reads a view instead of a copy).
   * When present, {@link runEvaluation} uses it and never calls `rows`.
   */
  layout?(task: string): RowLayout;
  /**
   * Sparse form (count features): one shared CSR matrix and the row of each label of the task
   * (-1: an all-zero row). Heads with `fitPredictCsr` use it instead of {@link FeatureSet.rows}.
   */
  csr?(task: string): { readonly matrix: CsrMatrix; readonly rows: Int32Array };
}

/**
 * A feature set's rows in its own order: `rowOf.length` rows of `dims` values, in `X` or, for the
 * first rows, in `head` (read them with `layoutRange`/`layoutRow`).
 */
export interface RowLayout {
  /** Row-major rows: all of them, or those after the head's when there is a head. */
  readonly X: Float32Array;
  /** Layout row holding each label of the task, in label order. */
  readonly rowOf: Int32Array;
  /**
   * The first rows in a buffer of their own: an embedding set's labelled training rows of a task,
   * kept in solver memory so the k = all logistic fit reads them in place (`probe/solverMemory.ts`).
   */
  readonly head?: Float32Array;
}

/** k of a run: a number of shots per class, or all labelled training and validation data. */
export type K = number | 'all';

/** Options of {@link runEvaluation}. */
export interface EvaluationOptions {
  readonly ks: readonly K[];
  /** Replicates for numeric k (default 5; `all` has one). */
  readonly replicates?: number;
  /** Bootstrap resamples for the CIs (default 1000). */
  readonly bootstrap?: number;
  /** Resamples of the paired tests (default 10,000). */
  readonly pairedResamples?: number;
  /** Seed of the bootstrap (default 0). */
  readonly seed?: number;
  /** Called after each run (and each skipped one). */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Worker threads for the dense fits (default 1: every fit in this thread). With more, heads
   * that have a `spec` fit in a {@link FitPool}; CSR (count feature) fits and heads without a
   * spec stay in this thread. Results do not depend on it (apart from `seconds`).
   */
  readonly workers?: number;
  /**
   * Subgroups of a task's labels: per attribute (`sex`, `age`, `race`, `ethnicity`), the group
   * label of every label of the task (in label order). When given, runs at k = all report AUROC
   * per group ({@link SubgroupResult}). Default: none.
   */
  readonly subgroups?: (task: TaskData) => Readonly<Record<string, readonly string[]>>;
}

/** One (task, feature set, head, k, replicate) result. */
export interface RunResult {
  readonly task: string;
  readonly group: string;
  readonly featureSet: string;
  readonly head: string;
  readonly k: K;
  readonly replicate: number;
  readonly nTrain: number;
  readonly nVal: number;
  readonly nTest: number;
  readonly chosen: Readonly<Record<string, number | string>>;
  readonly valAuroc: number;
  /**
   * Point estimate and 95% bootstrap interval over test subjects. AUROC and AUPRC rank the
   * head's decision values (`rankedOn`); Brier uses its probabilities.
   */
  readonly auroc: Interval;
  readonly auprc: Interval;
  readonly brier: Interval;
  /**
   * What AUROC and AUPRC ranked: `decision` values (logistic regression) or `probability`
   * (always set by {@link runEvaluation}; absent in results.json files written before it).
   */
  readonly rankedOn?: 'decision' | 'probability';
  /**
   * Calibration of the test probabilities (ECE over 10 equal-width bins, slope, intercept, bins);
   * always set by {@link runEvaluation}, absent in older results.json files.
   */
  readonly calibration?: Calibration;
  /** The optimisation certificate of the head's fits, where it has one. */
  readonly fit?: FitCertificate;
  /** AUROC by subgroup with bootstrap intervals (k = all, when subgroups were given). */
  readonly subgroups?: SubgroupResult[];
  /**
   * Seconds of this run: its fit (in the worker thread that ran it, or in this one) plus its
   * test metrics. Runs in worker threads overlap, so these add up to more than the wall time.
   */
  readonly seconds: number;
}

/** A run whose head could not certify all of its fits (see `FitCertificate`). */
export interface FitWarning {
  readonly task: string;
  readonly featureSet: string;
  readonly head: string;
  readonly k: K;
  readonly replicate: number;
  readonly uncertified: number;
  readonly worstRelGrad: number;
}

/** A run that could not be done, and why. */
export interface SkippedRun {
  readonly task: string;
  readonly featureSet: string;
  readonly head: string;
  readonly k: K;
  readonly reason: string;
  /** When the sample equals that of a smaller k: that k (whose results stand for this one). */
  readonly sameAs?: number;
}

/** Macro AUROC of one (feature set, head, k): mean of group means of per-task mean AUROC. */
export interface MacroSummary {
  readonly featureSet: string;
  readonly head: string;
  readonly k: K;
  readonly macroAuroc: number;
  readonly groups: Readonly<Record<string, number>>;
  readonly tasks: Readonly<Record<string, number>>;
}

/** A paired comparison at k = all. */
export interface Comparison {
  readonly task: string;
  readonly model: string;
  readonly baseline: string;
  readonly diff: number;
  readonly ci: { readonly lower: number; readonly upper: number };
  readonly pValue: number;
  readonly pHolm: number;
}

/** Everything an evaluation produces. */
export interface EvaluationResults {
  readonly results: RunResult[];
  readonly skipped: SkippedRun[];
  readonly macro: MacroSummary[];
  readonly comparisons: Comparison[];
  readonly bestBaseline: string | null;
  /**
   * Runs with fits that did not reach their certificate: empty when every fit is exact (always
   * set by {@link runEvaluation}; absent in results.json files written before it).
   */
  readonly fitWarnings?: FitWarning[];
}

/**
 * Run the evaluation. With `workers` > 1 the dense fits of heads that have a `spec` run in a
 * {@link FitPool} (up to `workers` at once; each task's k = all fits are sent first, as they are
 * the longest) while this thread computes the bootstrap intervals; the results are the same
 * values in the same (plan) order whatever the number of workers, apart from `seconds`.
 */
export async function runEvaluation(
  tasks: readonly TaskData[],
  featureSets: readonly FeatureSet[],
  heads: readonly Head[],
  options: EvaluationOptions,
): Promise<EvaluationResults> {
  const replicates = options.replicates ?? 5;
  const B = options.bootstrap ?? 1000;
  const seed = options.seed ?? 0;
  const skipped: SkippedRun[] = [];
  const plan: PlanEntry[] = [];
  for (const task of tasks) {
    for (const fs of featureSets) {
      for (const head of heads) {
        if (fs.heads && !fs.heads.includes(head.name)) continue;
        for (const k of options.ks) for (let rep = 0; rep < (k === 'all' ? 1 : replicates); rep++) plan.push({ task, fs, head, k, rep });
      }
    }
  }
  let done = 0;
  const progress = (): void => options.onProgress?.(++done, plan.length);
  const testIdxOf = new Map<string, number[]>();
  // The runs to do, in plan order; skips are recorded here, in plan order too.
  const work: Work[] = [];
  plan.forEach((entry, index) => {
    const { task, fs, head, k, rep } = entry;
    const skip = (reason: string, sameAs?: number): void => {
      if (rep === 0)
        skipped.push({ task: task.name, featureSet: fs.name, head: head.name, k, reason, ...(sameAs === undefined ? {} : { sameAs }) });
      progress();
    };
    let test = testIdxOf.get(task.name);
    if (!test) testIdxOf.set(task.name, (test = indices(task, 'held_out')));
    const sel = selection(task, k, rep);
    if ('skip' in sel) return skip(sel.skip, sel.sameAs);
    const why = classProblem(task, sel.train, 'train') ?? classProblem(task, sel.val, 'tuning') ?? classProblem(task, test, 'held_out');
    if (why) return skip(why);
    work.push({ ...entry, index, train: sel.train, val: sel.val, test });
  });
  // Within each (task, feature set), k = all first: it is the longest fit, so starting it first
  // lets the few-shot fits fill the other workers meanwhile instead of leaving it alone at the end.
  const pairOf = new Map<string, number>();
  const group = (w: Work): number => {
    const key = `${w.task.name}\u0000${w.fs.name}`;
    let g = pairOf.get(key);
    if (g === undefined) pairOf.set(key, (g = pairOf.size));
    return g;
  };
  work.forEach(group);
  const order = [...work].sort((a, b) => group(a) - group(b) || Number(b.k === 'all') - Number(a.k === 'all') || a.index - b.index);
  const workers = Math.max(1, Math.floor(options.workers ?? 1));
  const pool = workers > 1 && work.some((w) => w.head.spec && !(w.head.fitPredictCsr && w.fs.csr)) ? new FitPool(workers) : undefined;
  const runs: (RunResult | undefined)[] = new Array<RunResult | undefined>(plan.length);
  const allPreds = new Map<string, Float64Array>();
  const finish = (w: Work, res: HeadResult, fitSeconds: number): void => {
    const started = performance.now();
    const { result, scores } = scoreRun(w, res, B, seed, options.subgroups);
    runs[w.index] = { ...result, seconds: fitSeconds + (performance.now() - started) / 1000 };
    if (w.k === 'all') allPreds.set(`${w.task.name}|${w.fs.name}|${w.head.name}`, scores);
    progress();
  };
  try {
    // One scratch buffer per role, reused by every in-process run of a (task, feature set): few-shot
    // samples are gathered into it, and whole splits of a laid-out set are read as views (no copy at all).
    let scratch = newScratch();
    let current: { task: TaskData; fs: FeatureSet; layout: RowLayout; shared?: SharedLayout } | undefined;
    const inFlight = new Set<Promise<void>>();
    const completed: (() => void)[] = [];
    let failure: { error: unknown } | undefined;
    for (const w of order) {
      const { task, fs, head, train, val, test } = w;
      const started = performance.now();
      const yOf = (idx: readonly number[]): Uint8Array => Uint8Array.from(idx, (i) => task.y[i] as number);
      const sparse = head.fitPredictCsr ? fs.csr?.(task.name) : undefined;
      if (sparse && head.fitPredictCsr) {
        // Only the selected rows are copied, still sparse: no dense n x d matrix of counts.
        const pick = (idx: readonly number[]): CsrMatrix =>
          csrSelectRows(
            sparse.matrix,
            idx.map((i) => sparse.rows[i] as number),
          );
        const res = head.fitPredictCsr({ X: pick(train), y: yOf(train) }, { X: pick(val), y: yOf(val) }, pick(test));
        finish(w, res, (performance.now() - started) / 1000);
        continue;
      }
      const d = fs.dims;
      if (current?.task !== task || current.fs !== fs) {
        // Drop the previous pair's buffers before taking this one's.
        current = undefined;
        scratch = newScratch();
        const layout = fs.layout ? fs.layout(task.name) : { X: fs.rows(task.name), rowOf: Int32Array.from(task.labels, (_, i) => i) };
        const values = layout.X.length + (layout.head?.length ?? 0);
        if (values !== task.labels.length * d || layout.rowOf.length !== task.labels.length) {
          throw new UsageError(
            `feature set "${fs.name}" has ${values / Math.max(1, d)} rows for task ${task.name}, which has ${task.labels.length} labels`,
          );
        }
        current = { task, fs, layout };
      }
      if (!pool || !head.spec) {
        const { layout } = current;
        const res = head.fitPredict(
          { X: rowsView(layout, d, train, scratch.train), y: yOf(train) },
          { X: rowsView(layout, d, val, scratch.val), y: yOf(val) },
          rowsView(layout, d, test, scratch.test),
          d,
        );
        finish(w, res, (performance.now() - started) / 1000);
        continue;
      }
      while (inFlight.size >= pool.size && !failure) await Promise.race(inFlight);
      if (failure) break;
      current.shared ??= sharedLayout(current.layout);
      const job = pool
        .fit({
          head: head.spec,
          layout: current.shared,
          dims: d,
          train: Int32Array.from(train),
          yTrain: yOf(train),
          val: Int32Array.from(val),
          yVal: yOf(val),
          test: Int32Array.from(test),
        })
        .then(
          (out) => void completed.push(() => finish(w, out.result, out.seconds)),
          (error: unknown) => void (failure ??= { error }),
        )
        .finally(() => inFlight.delete(job));
      inFlight.add(job);
      // The bootstrap of finished fits runs here, after the next fit was sent, so no worker waits for it.
      for (let f = completed.shift(); f; f = completed.shift()) f();
    }
    // On a failure, stop at once: closing the pool (below) ends the fits still running.
    while (inFlight.size > 0 && !failure) await Promise.race(inFlight);
    if (failure) throw failure.error;
    for (let f = completed.shift(); f; f = completed.shift()) f();
  } finally {
    await pool?.close();
  }
  const results = runs.filter((r): r is RunResult => r !== undefined);
  const fitWarnings: FitWarning[] = [];
  for (const r of results) {
    if (r.fit && r.fit.uncertified > 0) {
      fitWarnings.push({
        task: r.task,
        featureSet: r.featureSet,
        head: r.head,
        k: r.k,
        replicate: r.replicate,
        uncertified: r.fit.uncertified,
        worstRelGrad: r.fit.worstRelGrad,
      });
    }
  }
  const macro = summarize(results);
  const { comparisons, bestBaseline } = compare(
    tasks,
    featureSets,
    heads,
    allPreds,
    macro,
    testIdxOf,
    options.pairedResamples ?? 10_000,
    seed,
  );
  return { results, skipped, macro, comparisons, bestBaseline, fitWarnings };
}

/** One (task, feature set, head, k, replicate) of the plan. */
interface PlanEntry {
  readonly task: TaskData;
  readonly fs: FeatureSet;
  readonly head: Head;
  readonly k: K;
  readonly rep: number;
}

/** A run to do: its plan entry and position, and its label indices. */
interface Work extends PlanEntry {
  readonly index: number;
  readonly train: number[];
  readonly val: number[];
  readonly test: number[];
}

/** The test metrics of one fit: bootstrap intervals, calibration and (k = all) subgroups. */
function scoreRun(
  w: Work,
  res: HeadResult,
  B: number,
  seed: number,
  subgroupsOf: EvaluationOptions['subgroups'],
): { result: Omit<RunResult, 'seconds'>; scores: Float64Array } {
  const { task, fs, head, k, rep, test } = w;
  const yTest = Uint8Array.from(test, (i) => task.y[i] as number);
  const subjects = test.map((i) => (task.labels[i] as { subjectId: number }).subjectId);
  const scores = res.scores ?? res.proba;
  // Same seed, so both calls draw the same subject resamples.
  const bootSeed = seed + hashString(task.name);
  const rank = bootstrapCI(yTest, scores, subjects, { seed: bootSeed, resamples: B, metrics: ['auroc', 'auprc'] });
  const prob = bootstrapCI(yTest, res.proba, subjects, { seed: bootSeed, resamples: B, metrics: ['brier'] });
  const overall = rank.metrics.auroc ?? { estimate: auroc(yTest, scores), lower: NaN, upper: NaN };
  let subgroups: SubgroupResult[] | undefined;
  if (k === 'all' && subgroupsOf) {
    const attrs = subgroupsOf(task);
    const onTest = Object.fromEntries(Object.entries(attrs).map(([a, g]) => [a, test.map((i) => g[i] ?? 'Unknown')]));
    subgroups = subgroupAuroc(yTest, Float64Array.from(scores), subjects, onTest, overall, { seed: bootSeed, resamples: B });
  }
  return {
    scores,
    result: {
      task: task.name,
      group: task.group,
      featureSet: fs.name,
      head: head.name,
      k,
      replicate: rep,
      nTrain: w.train.length,
      nVal: w.val.length,
      nTest: test.length,
      chosen: res.chosen,
      valAuroc: res.valAuroc,
      auroc: overall,
      auprc: rank.metrics.auprc ?? { estimate: averagePrecision(yTest, scores), lower: NaN, upper: NaN },
      brier: prob.metrics.brier ?? { estimate: brier(yTest, res.proba), lower: NaN, upper: NaN },
      rankedOn: res.scores ? 'decision' : 'probability',
      calibration: calibration(yTest, res.proba, res.scores),
      ...(res.fit ? { fit: res.fit } : {}),
      ...(subgroups ? { subgroups } : {}),
    },
  };
}

function indices(task: TaskData, split: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < task.labels.length; i++) if (task.split[i] === split && (task.y[i] as number) >= 0) out.push(i);
  return out;
}

/**
 * The train and tuning rows of (task, k, replicate), or why the run is skipped. SPEC 5 runs every
 * k; a k is skipped only when its train and tuning samples are exactly those of a smaller k of the
 * same replicate (every split and class already exhausted), since the run would repeat that one.
 * A k that caps only some split or class (say 59 tuning positives at k = 128) still draws a
 * different sample and runs.
 */
function selection(task: TaskData, k: K, rep: number): { train: number[]; val: number[] } | { skip: string; sameAs?: number } {
  if (k === 'all') return { train: indices(task, 'train'), val: indices(task, 'tuning') };
  const sets = task.shots?.replicates[rep];
  const set = sets?.[String(k)];
  if (!sets || !set) return { skip: `no few-shot sample for k=${k} (shots.json has none for this task)` };
  const labelled = (idx: readonly number[]): number[] => idx.filter((i) => (task.y[i] as number) >= 0);
  const train = labelled(set.train);
  const val = labelled(set.tuning);
  const why = classProblem(task, train, 'train') ?? classProblem(task, val, 'tuning');
  if (why) return { skip: why };
  // The smallest k whose sample is identical (the samples are nested, so walk down while equal).
  const smaller = Object.keys(sets)
    .map(Number)
    .filter((j) => j < k)
    .sort((a, b) => b - a);
  let same: number | undefined;
  for (const j of smaller) {
    const other = sets[String(j)] as { train: number[]; tuning: number[] };
    if (sameRows(other.train, set.train) && sameRows(other.tuning, set.tuning)) same = j;
    else break;
  }
  if (same !== undefined) {
    const a = task.shots?.available;
    const avail = a
      ? ` (all available labels: train ${a.train.positives}+/${a.train.negatives}-, tuning ${a.tuning.positives}+/${a.tuning.negatives}-)`
      : '';
    return { skip: `k=${k} draws the same train and tuning sample as k=${same}${avail}`, sameAs: same };
  }
  return { train, val };
}

function sameRows(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  const sa = [...a].sort((x, y) => x - y);
  const sb = [...b].sort((x, y) => x - y);
  return sa.every((v, i) => v === sb[i]);
}

function classProblem(task: TaskData, idx: readonly number[], split: string): string | null {
  let pos = 0;
  for (const i of idx) pos += task.y[i] as number;
  if (idx.length === 0) return `no labels in ${split}`;
  if (pos === 0 || pos === idx.length) return `one class only in ${split} (${pos} positives of ${idx.length})`;
  return null;
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0) % 1_000_000;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Macro AUROC per (feature set, head, k): replicate mean per task, task mean per group, group mean. */
export function summarize(results: readonly RunResult[]): MacroSummary[] {
  const byKey = new Map<string, RunResult[]>();
  for (const r of results) {
    const key = `${r.featureSet}\u0000${r.head}\u0000${r.k}`;
    let a = byKey.get(key);
    if (!a) byKey.set(key, (a = []));
    a.push(r);
  }
  const out: MacroSummary[] = [];
  for (const rs of byKey.values()) {
    const first = rs[0] as RunResult;
    const taskVals = new Map<string, { group: string; v: number[] }>();
    for (const r of rs) {
      let t = taskVals.get(r.task);
      if (!t) taskVals.set(r.task, (t = { group: r.group, v: [] }));
      t.v.push(r.auroc.estimate);
    }
    const tasks: Record<string, number> = {};
    const groupVals = new Map<string, number[]>();
    for (const [task, t] of taskVals) {
      tasks[task] = mean(t.v);
      let g = groupVals.get(t.group);
      if (!g) groupVals.set(t.group, (g = []));
      g.push(tasks[task]);
    }
    const groups: Record<string, number> = {};
    for (const [g, v] of groupVals) groups[g] = mean(v);
    out.push({ featureSet: first.featureSet, head: first.head, k: first.k, macroAuroc: mean(Object.values(groups)), groups, tasks });
  }
  return out;
}

function compare(
  tasks: readonly TaskData[],
  featureSets: readonly FeatureSet[],
  heads: readonly Head[],
  preds: ReadonlyMap<string, Float64Array>,
  macro: readonly MacroSummary[],
  testIdxOf: ReadonlyMap<string, number[]>,
  resamples: number,
  seed: number,
): { comparisons: Comparison[]; bestBaseline: string | null } {
  const baselineNames = new Set(featureSets.filter((f) => f.baseline).map((f) => f.name));
  const atAll = macro.filter((m) => m.k === 'all');
  const best = atAll.filter((m) => baselineNames.has(m.featureSet)).sort((a, b) => b.macroAuroc - a.macroAuroc)[0];
  if (!best) return { comparisons: [], bestBaseline: null };
  const baseKey = `${best.featureSet}|${best.head}`;
  const raw: Omit<Comparison, 'pHolm'>[] = [];
  for (const task of tasks) {
    const test = testIdxOf.get(task.name);
    const b = preds.get(`${task.name}|${baseKey}`);
    if (!test || !b) continue;
    const y = Uint8Array.from(test, (i) => task.y[i] as number);
    const subjects = test.map((i) => (task.labels[i] as { subjectId: number }).subjectId);
    for (const fs of featureSets) {
      for (const h of heads) {
        const key = `${fs.name}|${h.name}`;
        if (key === baseKey) continue;
        const a = preds.get(`${task.name}|${key}`);
        if (!a) continue;
        const t = pairedBootstrapTest(y, a, b, subjects, { seed: seed + hashString(task.name), resamples });
        raw.push({ task: task.name, model: key, baseline: baseKey, diff: t.diff, ci: t.ci, pValue: t.pValue });
      }
    }
  }
  const adjusted = holm(raw.map((c) => c.pValue));
  return { comparisons: raw.map((c, i) => ({ ...c, pHolm: adjusted[i] as number })), bestBaseline: baseKey };
}
