/** Summary statistics of a MEDS dataset, overall and per split (`ehr-embed stats`). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sqlString } from './duckdb.ts';
import type { MedsDataset } from './MedsDataset.ts';

/** Statistics of a set of subjects (the whole dataset or one split). */
export interface SplitStats {
  readonly subjects: number;
  readonly events: number;
  /** Events with a null time (static facts). */
  readonly staticEvents: number;
  readonly distinctCodes: number;
  /** Earliest and latest event time (ISO 8601), null when every event is static. */
  readonly timeRange: { readonly min: string | null; readonly max: string | null };
  /** Events per subject: median, 90th percentile (linear interpolation), maximum. */
  readonly eventsPerSubject: { readonly p50: number; readonly p90: number; readonly max: number };
  /** Share of events whose code has a description (0-1). */
  readonly describedEventShare: number;
  /** Share of distinct codes that have a description (0-1). */
  readonly describedCodeShare: number;
  /** The most frequent codes. */
  readonly topCodes: readonly { readonly code: string; readonly description: string | null; readonly count: number }[];
}

/** {@link SplitStats} for the whole dataset plus one entry per split. */
export interface DatasetStats extends SplitStats {
  readonly dir: string;
  readonly shards: number;
  readonly medsVersion: string | null;
  /** Per split; subjects missing from subject_splits.parquet are under `unassigned`. */
  readonly splits: Readonly<Record<string, SplitStats>>;
  /** A few subjects to start from (the ones with the most events), with their first and last event. */
  readonly exampleSubjects: readonly ExampleSubject[];
}

/** A subject listed by `ehr-embed stats` as a starting point for `serialize`. */
export interface ExampleSubject {
  readonly subjectId: number;
  /** The source id (metadata/subject_ids.parquet), when the dataset has one. */
  readonly sourceId: string | null;
  readonly split: string;
  readonly events: number;
  /** First and last timed event (ISO 8601), null when the subject has only static events. */
  readonly firstEvent: string | null;
  readonly lastEvent: string | null;
}

/** Options of {@link computeDatasetStats}. */
export interface StatsOptions {
  /** How many top codes to list (default 20). */
  readonly topN?: number;
  /** How many example subjects to list (default 5). */
  readonly examples?: number;
  /** Description lookup (default: the dataset's codes.parquet). */
  readonly describe?: (code: string) => string | null;
}

