import type { CsrMatrix } from '../probe/csrMatrix.ts';

/** A prediction head as the few-shot runner sees it: select on validation, fit on train, score test. */
export interface HeadResult {
  /** Probabilities for the test rows (Brier score and calibration use these). */
  readonly proba: Float64Array;
  /**
   * Decision values for the test rows: the logits of `proba`, unrounded (the linear score
   * `X w + b` of logistic regression, whose probabilities round to exactly 1 at large C and so
   * make false ties). AUROC, AUPRC, the paired tests and the calibration slope use these.
   * Default: `proba` for the rank metrics, logit(proba) for the slope.
   */
  readonly scores?: Float64Array;
  /** Chosen hyperparameters (C for logistic regression; tree settings for GBM). */
  readonly chosen: Readonly<Record<string, number | string>>;
  /** Validation AUROC of the chosen setting. */
  readonly valAuroc: number;
  /** How well the fits were solved, for heads that certify them (logistic regression). */
  readonly fit?: FitCertificate;
}

/** The optimisation certificate of a head's fits (see `FittedLogistic.relGrad`). */
export interface FitCertificate {
  /** `||grad f||_2 / max(1, |f|)` of the chosen fit. */
  readonly relGrad: number;
  /** The largest relGrad over every fit of the grid. */
  readonly worstRelGrad: number;
  /** Fits of the grid that did not reach the certificate (0 when all did). */
  readonly uncertified: number;
  /** How the chosen fit ended (`certified` or why not). */
  readonly stop: string;
}

/** Labelled rows, row-major. */
export interface Rows {
  readonly X: Float32Array;
  readonly y: Uint8Array;
}

/** Labelled rows of a sparse (CSR) feature set such as the count features. */
export interface CsrRows {
  readonly X: CsrMatrix;
  readonly y: Uint8Array;
}

/**
 * A head as plain data, so a worker thread can rebuild it (see `FitPool` and `headFromSpec`):
 * logistic regression with its solver settings, or the GBM head.
 */
export type HeadSpec =
  | {
      readonly kind: 'lr';
      /** C grid and solver settings (defaults: the SPEC's grid, `LOGISTIC_DEFAULTS`). */
      readonly options?: {
        readonly grid?: readonly number[];
        readonly tol?: number;
        readonly maxIter?: number;
        readonly solver?: 'auto' | 'gram' | 'primal';
        readonly kernels?: 'auto' | 'js';
      };
    }
  | { readonly kind: 'gbm' };

/** A head: name plus the select-fit-predict step. */
export interface Head {
  readonly name: string;
  /**
   * The head as plain data: heads that have one run their dense fits in `FitPool` worker threads
   * when the evaluation has more than one worker; heads without one always run in-process.
   */
  readonly spec?: HeadSpec;
  fitPredict(train: Rows, val: Rows, testX: Float32Array, dims: number): HeadResult;
  /**
   * The same step on CSR rows (count features), without a dense copy of the large matrices.
   * Heads without it get dense rows from the feature set.
   */
  fitPredictCsr?(train: CsrRows, val: CsrRows, testX: CsrMatrix): HeadResult;
}
