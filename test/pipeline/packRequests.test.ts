import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import { packedTransfer, packRequests, unpackRequests } from '../../src/pipeline/packRequests.ts';
import type { PairRequest } from '../../src/pipeline/serializePairs.ts';
import type { Event } from '../../src/types.ts';
import { MIMIC_MEDS } from '../helpers/paths.ts';

/** Pack, send through a real structured clone with the buffers transferred, unpack. */
function roundTrip(requests: PairRequest[]): PairRequest[] {
  const packed = packRequests(requests);
  const sent = structuredClone(packed, { transfer: packedTransfer(packed) });
  assert.equal(packed.times.byteLength, 0, 'the columns were transferred, not copied');
  return unpackRequests(sent);
}

test('a batch of MIMIC-IV demo subjects packs into columns and unpacks to the same requests, keys in the same order', async () => {
  const ds = await openMedsDataset(MIMIC_MEDS);
  const requests: PairRequest[] = [];
  let events = 0;
  for await (const subject of ds.subjects()) {
    const last = subject.events.at(-1)?.time ?? 0;
    requests.push({ subject, times: [last, last + 1], slots: [[0], [0, 2]] });
    events += subject.events.length;
    if (requests.length === 40) break;
  }
  assert.ok(events > 10_000, `${events} events`);
  assert.ok(
    requests.some((r) => r.subject.events.some((e) => e.extra !== undefined)),
    'some events have extra columns',
  );
  const back = roundTrip(requests);
  assert.deepEqual(back, requests);
  assert.equal(JSON.stringify(back), JSON.stringify(requests), 'same key order, so anything that iterates them sees the same');
});

test('null times, null and NaN values, text values and extra shapes (null values included) survive the columns', () => {
  const ev = (o: Partial<Event>): Event => ({ subjectId: 7, time: 1000, code: 'A/1', numericValue: null, textValue: null, ...o });
  const events: Event[] = [
    ev({ time: null, code: 'MEDS_BIRTH' }),
    ev({ numericValue: Number.NaN }),
    ev({ numericValue: 0, textValue: '' }),
    ev({ numericValue: -2.5, textValue: 'positive', extra: { unit: 'mg/dL', hadm_id: 12 } }),
    ev({ code: 'B/2', extra: { hadm_id: 13, unit: 'mmol/L' } }),
    ev({ code: 'B/2', textValue: 'positive', extra: { unit: null, flag: true } }),
    ev({ code: 'A/1', extra: { unit: 'mg/dL', hadm_id: 14 } }),
  ];
  const requests: PairRequest[] = [
    { subject: { subjectId: 7, events }, times: [2000], slots: [[]] },
    { subject: { subjectId: 8, events: [] }, times: [3000], slots: [[1]] },
    { subject: { subjectId: 9, events: [{ ...events[3]!, subjectId: 9 }] }, times: [4000], slots: [[]] },
  ];
  const back = roundTrip(requests);
  assert.deepEqual(back, requests);
  assert.equal(JSON.stringify(back), JSON.stringify(requests));
  assert.ok(Number.isNaN(back[0]!.subject.events[1]!.numericValue), 'a NaN value stays NaN, not null');
  assert.equal(back[0]!.subject.events[0]!.time, null);
  assert.equal('extra' in back[0]!.subject.events[0]!, false, 'no extra stays absent');
  const packed = packRequests(requests);
  assert.deepEqual(packed.codes, ['MEDS_BIRTH', 'A/1', 'B/2'], 'each distinct code once');
  assert.equal(packed.shapes.length, 3, 'key order is part of a shape');
});
