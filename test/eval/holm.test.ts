import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holm } from '../../src/eval/holm.ts';
import { isUsageError } from '../../src/errors.ts';

const close = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) < 1e-12);

test('Holm adjustment of a known example (R: p.adjust(p, "holm"))', () => {
  // Sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> running max 0.06.
  const got = holm([0.01, 0.04, 0.03, 0.005]);
  assert.ok(close(got, [0.03, 0.06, 0.06, 0.02]), String(got));
});

test('Holm caps at 1, keeps order, handles ties and the empty list', () => {
  // 0.2*3 = 0.6, 0.5*2 = 1, 0.9*1 = 0.9 -> running max 0.6, 1, 1.
  assert.ok(close(holm([0.5, 0.2, 0.9]), [1, 0.6, 1]));
  assert.ok(close(holm([0.02, 0.02]), [0.04, 0.04]));
  assert.ok(close(holm([0.7, 0.8]), [1, 1]));
  assert.deepEqual(holm([]), []);
  assert.deepEqual(holm([0.3]), [0.3]);
});

test('Holm rejects invalid p-values', () => {
  assert.throws(
    () => holm([0.1, Number.NaN]),
    (e) => isUsageError(e) && /row 2/.test(e.message),
  );
  assert.throws(() => holm([1.2]), isUsageError);
});
