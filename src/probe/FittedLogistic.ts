import type { FeatureMatrix } from './FeatureMatrix.ts';
import { linearScores } from './linearScores.ts';
import { sigmoid } from './sigmoid.ts';
import { UsageError } from '../errors.ts';

/**
 * How a fit ended: `certified` (met `tol`); `maxIter`; `lineSearch` (no step lowered f);
 * `nonFinite` (f or its gradient overflowed); `rankCut` (the reduced problem was certified but
 * the original one was not, and no iterations were left to finish).
 */
export type LogisticStop = 'certified' | 'maxIter' | 'lineSearch' | 'nonFinite' | 'rankCut';

/** JSON form of a {@link FittedLogistic} (`toJSON()` / `FittedLogistic.fromJSON()`). */
export interface LogisticJSON {
  readonly kind: 'logistic';
  readonly version: 1;
  readonly coef: number[];
  readonly intercept: number;
  readonly C: number;
  readonly nIter: number;
  readonly converged: boolean;
  /** The certificate `||grad f||_2 / max(1, |f|)` at the fit (absent in files from before it). */
  readonly relGrad?: number;
  readonly featureNames?: string[];
}

/** A fitted logistic regression. Immutable: `coef` returns a copy. */
export class FittedLogistic {
  readonly #coef: Float64Array;
  /** Intercept (bias), not penalised. */
  readonly intercept: number;
  /** The `C` it was fitted with. */
  readonly C: number;
  /** Newton iterations used. */
  readonly nIter: number;
  /** True when the fit is certified: `relGrad <= tol`. */
  readonly converged: boolean;
  /**
   * The certificate, `||grad f||_2 / max(1, |f|)` on the original problem at the returned
   * coefficients (NaN for probes read from files written before it was recorded).
   */
  readonly relGrad: number;
  /** How the fit ended (see {@link LogisticStop}). */
  readonly stop: LogisticStop;
  /** Feature names given at fit time, if any. */
  readonly featureNames: readonly string[] | undefined;

  /** Build from fitted values (use {@link fitLogistic} or {@link FittedLogistic.fromJSON}); copies `coef`. */
  constructor(fields: {
    coef: ArrayLike<number>;
    intercept: number;
    C: number;
    nIter: number;
    converged: boolean;
    relGrad?: number;
    stop?: LogisticStop;
    featureNames?: readonly string[] | undefined;
  }) {
    this.#coef = Float64Array.from(fields.coef);
    this.intercept = fields.intercept;
    this.C = fields.C;
    this.nIter = fields.nIter;
    this.converged = fields.converged;
    this.relGrad = fields.relGrad ?? Number.NaN;
    this.stop = fields.stop ?? (fields.converged ? 'certified' : 'maxIter');
    this.featureNames = fields.featureNames === undefined ? undefined : Object.freeze([...fields.featureNames]);
    Object.freeze(this);
  }

  /** Coefficients, one per feature (a fresh copy). */
  get coef(): Float64Array {
    return this.#coef.slice();
  }

  /** Number of features d. */
  get nFeatures(): number {
    return this.#coef.length;
  }

  /**
   * Linear scores `X w + b` for a row-major n x d matrix.
   *
   * @throws UsageError when `X.length` is not a multiple of d.
   */
  decisionFunction(X: FeatureMatrix): Float64Array {
    const d = this.#coef.length;
    if (X.length % d !== 0) {
      throw new UsageError(`feature matrix has ${X.length} values, not a multiple of ${d} features`, { field: 'features' });
    }
    const out = new Float64Array(X.length / d);
    return linearScores(X, this.#coef, this.intercept, d, out);
  }

  /** Probability of the positive class for each row of a row-major n x d matrix. */
  predictProba(X: FeatureMatrix): Float64Array {
    const z = this.decisionFunction(X);
    for (let i = 0; i < z.length; i++) z[i] = sigmoid(z[i] as number);
    return z;
  }

  /** Plain JSON (numbers round-trip exactly through `JSON.stringify`). */
  toJSON(): LogisticJSON {
    const json: LogisticJSON = {
      kind: 'logistic',
      version: 1,
      coef: Array.from(this.#coef),
      intercept: this.intercept,
      C: this.C,
      nIter: this.nIter,
      converged: this.converged,
      ...(Number.isFinite(this.relGrad) ? { relGrad: this.relGrad } : {}),
    };
    return this.featureNames === undefined ? json : { ...json, featureNames: [...this.featureNames] };
  }

  /**
   * Rebuild a probe from {@link FittedLogistic.toJSON} output.
   *
   * @throws UsageError naming the bad field when `json` is not a valid logistic probe.
   */
  static fromJSON(json: unknown): FittedLogistic {
    const o = json as Partial<Record<keyof LogisticJSON, unknown>> | null;
    const bad = (field: string, expected: string): never => {
      throw new UsageError(`not a logistic probe: expected ${expected}`, { field });
    };
    if (typeof o !== 'object' || o === null) return bad('(root)', 'an object');
    if (o.kind !== 'logistic') bad('kind', '"logistic"');
    if (o.version !== 1) bad('version', '1');
    if (!Array.isArray(o.coef) || !o.coef.every((v) => typeof v === 'number' && Number.isFinite(v)))
      bad('coef', 'an array of finite numbers');
    if (typeof o.intercept !== 'number' || !Number.isFinite(o.intercept)) bad('intercept', 'a finite number');
    if (typeof o.C !== 'number' || !(o.C > 0)) bad('C', 'a positive number');
    if (typeof o.nIter !== 'number') bad('nIter', 'a number');
    if (typeof o.converged !== 'boolean') bad('converged', 'a boolean');
    if (o.relGrad !== undefined && typeof o.relGrad !== 'number') bad('relGrad', 'a number');
    const names = o.featureNames;
    if (
      names !== undefined &&
      (!Array.isArray(names) || names.length !== (o.coef as unknown[]).length || !names.every((s) => typeof s === 'string'))
    ) {
      bad('featureNames', 'one string per coefficient');
    }
    return new FittedLogistic({
      coef: o.coef as number[],
      intercept: o.intercept as number,
      C: o.C as number,
      nIter: o.nIter as number,
      converged: o.converged as boolean,
      ...(typeof o.relGrad === 'number' ? { relGrad: o.relGrad } : {}),
      featureNames: names as string[] | undefined,
    });
  }
}
