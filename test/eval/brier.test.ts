import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { brier } from '../../src/eval/brier.ts';
import { isUsageError } from '../../src/errors.ts';

interface RankingCase {
  name: string;
  yTrue: number[];
  scores: number[];
  brier: number | null;
}
const golden = JSON.parse(readFileSync(new URL('../golden/sklearn/ranking.json', import.meta.url), 'utf8')) as { cases: RankingCase[] };

test('Brier score matches scikit-learn brier_score_loss', () => {
  let checked = 0;
  for (const c of golden.cases) {
    if (c.brier === null) continue;
    assert.ok(Math.abs(brier(c.yTrue, c.scores) - c.brier) <= 1e-12, c.name);
    checked++;
  }
  assert.ok(checked >= 10);
});

test('Brier score by hand and input checks', () => {
  assert.equal(brier([1, 0], [0.75, 0.5]), (0.0625 + 0.25) / 2);
  assert.throws(
    () => brier([1, 0], [1.5, 0.5]),
    (e) => isUsageError(e) && /row 1/.test(e.message),
  );
  assert.throws(() => brier([], []), isUsageError);
  assert.throws(() => brier([1, 0], [Number.NaN, 0.5]), isUsageError);
});
