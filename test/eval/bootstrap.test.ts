import { test } from 'node:test';
import assert from 'node:assert/strict';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { bootstrapCI, pairedBootstrapTest } from '../../src/eval/bootstrap.ts';
import { auroc } from '../../src/eval/auroc.ts';
import { averagePrecision } from '../../src/eval/averagePrecision.ts';
import { brier } from '../../src/eval/brier.ts';
import { isUsageError } from '../../src/errors.ts';

/** A small test set: 40 subjects with 1-3 labels each, tied probabilities. */
function fixture() {
  const y: number[] = [];
  const p: number[] = [];
  const q: number[] = [];
  const ids: string[] = [];
  let s = 7;
  const rand = () => (s = (s * 48271) % 2147483647) / 2147483647;
  for (let subject = 0; subject < 40; subject++) {
    const rows = 1 + (subject % 3);
    for (let r = 0; r < rows; r++) {
      const label = rand() < 0.3 ? 1 : 0;
      y.push(label);
      p.push(Math.round((0.3 * label + 0.7 * rand()) * 10) / 10);
      q.push(Math.round(rand() * 10) / 10);
      ids.push(`s${subject}`);
    }
  }
  return { y, p, q, ids };
}

/** Quantile with linear interpolation (numpy default). */
function quantile(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!);
}

/** The slow, obvious bootstrap: materialise each resample's rows and call the public metrics. */
function naive(y: number[], scores: number[][], ids: string[], B: number, seed: number) {
  const subjects = [...new Set(ids)];
  const rowsOf = subjects.map((sub) => ids.flatMap((id, i) => (id === sub ? [i] : [])));
  const rng = xoroshiro128plus(seed);
  const draws: number[][][] = [];
  let skipped = 0;
  for (let b = 0; b < B; b++) {
    const rows: number[] = [];
    for (let k = 0; k < subjects.length; k++) rows.push(...rowsOf[uniformInt(rng, 0, subjects.length - 1)]!);
    const yy = rows.map((i) => y[i]!);
    if (yy.every((v) => v === yy[0])) {
      skipped++;
      continue;
    }
    draws.push(
      scores.map((sc) => {
        const ss = rows.map((i) => sc[i]!);
        return [auroc(yy, ss), averagePrecision(yy, ss), brier(yy, ss)];
      }),
    );
  }
  return { draws, skipped };
}

test('bootstrapCI equals an explicit subject resampling with the same random draws', () => {
  const { y, p, ids } = fixture();
  const B = 200;
  const got = bootstrapCI(y, p, ids, { seed: 11, resamples: B });
  const ref = naive(y, [p], ids, B, 11);
  assert.equal(got.skipped, ref.skipped);
  assert.equal(got.resamples, B);
  (['auroc', 'auprc', 'brier'] as const).forEach((name, m) => {
    const values = ref.draws.map((d) => d[0]![m]!).sort((a, b) => a - b);
    const interval = got.metrics[name]!;
    assert.ok(Math.abs(interval.lower - quantile(values, 0.025)) < 1e-12, `${name} lower`);
    assert.ok(Math.abs(interval.upper - quantile(values, 0.975)) < 1e-12, `${name} upper`);
  });
  assert.equal(got.metrics.auroc!.estimate, auroc(y, p));
  assert.equal(got.metrics.auprc!.estimate, averagePrecision(y, p));
  assert.ok(Math.abs(got.metrics.brier!.estimate - brier(y, p)) < 1e-15);
});

test('bootstrapCI is deterministic by seed and depends on it', () => {
  const { y, p, ids } = fixture();
  const a = bootstrapCI(y, p, ids, { seed: 3, resamples: 300, metrics: ['auroc'] });
  const b = bootstrapCI(y, p, ids, { seed: 3, resamples: 300, metrics: ['auroc'] });
  const c = bootstrapCI(y, p, ids, { seed: 4, resamples: 300, metrics: ['auroc'] });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.metrics.auroc, c.metrics.auroc);
  assert.deepEqual(Object.keys(a.metrics), ['auroc']);
  const iv = a.metrics.auroc!;
  assert.ok(iv.lower < iv.estimate && iv.estimate < iv.upper);
});

