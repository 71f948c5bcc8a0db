import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prepareSubject, serialize, SERIALIZE_FORMATS } from '../../src/serialize/index.ts';
import type { SerializeOptions } from '../../src/serialize/index.ts';
import type { Event, ExtraValue, Subject } from '../../src/types.ts';
import { DAY, HOUR, mimicPatient, mulberry32, randomSubject, SYNTHEA_PREDICTION_TIME, syntheaPatient, vocabulary } from './fixtures.ts';

/** Events that may be used at `t`: static ones and those at or before it. */
const upTo = (s: Subject, t: number): Subject => ({
  subjectId: s.subjectId,
  events: s.events.filter((e) => e.time === null || e.time <= t),
});

/** Arbitrary events strictly after `t`, reusing the subject's visit ids and hadm ids so that they try to change visits seen at `t`. */
function addFuture(s: Subject, t: number, seed: number): Subject {
  const rand = mulberry32(seed);
  const ids = s.events.flatMap((e) => [e.extra?.visit_id, e.extra?.hadm_id]).filter((x): x is ExtraValue => x !== undefined && x !== null);
  const codes = [
    'Visit/IP',
    'Visit/ER',
    'HOSPITAL_DISCHARGE//HOME',
    'HOSPITAL_ADMISSION//URGENT//X',
    'ED_OUT',
    'ED_REGISTRATION',
    'ICU_DISCHARGE//MICU',
    'LOINC/2345-7',
    'LOINC/29463-7',
    'SNOMED/44054006',
    'MEDS_DEATH',
    'MEDS_BIRTH',
    'Gender/M',
    'LAB//51265//K/uL',
  ];
  const extra: Event[] = [];
  const n = 1 + Math.floor(rand() * 25);
  for (let i = 0; i < n; i++) {
    const time = t + 1 + Math.floor(rand() * 400 * DAY);
    const id = ids.length > 0 && rand() < 0.7 ? ids[Math.floor(rand() * ids.length)] : 'new';
    const x: Record<string, ExtraValue> =
      rand() < 0.5 ? { visit_id: id ?? 'x', end: time + Math.floor(rand() * 5 * DAY) } : { hadm_id: id ?? 1 };
    if (rand() < 0.3) x.unit = 'kg';
    extra.push({
      subjectId: s.subjectId,
      time,
      code: codes[Math.floor(rand() * codes.length)] as string,
      numericValue: rand() < 0.5 ? rand() * 300 : null,
      textValue: null,
      extra: x,
    });
  }
  // Appended unsorted on purpose: the serializer must order them itself.
  return { subjectId: s.subjectId, events: [...s.events, ...extra] };
}

/** Prediction times worth trying: event times, a minute around them, visit ends, and random points. */
function timesOf(s: Subject, seed: number): number[] {
  const rand = mulberry32(seed);
  const timed = s.events.filter((e) => e.time !== null).map((e) => e.time as number);
  const ends = s.events.map((e) => e.extra?.end).filter((x): x is number => typeof x === 'number');
  const pool = [...timed, ...ends];
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const base = pool[Math.floor(rand() * pool.length)] ?? 0;
    times.push(base + [-60_000, 0, 60_000, HOUR, 3 * DAY][Math.floor(rand() * 5)]!);
  }
  return times;
}

function check(s: Subject, t: number, seed: number, opts: Omit<SerializeOptions, 'predictionTime'>): void {
  const o = { ...opts, predictionTime: t };
  const full = serialize(s, o);
  const past = serialize(upTo(s, t), o);
  const more = serialize(addFuture(s, t, seed), o);
  const prepared = serialize(prepareSubject(s, vocabulary), { ...o, vocabulary: undefined });
  for (const [name, other] of [
    ['past only', past],
    ['future added', more],
    ['prepared', prepared],
  ] as const) {
    assert.equal(other.text, full.text, `subject ${s.subjectId} at ${new Date(t).toISOString()} (${name}, ${opts.format})`);
    assert.equal(other.tokenCount, full.tokenCount);
    assert.deepEqual(other.truncation, full.truncation);
    assert.deepEqual(other.lines, full.lines);
  }
  for (const l of full.lines) for (const e of l.sources) assert.ok(e.time === null || e.time <= t, 'a source after the prediction time');
}

describe('leakage: the text at t depends only on events at or before t', () => {
  it('holds for random subjects and times (seeded), every format', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const s = randomSubject(seed);
      for (const t of timesOf(s, seed)) {
        for (const format of SERIALIZE_FORMATS) check(s, t, seed, { format, vocabulary, tokenizer: 'chars' });
      }
    }
  });

  it('holds under token budgets', () => {
    for (let seed = 61; seed <= 80; seed++) {
      const s = randomSubject(seed);
      for (const t of timesOf(s, seed).slice(0, 3)) {
        for (const format of SERIALIZE_FORMATS) check(s, t, seed, { format, vocabulary, tokenizer: 'qwen2', maxTokens: 150 + seed * 5 });
      }
    }
  });

  it('holds for the Synthea-like and MIMIC-like fixtures at every event time', () => {
    for (const s of [syntheaPatient(), mimicPatient()]) {
      const times = [...new Set(s.events.flatMap((e) => (e.time === null ? [] : [e.time - 1, e.time, e.time + 1])))];
      for (const t of times) for (const format of SERIALIZE_FORMATS) check(s, t, 5, { format, vocabulary, tokenizer: 'chars' });
    }
    for (const format of SERIALIZE_FORMATS) check(syntheaPatient(), SYNTHEA_PREDICTION_TIME, 9, { format, vocabulary, tokenizer: 'chars' });
  });
});
