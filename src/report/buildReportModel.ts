import { basename } from 'node:path';
import { COMBINED_SUFFIX } from '../eval/featureSets.ts';
import type { Comparison, K, MacroSummary, SkippedRun } from '../eval/runEvaluation.ts';
import { aggregateKey, aggregateRuns, type RunAggregate } from './aggregateRuns.ts';
import { chooseFewShotK } from './chooseFewShotK.ts';
import { compareK } from './compareK.ts';
import { EHRSHOT_REFERENCE } from './EHRSHOT_REFERENCE.ts';
import { completeCurves, type CurveGap } from './completeCurves.ts';
import { fewShotCurves, type CurvePoint } from './fewShotCurves.ts';
import { formatCount, formatDiff, formatMetric } from './formatMetric.ts';
import { groupSkipped, type SkippedGroup } from './groupSkipped.ts';
import type { ReportInput } from './ReportInput.ts';
import { reportModels, type ReportModelInfo } from './reportModels.ts';

/** A task as the report lists it. */
export interface ReportTask {
  readonly name: string;
  readonly group: string;
  /** Labels over all splits, when results.json or summary.json give them. */
  readonly labels: number | null;
  /** Test (held_out) labels and positives, when results.json or summary.json give them. */
  readonly testLabels: number | null;
  readonly testPositives: number | null;
}

/** One row of the results table: a task and a model. */
export interface MetricRow {
  readonly task: ReportTask;
  readonly model: ReportModelInfo;
  /** Replicates at the few-shot k of the table. */
  readonly atK: RunAggregate | undefined;
  /** The run on all training data. */
  readonly atAll: RunAggregate | undefined;
  /** Paired test against the best baseline at k = all (absent for the baseline itself). */
  readonly comparison: Comparison | undefined;
}

/** The macro AUROC of one model at one k, and how many tasks it covers. */
export interface MacroCell {
  readonly summary: MacroSummary;
  /** True when fewer tasks are behind this k than behind the model's best-covered k. */
  readonly partial: boolean;
}

/** Everything both renderers show, computed once so that HTML and Markdown agree. */
export interface ReportModel {
  readonly input: ReportInput;
  readonly models: readonly ReportModelInfo[];
  readonly tasks: readonly ReportTask[];
  readonly groups: readonly string[];
  /** k values of the run, numbers ascending then `all`. */
  readonly ks: readonly K[];
  readonly fewShotK: number | null;
  readonly aggregates: ReadonlyMap<string, RunAggregate>;
  /** Curve points; macro and group curves keep only the points over the curve's own task set. */
  readonly curves: readonly CurvePoint[];
  /** Macro and group points left off their curves because other tasks are behind them. */
  readonly curveGaps: readonly CurveGap[];
  readonly rows: readonly MetricRow[];
  /** `macroOf(model key, k)`. */
  readonly macroOf: (model: string, k: K) => MacroCell | undefined;
  /** The skipped run of (task, model key, k), if it was skipped. */
  readonly skippedOf: (task: string, model: string, k: K) => SkippedRun | undefined;
  /** The best embedding model (not a count baseline, not embeddings joined with counts) at `headlineK`. */
  readonly bestModel: ReportModelInfo | null;
  /** The best embeddings ⊕ counts model at `headlineK`, when the run combined them. */
  readonly bestCombined: ReportModelInfo | null;
  readonly bestBaseline: ReportModelInfo | null;
  /** What an embedding feature set is, from its embedder's own description (by feature-set name). */
  readonly describeSet: (featureSet: string) => string | undefined;
  /** The k the headline compares at: `all` when run, else the largest numeric k with results. */
  readonly headlineK: K | null;
  readonly skippedGroups: readonly SkippedGroup[];
  /** What was run, as label/value pairs. */
  readonly facts: readonly (readonly [string, string])[];
  /** The plain-language summary, one sentence or two per entry (plain text). */
  readonly summary: readonly string[];
}

/** Significance level of the paired tests (on Holm-adjusted p-values). */
export const ALPHA = 0.05;

/** Few positive test labels make intervals wide; the summary names such tasks. */
const FEW_TEST_POSITIVES = 10;

