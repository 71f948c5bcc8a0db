import type { Comparison, K, MacroSummary, SkippedRun } from '../eval/runEvaluation.ts';
import { aggregateKey, aggregateRuns, type RunAggregate } from './aggregateRuns.ts';
import { chooseFewShotK } from './chooseFewShotK.ts';
import { compareK } from './compareK.ts';
import { EHRSHOT_REFERENCE } from './EHRSHOT_REFERENCE.ts';
import { fewShotCurves, type CurvePoint } from './fewShotCurves.ts';
import { formatCount, formatDiff, formatMetric } from './formatMetric.ts';
import { groupSkipped, type SkippedGroup } from './groupSkipped.ts';
import type { ReportInput } from './ReportInput.ts';
import { reportModels, type ReportModelInfo } from './reportModels.ts';

/** A task as the report lists it. */
export interface ReportTask {
  readonly name: string;
  readonly group: string;
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
  readonly curves: readonly CurvePoint[];
  readonly rows: readonly MetricRow[];
  /** `macroOf(model key, k)`. */
  readonly macroOf: (model: string, k: K) => MacroCell | undefined;
  /** The skipped run of (task, model key, k), if it was skipped. */
  readonly skippedOf: (task: string, model: string, k: K) => SkippedRun | undefined;
  readonly bestModel: ReportModelInfo | null;
  readonly bestBaseline: ReportModelInfo | null;
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
  const curves = fewShotCurves(ev.macro, aggregates);

  const macroIndex = new Map<string, Map<K, MacroSummary>>();
  for (const m of ev.macro) {
    const key = `${m.featureSet}|${m.head}`;
    let byK = macroIndex.get(key);
    if (!byK) macroIndex.set(key, (byK = new Map()));
    byK.set(m.k, m);
  }
  const maxTasks = new Map([...macroIndex].map(([key, byK]) => [key, Math.max(...[...byK.values()].map((m) => Object.keys(m.tasks).length))]));
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
  const bestModel = bestAt(models.filter((m) => !m.baseline));
  // The paired tests ran against results.json's bestBaseline: name that one, not a recomputed one.
  const bestBaseline = (ev.bestBaseline !== null ? modelByKey.get(ev.bestBaseline) : undefined) ?? bestAt(models.filter((m) => m.baseline));

  const core = { input, models, tasks, groups, ks, fewShotK, aggregates, curves, rows, macroOf, skippedOf, bestModel, bestBaseline, headlineK, skippedGroups: groupSkipped(ev.skipped) };
  return { ...core, facts: runFacts(core), summary: summarySentences(core) };
}

type ReportCore = Omit<ReportModel, 'facts' | 'summary'>;

