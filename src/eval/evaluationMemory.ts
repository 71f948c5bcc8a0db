/** The memory estimate of an evaluation: embedding feature sets, count features and their combinations (see `checkMemory`). */
import { wantsSolverMemory } from '../probe/solverMemory.ts';
import type { MemoryNeed } from '../memoryBudget.ts';
import { LR_DENSE_MAX_VALUES } from './lrHead.ts';
import { SPARSE_DENSE_MAX_COLS, SPARSE_FACTOR_MAX_COLS } from '../probe/sparseLogistic.ts';

/** Sizes an evaluation's memory depends on. */
export interface EvaluationSize {
  /** Per task: label rows, and labelled rows of train and tuning (the k = all fit). */
  readonly tasks: readonly { readonly name: string; readonly labels: number; readonly train: number; readonly tuning: number }[];
  /** Dense embedding feature sets and their dimensions. */
  readonly sets: readonly { readonly name: string; readonly dims: number }[];
  /** Heads that will run on them (`lr`, `gbm`). */
  readonly heads: readonly string[];
  /** Count-feature matrices (`counts`, `counts-ext`) built so far or being built (default none). */
  readonly counts?: readonly CountMatrixSize[];
  /**
   * `--combine`: embedding sets joined with the count features, each a dense float32 matrix of
   * every task's labels × `dims` (the embedding's, `embeddingDims`, plus the counts' columns),
   * kept for the run. Its training rows are in solver memory when the embedding set's are.
   */
  readonly combined?: readonly { readonly name: string; readonly dims: number; readonly embeddingDims?: number }[];
  /**
   * Fits that may run at once (`--workers`, default 1): with more, two k = all fits can overlap
   * (the next task's starts while the last one's finishes), each with its own copies.
   */
  readonly workers?: number;
}

/**
 * A count-feature matrix as the estimate sees it. Its stored entries are known only once the
 * streaming pass has seen the rows (`buildCountFeatures`): during the pass they are projected from
 * the rows built so far (`projected`), after it they are counted.
 */
export interface CountMatrixSize {
  /** The set's name (`counts`, `counts-ext`). */
  readonly name: string;
  /** Rows: distinct (subject, prediction time) of the tasks. */
  readonly rows: number;
  /** Stored entries (counted, or projected to all rows). */
  readonly entries: number;
  /** True when `entries` (and the per-task entries) are projected from part of the pass. */
  readonly projected: boolean;
  /** Columns (during the pass: the distinct features seen so far, capped as the column choice caps them). */
  readonly dims: number;
  /** Distinct features (before the column choice) held as strings by the pass. */
  readonly keys: number;
  /** Heads that will run on the set. */
  readonly heads: readonly string[];
  /** Per task: labelled rows and their stored entries, of train + tuning (the k = all fit) and held_out. */
  readonly tasks: readonly CountTaskSize[];
}

/** One task's share of a {@link CountMatrixSize}. */
export interface CountTaskSize {
  readonly name: string;
  readonly trainRows: number;
  /** Labelled train + tuning rows. */
  readonly fitRows: number;
  readonly fitEntries: number;
  /** Labelled held_out rows. */
  readonly testRows: number;
  readonly testEntries: number;
}

/** Heap bytes of one loaded label (object, split name, outcome): measured order of magnitude, rounded up. */
const LABEL_HEAP_BYTES = 256;
/**
 * Bytes per stored count entry of the matrix as the pass builds it: an int32 column and a float32
 * value (8), doubled because its arrays grow by doubling (at the last doubling the old arrays and
 * the new ones are both resident until the old are collected).
 */
const COUNT_ENTRY_BYTES = 16;
/** Per count row: the float64 row offset (doubling, as the entries) and the pass's (subject, time) maps. */
const COUNT_ROW_BYTES = 16 + 96;
/** Heap bytes per distinct count feature while the pass runs (its name string, map entries, per-feature counters). */
const COUNT_KEY_HEAP_BYTES = 192;

