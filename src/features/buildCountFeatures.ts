/**
 * Count-feature matrices for evaluation tasks, as one CSR matrix ({@link CsrMatrix}) with a row
 * per distinct (subject, prediction time) of the tasks, built in one streaming pass over the MEDS
 * shards: subjects arrive one at a time and only their count rows are kept (about 8 bytes per
 * nonzero count), never the events. The feature space is fit on training rows only, exactly as
 * {@link fitCountFeatures} fits it: a feature is kept when it occurs in at least `minTrainRows`
 * training rows, the `maxFeatures` most frequent win (ties by name), columns are sorted by name,
 * `age` comes last. Rows record every feature they see under a provisional id; once the pass has
 * counted the training rows, the columns are chosen and the rows rewritten in place.
 *
 * Numeric-value deciles need their edges (from training values) before a value can be given its
 * decile, so with `numericDeciles` one earlier pass reads the training subjects' values (only
 * values, as one float64 each). Ontology expansion ({@link CountBuildOptions.parents}) has no
 * in-memory counterpart in `CountFeaturizer.ts`.
 *
 * Memory: 8 bytes per stored count (int32 column, float32 value) plus up to as much again while
 * the arrays grow by doubling; nothing per event is kept across subjects.
 */
import type { MedsDataset } from '../meds/MedsDataset.ts';
import type { Event } from '../types.ts';
import type { CsrMatrix } from '../probe/csrMatrix.ts';
import { csrSelectRows } from '../probe/csrMatrix.ts';
import {
  ageAt,
  BIN_NAMES,
  binSlot,
  chooseFeatureNames,
  decile,
  decileEdges,
  defaults,
  usable,
  type CountFeatureOptions,
  type CountFeatureSpace,
} from './CountFeaturizer.ts';

/** Labels of one task as needed here. */
export interface CountTaskInput {
  readonly name: string;
  readonly labels: readonly { readonly subjectId: number; readonly predictionTime: number }[];
  readonly split: readonly string[];
}

/** Options of {@link buildCountFeatures} beyond the feature space's own. */
export interface CountBuildOptions {
  /**
   * Ontology expansion (SPEC 5 "ontology parents", EHRSHOT's `is_ontology_expansion`): the direct
   * parents of a code (for a MEDS dataset, `parent_codes` of metadata/codes.parquet). Each event
   * then also counts, once, for every ancestor of its code (the transitive closure), in the plain
   * count and in its time bin; deciles stay with the event's own code. Default: no expansion.
   */
  readonly parents?: (code: string) => readonly string[];
  /**
   * Called after each subject's rows with the pass's progress, so a caller can stop it (by
   * throwing) before the matrix outgrows a memory budget: the stored entries are known only as
   * the rows are built (see `evaluationMemory.ts`). Default: none.
   */
  readonly onRows?: (p: CountPassProgress) => void;
}

/** Progress of the streaming pass (see {@link CountBuildOptions.onRows}). */
export interface CountPassProgress {
  /** Rows built so far, and in all (distinct (subject, prediction time) of the tasks). */
  readonly rows: number;
  readonly totalRows: number;
  /** Stored entries of the rows built so far (before the column choice drops any). */
  readonly entries: number;
  /** Distinct features seen so far (before the column choice). */
  readonly keys: number;
}

/** Count features of every task: one shared CSR matrix and, per task, the row of each label. */
export interface CountFeatures {
  readonly space: CountFeatureSpace;
  /** Columns (`space.featureNames.length`). */
  readonly dims: number;
  /** One row per distinct (subject, prediction time) of the tasks. */
  readonly matrix: CsrMatrix;
  /** Per task, the row of `matrix` for each label, in label order (-1: subject not in the dataset, an all-zero row). */
  readonly rowsByTask: ReadonlyMap<string, Int32Array>;
}

/** Key slots per code: plain count, 5 time bins, 10 deciles. */
const SLOTS = 16;
/** Provisional id of the age entry of a row. */
const AGE_ID = -2;

