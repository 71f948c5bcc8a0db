import type { K, MacroSummary } from '../eval/runEvaluation.ts';
import { aggregateKey, finiteMean, type RunAggregate } from './aggregateRuns.ts';

/** Level of a curve: the macro average, one task group, or one task. */
export type CurveScope = 'macro' | 'group' | 'task';

/** One point of a few-shot curve with its band. */
export interface CurvePoint {
  readonly scope: CurveScope;
  /** `macro`, the group name or the task name. */
  readonly panel: string;
  /** `featureSet|head`. */
  readonly model: string;
  readonly k: K;
  /** The AUROC of results.json's `macro` entry (macroAuroc, groups[g] or tasks[t]). */
  readonly value: number;
  /** Band: the per-run 95% bootstrap bounds, averaged exactly like the value (NaN if none). */
  readonly lower: number;
  readonly upper: number;
  /** Tasks behind the point (fewer than the panel's tasks where some were skipped at this k). */
  readonly tasks: number;
  /** Their names, sorted. */
  readonly taskNames: readonly string[];
}

/**
 * Few-shot curves from results.json's `macro` entries. The line is the published value; the
 * band averages the per-run bootstrap bounds the same way the value averages estimates
 * (replicates, then tasks within a group, then groups). So the band shows how uncertain a
 * typical single run at that k is on this test set; it is not a confidence interval of the mean
 * over tasks, and it does not include the spread between replicates (the tables show that).
 */
export function fewShotCurves(macro: readonly MacroSummary[], aggregates: ReadonlyMap<string, RunAggregate>): CurvePoint[] {
  const out: CurvePoint[] = [];
  for (const m of macro) {
    const model = `${m.featureSet}|${m.head}`;
    const taskBounds = new Map<string, { group: string; lower: number; upper: number }>();
    for (const task of Object.keys(m.tasks)) {
      const a = aggregates.get(aggregateKey(task, model, m.k));
      if (a) taskBounds.set(task, { group: a.group, lower: a.auroc.lower, upper: a.auroc.upper });
    }
    const groupBounds = new Map<string, { lower: number[]; upper: number[]; tasks: number }>();
    for (const t of taskBounds.values()) {
      let g = groupBounds.get(t.group);
      if (!g) groupBounds.set(t.group, (g = { lower: [], upper: [], tasks: 0 }));
      g.lower.push(t.lower);
      g.upper.push(t.upper);
      g.tasks++;
    }
    const gl = new Map([...groupBounds].map(([g, b]) => [g, { lower: finiteMean(b.lower), upper: finiteMean(b.upper), tasks: b.tasks }]));
    out.push({
      scope: 'macro',
      panel: 'macro',
      model,
      k: m.k,
      value: m.macroAuroc,
      lower: finiteMean([...gl.values()].map((b) => b.lower)),
      upper: finiteMean([...gl.values()].map((b) => b.upper)),
      tasks: Object.keys(m.tasks).length,
      taskNames: Object.keys(m.tasks).sort(),
    });
    for (const [group, value] of Object.entries(m.groups)) {
      const b = gl.get(group);
      const taskNames = [...taskBounds]
        .filter(([, t]) => t.group === group)
        .map(([name]) => name)
        .sort();
      out.push({
        scope: 'group',
        panel: group,
        model,
        k: m.k,
        value,
        lower: b?.lower ?? NaN,
        upper: b?.upper ?? NaN,
        tasks: b?.tasks ?? 0,
        taskNames,
      });
    }
    for (const [task, value] of Object.entries(m.tasks)) {
      const b = taskBounds.get(task);
      out.push({
        scope: 'task',
        panel: task,
        model,
        k: m.k,
        value,
        lower: b?.lower ?? NaN,
        upper: b?.upper ?? NaN,
        tasks: 1,
        taskNames: [task],
      });
    }
  }
  return out;
}
