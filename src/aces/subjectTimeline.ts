import type { Subject } from '../types.ts';
import { ANY_EVENT, RECORD_END, RECORD_START, type AcesConfig } from './AcesConfig.ts';
import { plainPredicateMatcher, type EventMatcher } from './plainPredicateMatcher.ts';

/**
 * One subject as ACES sees it: one row per distinct event time (an ACES "event"), with the count
 * of each predicate at that time, and whether each `patient_demographics` predicate matches a
 * static (time-less) row.
 */
export interface SubjectTimeline {
  readonly subjectId: number;
  /** Distinct event times, ascending, in integer microseconds (exact comparisons, as MEDS stores them). */
  readonly times: Float64Array;
  /** Predicate → count at each time (plain: matching rows; derived, `_ANY_EVENT`, record start/end: 0 or 1). */
  readonly counts: ReadonlyMap<string, Int32Array>;
  /** Predicate → prefix sums of `counts` (length times + 1): window counts by two lookups. */
  readonly prefix: ReadonlyMap<string, Float64Array>;
  /** True when every demographics predicate matched a static row (or there are none). */
  readonly demographicsOk: boolean;
}

/** Matchers of a config's plain predicates, made once per config. */
export interface TimelineBuilder {
  (subject: Subject): SubjectTimeline;
}

/**
 * Build subject timelines for a config: plain predicates count matching rows per time, derived
 * ones are then `and`/`or` of their inputs being positive at that time (as ACES evaluates them on
 * per-time counts), and the special predicates mark every time, the first and the last.
 */
export function timelineBuilder(config: AcesConfig): TimelineBuilder {
  const plain = config.predicates.filter((p) => p.type === 'plain').map((p) => ({ name: p.name, match: plainPredicateMatcher(p) }));
  const derived = config.predicates.filter((p) => p.type === 'derived');
  const demo: EventMatcher[] = config.demographics.map((p) => plainPredicateMatcher(p));
  return (subject) => {
    const events = subject.events;
    const times: number[] = [];
    const demoHit = demo.map(() => false);
    // Row index → time index, computed once; events are sorted with static rows first.
    for (const e of events) {
      if (e.time === null) {
        for (let k = 0; k < demo.length; k++) if (!demoHit[k] && (demo[k] as EventMatcher)(e)) demoHit[k] = true;
        continue;
      }
      const us = Math.round(e.time * 1000);
      if (times.length === 0 || times[times.length - 1] !== us) times.push(us);
    }
    const n = times.length;
    const timeArr = Float64Array.from(times);
    const counts = new Map<string, Int32Array>();
    for (const p of plain) counts.set(p.name, new Int32Array(n));
    let ti = -1;
    let last = NaN;
    for (const e of events) {
      if (e.time === null) continue;
      const us = Math.round(e.time * 1000);
      if (us !== last) {
        ti++;
        last = us;
      }
      for (const p of plain) {
        if (!p.match(e)) continue;
        const arr = counts.get(p.name) as Int32Array;
        arr[ti] = (arr[ti] as number) + 1;
      }
    }
    for (const d of derived) {
      const inputs = d.inputs.map((name) => counts.get(name) ?? special(name, n));
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        let v = d.op === 'and';
        for (const arr of inputs) {
          const pos = (arr[i] as number) > 0;
          if (d.op === 'and' ? !pos : pos) {
            v = !v;
            break;
          }
        }
        out[i] = v ? 1 : 0;
      }
      counts.set(d.name, out);
    }
    for (const s of [ANY_EVENT, RECORD_START, RECORD_END]) counts.set(s, special(s, n));
    const prefix = new Map<string, Float64Array>();
    for (const [name, arr] of counts) {
      const pre = new Float64Array(n + 1);
      for (let i = 0; i < n; i++) pre[i + 1] = (pre[i] as number) + (arr[i] as number);
      prefix.set(name, pre);
    }
    return { subjectId: subject.subjectId, times: timeArr, counts, prefix, demographicsOk: demoHit.every(Boolean) };
  };
}

function special(name: string, n: number): Int32Array {
  const a = new Int32Array(n);
  if (name === ANY_EVENT) a.fill(1);
  else if (name === RECORD_START && n > 0) a[0] = 1;
  else if (name === RECORD_END && n > 0) a[n - 1] = 1;
  return a;
}
