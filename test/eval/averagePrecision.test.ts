import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { averagePrecision } from '../../src/eval/averagePrecision.ts';
import { isUsageError } from '../../src/errors.ts';

interface RankingCase {
  name: string;
  yTrue: number[];
  scores: number[];
  averagePrecision: number;
}
const golden = JSON.parse(readFileSync(new URL('../golden/sklearn/ranking.json', import.meta.url), 'utf8')) as { cases: RankingCase[] };

test('average precision matches scikit-learn average_precision_score to 1e-9 (ties included)', () => {
  for (const c of golden.cases) {
    const got = averagePrecision(c.yTrue, c.scores);
    assert.ok(Math.abs(got - c.averagePrecision) <= 1e-9, `${c.name}: ${got} vs sklearn ${c.averagePrecision}`);
  }
});

test('average precision groups tied scores into one threshold', () => {
  // One tied group holding 1 positive and 1 negative, then a positive: precision 1/2 at recall
  // 1/2, then 2/3 at recall 1 -> AP = 0.5 * 0.5 + 0.5 * 2/3.
  assert.ok(Math.abs(averagePrecision([1, 0, 1], [0.9, 0.9, 0.1]) - (0.25 + 1 / 3)) < 1e-15);
  // All scores tied: AP is the prevalence.
  assert.ok(Math.abs(averagePrecision([1, 0, 0, 0], [0.5, 0.5, 0.5, 0.5]) - 0.25) < 1e-15);
  assert.equal(averagePrecision([1, 1], [0.2, 0.4]), 1);
});

test('average precision without positives throws a UsageError', () => {
  assert.throws(
    () => averagePrecision([0, 0, 0], [0.1, 0.2, 0.3]),
    (e) => isUsageError(e) && /without positive/.test(e.message),
  );
  assert.throws(
    () => averagePrecision([0, 1], [0.1, Number.POSITIVE_INFINITY]),
    (e) => isUsageError(e) && /row 2/.test(e.message),
  );
});
