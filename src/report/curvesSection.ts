import type { K } from '../eval/runEvaluation.ts';
import type { ReportModel } from './buildReportModel.ts';
import { compareK } from './compareK.ts';
import { referenceSeriesName } from './curveChartSpec.ts';
import { EHRSHOT_REFERENCE, EHRSHOT_REFERENCE_LABEL } from './EHRSHOT_REFERENCE.ts';
import { formatMetric } from './formatMetric.ts';
import type { Block, Cell, Row, Section } from './ReportDocument.ts';

/** What the band around each curve is (shown under every curve chart and in the glossary). */
export const BAND_EXPLANATION =
  'The shaded band averages the 95% bootstrap intervals (test patients resampled) of the runs behind each point, in the same way the line averages their AUROC; it shows how uncertain a single run is on this test set, not a confidence interval of the average, and not the spread between replicates (the results table gives that range).';

/** Few-shot curves: macro chart with the published references, then groups and tasks, and the macro table. */
export function curvesSection(m: ReportModel): Section | null {
  if (m.input.evaluation.macro.length === 0) return null;
  const reps = m.input.evaluation.settings?.replicates;
  const lineText = `Lines: AUROC averaged over ${reps !== undefined ? `the ${reps} replicates` : 'the replicates'} of each numeric k (one run at "all"), then over tasks within each group, then over groups.`;
  const blocks: Block[] = [
    {
      kind: 'chart',
      chart: 'macro',
      title: 'Macro AUROC by number of training examples',
      caption: `${lineText} ${BAND_EXPLANATION} Dashed grey lines: ${EHRSHOT_REFERENCE_LABEL}; macro AUROC over its 4 task groups as published, for orientation only. Dotted line: chance (0.5). The k axis doubles at each step; "all" uses every training and validation label.`,
    },
    { kind: 'table', table: macroTable(m) },
  ];
  const gaps = gapNotes(m);
  if (gaps.length > 0) blocks.splice(1, 0, { kind: 'list', items: gaps });
  if (m.groups.length > 1) {
    blocks.push({
      kind: 'chart',
      chart: 'groups',
      title: 'AUROC by task group',
      caption: `One panel per task group: mean AUROC of its tasks. ${BAND_EXPLANATION}`,
    });
  }
  if (m.tasks.length > 0) {
    blocks.push({
      kind: 'chart',
      chart: 'tasks',
      title: 'AUROC by task',
      caption: `One panel per task (its group in parentheses): mean AUROC over replicates. ${BAND_EXPLANATION} Missing points are skipped runs.`,
    });
  }
  return { id: 'curves', title: 'Few-shot curves', blocks };
}

/**
 * Name the points left off the macro and group curves (a different task set behind them), one
 * line per panel and task set, so a missing point is explained rather than silently absent.
 */
function gapNotes(m: ReportModel): string[] {
  const byKey = new Map<string, { panel: string; ks: Set<K>; tasks: readonly string[]; curve: readonly string[]; models: Set<string> }>();
  for (const g of m.curveGaps) {
    const key = `${g.scope}\u0000${g.panel}\u0000${g.taskNames.join()}\u0000${g.curveTaskNames.join()}`;
    let e = byKey.get(key);
    if (!e)
      byKey.set(
        key,
        (e = {
          panel: g.scope === 'macro' ? 'the macro curve' : `the "${g.panel}" group curve`,
          ks: new Set(),
          tasks: g.taskNames,
          curve: g.curveTaskNames,
          models: new Set(),
        }),
      );
    e.ks.add(g.k);
    e.models.add(g.model);
  }
  return [...byKey.values()].map((e) => {
    const ks = [...e.ks]
      .sort(compareK)
      .map((k) => (k === 'all' ? 'all' : `k = ${k}`))
      .join(', ');
    return `Not plotted on ${e.panel} (${e.models.size === m.models.length ? 'every model' : [...e.models].join(', ')}): ${ks}, where the mean covers ${e.tasks.length === 0 ? 'no task' : e.tasks.join(', ')} instead of the curve's ${e.curve.join(', ')}. A line never joins means over different tasks; the table below keeps these values, marked \u2020.`;
  });
}

/** Tasks behind the macro values, grouped by task set, so every macro number says what it averages. */
function macroTaskNotes(m: ReportModel): string[] {
  const sets = new Map<string, Set<string>>();
  for (const model of m.models) {
    for (const k of m.ks) {
      const cell = m.macroOf(model.key, k);
      if (!cell) continue;
      const names = Object.keys(cell.summary.tasks).sort().join(', ');
      let ks = sets.get(names);
      if (!ks) sets.set(names, (ks = new Set()));
      ks.add(k === 'all' ? 'all' : `k=${k}`);
    }
  }
  if (sets.size === 0) return [];
  if (sets.size === 1) return [`Every macro value above averages the same tasks: ${[...sets.keys()][0] as string}.`];
  return [...sets].map(([names, ks]) => `Macro values at ${[...ks].join(', ')} average: ${names}.`);
}

function macroTable(m: ReportModel): { id: string; headers: Cell[]; bodies: Row[][]; notes: string[] } {
  const refKs = EHRSHOT_REFERENCE[0]?.points.map((p) => p.k) ?? [];
  const ks: K[] = [...new Set<K>([...m.ks, ...refKs])].sort(compareK);
  let partial = false;
  const rows: Row[] = m.models.map((model) => ({
    data: { model: model.key },
    cells: [
      { text: model.baseline ? `${model.label} (count baseline)` : model.label },
      ...ks.map((k): Cell => {
        const cell = m.macroOf(model.key, k);
        if (!cell) return { text: '\u2014', num: true };
        partial ||= cell.partial;
        return {
          text: formatMetric(cell.summary.macroAuroc) + (cell.partial ? ' \u2020' : ''),
          num: true,
          ...(cell.partial ? { cls: 'partial' } : {}),
          data: {
            model: model.key,
            k: String(k),
            macro: String(cell.summary.macroAuroc),
            tasks: String(Object.keys(cell.summary.tasks).length),
          },
        };
      }),
    ],
  }));
  const refs: Row[] = EHRSHOT_REFERENCE.map((r) => ({
    cls: 'reference',
    cells: [
      { text: referenceSeriesName(r.name) },
      ...ks.map((k): Cell => ({ text: formatMetric(r.points.find((p) => p.k === k)?.auroc), num: true })),
    ],
  }));
  const notes = [
    `Macro AUROC: mean over task groups of the mean AUROC of their tasks (each task: mean over replicates). Grey italic rows: ${EHRSHOT_REFERENCE_LABEL}, n/a where it published no value.`,
  ];
  notes.push(...macroTaskNotes(m));
  if (partial)
    notes.push(
      '\u2020 Fewer tasks than at other k (some runs were skipped at this k), so this mean covers a different set of tasks and is left off the curve.',
    );
  return {
    id: 'macro',
    headers: [{ text: 'Model' }, ...ks.map((k): Cell => ({ text: k === 'all' ? 'all' : `k=${k}`, num: true }))],
    bodies: [rows, refs],
    notes,
  };
}
