import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { auroc } from '../../src/eval/auroc.ts';
import { isUsageError } from '../../src/errors.ts';

interface RankingCase {
  name: string;
  yTrue: number[];
  scores: number[];
  auroc: number;
}
const golden = JSON.parse(readFileSync(new URL('../golden/sklearn/ranking.json', import.meta.url), 'utf8')) as { cases: RankingCase[] };

test('AUROC matches scikit-learn roc_auc_score to 1e-9 (ties included)', () => {
  assert.ok(golden.cases.length >= 10);
  for (const c of golden.cases) {
    const got = auroc(c.yTrue, c.scores);
    assert.ok(Math.abs(got - c.auroc) <= 1e-9, `${c.name}: ${got} vs sklearn ${c.auroc}`);
  }
});

test('AUROC equals the pairwise definition with ties counted half', () => {
  let s = 12345;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let trial = 0; trial < 20; trial++) {
    const n = 5 + Math.floor(rand() * 60);
    const y = Array.from({ length: n }, (_, i) => (i < 2 ? i : rand() < 0.3 ? 1 : 0));
    const scores = Array.from({ length: n }, () => Math.floor(rand() * 5) / 4);
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (y[i] !== 1 || y[j] !== 0) continue;
        pairs++;
        wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
    }
    assert.ok(Math.abs(auroc(y, scores) - wins / pairs) < 1e-12);
  }
});

test('AUROC is invariant to monotone transforms and accepts typed arrays', () => {
  const y = Uint8Array.from([0, 1, 0, 1, 1, 0]);
  const s = Float64Array.from([0.1, 0.9, 0.4, 0.4, 0.8, 0.2]);
  assert.equal(
    auroc(y, s),
    auroc(
      y,
      Array.from(s, (v) => Math.exp(3 * v) - 7),
    ),
  );
});

test('AUROC with one class throws a UsageError', () => {
  assert.throws(
    () => auroc([1, 1, 1], [0.1, 0.2, 0.3]),
    (e) => isUsageError(e) && /only one class/.test(e.message),
  );
  assert.throws(() => auroc([0, 0], [0.1, 0.2]), isUsageError);
  assert.throws(() => auroc([], []), isUsageError);
});

test('AUROC rejects NaN scores and non-binary labels, naming the row', () => {
  assert.throws(
    () => auroc([0, 1, 1], [0.1, Number.NaN, 0.3]),
    (e) => isUsageError(e) && /row 2/.test(e.message) && /NaN/.test(e.message),
  );
  assert.throws(
    () => auroc([0, 2, 1], [0.1, 0.2, 0.3]),
    (e) => isUsageError(e) && /row 2/.test(e.message),
  );
  assert.throws(() => auroc([0, 1], [0.1, 0.2, 0.3]), isUsageError);
});