/** Compute {@link DatasetStats} with two aggregate queries over the shards. */
export async function computeDatasetStats(ds: MedsDataset, options: StatsOptions = {}): Promise<DatasetStats> {
  const topN = options.topN ?? 20;
  const describe = options.describe ?? ((c: string) => ds.describe(c));
  const splitsFile = join(ds.dir, 'metadata', 'subject_splits.parquet');
  const splitExpr = existsSync(splitsFile) ? `coalesce(s.split::VARCHAR, 'unassigned')` : `'unassigned'`;
  const joinSql = existsSync(splitsFile)
    ? `LEFT JOIN (SELECT DISTINCT subject_id, split FROM read_parquet(${sqlString(splitsFile)})) s USING (subject_id)`
    : '';
  const base = `SELECT d.subject_id, d.time, d.code, ${splitExpr} AS split FROM ${ds.dataRelation} d ${joinSql}`;
  const perSubject =
    await ds.query(`SELECT split, subject_id::DOUBLE AS sid, count(*)::DOUBLE AS n, count(*) FILTER (WHERE time IS NULL)::DOUBLE AS nstatic,
      min(epoch_us(time::TIMESTAMP))::DOUBLE AS tmin, max(epoch_us(time::TIMESTAMP))::DOUBLE AS tmax FROM (${base}) GROUP BY ALL`);
  const perCode = await ds.query(`SELECT split, code::VARCHAR AS code, count(*)::DOUBLE AS n FROM (${base}) GROUP BY ALL`);

  const groups = new Map<string, { subj: typeof perSubject; codes: typeof perCode }>();
  const group = (name: string): { subj: typeof perSubject; codes: typeof perCode } => {
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { subj: [], codes: [] }));
    return g;
  };
  for (const r of perSubject) group(String(r.split)).subj.push(r);
  for (const r of perCode) group(String(r.split)).codes.push(r);
  const order = ['train', 'tuning', 'held_out'];
  // Object.fromEntries makes own properties even for a split named `__proto__` (assignment would not).
  const splits: Record<string, SplitStats> = Object.fromEntries(
    [...groups.keys()]
      .sort((a, b) => rank(order, a) - rank(order, b) || a.localeCompare(b))
      .map((name) => {
        const g = groups.get(name) as { subj: typeof perSubject; codes: typeof perCode };
        return [name, summarize(g.subj, g.codes, describe, topN)];
      }),
  );
  // Overall codes: merge the per-split counts of each code.
  const merged = new Map<string, number>();
  for (const r of perCode) merged.set(String(r.code), (merged.get(String(r.code)) ?? 0) + (r.n as number));
  const overall = summarize(
    perSubject,
    [...merged].map(([code, n]) => ({ code, n })),
    describe,
    topN,
  );
  const iso = (us: unknown): string | null => (typeof us === 'number' && Number.isFinite(us) ? new Date(us / 1000).toISOString() : null);
  const exampleSubjects = [...perSubject]
    .sort((a, b) => (b.n as number) - (a.n as number) || (a.sid as number) - (b.sid as number))
    .slice(0, options.examples ?? 5)
    .map((r) => ({
      subjectId: r.sid as number,
      sourceId: ds.sourceIds.get(r.sid as number) ?? null,
      split: String(r.split),
      events: r.n as number,
      firstEvent: iso(r.tmin),
      lastEvent: iso(r.tmax),
    }));
  return { dir: ds.dir, shards: ds.shards.length, medsVersion: ds.metadata.medsVersion ?? null, ...overall, splits, exampleSubjects };
}

function rank(order: string[], s: string): number {
  const i = order.indexOf(s);
  return i < 0 ? order.length : i;
}

function summarize(
  subj: readonly Record<string, unknown>[],
  codes: readonly Record<string, unknown>[],
  describe: (code: string) => string | null,
  topN: number,
): SplitStats {
  const counts = subj.map((r) => r.n as number).sort((a, b) => a - b);
  const events = counts.reduce((a, b) => a + b, 0);
  let tmin = Infinity;
  let tmax = -Infinity;
  let staticEvents = 0;
  for (const r of subj) {
    staticEvents += r.nstatic as number;
    if (r.tmin !== null) tmin = Math.min(tmin, r.tmin as number);
    if (r.tmax !== null) tmax = Math.max(tmax, r.tmax as number);
  }
  let describedEvents = 0;
  let describedCodes = 0;
  const sorted = codes
    .map((r) => ({ code: String(r.code), count: r.n as number }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  for (const c of sorted) {
    if (describe(c.code) !== null) {
      describedEvents += c.count;
      describedCodes++;
    }
  }
  const iso = (us: number): string | null => (Number.isFinite(us) ? new Date(us / 1000).toISOString() : null);
  return {
    subjects: subj.length,
    events,
    staticEvents,
    distinctCodes: sorted.length,
    timeRange: { min: iso(tmin), max: iso(tmax) },
    eventsPerSubject: { p50: quantile(counts, 0.5), p90: quantile(counts, 0.9), max: counts[counts.length - 1] ?? 0 },
    describedEventShare: events > 0 ? describedEvents / events : 0,
    describedCodeShare: sorted.length > 0 ? describedCodes / sorted.length : 0,
    topCodes: sorted.slice(0, topN).map((c) => ({ code: c.code, description: describe(c.code), count: c.count })),
  };
}

/** Quantile of sorted numbers with linear interpolation (numpy's default, type 7). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}
