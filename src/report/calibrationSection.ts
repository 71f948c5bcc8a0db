import type { TopLevelSpec } from 'vega-lite';
import type { ReliabilityBin } from '../eval/calibration.ts';
import type { K, RunResult } from '../eval/runEvaluation.ts';
import type { ReportModel } from './buildReportModel.ts';
import { CHART_CONFIG, MODEL_COLORS } from './chartTheme.ts';
import type { Row, Section } from './ReportDocument.ts';

/** Calibration of one (task, model, k), replicates pooled. */
export interface CalibrationSummary {
  readonly task: string;
  readonly model: string;
  readonly k: K;
  readonly replicates: number;
  /** Mean over replicates. */
  readonly ece: number;
  readonly nBins: number;
  /** Mean over replicates with a finite fit; null when none had one. */
  readonly slope: number | null;
  readonly intercept: number | null;
  /** Replicates without a slope (separating, constant or near-constant logits: `Calibration.slopeNull`). */
  readonly noFit: number;
  /** Reliability bins pooled over replicates (counts summed, means weighted by count). */
  readonly bins: readonly ReliabilityBin[];
}

/** The two k of the calibration section: `all` and the report's few-shot k, where run. */
export function calibrationKs(m: ReportModel): K[] {
  return [...(m.fewShotK !== null ? [m.fewShotK] : []), 'all'];
}

/** Pool the calibration of every (task, model, k) in `ks` over replicates. */
export function calibrationSummaries(results: readonly RunResult[], ks: readonly K[]): CalibrationSummary[] {
  const by = new Map<string, RunResult[]>();
  for (const r of results) {
    if (!r.calibration || !ks.includes(r.k)) continue;
    const key = `${r.task}\u0000${r.featureSet}|${r.head}\u0000${r.k}`;
    let a = by.get(key);
    if (!a) by.set(key, (a = []));
    a.push(r);
  }
  const out: CalibrationSummary[] = [];
  for (const runs of by.values()) {
    const first = runs[0] as RunResult;
    const cals = runs.map((r) => r.calibration).filter((c) => c !== undefined);
    const fitted = cals.filter((c) => c.slope !== null && c.intercept !== null);
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    const nBins = cals[0]?.nBins ?? 0;
    const bins: ReliabilityBin[] = [];
    for (let b = 0; b < nBins; b++) {
      let count = 0;
      let sp = 0;
      let so = 0;
      for (const c of cals) {
        const bin = c.bins[b];
        if (!bin || bin.count === 0) continue;
        count += bin.count;
        sp += bin.count * (bin.meanPredicted ?? 0);
        so += bin.count * (bin.observed ?? 0);
      }
      const ref = cals[0]?.bins[b];
      bins.push({
        lower: ref?.lower ?? b / nBins,
        upper: ref?.upper ?? (b + 1) / nBins,
        count,
        meanPredicted: count > 0 ? sp / count : null,
        observed: count > 0 ? so / count : null,
      });
    }
    out.push({
      task: first.task,
      model: `${first.featureSet}|${first.head}`,
      k: first.k,
      replicates: cals.length,
      ece: mean(cals.map((c) => c.ece)),
      nBins,
      slope: fitted.length > 0 ? mean(fitted.map((c) => c.slope as number)) : null,
      intercept: fitted.length > 0 ? mean(fitted.map((c) => c.intercept as number)) : null,
      noFit: cals.length - fitted.length,
      bins,
    });
  }
  return out;
}

const fmt = (v: number | null, digits = 3): string => (v === null ? 'n/a' : v.toFixed(digits));

/**
 * Calibration of the test probabilities: expected calibration error (equal-width bins), the
 * slope and intercept of a logistic recalibration fit, per task and model at k = all and at the
 * report's few-shot k, with a reliability diagram. Null when results.json has no calibration
 * (files written before it was recorded).
 */
