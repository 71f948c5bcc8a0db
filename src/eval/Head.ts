/** A prediction head as the few-shot runner sees it: select on validation, fit on train, score test. */
export interface HeadResult {
  /** Probabilities for the test rows. */
  readonly proba: Float64Array;
  /** Chosen hyperparameters (C for logistic regression; tree settings for GBM). */
  readonly chosen: Readonly<Record<string, number | string>>;
  /** Validation AUROC of the chosen setting. */
  readonly valAuroc: number;
}

/** Labelled rows, row-major. */
export interface Rows {
  readonly X: Float32Array;
  readonly y: Uint8Array;
}

/** A head: name plus the select-fit-predict step. */
export interface Head {
  readonly name: string;
  fitPredict(train: Rows, val: Rows, testX: Float32Array, dims: number): HeadResult;
}