/**
 * What an evaluation allocates at its peak: every feature set's float32 buffer (all tasks are
 * loaded up front), the labels, and the largest k = all fit: the linear head's float64 copies of
 * the scaled train and tuning rows, the solver's float32 copy of the train rows and a d × d
 * float64 matrix, and XGBoost's float32 copy of the
 * same rows (its DMatrix) when the GBM head runs. One fit at a time, or up to `workers` (each
 * worker thread's fit holds its own copies; the feature buffers are shared, not copied).
 */
export function evaluationMemoryNeeds(s: EvaluationSize): MemoryNeed[] {
  const labels = s.tasks.reduce((a, t) => a + t.labels, 0);
  const needs: MemoryNeed[] = [{ what: `${labels.toLocaleString('en-US')} labels`, bytes: labels * LABEL_HEAP_BYTES, heap: true }];
  for (const set of s.sets) {
    needs.push({
      what: `feature set "${set.name}" (${labels.toLocaleString('en-US')} rows × ${set.dims.toLocaleString('en-US')} float32)`,
      bytes: labels * set.dims * 4,
    });
  }
  for (const c of s.counts ?? []) {
    const est = c.projected ? 'projected from the rows built so far' : 'counted';
    needs.push({
      what: `count matrix "${c.name}" (${c.rows.toLocaleString('en-US')} rows, ${Math.round(c.entries).toLocaleString('en-US')} stored entries ${est}; int32 column + float32 value, arrays grown by doubling)`,
      bytes: c.entries * COUNT_ENTRY_BYTES + c.rows * COUNT_ROW_BYTES,
    });
    needs.push({
      what: `count features "${c.name}" (${c.keys.toLocaleString('en-US')} distinct names)`,
      bytes: c.keys * COUNT_KEY_HEAP_BYTES,
      heap: true,
    });
  }
  for (const c of s.combined ?? []) {
    needs.push({
      what: `combined set "${c.name}" (${labels.toLocaleString('en-US')} rows × ${c.dims.toLocaleString('en-US')} float32, dense)`,
      bytes: labels * c.dims * 4,
    });
  }
  const denseFit = denseFitNeeds(s);
  const countFit = countFitNeed(s);
  // Count fits run in the main thread, dense ones in up to `workers` threads: the larger of the two.
  const denseBytes = denseFit.reduce((a, n) => a + n.bytes, 0);
  if (countFit && countFit.bytes > denseBytes) needs.push(countFit);
  else needs.push(...denseFit);
  return needs;
}

/**
 * Float64 vectors of d + 1 values a fit in place holds (Newton-CG's iterate, gradient, direction,
 * residual and preconditioner, the line search's trial point, the design's scratch): 16 bounds them.
 */
const IN_PLACE_VECTORS = 16;

/**
 * The dense k = all fits (embedding sets and `--combine` joins) that may run at once: one per
 * (task, set, head), the `workers` largest of them summed (each worker thread holds its own
 * copies; the feature buffers are shared). An embedding set's training rows of a wide primal fit
 * are loaded into solver memory (`probe/solverMemory.ts`) and fitted in place: only vectors of d.
 * Otherwise the logistic solver copies the train rows into its WebAssembly memory as float32
 * (validation rows scaled 1,024 at a time) and holds an n × n kernel matrix or d-sized vectors
 * beside it: min(n, d)^2 × 12 bytes bounds both. XGBoost copies train + tuning into its DMatrix
 * as float32.
 */
