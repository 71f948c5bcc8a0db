import type { Label } from '../types.ts';
import type { AcesBoundary, AcesConfig, AcesWindow } from './AcesConfig.ts';
import type { SubjectTimeline } from './subjectTimeline.ts';

/** Why a trigger gave no label (counted by the caller, reported in summary.json). */
export type AcesSkipReporter = (reason: string) => void;

interface Step {
  readonly point: string;
  readonly parent: string;
  readonly boundary: AcesBoundary;
  /** Inclusivity of the earlier and the later end of the window this step spans. */
  readonly leftInclusive: boolean;
  readonly rightInclusive: boolean;
  readonly has: AcesWindow['has'];
  readonly window: string;
}

/** A config turned into steps, evaluated in order for each trigger. */
export interface AcesPlan {
  readonly config: AcesConfig;
  readonly steps: readonly Step[];
}

/**
 * Plan a config: each time point (`<window>.start` / `.end`) is computed from its parent, the
 * time point it references. A window's root end (the one defined from outside the window) spans
 * an unconstrained stretch from its reference, exclusive at both ends (as in ACES); the other end
 * spans the window itself, with the window's inclusivity and `has:` constraints.
 */
export function planAces(config: AcesConfig): AcesPlan {
  const byName = new Map(config.windows.map((w) => [w.name, w]));
  const steps: Step[] = [];
  for (const point of config.order) {
    if (point === 'trigger') continue;
    const [name, side] = point.split('.') as [string, 'start' | 'end'];
    const w = byName.get(name) as AcesWindow;
    const boundary = w[side];
    if (side === w.root) {
      steps.push({ point, parent: boundary.ref, boundary, leftInclusive: false, rightInclusive: false, has: new Map(), window: name });
    } else {
      steps.push({
        point,
        parent: `${name}.${w.root}`,
        boundary,
        leftInclusive: w.startInclusive,
        rightInclusive: w.endInclusive,
        has: w.has,
        window: name,
      });
    }
  }
  return { config, steps };
}

/**
 * ACES's extraction for one subject: every event time where the trigger predicate holds is a
 * candidate; its time points are computed in order, each window's `has:` constraints checked;
 * a candidate with every window realized gives one label at the index window's start or end,
 * whose value is whether the label predicate occurs in the label window. Event-bound ends take
 * the nearest matching event, and may fall on the reference time itself only when that end of
 * the window is inclusive; a record without such an event gives no label.
 */
export function extractAcesSubject(t: SubjectTimeline, plan: AcesPlan, onSkip: AcesSkipReporter = () => {}): Label[] {
  const cfg = plan.config;
  const n = t.times.length;
  if (n === 0) return [];
  if (!t.demographicsOk) {
    onSkip('patient_demographics not matched');
    return [];
  }
  const trig = t.counts.get(cfg.trigger) as Int32Array;
  const out: Label[] = [];
  const at = new Map<string, number>();
  candidates: for (let i = 0; i < n; i++) {
    if ((trig[i] as number) <= 0) continue;
    at.clear();
    at.set('trigger', t.times[i] as number);
    for (const s of plan.steps) {
      const p = at.get(s.parent) as number;
      let time: number;
      const b = s.boundary;
      if (b.kind === 'alias') time = p;
      else if (b.kind === 'offset') time = p + b.ms * 1000;
      else {
        const found = b.forward ? nextEvent(t, b.predicate, p, s.rightInclusive) : prevEvent(t, b.predicate, p, s.leftInclusive);
        if (found === null) {
          onSkip(`no ${b.predicate} event ${b.forward ? 'after' : 'before'} ${s.parent} (window ${s.window})`);
          continue candidates;
        }
        time = found;
      }
      at.set(s.point, time);
      for (const [pred, [min, max]] of s.has) {
        const c = countIn(t, pred, Math.min(p, time), Math.max(p, time), s.leftInclusive, s.rightInclusive);
        if ((min !== null && c < min) || (max !== null && c > max)) {
          onSkip(`window ${s.window}: ${pred} count ${c} outside (${min ?? 'None'}, ${max ?? 'None'})`);
          continue candidates;
        }
      }
    }
    const iw = cfg.indexWindow;
    const predictionUs = at.get(`${iw.name}.${iw.indexTimestamp}`) as number;
    const lw = cfg.labelWindow;
    if (lw === null) {
      out.push({ subjectId: t.subjectId, predictionTime: predictionUs / 1000 });
      continue;
    }
    const c = countIn(
      t,
      lw.label as string,
      at.get(`${lw.name}.start`) as number,
      at.get(`${lw.name}.end`) as number,
      lw.startInclusive,
      lw.endInclusive,
    );
    out.push({ subjectId: t.subjectId, predictionTime: predictionUs / 1000, booleanValue: c > 0 });
  }
  return out;
}

/** First index with times[i] >= x. */
function lowerBound(times: Float64Array, x: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with times[i] > x. */
function upperBound(times: Float64Array, x: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Count of a predicate over the times in [a, b] (each end in or out). */
function countIn(t: SubjectTimeline, pred: string, a: number, b: number, leftInclusive: boolean, rightInclusive: boolean): number {
  const pre = t.prefix.get(pred) as Float64Array;
  const lo = leftInclusive ? lowerBound(t.times, a) : upperBound(t.times, a);
  const hi = rightInclusive ? upperBound(t.times, b) : lowerBound(t.times, b);
  return hi > lo ? (pre[hi] as number) - (pre[lo] as number) : 0;
}

function nextEvent(t: SubjectTimeline, pred: string, from: number, inclusive: boolean): number | null {
  const counts = t.counts.get(pred) as Int32Array;
  for (let i = inclusive ? lowerBound(t.times, from) : upperBound(t.times, from); i < counts.length; i++)
    if ((counts[i] as number) > 0) return t.times[i] as number;
  return null;
}

function prevEvent(t: SubjectTimeline, pred: string, from: number, inclusive: boolean): number | null {
  const counts = t.counts.get(pred) as Int32Array;
  for (let i = (inclusive ? upperBound(t.times, from) : lowerBound(t.times, from)) - 1; i >= 0; i--)
    if ((counts[i] as number) > 0) return t.times[i] as number;
  return null;
}
