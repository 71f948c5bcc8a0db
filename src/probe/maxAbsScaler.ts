/**
 * Max-abs scaling (SPEC section 5: "scale features by their max absolute value on the training
 * set"), equal to scikit-learn's `MaxAbsScaler`: each column is divided by its largest absolute
 * value on the training rows, so training values land in [-1, 1] and zeros stay zeros. Columns
 * whose max |x| is below `10 * eps` (all zero, in practice) are left unscaled (scale 1), as
 * scikit-learn's `_handle_zeros_in_scale` does.
 */
import { UsageError } from '../errors.ts';
import type { FeatureMatrix } from './FeatureMatrix.ts';

/** JSON form of a {@link FittedMaxAbsScaler}. */
export interface MaxAbsScalerJSON {
  readonly kind: 'maxAbsScaler';
  readonly version: 1;
  readonly scale: number[];
}

/** Fitted per-column scale. Immutable: `scale` returns a copy. */
export class FittedMaxAbsScaler {
  readonly #scale: Float64Array;

  /** Build from per-column scales (use {@link fitMaxAbsScaler}); copies `scale`. */
  constructor(scale: ArrayLike<number>) {
    this.#scale = Float64Array.from(scale);
    Object.freeze(this);
  }

  /** The divisor of each column (max |x| on the training rows, or 1 for all-zero columns). */
  get scale(): Float64Array {
    return this.#scale.slice();
  }

  /** Number of columns d. */
  get nFeatures(): number {
    return this.#scale.length;
  }

  /**
   * Scale a row-major n x d matrix into a new Float64Array (`x / scale`, bit-identical to
   * scikit-learn for float64 input).
   *
   * @throws UsageError when the length is not a multiple of d.
   */
  transform(X: FeatureMatrix): Float64Array {
    const d = this.#scale.length;
    if (X.length % d !== 0) {
      throw new UsageError(`feature matrix has ${X.length} values, not a multiple of ${d} features`, { field: 'features' });
    }
    const out = new Float64Array(X.length);
    const s = this.#scale;
    for (let o = 0; o < X.length; o += d) {
      for (let j = 0; j < d; j++) out[o + j] = (X[o + j] as number) / (s[j] as number);
    }
    return out;
  }

  /** Plain JSON. */
  toJSON(): MaxAbsScalerJSON {
    return { kind: 'maxAbsScaler', version: 1, scale: Array.from(this.#scale) };
  }

  /**
   * Rebuild from {@link FittedMaxAbsScaler.toJSON} output.
   *
   * @throws UsageError when `json` is not a valid scaler.
   */
  static fromJSON(json: unknown): FittedMaxAbsScaler {
    const o = json as Partial<Record<keyof MaxAbsScalerJSON, unknown>> | null;
    if (typeof o !== 'object' || o === null || o.kind !== 'maxAbsScaler' || o.version !== 1) {
      throw new UsageError('not a max-abs scaler: expected { kind: "maxAbsScaler", version: 1, scale }', { field: 'kind' });
    }
    if (!Array.isArray(o.scale) || !o.scale.every((v) => typeof v === 'number' && v > 0 && Number.isFinite(v))) {
      throw new UsageError('not a max-abs scaler: expected scale to be positive finite numbers', { field: 'scale' });
    }
    return new FittedMaxAbsScaler(o.scale as number[]);
  }
}

/**
 * Fit per-column max |x| on a row-major n x d training matrix.
 *
 * @param X - training features, row-major, `n * d` finite values (n >= 1).
 * @param d - number of columns.
 * @param featureNames - optional column names, used only in error messages.
 * @throws UsageError for a non-finite value (naming row and column), no rows, or a bad shape.
 */
export function fitMaxAbsScaler(X: FeatureMatrix, d: number, featureNames?: readonly string[]): FittedMaxAbsScaler {
  if (!(Number.isInteger(d) && d >= 1)) throw new UsageError(`number of features must be a positive integer, got ${d}`, { field: 'd' });
  if (X.length % d !== 0 || X.length === 0) {
    throw new UsageError(`feature matrix has ${X.length} values: need at least one row of ${d} features`, { field: 'features' });
  }
  const maxAbs = new Float64Array(d);
  for (let o = 0; o < X.length; o += d) {
    for (let j = 0; j < d; j++) {
      const v = X[o + j] as number;
      if (!Number.isFinite(v)) {
        throw new UsageError(`feature value must be finite, got ${v} (column ${j + 1} of ${d}, 1-based)`, {
          record: o / d + 1,
          field: featureNames?.[j] ?? `column ${j + 1}`,
        });
      }
      const a = Math.abs(v);
      if (a > (maxAbs[j] as number)) maxAbs[j] = a;
    }
  }
  const tiny = 10 * Number.EPSILON;
  for (let j = 0; j < d; j++) if ((maxAbs[j] as number) < tiny) maxAbs[j] = 1;
  return new FittedMaxAbsScaler(maxAbs);
}
