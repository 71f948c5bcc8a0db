import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calibration, MAX_SLOPE_SE, recalibrate } from '../../src/eval/calibration.ts';
import { isUsageError } from '../../src/errors.ts';

test('ECE over 10 equal-width bins, by hand', () => {
  // Bin [0.1, 0.2): 0.1, 0.1 with labels 0, 1 -> observed 0.5, mean 0.1; bin [0.9, 1]: 0.9, 1.0
  // with labels 1, 1 -> observed 1, mean 0.95. ECE = 0.5 * 0.4 + 0.5 * 0.05 = 0.225.
  const c = calibration([0, 1, 1, 1], [0.1, 0.1, 0.9, 1.0]);
  assert.equal(c.nBins, 10);
  assert.ok(Math.abs(c.ece - 0.225) < 1e-15, String(c.ece));
  assert.equal(c.bins[1]?.count, 2);
  assert.equal(c.bins[9]?.count, 2, 'p = 1 falls in the last bin');
  assert.ok(Math.abs((c.bins[9]?.meanPredicted ?? 0) - 0.95) < 1e-15);
  assert.equal(c.bins[5]?.meanPredicted, null);
  assert.equal(
    c.bins.reduce((a, b) => a + b.count, 0),
    4,
  );
});

test('a calibrated model has slope 1 and intercept 0; a sharpened one a slope below 1', () => {
  // Labels drawn from the predictions themselves (deterministic quantiles): perfect calibration.
  const n = 20000;
  const z = Float64Array.from({ length: n }, (_, i) => -3 + (6 * i) / (n - 1));
  const p = z.map((v) => 1 / (1 + Math.exp(-v)));
  // Within each run of 10 rows, the first round(10 p) are positive: frequency p up to rounding.
  const y = Uint8Array.from(p, (pi, i) => (i % 10 < Math.round(10 * pi) ? 1 : 0));
  const fit = recalibrate(y, z);
  assert.ok(fit !== null);
  assert.ok(Math.abs(fit.slope - 1) < 0.05, `slope ${fit.slope}`);
  assert.ok(Math.abs(fit.intercept) < 0.05, `intercept ${fit.intercept}`);
  // Doubling the logits: overconfident, slope about 1/2.
  const sharp = recalibrate(
    y,
    z.map((v) => 2 * v),
  );
  assert.ok(sharp !== null && Math.abs(sharp.slope - 0.5) < 0.03, `slope ${sharp?.slope}`);
  // calibration() uses given logits rather than logit(p) (p saturates at 1 for large logits).
  const c = calibration(y, p, z);
  assert.ok(c.slope !== null && Math.abs(c.slope - fit.slope) < 1e-12);
  assert.ok(c.ece < 0.02, `ece ${c.ece}`);
});

test('separating logits have no finite recalibration fit: null, not a huge number', () => {
  const c = calibration([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]);
  assert.equal(c.slope, null);
  assert.equal(c.intercept, null);
  assert.equal(c.slopeNull, 'separating');
});

test('near-constant logits (a heavily penalised head) give a null slope with its reason, not 1e3', () => {
  // 400 rows, 30% positive, logits -0.85 +- 1e-4 with a weak link to the label: the unpenalised
  // recalibration fit exists but is meaningless (slope in the thousands, larger standard error).
  const n = 400;
  const y = Uint8Array.from({ length: n }, (_, i) => (i % 10 < 3 ? 1 : 0));
  const z = Float64Array.from({ length: n }, (_, i) => -0.85 + 1e-4 * (Math.sin(i * 1.3) + 0.3 * (y[i]! - 0.3)));
  const raw = recalibrate(y, z);
  assert.ok(raw !== null && Math.abs(raw.slope) > 100 && raw.slopeSE > MAX_SLOPE_SE, `raw fit ${JSON.stringify(raw)}`);
  const p = z.map((v) => 1 / (1 + Math.exp(-v)));
  const c = calibration(y, p, z);
  assert.equal(c.slope, null);
  assert.equal(c.intercept, null);
  assert.equal(c.slopeNull, 'noSpread');
  assert.ok(c.ece > 0 && c.ece < 0.1, 'ECE is still reported');
  // Exactly constant logits: no fit at all.
  const flat = calibration(y, new Float64Array(n).fill(0.3), new Float64Array(n).fill(-0.85));
  assert.equal(flat.slope, null);
  assert.equal(flat.slopeNull, 'constant');
  // A model with real spread keeps its slope and has no reason field.
  const good = calibration(
    y,
    p,
    z.map((v, i) => v + 0.5 * (y[i]! - 0.3) + Math.sin(i)),
  );
  assert.ok(good.slope !== null && good.slopeNull === undefined);
});

test('bad inputs are UsageErrors', () => {
  assert.throws(
    () => calibration([0, 1], [0.5, 1.5]),
    (e) => isUsageError(e) && /\[0, 1\]/.test(e.message),
  );
  assert.throws(() => calibration([0, 2], [0.5, 0.5]), isUsageError);
  assert.throws(() => calibration([0, 1], [0.5]), isUsageError);
});