function denseFitNeeds(s: EvaluationSize): MemoryNeed[] {
  // Training rows in solver memory: a wide embedding set's, and its --combine join's when both are wide enough.
  const inPlace = (train: number, d: number, embeddingDims: number): boolean =>
    wantsSolverMemory(train, embeddingDims) && wantsSolverMemory(train, d);
  const sets = [
    ...s.sets.map((x) => ({ ...x, embeddingDims: x.dims })),
    ...(s.combined ?? []).map((x) => ({ ...x, embeddingDims: x.embeddingDims ?? 0 })),
  ].filter((x) => x.dims > 0);
  const fits: { what: string; bytes: number }[] = [];
  for (const t of s.tasks) {
    if (t.train <= 0) continue;
    for (const set of sets) {
      const d = set.dims;
      const rows = `${t.train.toLocaleString('en-US')} train rows × ${d.toLocaleString('en-US')}`;
      if (s.heads.includes('lr'))
        fits.push(
          inPlace(t.train, d, set.embeddingDims)
            ? {
                what: `logistic fit on "${set.name}" of task ${t.name} (${rows} read in place in solver memory; vectors of ${d.toLocaleString('en-US')})`,
                bytes: IN_PLACE_VECTORS * (d + 1) * 8,
              }
            : {
                what: `logistic fit on "${set.name}" of task ${t.name} (${rows} float32 in the solver, a ${Math.min(t.train, d).toLocaleString('en-US')}-square float64 matrix)`,
                bytes: t.train * d * 4 + Math.min(t.train, d) ** 2 * 12,
              },
        );
      if (s.heads.includes('gbm'))
        fits.push({
          what: `XGBoost on "${set.name}" of task ${t.name} (${(t.train + t.tuning).toLocaleString('en-US')} train + tuning rows × ${d.toLocaleString('en-US')} float32)`,
          bytes: (t.train + t.tuning) * d * 4,
        });
    }
  }
  fits.sort((a, b) => b.bytes - a.bytes);
  const atOnce = Math.max(1, Math.floor(s.workers ?? 1));
  return fits.slice(0, atOnce);
}

/**
 * The largest k = all fit on a count matrix: the task's selected rows copied (still CSR) for
 * train, tuning and held_out, then the larger of the heads' own copies. The linear head turns
 * train + tuning dense when they have at most {@link LR_DENSE_MAX_VALUES} values (a float32 copy
 * and the solver's own, with an n × n Gram matrix when rows are fewer than columns), else scales
 * them into float64 values beside the shared columns (plus two (d + 1)^2 float64 matrices, the
 * Hessian preconditioner, for 600 < d <= 4,096); XGBoost copies the entries into its DMatrix
 * (8 bytes each) and quantizes them for `hist` (up to 4 bytes each), and copies held_out to predict.
 */
function countFitNeed(s: EvaluationSize): MemoryNeed | undefined {
  let best: MemoryNeed | undefined;
  for (const c of s.counts ?? []) {
    for (const t of c.tasks) {
      const picks = (t.fitEntries + t.testEntries) * 8 + (t.fitRows + t.testRows) * 8;
      const d = Math.max(1, c.dims);
      let lr = 0;
      if (c.heads.includes('lr')) {
        if (t.fitRows * d <= LR_DENSE_MAX_VALUES) lr = t.fitRows * d * 4 + t.trainRows * d * 4 + Math.min(t.trainRows, d) ** 2 * 12;
        else {
          lr = t.fitEntries * 8 + (t.fitRows + d) * 8 * 16;
          // The CG preconditioner's Hessian and its Cholesky factor (sparseLogistic.ts).
          if (d > SPARSE_DENSE_MAX_COLS && d <= SPARSE_FACTOR_MAX_COLS) lr += 2 * (d + 1) ** 2 * 8;
        }
      }
      const gbm = c.heads.includes('gbm') ? t.fitEntries * 12 + t.testEntries * 8 + (t.fitRows + t.testRows) * 16 : 0;
      const bytes = picks + Math.max(lr, gbm);
      if (!best || bytes > best.bytes)
        best = {
          what: `fit on "${c.name}" of task ${t.name} (${t.fitRows.toLocaleString('en-US')} train + tuning rows with ${Math.round(t.fitEntries).toLocaleString('en-US')} entries, ${t.testRows.toLocaleString('en-US')} held_out rows; row copies and the ${c.heads.join('/')} head's own)`,
          bytes,
        };
    }
  }
  return best;
}