/** Growable typed array (doubling), so the pass never holds a JS array of numbers. */
class Grow<T extends Int32Array | Float32Array | Float64Array> {
  data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  /** Ensure index `i` exists (new slots zero). */
  reach(i: number): void {
    if (i < this.data.length) return;
    let n = this.data.length;
    while (n <= i) n *= 2;
    const next = this.make(n);
    next.set(this.data);
    this.data = next;
  }
  trimmed(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

/**
 * Build the count features of `tasks` from `ds` (see the module comment).
 *
 * @param options - timeBins (false), numericDeciles (false), age (true), minTrainRows (1),
 *   maxFeatures (20,000): as {@link fitCountFeatures}.
 */
export async function buildCountFeatures(
  ds: MedsDataset,
  tasks: readonly CountTaskInput[],
  options: CountFeatureOptions = {},
  build: CountBuildOptions = {},
): Promise<CountFeatures> {
  const o = defaults(options);
  // Distinct prediction times per subject, and which of them are training rows.
  const timesOf = new Map<number, Map<number, boolean>>();
  for (const t of tasks) {
    t.labels.forEach((l, i) => {
      let m = timesOf.get(l.subjectId);
      if (!m) timesOf.set(l.subjectId, (m = new Map()));
      m.set(l.predictionTime, (m.get(l.predictionTime) ?? false) || t.split[i] === 'train');
    });
  }
  let totalRows = 0;
  for (const m of timesOf.values()) totalRows += m.size;
  const decileEdges = o.numericDeciles ? await fitDecileEdges(ds, timesOf) : new Map<string, number[]>();

  const codeId = new Map<string, number>();
  const codeNames: string[] = [];
  const edgesOfCode: (readonly number[] | undefined)[] = [];
  const slotKey = new Grow((n) => new Int32Array(n).fill(-1));
  const keyNames: string[] = [];
  const trainRowsOf = new Grow((n) => new Int32Array(n));
  const acc = new Grow((n) => new Float64Array(n));
  const touched = new Grow((n) => new Int32Array(n));
  const indptr = new Grow((n) => new Float64Array(n));
  indptr.push(0);
  const ids = new Grow((n) => new Int32Array(n));
  const vals = new Grow((n) => new Float32Array(n));
  const firstRow = new Map<number, { row: number; times: Float64Array }>();
  let rows = 0;

  const keyOf = (c: number, slot: number, suffix: string): number => {
    const at = c * SLOTS + slot;
    slotKey.reach(at);
    let k = slotKey.data[at] as number;
    if (k < 0) {
      k = keyNames.length;
      keyNames.push(suffix === '' ? (codeNames[c] as string) : `${codeNames[c] as string}|${suffix}`);
      slotKey.data[at] = k;
      trainRowsOf.reach(k);
      acc.reach(k);
    }
    return k;
  };
  const idOfCode = (name: string): number => {
    let c = codeId.get(name);
    if (c === undefined) {
      c = codeNames.length;
      codeId.set(name, c);
      codeNames.push(name);
      edgesOfCode.push(decileEdges.get(name));
    }
    return c;
  };
  // Ancestors (transitive, the code itself excluded, each once) per code id, computed on first use.
  const ancestorsOf: (Int32Array | undefined)[] = [];
  const NONE = new Int32Array(0);
  const ancestors = (c: number): Int32Array => {
    const parents = build.parents;
    if (!parents) return NONE;
    let a = ancestorsOf[c];
    if (a) return a;
    const own = codeNames[c] as string;
    const seen = new Set<string>([own]);
    const stack = [...parents(own)];
    while (stack.length > 0) {
      const p = stack.pop() as string;
      if (seen.has(p)) continue;
      seen.add(p);
      stack.push(...parents(p));
    }
    seen.delete(own);
    a = Int32Array.from([...seen].sort(), idOfCode);
    ancestorsOf[c] = a;
    return a;
  };
  const add = (k: number): void => {
    if (acc.data[k] === 0) touched.push(k);
    acc.data[k] = (acc.data[k] as number) + 1;
  };

  for await (const s of ds.subjects()) {
    const tm = timesOf.get(s.subjectId);
    if (!tm) continue;
    const times = Float64Array.from(tm.keys()).sort();
    firstRow.set(s.subjectId, { row: rows, times });
    const events = s.events;
    const codes = new Int32Array(events.length);
    for (let i = 0; i < events.length; i++) codes[i] = idOfCode((events[i] as Event).code);
    // Without time bins a row's counts only grow with t, so one sweep serves every time.
    let from = 0;
    for (const t of times) {
      if (o.timeBins) {
        clear(acc.data, touched);
        from = 0;
      }
      const upto = usable(events, t);
      for (let i = from; i < upto; i++) {
        const ev = events[i] as Event;
        const c = codes[i] as number;
        add(keyOf(c, 0, ''));
        const b = o.timeBins ? binSlot(ev, t) : -1;
        if (b >= 0) add(keyOf(c, 1 + b, BIN_NAMES[b] as string));
        const anc = ancestors(c);
        for (let j = 0; j < anc.length; j++) {
          add(keyOf(anc[j] as number, 0, ''));
          if (b >= 0) add(keyOf(anc[j] as number, 1 + b, BIN_NAMES[b] as string));
        }
        const e = edgesOfCode[c];
        if (e && ev.numericValue !== null) {
          const q = decile(e, ev.numericValue);
          add(keyOf(c, 5 + q, `q${q}`));
        }
      }
      from = upto;
      const train = tm.get(t) === true;
      for (let j = 0; j < touched.length; j++) {
        const k = touched.data[j] as number;
        ids.push(k);
        vals.push(acc.data[k] as number);
        if (train) trainRowsOf.data[k] = (trainRowsOf.data[k] as number) + 1;
      }
      if (o.age) {
        const a = ageAt(s, t);
        if (Number.isFinite(a)) {
          ids.push(AGE_ID);
          vals.push(a);
        }
      }
      indptr.push(ids.length);
      rows++;
    }
    clear(acc.data, touched);
    build.onRows?.({ rows, totalRows, entries: ids.length, keys: keyNames.length });
  }

  // Columns from training rows, as fitCountFeatures chooses them.
  const featureNames = chooseFeatureNames(
    keyNames.map((name, k) => [name, trainRowsOf.data[k] as number] as const),
    o,
  );
  const colOfName = new Map(featureNames.map((n, i) => [n, i]));
  const colOf = new Int32Array(keyNames.length).fill(-1);
  keyNames.forEach((n, k) => (colOf[k] = colOfName.get(n) ?? -1));
  const ageCol = o.age ? featureNames.length - 1 : -1;
  const dims = featureNames.length;

  // Rewrite rows in place: provisional ids to columns, unknown features dropped, columns ascending.
  const I = ids.data;
  const V = vals.data;
  const P = indptr.data;
  const scratch = new Float64Array(Math.max(1, dims));
  let w = 0;
  let b = 0;
  for (let r = 0; r < rows; r++) {
    // P[r] already holds the rewritten start; the old one is the previous row's old end.
    const a = b;
    b = P[r + 1] as number;
    const start = w;
    for (let p = a; p < b; p++) {
      const k = I[p] as number;
      const col = k === AGE_ID ? ageCol : (colOf[k] as number);
      if (col < 0) continue;
      scratch[col] = V[p] as number;
      I[w++] = col;
    }
    const seg = I.subarray(start, w).sort();
    for (let p = 0; p < seg.length; p++) V[start + p] = scratch[seg[p] as number] as number;
    P[r + 1] = w;
  }
  const matrix: CsrMatrix = {
    nRows: rows,
    nCols: Math.max(1, dims),
    indptr: P.subarray(0, rows + 1),
    indices: I.subarray(0, w),
    values: V.subarray(0, w),
  };

  const rowsByTask = new Map<string, Int32Array>();
  for (const t of tasks) {
    rowsByTask.set(
      t.name,
      Int32Array.from(t.labels, (l) => {
        const f = firstRow.get(l.subjectId);
        if (!f) return -1;
        return f.row + lowerBound(f.times, l.predictionTime);
      }),
    );
  }
  return { space: { options: o, featureNames, decileEdges }, dims, matrix, rowsByTask };
}

/** The CSR rows of one task's labels, in label order (a copy; absent subjects give empty rows). */
export function taskCountMatrix(cf: CountFeatures, task: string): CsrMatrix {
  return csrSelectRows(cf.matrix, cf.rowsByTask.get(task) ?? new Int32Array(0));
}

/** Decile edges per code from the values of training subjects before their latest training time (as {@link fitCountFeatures}). */
async function fitDecileEdges(ds: MedsDataset, timesOf: ReadonlyMap<number, ReadonlyMap<number, boolean>>): Promise<Map<string, number[]>> {
  const values = new Map<string, Grow<Float64Array>>();
  for await (const s of ds.subjects()) {
    const tm = timesOf.get(s.subjectId);
    if (!tm) continue;
    let last = -Infinity;
    for (const [t, train] of tm) if (train && t > last) last = t;
    if (last === -Infinity) continue;
    const n = usable(s.events, last);
    for (let i = 0; i < n; i++) {
      const ev = s.events[i] as Event;
      if (ev.numericValue !== null && Number.isFinite(ev.numericValue)) {
        let g = values.get(ev.code);
        if (!g) values.set(ev.code, (g = new Grow((m) => new Float64Array(m))));
        g.push(ev.numericValue);
      }
    }
  }
  const edges = new Map<string, number[]>();
  for (const [code, g] of values) {
    const arr = g.trimmed().sort();
    edges.set(code, decileEdges(arr as unknown as number[]));
  }
  return edges;
}

function clear(acc: Float64Array, touched: Grow<Int32Array>): void {
  for (let j = 0; j < touched.length; j++) acc[touched.data[j] as number] = 0;
  touched.length = 0;
}

function lowerBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
