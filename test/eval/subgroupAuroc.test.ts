import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auroc } from '../../src/eval/auroc.ts';
import { bootstrapCI } from '../../src/eval/bootstrap.ts';
import { ageBand, subgroupAuroc } from '../../src/eval/subgroupAuroc.ts';

test('age bands', () => {
  assert.equal(ageBand(0), '0-17');
  assert.equal(ageBand(17), '0-17');
  assert.equal(ageBand(18), '18-39');
  assert.equal(ageBand(64), '40-64');
  assert.equal(ageBand(79), '65-79');
  assert.equal(ageBand(103), '80+');
  assert.equal(ageBand(null), 'Unknown');
  assert.equal(ageBand(-1), 'Unknown');
});

test('per-group AUROC, counts, intervals, and a flag where a group is ranked far worse', () => {
  // 400 rows: group A ranks perfectly (score = label + noise below 1), group B at random.
  let s = 3;
  const rnd = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const n = 400;
  const y = Uint8Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0));
  const group = Array.from({ length: n }, (_, i) => (i % 8 < 4 ? 'A' : 'B'));
  const scores = Float64Array.from({ length: n }, (_, i) => (group[i] === 'A' ? (y[i] as number) + 0.9 * rnd() : rnd()));
  const subjects = Array.from({ length: n }, (_, i) => i);
  const overall = bootstrapCI(y, scores, subjects, { seed: 1, resamples: 300, metrics: ['auroc'] }).metrics.auroc!;
  const res = subgroupAuroc(y, scores, subjects, { sex: group, single: group.map(() => 'all') }, overall, { seed: 1, resamples: 300 });
  assert.deepEqual(
    res.map((r) => `${r.attribute}:${r.group}`),
    ['sex:A', 'sex:B'],
    'an attribute with one group is left out',
  );
  const [a, b] = res;
  assert.equal(a!.labels, 200);
  assert.equal(a!.positives, 50);
  const rowsA = [...Array(n).keys()].filter((i) => group[i] === 'A');
  assert.equal(
    a!.auroc!.estimate,
    auroc(
      rowsA.map((i) => y[i]!),
      rowsA.map((i) => scores[i]!),
    ),
  );
  assert.equal(a!.auroc!.estimate, 1);
  assert.ok(a!.flagged, 'perfect group lies above the overall interval');
  assert.ok(b!.flagged, 'random group lies below it');
  assert.ok(b!.auroc!.lower <= b!.auroc!.estimate && b!.auroc!.estimate <= b!.auroc!.upper);
});

test('a group with one class has counts but no AUROC', () => {
  const y = Uint8Array.from([0, 1, 0, 1, 0, 0]);
  const scores = Float64Array.from([0.1, 0.9, 0.2, 0.8, 0.3, 0.4]);
  const overall = { estimate: 1, lower: 0.9, upper: 1 };
  const res = subgroupAuroc(y, scores, [1, 2, 3, 4, 5, 6], { sex: ['F', 'F', 'F', 'F', 'M', 'M'] }, overall, { seed: 0, resamples: 50 });
  const m = res.find((r) => r.group === 'M')!;
  assert.equal(m.auroc, null);
  assert.equal(m.positives, 0);
  assert.equal(m.flagged, false);
});
