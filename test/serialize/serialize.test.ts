import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUsageError } from '../../src/errors.ts';
import { prepareSubject, serialize, SERIALIZE_FORMATS } from '../../src/serialize/index.ts';
import type { SerializeOptions } from '../../src/serialize/index.ts';
import type { Subject } from '../../src/types.ts';
import { at, SYNTHEA_PREDICTION_TIME, syntheaPatient, vocabulary } from './fixtures.ts';

const usage = (pattern: RegExp) => (err: unknown) => isUsageError(err) && pattern.test((err as Error).message);

describe('serialize: input checks', () => {
  const s = syntheaPatient();
  const ok: SerializeOptions = { predictionTime: SYNTHEA_PREDICTION_TIME, vocabulary, tokenizer: 'chars' };

  it('rejects an unknown format', () => {
    assert.throws(
      () => serialize(s, { ...ok, format: 'json' as 'list' }),
      usage(/unknown format "json"; known formats: markdown, list, markdown-plus, list-plus/),
    );
  });

  it('rejects an unknown tokenizer, listing the known ones', () => {
    assert.throws(
      () => serialize(s, { ...ok, tokenizer: 'bert' }),
      usage(/unknown tokenizer "bert"; known tokenizers: qwen2, qwen3, llama3, chars/),
    );
  });

  it('rejects a prediction time that is not a finite number', () => {
    for (const t of [Number.NaN, Infinity, '2024-01-01' as unknown as number, undefined as unknown as number]) {
      assert.throws(() => serialize(s, { ...ok, predictionTime: t }), usage(/predictionTime must be epoch milliseconds/));
    }
  });

  it('rejects bad budgets and windows', () => {
    for (const m of [0, -5, 1.5, Number.NaN])
      assert.throws(() => serialize(s, { ...ok, maxTokens: m }), usage(/maxTokens must be a positive integer/));
    for (const w of [0, -1, Number.NaN])
      assert.throws(() => serialize(s, { ...ok, timeWindowDays: w }), usage(/timeWindowDays must be a positive number/));
  });

  it('rejects an event time that is neither null nor finite, naming the event', () => {
    const bad: Subject = { subjectId: 9, events: [{ subjectId: 9, time: Number.NaN, code: 'X/1', numericValue: null, textValue: null }] };
    assert.throws(() => serialize(bad, ok), usage(/record subject 9, event 0, field "time"/));
  });

  it('rejects a different vocabulary for a prepared subject', () => {
    const p = prepareSubject(s, vocabulary);
    assert.throws(() => serialize(p, { ...ok, vocabulary: { describe: () => null, parents: () => [] } }), usage(/vocabulary differs/));
    assert.equal(serialize(p, { ...ok, vocabulary: undefined }).text, serialize(s, ok).text);
  });
});

describe('serialize: behaviour', () => {
  it('defaults to the reference Markdown and the qwen2 tokenizer', () => {
    const r = serialize(syntheaPatient(), { predictionTime: SYNTHEA_PREDICTION_TIME, vocabulary });
    assert.ok(r.text.startsWith('\n\n# Electronic Healthcare Record\n\nCurrent time: [2024-01-01](2024-01-01)\n\n'));
    assert.equal(r.text, serialize(syntheaPatient(), { predictionTime: SYNTHEA_PREDICTION_TIME, vocabulary, format: 'markdown' }).text);
    assert.ok(r.tokenCount < r.text.length / 2);
  });

  it('sorts unsorted events itself', () => {
    const s = syntheaPatient();
    const shuffled: Subject = { subjectId: s.subjectId, events: [...s.events].reverse() };
    // Reversal also reverses events at equal times, which may reorder lines within a visit: compare line sets.
    for (const format of SERIALIZE_FORMATS) {
      const a = serialize(s, { predictionTime: SYNTHEA_PREDICTION_TIME, format, vocabulary, tokenizer: 'chars' }).text.split('\n').sort();
      const b = serialize(shuffled, { predictionTime: SYNTHEA_PREDICTION_TIME, format, vocabulary, tokenizer: 'chars' })
        .text.split('\n')
        .sort();
      assert.deepEqual(b, a, format);
    }
  });

  it('works without a vocabulary: readable codes (plus), the code itself (reference)', () => {
    const r = serialize(syntheaPatient(), { predictionTime: SYNTHEA_PREDICTION_TIME, format: 'markdown-plus', tokenizer: 'chars' });
    assert.match(r.text, /- SNOMED 44054006/);
    assert.match(r.text, /- Female/);
    const ref = serialize(syntheaPatient(), { predictionTime: SYNTHEA_PREDICTION_TIME, tokenizer: 'chars' });
    assert.match(ref.text, /- SNOMED\/44054006/);
  });

  it('serializes a subject with no usable events', () => {
    const r = serialize(syntheaPatient(), {
      predictionTime: at('1900-01-01T00:00'),
      format: 'markdown-plus',
      vocabulary,
      tokenizer: 'chars',
    });
    assert.match(r.text, /^# Electronic Healthcare Record\n\nCurrent time: 2024-01-01\n\n## Patient Demographics\n- Female\n/);
    assert.doesNotMatch(r.text, /Past Medical Visits|Patient age/);
    const list = serialize(syntheaPatient(), {
      predictionTime: at('1900-01-01T00:00'),
      vocabulary,
      tokenizer: 'chars',
      format: 'list-plus',
    });
    assert.equal(list.text, 'Female\nWhite\nNot Hispanic or Latino');
  });
});
