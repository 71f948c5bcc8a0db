// One contract for every fitted head (DESIGN convention 5, scikit-learn's estimator checks made
// type-safe), run for logistic regression and, when Debian libxgboost0 is present, XGBoost: fit
// returns an immutable object; predictProba gives one probability in [0, 1] per row; toJSON →
// JSON text → fromJSON predicts identically; fitting twice gives identical predictions; wrong
// shapes and bad labels are UsageErrors. Imports come from the public API, as a user's would.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitGbm, fitLogistic, FittedGbm, FittedLogistic, isUsageError, loadXGBoost } from '../../src/index.ts';
import { mulberry32 } from '../helpers/mulberry32.ts';

/** What the contract needs of a head. */
interface HeadUnderTest {
  readonly name: string;
  fit(X: Float64Array, y: Float64Array, d: number): { predictProba(X: Float64Array): Float64Array; toJSON(): unknown };
  fromJSON(json: unknown): { predictProba(X: Float64Array): Float64Array };
  /** Why this head cannot run here (undefined: it can). */
  readonly unavailable?: string;
}

function xgboostMissing(): string | undefined {
  try {
    loadXGBoost();
    return undefined;
  } catch (err) {
    return `XGBoost not loadable here (${(err as Error).message.slice(0, 80)})`;
  }
}

const HEADS: HeadUnderTest[] = [
  { name: 'logistic regression', fit: (X, y, d) => fitLogistic(X, y, d, { C: 1 }), fromJSON: (j) => FittedLogistic.fromJSON(j) },
  {
    name: 'XGBoost',
    // nThread 1: results do not depend on it, and concurrent test files share the cores.
    fit: (X, y, d) => fitGbm(X, y, d, { nEstimators: 20, maxDepth: 3, nThread: 1 }),
    fromJSON: (j) => {
      const g = FittedGbm.fromJSON(j);
      return { predictProba: (X: Float64Array) => g.predictProba(X, 1) };
    },
    ...(xgboostMissing() !== undefined ? { unavailable: xgboostMissing() } : {}),
  },
];

/** n rows, d features; y depends on the first two features plus noise (both classes present). */
function dataset(n: number, d: number, seed: number): { X: Float64Array; y: Float64Array } {
  const r = mulberry32(seed);
  const X = new Float64Array(n * d).map(() => r() * 2 - 1);
  const y = new Float64Array(n).map((_, i) => ((X[i * d] as number) + 0.5 * (X[i * d + 1] as number) + 0.3 * (r() - 0.5) > 0 ? 1 : 0));
  return { X, y };
}

function isUsage(pattern: RegExp): (err: unknown) => boolean {
  return (err) => isUsageError(err) && pattern.test(err.message);
}

for (const head of HEADS) {
  describe(`fitted head contract: ${head.name}`, { ...(head.unavailable !== undefined ? { skip: head.unavailable } : {}) }, () => {
    const d = 5;
    const train = dataset(200, d, 1);
    const test = dataset(37, d, 2);

    it('predicts one probability in [0, 1] per row, and learns the signal', () => {
      const p = head.fit(train.X, train.y, d).predictProba(test.X);
      assert.ok(p instanceof Float64Array);
      assert.equal(p.length, 37);
      for (const v of p) assert.ok(v >= 0 && v <= 1, `probability ${v}`);
      // Better than chance on held-out rows: mean probability higher for positives.
      const mean = (cls: number): number => {
        const idx = [...test.y.keys()].filter((i) => test.y[i] === cls);
        return idx.reduce((a, i) => a + (p[i] as number), 0) / idx.length;
      };
      assert.ok(mean(1) > mean(0) + 0.2, `positives ${mean(1)}, negatives ${mean(0)}`);
      assert.equal(head.fit(train.X, train.y, d).predictProba(new Float64Array(0)).length, 0);
    });

    it('toJSON → JSON text → fromJSON predicts identically', () => {
      const fitted = head.fit(train.X, train.y, d);
      const back = head.fromJSON(JSON.parse(JSON.stringify(fitted.toJSON())));
      assert.deepEqual(back.predictProba(test.X), fitted.predictProba(test.X));
    });

    it('is deterministic: two fits on the same data predict identically', () => {
      assert.deepEqual(head.fit(train.X, train.y, d).predictProba(test.X), head.fit(train.X, train.y, d).predictProba(test.X));
    });

    it('the fitted object is immutable', () => {
      const fitted = head.fit(train.X, train.y, d) as unknown as Record<string, unknown>;
      assert.ok(Object.isFrozen(fitted), 'frozen');
    });

    it('wrong shapes and bad labels are UsageErrors', () => {
      const fitted = head.fit(train.X, train.y, d);
      assert.throws(() => fitted.predictProba(new Float64Array(d + 1)), isUsage(/multiple of|features|columns/));
      assert.throws(() => head.fit(train.X.subarray(0, train.X.length - 1), train.y, d), isUsage(/./));
      assert.throws(() => head.fit(train.X, train.y.subarray(1), d), isUsage(/./));
      assert.throws(() => head.fit(train.X, new Float64Array(200).fill(1), d), isUsage(/class/));
      assert.throws(() => head.fit(train.X, new Float64Array(200).fill(2), d), isUsage(/./));
      assert.throws(() => head.fromJSON({ kind: 'something else' }), isUsage(/not a .* probe/));
    });
  });
}