/** Compute the report's contents from its input. */
export function buildReportModel(input: ReportInput): ReportModel {
  const ev = input.evaluation;
  const models = reportModels(ev);
  const modelByKey = new Map(models.map((m) => [m.key, m]));
  const tasks = reportTasks(input);
  const groups = [...new Set(tasks.map((t) => t.group))];
  const ks = [...new Set<K>([...(ev.settings?.ks ?? []), ...ev.results.map((r) => r.k), ...ev.skipped.map((s) => s.k)])].sort(compareK);
  const aggregates = aggregateRuns(ev.results);
  const fewShotK = input.fewShotK ?? chooseFewShotK(aggregates.values());
  const { points: curves, gaps: curveGaps } = completeCurves(fewShotCurves(ev.macro, aggregates));

  const macroIndex = new Map<string, Map<K, MacroSummary>>();
  for (const m of ev.macro) {
    const key = `${m.featureSet}|${m.head}`;
    let byK = macroIndex.get(key);
    if (!byK) macroIndex.set(key, (byK = new Map()));
    byK.set(m.k, m);
  }
  const maxTasks = new Map(
    [...macroIndex].map(([key, byK]) => [key, Math.max(...[...byK.values()].map((m) => Object.keys(m.tasks).length))]),
  );
  const macroOf = (model: string, k: K): MacroCell | undefined => {
    const summary = macroIndex.get(model)?.get(k);
    return summary ? { summary, partial: Object.keys(summary.tasks).length < (maxTasks.get(model) ?? 0) } : undefined;
  };

  const skips = new Map(ev.skipped.map((s) => [aggregateKey(s.task, `${s.featureSet}|${s.head}`, s.k), s]));
  const skippedOf = (task: string, model: string, k: K): SkippedRun | undefined => skips.get(aggregateKey(task, model, k));
  const comparisons = new Map(ev.comparisons.map((c) => [`${c.task}\u0000${c.model}`, c]));
  const rows: MetricRow[] = [];
  for (const task of tasks) {
    for (const model of models) {
      const atK = fewShotK === null ? undefined : aggregates.get(aggregateKey(task.name, model.key, fewShotK));
      const atAll = aggregates.get(aggregateKey(task.name, model.key, 'all'));
      const comparison = comparisons.get(`${task.name}\u0000${model.key}`);
      const skipped = (fewShotK !== null && skippedOf(task.name, model.key, fewShotK)) || skippedOf(task.name, model.key, 'all');
      if (atK || atAll || comparison || skipped) rows.push({ task, model, atK, atAll, comparison });
    }
  }

  const macroKs = new Set(ev.macro.map((m) => m.k));
  const headlineK: K | null = macroKs.has('all') ? 'all' : ([...macroKs].sort(compareK).pop() ?? null);
  const bestAt = (candidates: readonly ReportModelInfo[]): ReportModelInfo | null => {
    if (headlineK === null) return null;
    let best: ReportModelInfo | null = null;
    let bestValue = -Infinity;
    for (const m of candidates) {
      const v = macroOf(m.key, headlineK)?.summary.macroAuroc;
      if (v !== undefined && v > bestValue) [best, bestValue] = [m, v];
    }
    return best;
  };
  const bestModel = bestAt(models.filter((m) => !m.baseline && !m.combined));
  const bestCombined = bestAt(models.filter((m) => m.combined));
  const descriptions = new Map((input.embeddings ?? []).map((e) => [e.name, e.report.description]));
  const describeSet = (featureSet: string): string | undefined =>
    descriptions.get(featureSet.endsWith(COMBINED_SUFFIX) ? featureSet.slice(0, -COMBINED_SUFFIX.length) : featureSet);
  // The paired tests ran against results.json's bestBaseline: name that one, not a recomputed one.
  const bestBaseline = (ev.bestBaseline !== null ? modelByKey.get(ev.bestBaseline) : undefined) ?? bestAt(models.filter((m) => m.baseline));

  const core = {
    input,
    models,
    tasks,
    groups,
    ks,
    fewShotK,
    aggregates,
    curves,
    curveGaps,
    rows,
    macroOf,
    skippedOf,
    bestModel,
    bestCombined,
    bestBaseline,
    describeSet,
    headlineK,
    skippedGroups: groupSkipped(ev.skipped),
  };
  return { ...core, facts: runFacts(core), summary: summarySentences(core) };
}

