import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractVisits, isCurrentVisit, visitKind } from '../../src/meds/visits.ts';
import { at, mimicPatient, SubjectBuilder } from '../serialize/fixtures.ts';

describe('extractVisits', () => {
  it('reads Visit/ events with extra.end and extra.visit_id', () => {
    const s = new SubjectBuilder(1)
      .visit('Visit/ERIP', 'a', at('2020-01-01T10:00'), at('2020-01-05T10:00'))
      .visit('Visit/OP', 'b', at('2020-02-01T10:00'), null)
      .visit('Visit/snf', 'c', at('2020-03-01T10:00'), at('2020-03-09T10:00'))
      .build();
    const v = extractVisits(s.events);
    assert.deepEqual(
      v.map((x) => [x.visitId, x.kind, x.end]),
      [
        ['a', 'inpatient', at('2020-01-05T10:00')],
        ['b', 'outpatient', null],
        ['c', 'other', at('2020-03-09T10:00')],
      ],
    );
    assert.ok(v.every((x) => x.partOf === null && x.membership === 'explicit' && x.endIndex === -1));
  });

  it('reads MIMIC-IV admissions, ED stays and nested ICU stays', () => {
    const s = mimicPatient();
    const v = extractVisits(s.events);
    assert.deepEqual(
      v.map((x) => [x.visitId.replace(/@.*/, ''), x.kind, x.partOf]),
      [
        ['ED_REGISTRATION', 'emergency', null],
        ['26369609', 'inpatient', null],
        ['icu-31338022', 'other', '26369609'],
      ],
    );
    const [ed, hadm, icu] = v;
    assert.equal(ed?.end, at('2175-04-05T17:10'));
    assert.equal(hadm?.end, at('2175-04-10T16:55'));
    assert.equal(icu?.end, at('2175-04-08T20:58'));
    assert.equal(s.events[hadm?.endIndex ?? -1]?.code, 'HOSPITAL_DISCHARGE//HOME');
    // Up to a time before the discharge, the stay has no end.
    const before = s.events.filter((e) => e.time === null || e.time <= at('2175-04-07T00:00'));
    assert.equal(extractVisits(before)[1]?.end, null);
  });

  it('ends an admission without hadm_id at the next discharge (MEDS with only the standard columns)', () => {
    const bare = mimicPatient().events.map(({ subjectId, time, code, numericValue, textValue }) => ({
      subjectId,
      time,
      code,
      numericValue,
      textValue,
    }));
    const withIds = extractVisits(mimicPatient().events).filter((x) => x.kind === 'inpatient');
    const without = extractVisits(bare).filter((x) => x.kind === 'inpatient');
    assert.equal(without.length, 1);
    assert.notEqual(withIds[0]?.end ?? null, null);
    assert.deepEqual(
      without.map((x) => [x.start, x.end, x.endIndex]),
      withIds.map((x) => [x.start, x.end, x.endIndex]),
    );
  });

  it('classifies visit codes', () => {
    assert.equal(visitKind('Visit/IP'), 'inpatient');
    assert.equal(visitKind('Visit/ERIP'), 'inpatient');
    assert.equal(visitKind('Visit/ER'), 'emergency');
    assert.equal(visitKind('Visit/OP'), 'outpatient');
    assert.equal(visitKind('Visit/AMB'), 'outpatient');
    assert.equal(visitKind('Visit/WELL'), 'outpatient');
    assert.equal(visitKind('Visit/XYZ'), 'other');
    assert.equal(visitKind('HOSPITAL_ADMISSION//URGENT//TRANSFER FROM HOSPITAL'), 'inpatient');
  });

  it('calls a visit current when it has no end or ends after the prediction time', () => {
    const [open, ended] = extractVisits(
      new SubjectBuilder(1)
        .visit('Visit/IP', 'a', at('2020-01-01T10:00'), null)
        .visit('Visit/IP', 'b', at('2020-02-01T10:00'), at('2020-02-03T10:00'))
        .build().events,
    );
    assert.ok(open && ended);
    assert.equal(isCurrentVisit(open, at('2021-01-01T00:00')), true);
    assert.equal(isCurrentVisit(ended, at('2020-02-02T00:00')), true);
    assert.equal(isCurrentVisit(ended, at('2020-02-03T10:00')), false);
    assert.equal(isCurrentVisit(ended, at('2020-01-15T00:00')), false); // not started
  });
});
