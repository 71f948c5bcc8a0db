/**
 * Count features of the EHRSHOT baseline (SPEC 5): for a subject at a prediction time, how often
 * each code occurred at or before it, optionally per time bin (0-30, 30-180, 180-365, 365+ days
 * before, and static) and per numeric-value decile of the code, plus age. The feature space is
 * fit on training rows only (codes and decile edges), so nothing from validation or test leaks
 * into it.
 */
import type { Event, Subject } from '../types.ts';

/** Options of the count features. */
export interface CountFeatureOptions {
  /** Count per time bin before the prediction time (default false). */
  readonly timeBins?: boolean;
  /** Count per decile of the code's numeric values, edges from training rows (default false). */
  readonly numericDeciles?: boolean;
  /** Add age in years at the prediction time (default true). */
  readonly age?: boolean;
  /** Keep features present in at least this many training rows (default 1). */
  readonly minTrainRows?: number;
  /** Keep at most this many features, the most frequent in training rows (default 20,000). */
  readonly maxFeatures?: number;
}

/** A fitted feature space. */
export interface CountFeatureSpace {
  readonly options: Required<CountFeatureOptions>;
  readonly featureNames: readonly string[];
  /** Decile edges (9 cut points) per code with numeric values in training rows. */
  readonly decileEdges: ReadonlyMap<string, readonly number[]>;
}

/** A sparse row: sorted feature indices and their values. */
export interface SparseRow {
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

const DAY = 86_400_000;
/** Names of the time bins, by {@link binSlot}. */
export const BIN_NAMES = ['0-30d', '30-180d', '180-365d', '365d+', 'static'] as const;

/** Options with their defaults filled in. */
export function defaults(o: CountFeatureOptions): Required<CountFeatureOptions> {
  return {
    timeBins: o.timeBins ?? false,
    numericDeciles: o.numericDeciles ?? false,
    age: o.age ?? true,
    minTrainRows: o.minTrainRows ?? 1,
    maxFeatures: o.maxFeatures ?? 20_000,
  };
}

/** Events usable at `t` (time <= t, static always), found by binary search on sorted events. */
export function usable(events: readonly Event[], t: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const et = (events[mid] as Event).time;
    if (et === null || et <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Time-bin slot 0..4 of an event at prediction time `t`: 0-30, 30-180, 180-365, 365+ days, static last. */
export function binSlot(ev: Event, t: number): number {
  if (ev.time === null) return 4;
  const days = (t - ev.time) / DAY;
  return days < 30 ? 0 : days < 180 ? 1 : days < 365 ? 2 : 3;
}

function binOf(ev: Event, t: number): string {
  return BIN_NAMES[binSlot(ev, t)] as string;
}

/** The 9 decile cut points of ascending values. */
export function decileEdges(sorted: readonly number[]): number[] {
  return [1, 2, 3, 4, 5, 6, 7, 8, 9].map((q) => quantileSorted(sorted, q / 10));
}

/**
 * The feature space's columns from the number of training rows each key occurs in: keys in at
 * least `minTrainRows` rows, the `maxFeatures` most frequent (ties by name), sorted by name, then
 * `age` when enabled.
 */
export function chooseFeatureNames(rowsWith: Iterable<readonly [string, number]>, o: Required<CountFeatureOptions>): string[] {
  const kept = [...rowsWith]
    .filter(([, n]) => n >= o.minTrainRows && n > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, o.maxFeatures);
  const featureNames = kept.map(([k]) => k).sort();
  if (o.age) featureNames.push('age');
  return featureNames;
}

/** Decile (1..10) of `v` given the 9 cut points. */
export function decile(edges: readonly number[], v: number): number {
  let q = 0;
  while (q < edges.length && v > (edges[q] as number)) q++;
  return q + 1;
}

/** Feature keys (with multiplicity) of a subject at `t`; `edges` null while fitting. */
function keysAt(
  subject: Subject,
  t: number,
  o: Required<CountFeatureOptions>,
  edges: ReadonlyMap<string, readonly number[]> | null,
): Map<string, number> {
  const out = new Map<string, number>();
  const add = (k: string): void => {
    out.set(k, (out.get(k) ?? 0) + 1);
  };
  const n = usable(subject.events, t);
  for (let i = 0; i < n; i++) {
    const ev = subject.events[i] as Event;
    add(ev.code);
    if (o.timeBins) add(`${ev.code}|${binOf(ev, t)}`);
    if (o.numericDeciles && edges && ev.numericValue !== null) {
      const e = edges.get(ev.code);
      if (e) add(`${ev.code}|q${decile(e, ev.numericValue)}`);
    }
  }
  return out;
}

/** Age in whole years at `t`, or NaN without a birth event. */
export function ageAt(subject: Subject, t: number): number {
  const birth = subject.events.find((e) => e.code === 'MEDS_BIRTH' && e.time !== null);
  if (!birth || birth.time === null) return NaN;
  return Math.floor((t - birth.time) / (365.25 * DAY));
}

/**
 * Fit the feature space on training rows: each training subject with its prediction times.
 */
export function fitCountFeatures(
  trainRows: Iterable<{ subject: Subject; times: readonly number[] }>,
  options: CountFeatureOptions = {},
): CountFeatureSpace {
  const o = defaults(options);
  const rowsWith = new Map<string, number>();
  const values = new Map<string, number[]>();
  const rows = [...trainRows];
  for (const { subject, times } of rows) {
    const last = Math.max(...times);
    if (o.numericDeciles) {
      // Values seen before the latest training prediction time of the subject.
      const n = usable(subject.events, last);
      for (let i = 0; i < n; i++) {
        const ev = subject.events[i] as Event;
        if (ev.numericValue !== null && Number.isFinite(ev.numericValue)) {
          let arr = values.get(ev.code);
          if (!arr) values.set(ev.code, (arr = []));
          arr.push(ev.numericValue);
        }
      }
    }
  }
  const edgesOf = new Map<string, number[]>();
  for (const [code, arr] of values) {
    arr.sort((a, b) => a - b);
    edgesOf.set(code, decileEdges(arr));
  }
  for (const { subject, times } of rows) {
    for (const t of times) for (const k of keysAt(subject, t, o, edgesOf).keys()) rowsWith.set(k, (rowsWith.get(k) ?? 0) + 1);
  }
  return { options: o, featureNames: chooseFeatureNames(rowsWith, o), decileEdges: edgesOf };
}

/** A row of the space for a subject at a prediction time. */
export function countRow(space: CountFeatureSpace, index: ReadonlyMap<string, number>, subject: Subject, t: number): SparseRow {
  const keys = keysAt(subject, t, space.options, space.decileEdges);
  const pairs: [number, number][] = [];
  for (const [k, n] of keys) {
    const i = index.get(k);
    if (i !== undefined) pairs.push([i, n]);
  }
  if (space.options.age) {
    const a = ageAt(subject, t);
    const i = index.get('age');
    if (i !== undefined && Number.isFinite(a)) pairs.push([i, a]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  return { indices: Int32Array.from(pairs, (p) => p[0]), values: Float32Array.from(pairs, (p) => p[1]) };
}

/** Feature name → column. */
export function featureIndex(space: CountFeatureSpace): Map<string, number> {
  return new Map(space.featureNames.map((n, i) => [n, i]));
}

/** Linear-interpolation quantile of a sorted array (numpy's default). */
export function quantileSorted(a: readonly number[], q: number): number {
  const pos = (a.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (a[lo] as number) + ((a[hi] as number) - (a[lo] as number)) * (pos - lo);
}