type ReportCore = Omit<ReportModel, 'facts' | 'summary'>;

function reportTasks(input: ReportInput): ReportTask[] {
  const ev = input.evaluation;
  // Tasks labeled but never evaluated (no labels at all) are the run's tasks too: the report names them.
  const names = [
    ...new Set([
      ...Object.keys(ev.tasks ?? {}),
      ...ev.results.map((r) => r.task),
      ...ev.skipped.map((s) => s.task),
      ...Object.keys(input.labels?.tasks ?? {}),
    ]),
  ];
  const groupOf = new Map(ev.results.map((r) => [r.task, r.group]));
  const out = names.map((name): ReportTask => {
    const info = ev.tasks?.[name];
    const summary = input.labels?.tasks[name];
    const test = info?.held_out ?? summary?.splits.held_out;
    const labels = info?.labels ?? summary?.total?.labels ?? null;
    return {
      name,
      group: info?.group ?? groupOf.get(name) ?? summary?.group ?? 'other',
      labels,
      testLabels: test?.labels ?? null,
      testPositives: test?.positives ?? null,
    };
  });
  // Group order of SPEC 5's task list, then others alphabetically; tasks by name within a group.
  const order = ['operational', 'lab', 'new_diagnosis', 'other'];
  const rank = (g: string): number => (order.includes(g) ? order.indexOf(g) : order.length);
  return out.sort(
    (a, b) => rank(a.group) - rank(b.group) || a.group.localeCompare(b.group) || a.name.localeCompare(b.name, 'en', { numeric: true }),
  );
}