test('bootstrap resamples subjects, not rows: one subject holding all positives', () => {
  // Subject "a" has both positives; whenever it is not drawn the resample has one class.
  const y = [1, 1, 0, 0, 0, 0];
  const p = [0.9, 0.8, 0.1, 0.2, 0.3, 0.4];
  const ids = ['a', 'a', 'b', 'c', 'd', 'e'];
  const r = bootstrapCI(y, p, ids, { seed: 1, resamples: 1000, metrics: ['auroc'] });
  // Subject-level: P(a not drawn in 5 draws) = (4/5)^5 = 0.328. Row-level resampling would
  // instead skip when neither positive row is drawn in 6 draws: (4/6)^6 = 0.088.
  assert.ok(Math.abs(r.skipped / 1000 - 0.32768) < 0.05, `skipped ${r.skipped}`);
  assert.equal(r.metrics.auroc!.lower, 1);
});

test('bootstrapCI input errors are UsageErrors', () => {
  const { y, p, ids } = fixture();
  assert.throws(() => bootstrapCI(y, p, ids.slice(1), { seed: 1 }), isUsageError);
  assert.throws(
    () =>
      bootstrapCI(
        y.map(() => 0),
        p,
        ids,
        { seed: 1 },
      ),
    (e) => isUsageError(e) && /one class/.test(e.message),
  );
  assert.throws(
    () =>
      bootstrapCI(
        y,
        p.map((v) => v * 3),
        ids,
        { seed: 1 },
      ),
    (e) => isUsageError(e) && /probabilities/.test(e.message),
  );
  assert.throws(() => bootstrapCI(y, p, ids, { seed: 1, resamples: 0 }), isUsageError);
  assert.throws(() => bootstrapCI(y, p, ids, { seed: 1.5 }), isUsageError);
});

test('pairedBootstrapTest: p-value and interval by their documented definition', () => {
  const { y, p, q, ids } = fixture();
  const B = 300;
  const got = pairedBootstrapTest(y, p, q, ids, { seed: 5, resamples: B });
  const ref = naive(y, [p, q], ids, B, 5);
  const diff = auroc(y, p) - auroc(y, q);
  const draws = ref.draws.map((d) => d[0]![0]! - d[1]![0]!).sort((a, b) => a - b);
  const extreme = draws.filter((v) => Math.abs(v - diff) >= Math.abs(diff)).length;
  assert.ok(Math.abs(got.diff - diff) < 1e-15);
  assert.equal(got.skipped, ref.skipped);
  assert.ok(Math.abs(got.pValue - (1 + extreme) / (draws.length + 1)) < 1e-15);
  assert.ok(Math.abs(got.ci.lower - quantile(draws, 0.025)) < 1e-12);
  assert.ok(Math.abs(got.ci.upper - quantile(draws, 0.975)) < 1e-12);
});

test('pairedBootstrapTest: identical models give p = 1; a much better model gives a small p', () => {
  const { y, p, q, ids } = fixture();
  const same = pairedBootstrapTest(y, p, p, ids, { seed: 2, resamples: 500 });
  assert.equal(same.diff, 0);
  assert.equal(same.pValue, 1);
  assert.deepEqual(same.ci, { lower: 0, upper: 0 });
  const oracle = y.map((v, i) => v + 0.01 * q[i]!);
  const strong = pairedBootstrapTest(y, oracle, q, ids, { seed: 2, resamples: 2000 });
  assert.ok(strong.diff > 0.3);
  assert.ok(strong.pValue < 0.01, `p = ${strong.pValue}`);
  assert.ok(strong.ci.lower > 0);
  assert.deepEqual(pairedBootstrapTest(y, oracle, q, ids, { seed: 2, resamples: 2000 }), strong);
});
