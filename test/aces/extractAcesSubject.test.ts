import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractAcesSubject, planAces } from '../../src/aces/extractAcesSubject.ts';
import { parseAcesConfig } from '../../src/aces/parseAcesConfig.ts';
import { timelineBuilder } from '../../src/aces/subjectTimeline.ts';
import type { Event } from '../../src/types.ts';
import { isoMs } from './acesFixtures.ts';

// Subject 2 of the doctests of ACES's boolean_expr_bound_sum (src/aces/aggregate.py): rows 3..7,
// the event bound at rows 4 and 7, predicate C at rows 5 and 7.
const ROWS: [string, string[]][] = [
  ['1989-12-02T12:03:00', ['A', 'B']],
  ['1989-12-04T13:14:00', ['A', 'BOUND']],
  ['1989-12-06T15:17:00', ['A', 'B', 'C']],
  ['1989-12-08T16:22:00', ['B']],
  ['1989-12-10T03:07:00', ['B', 'C', 'BOUND']],
];
const events: Event[] = ROWS.flatMap(([time, codes]) =>
  codes.map((code) => ({ subjectId: 2, time: isoMs(time), code, numericValue: null, textValue: null })),
);
const rowOf = new Map(ROWS.map(([time], i) => [isoMs(time), i + 3]));

/** For each row as the only trigger: "<row the bound picked> <C in the window>", or null when no label. */
function run(window: string, side: 'start' | 'end', startInclusive: boolean, endInclusive: boolean): (string | null)[] {
  const text = `
predicates:
  t: {code: T}
  bound: {code: BOUND}
  c: {code: C}
trigger: t
windows:
  w:
    ${window}
    start_inclusive: ${startInclusive}
    end_inclusive: ${endInclusive}
    index_timestamp: ${side}
    label: c
`;
  const config = parseAcesConfig({ text, file: 'bound.yaml' });
  const plan = planAces(config);
  const build = timelineBuilder(config);
  return ROWS.map(([time]) => {
    const trigger: Event = { subjectId: 2, time: isoMs(time), code: 'T', numericValue: null, textValue: null };
    const labels = extractAcesSubject(
      build({ subjectId: 2, events: [...events, trigger].sort((a, b) => (a.time as number) - (b.time as number)) }),
      plan,
    );
    assert.ok(labels.length <= 1);
    const l = labels[0];
    return l === undefined ? null : `${rowOf.get(l.predictionTime)} ${String(l.booleanValue)}`;
  });
}

describe('event-bound window ends, as ACES computes them', () => {
  // ACES's doctests give, for each row, the bound row and the counts; `start -> bound` from a
  // trigger row is its row_to_bound mode, `end <- bound` its bound_to_row mode. An end may fall on
  // its reference time only when that end is inclusive.
  it('start -> bound: the next bound, at the reference itself only when the end is inclusive', () => {
    const fwd = 'start: trigger\n    end: start -> bound';
    assert.deepEqual(run(fwd, 'end', true, true), ['4 false', '4 false', '7 true', '7 true', '7 true']);
    assert.deepEqual(run(fwd, 'end', false, false), ['4 false', '7 true', '7 false', '7 false', null]);
    assert.deepEqual(run(fwd, 'end', true, false), ['4 false', '7 true', '7 true', '7 false', null]);
    assert.deepEqual(run(fwd, 'end', false, true), ['4 false', '4 false', '7 true', '7 true', '7 false']);
  });

  it('end <- bound: the previous bound, at the reference itself only when the start is inclusive', () => {
    const back = 'start: end <- bound\n    end: trigger';
    assert.deepEqual(run(back, 'start', true, true), [null, '4 false', '4 true', '4 true', '7 true']);
    assert.deepEqual(run(back, 'start', false, false), [null, null, '4 false', '4 true', '4 true']);
    assert.deepEqual(run(back, 'start', true, false), [null, '4 false', '4 false', '4 true', '7 false']);
    assert.deepEqual(run(back, 'start', false, true), [null, null, '4 true', '4 true', '4 true']);
  });
});