function reportTasks(input: ReportInput): ReportTask[] {
  const ev = input.evaluation;
  const names = [...new Set([...Object.keys(ev.tasks ?? {}), ...ev.results.map((r) => r.task), ...ev.skipped.map((s) => s.task)])];
  const groupOf = new Map(ev.results.map((r) => [r.task, r.group]));
  const out = names.map((name): ReportTask => {
    const info = ev.tasks?.[name];
    const summary = input.labels?.tasks[name];
    const test = info?.held_out ?? summary?.splits.held_out;
    return { name, group: info?.group ?? groupOf.get(name) ?? summary?.group ?? 'other', testLabels: test?.labels ?? null, testPositives: test?.positives ?? null };
  });
  // Group order of SPEC 5's task list, then others alphabetically; tasks by name within a group.
  const order = ['operational', 'lab', 'new_diagnosis', 'other'];
  const rank = (g: string): number => (order.includes(g) ? order.indexOf(g) : order.length);
  return out.sort((a, b) => rank(a.group) - rank(b.group) || a.group.localeCompare(b.group) || a.name.localeCompare(b.name, 'en', { numeric: true }));
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
  const datasetName = ds?.dir ?? input.labels?.dataset ?? ev.settings?.meds;
  if (datasetName !== undefined) facts.push(['Dataset', ds ? `${datasetName} (${plural(ds.subjects, 'subject')}, ${plural(ds.events, 'event')})` : datasetName]);
  const byGroup = m.groups.map((g) => `${g}: ${m.tasks.filter((t) => t.group === g).length}`);
  facts.push(['Tasks', `${plural(m.tasks.length, 'task')} in ${plural(m.groups.length, 'group')} (${byGroup.join(', ')})`]);
  facts.push([
    'Models',
    m.models.map((x) => `${x.label}${x.dims !== null ? ` (${formatCount(x.dims)} features${x.baseline ? ', count baseline' : ''})` : x.baseline ? ' (count baseline)' : ''}`).join('; ') || 'none',
  ]);
  for (const e of input.embeddings ?? []) {
    const r = e.report;
    facts.push([`Embeddings "${e.name}"`, `${r.model} (${r.family}), ${r.format} text${r.maxTokens !== null ? `, at most ${formatCount(r.maxTokens)} tokens` : ''}${r.dims !== undefined ? `, ${formatCount(r.dims)} dimensions` : ''}`]);
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
  if (ev.version !== undefined || ev.createdAt !== undefined) facts.push(['Results file', `ehr-embed ${ev.version ?? '?'}, written ${ev.createdAt ?? '?'}`]);
  return facts;
}

function summarySentences(m: ReportCore): string[] {
  const out: string[] = [];
  const ev = m.input.evaluation;
  const best = m.bestModel;
  const base = m.bestBaseline;
  const k = m.headlineK;
  if (ev.results.length === 0 || k === null) {
    out.push('No run completed, so there are no results to summarize; the skipped runs below say why.');
    return out;
  }
  const value = (x: ReportModelInfo, at: K): number | undefined => m.macroOf(x.key, at)?.summary.macroAuroc;
  if (best && base) {
    const b = value(best, k) as number;
    const c = value(base, k);
    out.push(
      c !== undefined
        ? `With ${kPhrase(k)}, the best model, ${best.label}, reached a macro AUROC of ${formatMetric(b)}, against ${formatMetric(c)} for the best count baseline, ${base.label} (difference ${formatDiff(b - c)}).`
        : `With ${kPhrase(k)}, the best model, ${best.label}, reached a macro AUROC of ${formatMetric(b)}; the best count baseline, ${base.label}, has no result at this k.`,
    );
    const tests = ev.comparisons.filter((c) => c.model === best.key);
    if (tests.length > 0) {
      const up = tests.filter((c) => c.pHolm < ALPHA && c.diff > 0).length;
      const down = tests.filter((c) => c.pHolm < ALPHA && c.diff < 0).length;
      out.push(
        `Task by task, ${best.label} was significantly better than the baseline on ${up} of ${plural(tests.length, 'task')}, significantly worse on ${down}, and not distinguishable on ${tests.length - up - down} (paired bootstrap over test patients, Holm-adjusted p < ${ALPHA}).`,
      );
    }
  } else if (best) {
    out.push(`With ${kPhrase(k)}, the best model, ${best.label}, reached a macro AUROC of ${formatMetric(value(best, k))}. No count baseline was evaluated, so there are no paired comparisons.`);
  } else if (base) {
    out.push(`Only count baselines were evaluated. With ${kPhrase(k)}, the best, ${base.label}, reached a macro AUROC of ${formatMetric(value(base, k))}.`);
  }
  if (m.fewShotK !== null && best && base) {
    const b = m.macroOf(best.key, m.fewShotK);
    const c = m.macroOf(base.key, m.fewShotK);
    if (b && c) {
      // Say so when a rare task could not reach this k: the two means then cover fewer tasks.
      const n = Object.keys(b.summary.tasks).length;
      const partial = b.partial || c.partial ? ` (over the ${plural(n, 'task')} with enough labels for this k)` : '';
      out.push(`With only ${kPhrase(m.fewShotK)}, macro AUROC was ${formatMetric(b.summary.macroAuroc)} for ${best.label} and ${formatMetric(c.summary.macroAuroc)} for ${base.label}${partial}.`);
    }
  }
  out.push('AUROC is the chance that a random patient with the outcome gets a higher score than a random patient without it: 0.5 is a coin toss, 1.0 a perfect ranking. Macro AUROC averages the tasks within each task group, then the groups.');
  const ref = (name: string): string => formatMetric(EHRSHOT_REFERENCE.find((r) => r.name === name)?.points.find((p) => p.k === 'all')?.auroc);
  out.push(
    `For orientation only: on EHRSHOT, a different dataset with other patients and tasks, the published macro AUROC with all training data is ${ref('CLMBR-T-Base')} for the CLMBR-T-Base foundation model, ${ref('count GBM')} for count features with gradient-boosted trees and ${ref('count LR')} with logistic regression. Numbers from different datasets are not directly comparable.`,
  );
  const none = m.tasks.filter((t) => t.testPositives === 0);
  if (none.length > 0) out.push(`${plural(none.length, 'task has', 'tasks have')} no positive test labels (${listOf(none.map((t) => t.name))}), so no test metric can be computed for ${none.length === 1 ? 'it' : 'them'}.`);
  const small = m.tasks.filter((t) => t.testPositives !== null && t.testPositives > 0 && t.testPositives < FEW_TEST_POSITIVES);
  if (small.length > 0) {
    out.push(`${plural(small.length, 'task has', 'tasks have')} fewer than ${FEW_TEST_POSITIVES} positive test labels (${listOf(small.map((t) => `${t.name}: ${t.testPositives}`))}); their intervals are wide and their differences rarely significant.`);
  }
  if (ev.skipped.length > 0) out.push(`${plural(ev.skipped.length, 'run was', 'runs were')} skipped; the section "Skipped runs" gives the reasons.`);
  return out;
}
