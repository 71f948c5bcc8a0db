/** The count-feature baseline as an evaluation feature set: sparse for heads that take CSR, dense on demand for the others. */
import type { CountFeatures } from '../features/buildCountFeatures.ts';
import { csrSelectRows, csrToDense } from '../probe/csrMatrix.ts';
import type { FeatureSet } from '../eval/runEvaluation.ts';

/**
 * A baseline {@link FeatureSet} over {@link CountFeatures}. `csr(task)` hands out the shared
 * matrix (no copy); `rows(task)` makes a dense float32 copy of the task's rows for heads without
 * CSR support (cached per task: at EHRSHOT size that copy is many GB, which is
 * why both built-in heads take CSR, and `--combine` reads the CSR rows).
 *
 * @param name - the set's name (`counts`, `counts-ext`).
 * @param heads - heads to run on it (default: all).
 */
export function countFeatureSet(name: string, cf: CountFeatures, heads?: readonly string[]): FeatureSet {
  const dense = new Map<string, Float32Array>();
  const empty = new Int32Array(0);
  return {
    name,
    baseline: true,
    dims: cf.matrix.nCols,
    ...(heads ? { heads } : {}),
    csr: (task) => ({ matrix: cf.matrix, rows: cf.rowsByTask.get(task) ?? empty }),
    rows(task) {
      let m = dense.get(task);
      if (!m) dense.set(task, (m = csrToDense(csrSelectRows(cf.matrix, cf.rowsByTask.get(task) ?? empty))));
      return m;
    },
  };
}
