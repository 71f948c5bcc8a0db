import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serialize } from '../../src/serialize/index.ts';
import { getTokenizer } from '../../src/tokenize/index.ts';
import type { HuggingFaceTokenizer } from '../../src/tokenize/index.ts';
import { at, SubjectBuilder, SYNTHEA_PREDICTION_TIME, syntheaPatient, vocabulary } from './fixtures.ts';

const list = (maxTokens?: number, tokenizer = 'chars') =>
  serialize(syntheaPatient(), {
    predictionTime: SYNTHEA_PREDICTION_TIME,
    format: 'list-plus',
    vocabulary,
    tokenizer,
    ...(maxTokens === undefined ? {} : { maxTokens }),
  });

describe('list format (SPEC 2.2)', () => {
  it('starts with demographics as plain lines, then events newest first', () => {
    const lines = list().text.split('\n');
    assert.deepEqual(lines.slice(0, 7), [
      'Patient age: 67',
      'Female',
      'White',
      'Not Hispanic or Latino',
      'Glucose [Mass/volume] in Serum or Plasma (mg/dL): 95',
      'Heart rate (bpm): 88',
      'Body Weight (oz): 2963',
    ]);
    assert.equal(lines[lines.length - 1], 'Medication reconciliation');
    // No headings, no dates, no blank lines.
    for (const l of lines) assert.doesNotMatch(l, /^#|^$|\d{4}-\d\d-\d\d|days before/);
  });

  it('keeps only the most recent occurrence of each code', () => {
    const lines = list().text.split('\n');
    assert.equal(lines.filter((l) => l.startsWith('Glucose')).length, 1);
    assert.equal(lines.filter((l) => l.startsWith('Hemoglobin A1c')).length, 1);
    assert.ok(lines.includes('Hemoglobin A1c/Hemoglobin.total in Blood (%): 8.4'));
    assert.equal(lines.filter((l) => l === 'Diabetes mellitus type 2').length, 1);
    assert.equal(lines.filter((l) => l === 'Ambulatory Visit').length, 1);
    // The newest diabetes record (2023) comes before anything of 2022.
    assert.ok(lines.indexOf('Diabetes mellitus type 2') < lines.indexOf('Ambulatory Visit'));
  });

  it('leaves out implausible values and shows converted units', () => {
    const text = list().text;
    assert.doesNotMatch(text, /Potassium \[/);
    assert.match(text, /Body temperature \(°F\): 101.3/);
  });

  it('keeps lines from the top under a budget', () => {
    const full = list(undefined, 'qwen2');
    // Reference counts from the library's own encode (the serializer counts with cached pieces).
    const qwen = { count: (text: string): number => (getTokenizer('qwen2') as HuggingFaceTokenizer).encode(text).length };
    for (const budget of [20, 60, 150]) {
      const r = list(budget, 'qwen2');
      assert.ok(r.tokenCount <= budget);
      assert.equal(r.tokenCount, qwen.count(r.text));
      assert.ok(full.text.startsWith(r.text), `budget ${budget} keeps a prefix`);
      const kept = r.text.split('\n').length;
      assert.equal(r.truncation.droppedEventLines, full.text.split('\n').length - kept);
      // One more line would not fit.
      const next = full.text
        .split('\n')
        .slice(0, kept + 1)
        .join('\n');
      assert.ok(qwen.count(next) > budget);
    }
  });

  it('shows text values and units as Description (unit): value', () => {
    const s = new SubjectBuilder(2)
      .visit('Visit/AMB', 'a', at('2020-01-01T10:00'), at('2020-01-01T11:00'), (v) =>
        v.text('LOINC/72166-2', 'Never smoker').value('LOINC/4548-4', 5.6, '%'),
      )
      .build();
    const text = serialize(s, { predictionTime: at('2020-02-01T00:00'), format: 'list-plus', vocabulary, tokenizer: 'chars' }).text;
    assert.match(text, /^Hemoglobin A1c\/Hemoglobin.total in Blood \(%\): 5.6$/m);
    assert.match(text, /^Tobacco smoking status: Never smoker$/m);
  });
});
