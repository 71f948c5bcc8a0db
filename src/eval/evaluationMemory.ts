/** The memory estimate of an evaluation with embedding feature sets (see `checkMemory`). */
import type { MemoryNeed } from '../memoryBudget.ts';

/** Sizes an evaluation's memory depends on. */
export interface EvaluationSize {
  /** Per task: label rows, and labelled rows of train and tuning (the k = all fit). */
  readonly tasks: readonly { readonly name: string; readonly labels: number; readonly train: number; readonly tuning: number }[];
  /** Dense embedding feature sets and their dimensions. */
  readonly sets: readonly { readonly name: string; readonly dims: number }[];
  /** Heads that will run on them (`lr`, `gbm`). */
  readonly heads: readonly string[];
  /**
   * Fits that may run at once (`--workers`, default 1): with more, two k = all fits can overlap
   * (the next task's starts while the last one's finishes), each with its own copies.
   */
  readonly workers?: number;
}

/** Heap bytes of one loaded label (object, split name, outcome): measured order of magnitude, rounded up. */
const LABEL_HEAP_BYTES = 256;

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
  const dims = Math.max(0, ...s.sets.map((x) => x.dims));
  const fitRows = Math.max(0, ...s.tasks.map((t) => t.train + t.tuning));
  const trainRows = Math.max(0, ...s.tasks.map((t) => t.train));
  const atOnce = Math.max(1, Math.floor(s.workers ?? 1));
  const times = atOnce > 1 ? `${atOnce} × ` : '';
  if (dims > 0 && s.heads.includes('lr')) {
    // Measured at 76,500 + 22,440 rows × 4,096 (bench/RESULTS.md): the float64 copies plus about
    // one float32 copy of the train rows inside the solver.
    needs.push({
      what: `${times}logistic fit (${fitRows.toLocaleString('en-US')} train + tuning rows × ${dims.toLocaleString('en-US')} scaled to float64, the solver's float32 copy of the train rows, a ${dims} × ${dims} matrix)`,
      bytes: atOnce * (fitRows * dims * 8 + trainRows * dims * 4 + dims * dims * 8),
    });
  }
  if (dims > 0 && s.heads.includes('gbm'))
    needs.push({
      what: `${times}XGBoost matrices (${fitRows.toLocaleString('en-US')} rows × ${dims.toLocaleString('en-US')} float32)`,
      bytes: atOnce * fitRows * dims * 4,
    });
  return needs;
}
