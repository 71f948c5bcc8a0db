import type { CsrRows, Head, HeadResult, HeadSpec } from './Head.ts';
import { C_GRID, chooseC, selectC, type CScore } from './selectC.ts';
import type { FittedLogistic } from '../probe/logistic.ts';
import { csrMaxAbs, csrScaleColumns, csrScores, csrToDense, type CsrMatrix } from '../probe/csrMatrix.ts';
import { fitSparseLogisticPath } from '../probe/sparseLogistic.ts';

/**
 * Largest train + validation matrix (values) that the CSR entry point hands to the dense solver:
 * few-shot sets and small tasks keep the dense path (its Gram form is the fast one when rows are
 * fewer than features), larger ones use the CSR solver. Both reach the same certified optimum.
 */
export const LR_DENSE_MAX_VALUES = 1 << 25;

/** Settings of {@link logisticHead}: the C grid and the solver's (all plain data). */
export type LogisticHeadOptions = NonNullable<Extract<HeadSpec, { kind: 'lr' }>['options']>;

/**
 * The linear head of SPEC 5: max-abs scaling on train, L2 logistic regression with C chosen by
 * validation AUROC over the 12-value grid, refit on train. Test scores are the decision values
 * (for AUROC/AUPRC) and their probabilities (for Brier and calibration).
 *
 * @param options - C grid (default {@link C_GRID}) and solver settings (default `LOGISTIC_DEFAULTS`)
 */
export function logisticHead(options: LogisticHeadOptions = {}): Head {
  const grid = options.grid ?? C_GRID;
  return {
    name: 'lr',
    spec: { kind: 'lr', options },
    fitPredict(train, val, testX, dims) {
      const sel = selectC({ X: train.X, y: train.y }, { X: val.X, y: val.y }, dims, options);
      return result(sel.scores, sel.C, sel.probe.stop, sel.decisionFunction(testX));
    },
    fitPredictCsr(train, val, testX) {
      const d = train.X.nCols;
      if ((train.X.nRows + val.X.nRows) * d <= LR_DENSE_MAX_VALUES) {
        const sel = selectC({ X: csrToDense(train.X), y: train.y }, { X: csrToDense(val.X), y: val.y }, d, options);
        return result(sel.scores, sel.C, sel.probe.stop, foldedScores(sel.probe, sel.scaler.scale, testX));
      }
      const sel = selectCCsr(train, val, grid);
      return result(sel.scores, sel.probe.C, sel.probe.stop, foldedScores(sel.probe, sel.scale, testX));
    },
  };
}

/** {@link logisticHead} with the SPEC's grid and the default solver settings. */
export const lrHead: Head = logisticHead();

/** {@link selectC} on CSR rows: max-abs scale on train, the C grid on the CSR solver, C by validation AUROC (ties to the smaller C). */
export function selectCCsr(
  train: CsrRows,
  val: CsrRows,
  grid: readonly number[] = C_GRID,
): { probe: FittedLogistic; scale: Float64Array; scores: CScore[] } {
  const scale = csrMaxAbs(train.X);
  const fits = fitSparseLogisticPath(csrScaleColumns(train.X, scale), train.y, grid);
  const valX = csrScaleColumns(val.X, scale);
  const { probe, scores } = chooseC(fits, val.y, (fit) => csrScores(valX, fit.coef, fit.intercept));
  return { probe, scale, scores };
}

/** Decision values of raw CSR rows: the scaling folded into the weights (x_j / s_j * w_j = x_j * (w_j / s_j)). */
function foldedScores(probe: FittedLogistic, scale: Float64Array, X: CsrMatrix): Float64Array {
  const w = probe.coef;
  for (let j = 0; j < w.length; j++) w[j] = (w[j] as number) / (scale[j] as number);
  return csrScores(X, w, probe.intercept);
}

function result(cScores: readonly CScore[], C: number, stop: string, scores: Float64Array): HeadResult {
  const chosen = cScores.find((s) => s.C === C);
  const proba = scores.map((z) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))));
  // The fit certificate of the chosen C and the worst over the grid: results.json shows both,
  // and an uncertified fit is flagged there instead of passing silently.
  const worst = cScores.reduce((a, s) => Math.max(a, Number.isNaN(s.relGrad) ? Infinity : s.relGrad), 0);
  const uncertified = cScores.filter((s) => !s.converged).length;
  return {
    proba,
    scores,
    chosen: { C },
    valAuroc: chosen?.auroc ?? NaN,
    fit: { relGrad: chosen?.relGrad ?? NaN, worstRelGrad: worst, uncertified, stop },
  };
}
