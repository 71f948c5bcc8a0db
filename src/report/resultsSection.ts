import type { Comparison, K } from '../eval/runEvaluation.ts';
import type { RunAggregate } from './aggregateRuns.ts';
import { ALPHA, type MetricRow, type ReportModel } from './buildReportModel.ts';
import { formatCount, formatDiff, formatMetric, formatP, isFiniteNumber } from './formatMetric.ts';
import { normalizeReason } from './groupSkipped.ts';
import { EMPTY_CELL, intervalCell } from './intervalCell.ts';
import type { Cell, Row, Section } from './ReportDocument.ts';

/**
 * The results table: per task and model, AUROC and AUPRC with 95% intervals at the few-shot k
 * and with all data, and the paired test against the best baseline (Holm-adjusted).
 */
export function resultsSection(m: ReportModel): Section | null {
  if (m.rows.length === 0) return null;
  const k = m.fewShotK;
  const base = m.bestBaseline;
  const headers: Cell[] = [
    { text: 'Task' },
    { text: 'Model' },
    { text: 'Test n (positive)', num: true },
    ...(k !== null
      ? [
          { text: `AUROC, k=${k}`, num: true },
          { text: `AUPRC, k=${k}`, num: true },
        ]
      : []),
    { text: 'AUROC, all data', num: true },
    { text: 'AUPRC, all data', num: true },
    { text: `\u0394 AUROC vs ${base ? base.label : 'best baseline'}, all data (95% CI); p Holm-adjusted`, num: true },
  ];
  const macroRows: Row[] = m.models.map((model) => {
    const atK = k !== null ? m.macroOf(model.key, k) : undefined;
    const atAll = m.macroOf(model.key, 'all');
    const macroCell = (c: typeof atK, kk: string): Cell =>
      c
        ? {
            text: formatMetric(c.summary.macroAuroc) + (c.partial ? ' \u2020' : ''),
            num: true,
            data: { metric: 'macro-auroc', k: kk, macro: String(c.summary.macroAuroc) },
          }
        : EMPTY_CELL;
    return {
      cls: 'macro',
      data: { task: '(macro)', model: model.key },
      cells: [
        { text: 'Macro (mean of group means)' },
        { text: model.label, cls: 'model' },
        EMPTY_CELL,
        ...(k !== null ? [macroCell(atK, String(k)), EMPTY_CELL] : []),
        macroCell(atAll, 'all'),
        EMPTY_CELL,
        EMPTY_CELL,
      ],
    };
  });
  const bodies: Row[][] = [macroRows];
  let body: Row[] = [];
  let current: string | null = null;
  for (const row of m.rows) {
    if (row.task.name !== current) {
      if (body.length > 0) bodies.push(body);
      body = [];
      current = row.task.name;
    }
    body.push(taskRow(m, row, body.length === 0, k, base?.key ?? null));
  }
  if (body.length > 0) bodies.push(body);
  const reps = m.input.evaluation.settings?.replicates;
  const notes = [
    `Each cell: estimate (95% interval from bootstrap resamples of test patients). At k=${k ?? '…'} the estimate is the mean over ${reps !== undefined ? `the ${reps} replicates` : 'replicates'} (different random training examples) and the interval the mean of their intervals; below it, the range of the replicate estimates.`,
    `AUPRC (average precision) depends on how common the outcome is: a model that guesses scores about the share of positive test labels, so compare it with the positive count in the third column.`,
    `\u0394 AUROC: this model minus the best count baseline on the same test patients (paired bootstrap); below it the p-value, Holm-adjusted for the number of comparisons (unadjusted in parentheses); marked * (bold green or red in report.html) when below ${ALPHA}.`,
  ];
  if (m.models.some((x) => (k !== null && m.macroOf(x.key, k)?.partial) || m.macroOf(x.key, 'all')?.partial))
    notes.push('\u2020 Fewer tasks than at other k, so the macro mean covers a different set of tasks.');
  return {
    id: 'results',
    title: k !== null ? `Results by task at k = ${k} and with all data` : 'Results by task with all data',
    blocks: [{ kind: 'table', table: { id: 'results', headers, bodies, notes } }],
  };
}

function taskRow(m: ReportModel, row: MetricRow, firstOfTask: boolean, k: number | null, baselineKey: string | null): Row {
  const { task, model, atK, atAll, comparison } = row;
  // An empty cell says why when the run was skipped (a rare task has fewer labels than k).
  const metric = (name: 'auroc' | 'auprc', kk: K, a: RunAggregate | undefined): Cell => {
    if (a) return intervalCell(name, kk, a[name], a.replicates);
    const s = m.skippedOf(task.name, model.key, kk);
    return s
      ? { text: 'skipped', sub: normalizeReason(s.reason).replace(/\s*\([^)]*\)/g, ''), num: true, cls: 'partial wrap' }
      : EMPTY_CELL;
  };
  const nTest = task.testLabels ?? atAll?.nTest ?? atK?.nTest;
  const testText =
    nTest === undefined ? '\u2014' : `${formatCount(nTest)}${task.testPositives !== null ? ` (${formatCount(task.testPositives)})` : ''}`;
  return {
    data: { task: task.name, model: model.key },
    cells: [
      firstOfTask ? { text: task.name, sub: task.group } : { text: '' },
      { text: model.label, cls: 'model', ...(model.baseline ? { sub: 'count baseline' } : {}) },
      firstOfTask ? { text: testText, num: true } : { text: '', num: true },
      ...(k !== null ? [metric('auroc', k, atK), metric('auprc', k, atK)] : []),
      metric('auroc', 'all', atAll),
      metric('auprc', 'all', atAll),
      comparisonCell(comparison, model.key === baselineKey),
    ],
  };
}

function comparisonCell(c: Comparison | undefined, isBaseline: boolean): Cell {
  if (isBaseline) return { text: 'reference (best baseline)', num: true };
  if (!c) return EMPTY_CELL;
  const sig = isFiniteNumber(c.pHolm) && c.pHolm < ALPHA;
  const cls = sig ? (c.diff > 0 ? 'sig-up' : 'sig-down') : undefined;
  return {
    text: `${formatDiff(c.diff)} (${formatDiff(c.ci.lower)} to ${formatDiff(c.ci.upper)})`,
    sub: `p ${formatP(c.pHolm)}${sig ? ' *' : ''} (unadjusted ${formatP(c.pValue)})`,
    num: true,
    ...(cls ? { cls } : {}),
    data: { diff: String(c.diff), ciLower: String(c.ci.lower), ciUpper: String(c.ci.upper), p: String(c.pValue), pHolm: String(c.pHolm) },
  };
}
