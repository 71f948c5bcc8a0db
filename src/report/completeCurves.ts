import type { K } from '../eval/runEvaluation.ts';
import type { CurvePoint } from './fewShotCurves.ts';

/** A point left off a macro or group curve because a different set of tasks is behind it. */
export interface CurveGap {
  readonly scope: CurvePoint['scope'];
  readonly panel: string;
  readonly model: string;
  readonly k: K;
  /** The tasks behind the left-off value. */
  readonly taskNames: readonly string[];
  /** The tasks behind the rest of the curve. */
  readonly curveTaskNames: readonly string[];
}

/**
 * Keep only the points of each macro and group curve whose value averages the same tasks as the
 * rest of that curve, so a line never joins means over different task sets (at a k where a rare
 * task was skipped, the mean of the others is not comparable and would show a dip or a jump).
 * The curve's task set is that of k = all when it ran, else the largest one. Left-off points are
 * returned as gaps, for the report to name. Task curves are one task each and always complete.
 */
export function completeCurves(points: readonly CurvePoint[]): { points: CurvePoint[]; gaps: CurveGap[] } {
  const curves = new Map<string, CurvePoint[]>();
  for (const p of points) {
    const key = `${p.scope}\u0000${p.panel}\u0000${p.model}`;
    let c = curves.get(key);
    if (!c) curves.set(key, (c = []));
    c.push(p);
  }
  const kept: CurvePoint[] = [];
  const gaps: CurveGap[] = [];
  for (const curve of curves.values()) {
    const atAll = curve.find((p) => p.k === 'all');
    const reference = (atAll ?? curve.reduce((a, b) => (b.taskNames.length > a.taskNames.length ? b : a))).taskNames;
    const same = (names: readonly string[]): boolean => names.length === reference.length && names.every((n, i) => n === reference[i]);
    for (const p of curve) {
      if (p.scope === 'task' || same(p.taskNames)) kept.push(p);
      else gaps.push({ scope: p.scope, panel: p.panel, model: p.model, k: p.k, taskNames: p.taskNames, curveTaskNames: reference });
    }
  }
  return { points: kept, gaps };
}