function listOf(xs: readonly string[]): string {
  if (xs.length <= 1) return xs.join('');
  return `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1] as string}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function kPhrase(k: K): string {
  return k === 'all' ? 'all training data' : `k = ${k} positive and ${k} negative training examples per task`;
}

function runFacts(m: ReportCore): [string, string][] {
  const { input } = m;
  const ev = input.evaluation;
  const facts: [string, string][] = [];
  const ds = input.dataset;
  // Only the folder's name: a report may be shared, and a local path says nothing to its reader.
  const datasetPath = ds?.dir ?? input.labels?.dataset ?? ev.settings?.meds;
  const datasetName = datasetPath === undefined ? undefined : basename(datasetPath);
  if (datasetName !== undefined)
    facts.push(['Dataset', ds ? `${datasetName} (${plural(ds.subjects, 'subject')}, ${plural(ds.events, 'event')})` : datasetName]);
  const byGroup = m.groups.map((g) => `${g}: ${m.tasks.filter((t) => t.group === g).length}`);
  facts.push(['Tasks', `${plural(m.tasks.length, 'task')} in ${plural(m.groups.length, 'group')} (${byGroup.join(', ')})`]);
  facts.push([
    'Models',
    m.models
      .map(
        (x) =>
          `${x.label}${x.dims !== null ? ` (${formatCount(x.dims)} features${x.baseline ? ', count baseline' : ''})` : x.baseline ? ' (count baseline)' : ''}`,
      )
      .join('; ') || 'none',
  ]);
  for (const e of input.embeddings ?? []) {
    const r = e.report;
    facts.push([
      `Embeddings "${e.name}"`,
      `${r.description} [${r.model}, ${r.family} family]: ${r.format} text${r.maxTokens !== null ? `, at most ${formatCount(r.maxTokens)} tokens (${r.tokenizer})` : ''}${r.dims !== undefined ? `, ${formatCount(r.dims)} dimensions` : ''}`,
    ]);
  }
  const numeric = m.ks.filter((k) => k !== 'all');
  const reps = ev.settings?.replicates ?? Math.max(0, ...[...m.aggregates.values()].filter((a) => a.k !== 'all').map((a) => a.replicates));
  facts.push(['k (examples per class)', `${m.ks.join(', ')}${numeric.length > 0 ? `; ${plural(reps, 'replicate')} per numeric k` : ''}`]);
  const s = ev.settings;
  facts.push([
    'Uncertainty',
    s
      ? `95% intervals from ${formatCount(s.bootstrap)} bootstrap resamples of test patients; paired tests with ${formatCount(s.pairedResamples)} resamples, Holm-adjusted; seed ${s.seed}`
      : '95% intervals from bootstrap resamples of test patients; paired tests Holm-adjusted (resample counts not recorded)',
  ]);
  facts.push(['Runs', `${formatCount(ev.results.length)} completed, ${formatCount(ev.skipped.length)} skipped`]);
  if (ev.version !== undefined || ev.createdAt !== undefined)
    facts.push(['Results file', `ehr-embed ${ev.version ?? '?'}, written ${ev.createdAt ?? '?'}`]);
  return facts;
}

function summarySentences(m: ReportCore): string[] {
  const out: string[] = [];
  const ev = m.input.evaluation;
  const best = m.bestModel;
  const base = m.bestBaseline;
  const combo = m.bestCombined;
  const k = m.headlineK;
  if (ev.results.length === 0 || k === null) {
    out.push('No run completed, so there are no results to summarize; the skipped runs below say why.');
    return out;
  }
  // Say what the embedder is before any number: a small sentence encoder is not the method's LLM.
  for (const fs of new Set(m.models.filter((x) => !x.baseline && !x.combined).map((x) => x.featureSet))) {
    const d = m.describeSet(fs);
    if (d === undefined) continue;
    const floor = /not an LLM/i.test(d) ? ' Its numbers are a floor for the method, not what an LLM embedder reaches.' : '';
    out.push(`The embeddings "${fs}" come from ${d}.${floor}`);
  }
  const cell = (x: ReportModelInfo, at: K): MacroCell | undefined => m.macroOf(x.key, at);
  const tasksOf = (c: MacroCell | undefined): string[] => Object.keys(c?.summary.tasks ?? {}).sort();
  const taskList = (names: readonly string[]): string => `${plural(names.length, 'task')} (${listOf(names)})`;
  const over = (names: readonly string[]): string => `over ${taskList(names)}`;
  if (best && base) {
    const b = cell(best, k);
    const c = cell(base, k);
    const bt = tasksOf(b);
    const ct = tasksOf(c);
    const sameTasks = bt.join() === ct.join();
    out.push(
      c !== undefined
        ? `With ${kPhrase(k)}, the best embedding model, ${best.label}, reached a macro AUROC of ${formatMetric(b?.summary.macroAuroc)}, against ${formatMetric(c.summary.macroAuroc)} for the best count baseline, ${base.label} (difference ${formatDiff((b?.summary.macroAuroc ?? NaN) - c.summary.macroAuroc)}); ${sameTasks ? `both macros average the same ${taskList(bt)}` : `the first averages ${taskList(bt)}, the second ${taskList(ct)}`}.`
        : `With ${kPhrase(k)}, the best embedding model, ${best.label}, reached a macro AUROC of ${formatMetric(b?.summary.macroAuroc)} ${over(bt)}; the best count baseline, ${base.label}, has no result at this k.`,
    );
    if (combo) {
      const x = cell(combo, k);
      out.push(
        `Embeddings joined with the count features (${combo.label}, the kind of combination that was best in the paper) reached ${formatMetric(x?.summary.macroAuroc)} ${over(tasksOf(x))}.`,
      );
    }
    const tests = ev.comparisons.filter((c) => c.model === best.key);
    if (tests.length > 0) {
      const up = tests.filter((c) => c.pHolm < ALPHA && c.diff > 0).length;
      const down = tests.filter((c) => c.pHolm < ALPHA && c.diff < 0).length;
      out.push(
        `Task by task, ${best.label} was significantly better than the baseline on ${up} of ${plural(tests.length, 'task')}, significantly worse on ${down}, and not distinguishable on ${tests.length - up - down} (paired bootstrap over test patients, Holm-adjusted p < ${ALPHA}).`,
      );
    }
  } else if (best) {
    out.push(
      `With ${kPhrase(k)}, the best embedding model, ${best.label}, reached a macro AUROC of ${formatMetric(cell(best, k)?.summary.macroAuroc)} ${over(tasksOf(cell(best, k)))}. No count baseline was evaluated, so there are no paired comparisons.`,
    );
  } else if (base) {
    out.push(
      `Only count baselines were evaluated. With ${kPhrase(k)}, the best, ${base.label}, reached a macro AUROC of ${formatMetric(cell(base, k)?.summary.macroAuroc)} ${over(tasksOf(cell(base, k)))}.`,
    );
  }
  const headline = best ?? base;
  const covered = new Set(headline ? tasksOf(cell(headline, k)) : []);
  const uncovered = m.tasks.filter((t) => !covered.has(t.name)).map((t) => t.name);
  if (headline && uncovered.length > 0) {
    const byName = new Map(m.tasks.map((t) => [t.name, t]));
    const why = (t: ReportTask | undefined): string =>
      t?.labels === 0
        ? 'no labels at all'
        : t?.testPositives === 0
          ? 'no positive test label'
          : 'too few labels for this k or no positive in a training or tuning split';
    const reasons = new Map<string, string[]>();
    for (const name of uncovered) {
      const r = why(byName.get(name));
      reasons.set(r, [...(reasons.get(r) ?? []), name]);
    }
    const parts = [...reasons].map(([r, names]) => `${listOf(names)}: ${r}`).join('; ');
    out.push(
      `${plural(uncovered.length, 'task of the run has', 'tasks of the run have')} no result at this k and ${uncovered.length === 1 ? 'is' : 'are'} in no macro number above (${parts}). "Skipped runs" gives each run's reason.`,
    );
  }
  if (m.fewShotK !== null && best && base) {
    const b = cell(best, m.fewShotK);
    const c = cell(base, m.fewShotK);
    if (b && c) {
      const bt = tasksOf(b);
      const same = bt.join() === tasksOf(c).join();
      out.push(
        `With only ${kPhrase(m.fewShotK)}, macro AUROC was ${formatMetric(b.summary.macroAuroc)} for ${best.label} and ${formatMetric(c.summary.macroAuroc)} for ${base.label} (${same ? `both ${over(bt)}` : `${best.label} ${over(bt)}, ${base.label} ${over(tasksOf(c))}`}).`,
      );
    }
  }
  out.push(
    'AUROC is the chance that a random patient with the outcome gets a higher score than a random patient without it: 0.5 is a coin toss, 1.0 a perfect ranking. Macro AUROC averages the tasks within each task group, then the groups.',
  );
  const ref = (name: string): string =>
    formatMetric(EHRSHOT_REFERENCE.find((r) => r.name === name)?.points.find((p) => p.k === 'all')?.auroc);
  out.push(
    `For orientation only: on EHRSHOT, a different dataset with other patients and tasks, the published macro AUROC with all training data is ${ref('CLMBR-T-Base')} for the CLMBR-T-Base foundation model, ${ref('count GBM')} for count features with gradient-boosted trees and ${ref('count LR')} with logistic regression. Numbers from different datasets are not directly comparable.`,
  );
  // Tasks without a positive test label are named above with the tasks that have no result.
  const none = m.tasks.filter((t) => t.testPositives === 0 && (headline === null || covered.has(t.name)));
  if (none.length > 0)
    out.push(
      `${plural(none.length, 'task has', 'tasks have')} no positive test labels (${listOf(none.map((t) => t.name))}), so no test metric can be computed for ${none.length === 1 ? 'it' : 'them'}.`,
    );
  const small = m.tasks.filter((t) => t.testPositives !== null && t.testPositives > 0 && t.testPositives < FEW_TEST_POSITIVES);
  if (small.length > 0) {
    out.push(
      `${plural(small.length, 'task has', 'tasks have')} fewer than ${FEW_TEST_POSITIVES} positive test labels (${listOf(small.map((t) => `${t.name}: ${t.testPositives}`))}); their intervals are wide and their differences rarely significant.`,
    );
  }
  if (ev.skipped.length > 0)
    out.push(`${plural(ev.skipped.length, 'run was', 'runs were')} skipped; the section "Skipped runs" gives the reasons.`);
  return out;
}
