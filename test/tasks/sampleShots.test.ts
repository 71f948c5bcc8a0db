import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleShots, SHOT_KS } from '../../src/tasks/sampleShots.ts';
import type { Label } from '../../src/types.ts';

// 300 subjects: ids % 10 < 6 train, < 8 tuning, else held_out; lab-style labels (integer class, no boolean).
const labels: Label[] = [];
for (let s = 0; s < 300; s++)
  for (let j = 0; j < 3; j++)
    labels.push({ subjectId: s, predictionTime: j * 1000, integerValue: (s * 7 + j) % 11 === 0 ? 1 + (s % 3) : 0 });
const splitOf = (id: number): string => (id % 10 < 6 ? 'train' : id % 10 < 8 ? 'tuning' : 'held_out');
const isPos = (i: number): boolean => (labels[i]?.integerValue ?? 0) > 0;

describe('few-shot samples', () => {
  const shots = sampleShots('anemia', labels, splitOf, { seed: 42 });

  it('k positives and k negatives per split, from that split only, lab classes binarized', () => {
    assert.equal(shots.replicates.length, 5);
    assert.deepEqual(Object.keys(shots.replicates[0]!).map(Number), [...SHOT_KS]);
    for (const rep of shots.replicates) {
      for (const k of SHOT_KS) {
        for (const split of ['train', 'tuning'] as const) {
          const set = rep[String(k)]![split];
          const pos = set.filter(isPos).length;
          assert.equal(pos, Math.min(k, shots.available[split].positives), `k=${k} ${split} positives`);
          assert.equal(set.length - pos, Math.min(k, shots.available[split].negatives), `k=${k} ${split} negatives`);
          assert.ok(set.every((i) => splitOf(labels[i]!.subjectId) === split));
          assert.deepEqual(
            set,
            [...set].sort((a, b) => a - b),
          );
        }
      }
    }
  });

  it('is nested: each k-set is inside every larger one of its replicate', () => {
    for (const rep of shots.replicates) {
      for (let i = 1; i < SHOT_KS.length; i++) {
        for (const split of ['train', 'tuning'] as const) {
          const small = new Set(rep[String(SHOT_KS[i - 1])]![split]);
          const big = new Set(rep[String(SHOT_KS[i])]![split]);
          assert.ok([...small].every((x) => big.has(x)));
        }
      }
    }
  });

  it('uses everything available when k is larger, and records which k were capped', () => {
    const pos = shots.available.train.positives;
    assert.ok(pos > 8 && pos < 128, `train positives ${pos}`);
    assert.ok(shots.capped.includes(128) && !shots.capped.includes(1));
    assert.equal(shots.replicates[0]!['128']!.train.filter(isPos).length, pos);
  });

  it('is reproducible bit for bit from the seed; replicates, seeds and tasks differ', () => {
    assert.equal(JSON.stringify(sampleShots('anemia', labels, splitOf, { seed: 42 })), JSON.stringify(shots));
    assert.notDeepEqual(shots.replicates[0]!['4'], shots.replicates[1]!['4']);
    assert.notDeepEqual(sampleShots('anemia', labels, splitOf, { seed: 43 }).replicates[0]!['4'], shots.replicates[0]!['4']);
    assert.notDeepEqual(sampleShots('hyponatremia', labels, splitOf, { seed: 42 }).replicates[0]!['4'], shots.replicates[0]!['4']);
  });

  it('handles a task without labels', () => {
    const empty = sampleShots('none', [], splitOf, { seed: 1, ks: [1, 2], replicates: 2 });
    assert.deepEqual(empty.replicates, [
      { '1': { train: [], tuning: [] }, '2': { train: [], tuning: [] } },
      { '1': { train: [], tuning: [] }, '2': { train: [], tuning: [] } },
    ]);
    assert.deepEqual(empty.capped, [1, 2]);
  });
});