export function calibrationSection(m: ReportModel): Section | null {
  const ks = calibrationKs(m);
  const sums = calibrationSummaries(m.input.evaluation.results, ks);
  if (sums.length === 0) return null;
  const label = new Map(m.models.map((x) => [x.key, x.label]));
  const nBins = sums[0]?.nBins ?? 10;
  const rows: Row[][] = m.tasks
    .map((t) =>
      sums
        .filter((s) => s.task === t.name)
        .sort(
          (a, b) =>
            m.models.findIndex((x) => x.key === a.model) - m.models.findIndex((x) => x.key === b.model) ||
            (a.k === 'all' ? 1 : 0) - (b.k === 'all' ? 1 : 0),
        )
        .map((s): Row => ({
          data: {
            task: s.task,
            model: s.model,
            k: String(s.k),
            ece: String(s.ece),
            slope: String(s.slope),
            intercept: String(s.intercept),
          },
          cells: [
            { text: s.task },
            { text: label.get(s.model) ?? s.model },
            { text: String(s.k) },
            { text: fmt(s.ece), num: true, ...(s.replicates > 1 ? { sub: `mean of ${s.replicates} replicates` } : {}) },
            {
              text: fmt(s.slope, 2),
              num: true,
              ...(s.noFit > 0 ? { sub: `${s.noFit} without a slope (separating or near-constant logits)` } : {}),
            },
            { text: fmt(s.intercept, 2), num: true },
          ],
        })),
    )
    .filter((r) => r.length > 0);
  return {
    id: 'calibration',
    title: 'Calibration',
    blocks: [
      {
        kind: 'paragraphs',
        items: [
          `How far the predicted probabilities are from observed frequencies on the test split, at k = ${ks.join(' and k = ')}. ` +
            `ECE is the expected calibration error over ${nBins} equal-width probability bins (0 is perfect). Slope and intercept come from refitting ` +
            'the outcome on the logit of the prediction (P(y) = sigmoid(a + b logit p)): slope 1 and intercept 0 are ideal, a slope below 1 means overconfident predictions. ' +
            'Few-shot heads are trained on balanced samples (k positives, k negatives), so their probabilities overstate the positive rate of an unbalanced test split: expect a negative intercept there.',
        ],
      },
      {
        kind: 'table',
        table: {
          id: 'calibration',
          headers: [
            { text: 'Task' },
            { text: 'Model' },
            { text: 'k' },
            { text: 'ECE', num: true },
            { text: 'Slope', num: true },
            { text: 'Intercept', num: true },
          ],
          bodies: rows,
        },
      },
      {
        kind: 'chart',
        chart: 'calibration',
        title: 'Reliability diagrams',
        caption: `Observed positive fraction against mean predicted probability per bin (${nBins} equal-width bins, replicates pooled), one panel per task; solid lines k = all, dashed the few-shot k. The grey diagonal is perfect calibration; point size is the number of test labels in the bin.`,
      },
    ],
  };
}

/** Vega-Lite reliability diagrams: a panel per task, a line per (model, k), the diagonal. */
export function calibrationChartSpec(m: ReportModel): TopLevelSpec | null {
  const ks = calibrationKs(m);
  const sums = calibrationSummaries(m.input.evaluation.results, ks);
  if (sums.length === 0) return null;
  const label = new Map(m.models.map((x) => [x.key, x.label]));
  const used = m.models.filter((x) => sums.some((s) => s.model === x.key));
  const colorScale = { domain: used.map((x) => x.label), range: used.map((_, i) => MODEL_COLORS[i % MODEL_COLORS.length] as string) };
  const values = sums.flatMap((s) =>
    s.bins
      .filter((b) => b.count > 0)
      .map((b) => ({
        task: s.task,
        series: `${label.get(s.model) ?? s.model}, k = ${s.k}`,
        model: label.get(s.model) ?? s.model,
        dash: s.k === 'all' ? 'k = all' : 'few-shot k',
        predicted: b.meanPredicted,
        observed: b.observed,
        count: b.count,
      })),
  );
  const diagonal = [...new Set(sums.map((s) => s.task))].flatMap((task) => [
    { task, predicted: 0, observed: 0 },
    { task, predicted: 1, observed: 1 },
  ]);
  const axis = { scale: { domain: [0, 1] }, axis: { tickCount: 5 } };
  return {
    config: CHART_CONFIG,
    data: { values: [...values, ...diagonal.map((d) => ({ ...d, series: 'perfect calibration', model: '', dash: 'diagonal', count: 0 }))] },
    facet: { field: 'task', type: 'nominal', sort: null, header: { title: null } },
    columns: 3,
    spec: {
      width: 200,
      height: 200,
      layer: [
        {
          mark: { type: 'line', strokeWidth: 1 },
          transform: [{ filter: "datum.dash === 'diagonal'" }],
          encoding: {
            x: { field: 'predicted', type: 'quantitative', title: 'mean predicted probability', ...axis },
            y: { field: 'observed', type: 'quantitative', title: 'observed fraction', ...axis },
            color: { value: '#bbbbbb' },
          },
        },
        {
          mark: { type: 'line', point: false, strokeWidth: 1.5 },
          transform: [{ filter: "datum.dash !== 'diagonal'" }],
          encoding: {
            x: { field: 'predicted', type: 'quantitative', ...axis },
            y: { field: 'observed', type: 'quantitative', ...axis },
            detail: { field: 'series', type: 'nominal' },
            color: { field: 'model', type: 'nominal', scale: colorScale, legend: { title: null, orient: 'bottom' } },
            strokeDash: {
              field: 'dash',
              type: 'nominal',
              scale: {
                domain: ['k = all', 'few-shot k'],
                range: [
                  [1, 0],
                  [5, 3],
                ],
              },
              legend: { title: null, orient: 'bottom' },
            },
            order: { field: 'predicted', type: 'quantitative' },
          },
        },
        {
          mark: { type: 'point', filled: true, opacity: 0.8 },
          transform: [{ filter: "datum.dash !== 'diagonal'" }],
          encoding: {
            x: { field: 'predicted', type: 'quantitative', ...axis },
            y: { field: 'observed', type: 'quantitative', ...axis },
            color: { field: 'model', type: 'nominal', scale: colorScale, legend: null },
            size: { field: 'count', type: 'quantitative', legend: null, scale: { range: [10, 120] } },
          },
        },
      ],
    },
  } as TopLevelSpec;
}
