import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serialize, SERIALIZE_FORMATS } from '../../src/serialize/index.ts';
import type { SerializeResult } from '../../src/serialize/index.ts';
import { getTokenizer } from '../../src/tokenize/index.ts';
import type { HuggingFaceTokenizer } from '../../src/tokenize/index.ts';
import { at, randomSubject, SubjectBuilder, SYNTHEA_PREDICTION_TIME, syntheaPatient, vocabulary } from './fixtures.ts';

// Reference counts from the library's own encode (the serializer counts with cached pieces).
const qwen = { count: (text: string): number => (getTokenizer('qwen2') as HuggingFaceTokenizer).encode(text).length };

/** A patient with many visits, so that budgets bite. */
function longHistory() {
  const b = new SubjectBuilder(7);
  b.event(null, 'Gender/F').event(at('1950-01-01T00:00'), 'MEDS_BIRTH');
  for (let i = 0; i < 40; i++) {
    const t = at('2000-01-01T09:00') + i * 180 * 86_400_000;
    b.visit(i % 7 === 0 ? 'Visit/IP' : 'Visit/AMB', `v${i}`, t, t + (i % 7 === 0 ? 3 : 0.02) * 86_400_000, (v) =>
      v
        .add(i % 2 ? 'SNOMED/44054006' : 'SNOMED/38341003', 'condition')
        .add('RxNorm/860975', 'medication')
        .add('SNOMED/430193006', 'procedure')
        .value('LOINC/4548-4', 6 + (i % 5) / 3, '%'),
    );
  }
  return b.build();
}

const md = (maxTokens: number | undefined, subject = longHistory(), predictionTime = at('2020-01-01T00:00')): SerializeResult =>
  serialize(subject, {
    predictionTime,
    format: 'markdown-plus',
    vocabulary,
    tokenizer: 'qwen2',
    ...(maxTokens === undefined ? {} : { maxTokens }),
  });

describe('token budget (Markdown)', () => {
  it('never exceeds the budget and reports the exact count', () => {
    for (const budget of [200, 300, 500, 800, 1200, 2000]) {
      const r = md(budget);
      assert.ok(r.tokenCount <= budget, `${r.tokenCount} > ${budget}`);
      assert.equal(r.tokenCount, qwen.count(r.text));
      assert.equal(r.truncation.tokensAfter, r.tokenCount);
      assert.equal(r.truncation.maxTokens, budget);
    }
  });

  it('drops the oldest detailed visits first, and reports which', () => {
    const full = md(undefined);
    const r = md(3000);
    assert.equal(r.truncation.truncated, true);
    assert.equal(r.truncation.tokensBefore, full.tokenCount);
    assert.equal(r.truncation.tokensBefore, qwen.count(full.text));
    const dropped = r.truncation.droppedDetailedVisits;
    assert.ok(dropped.length > 0);
    // Oldest first, and exactly the oldest ones.
    assert.deepEqual(
      dropped,
      Array.from({ length: dropped.length }, (_, i) => `v${i}`),
    );
    // Every summary line survives; a dropped visit's detailed block is gone, a kept one is there.
    assert.deepEqual(r.truncation.droppedVisitSummaries, []);
    const headings = r.text.split('\n').filter((l) => l.startsWith('### '));
    assert.equal(headings.length, 40 - dropped.length);
    assert.equal(r.text.split('\n').filter((l) => l.startsWith('- ') && l.includes('before prediction time')).length, 40);
    // Recent sections and demographics are untouched.
    assert.ok(r.text.startsWith(full.text.slice(0, full.text.indexOf('## Past Medical Visits'))));
  });

  it('then drops the oldest summary lines, then the head as a last resort', () => {
    const r = md(500);
    assert.deepEqual(r.truncation.droppedDetailedVisits.length, 40);
    assert.ok(r.truncation.droppedSections.includes('Detailed Past Medical Visits'));
    assert.doesNotMatch(r.text, /## Detailed Past Medical Visits/);
    const summaries = r.text.split('\n').filter((l) => l.includes('before prediction time'));
    assert.equal(summaries.length, 40 - r.truncation.droppedVisitSummaries.length);
    assert.ok(r.truncation.droppedVisitSummaries.length > 0);
    // The summaries kept are the newest ones.
    assert.match(summaries[0] ?? '', /^- Ambulatory Visit on 2023-03-22 \(285 days before/);

    const tiny = md(200);
    assert.ok(tiny.tokenCount <= 200);
    assert.ok(tiny.truncation.droppedHeadLines > 0);
    assert.ok(tiny.text.startsWith('# Electronic Healthcare Record\n\nCurrent time: 2024-01-01\n\n## Patient Demographics'));
    assert.doesNotMatch(tiny.text.split('\n').pop() ?? '', /^#/);
    assert.equal(tiny.truncation.linesAfter, tiny.text.split('\n').filter((l) => l !== '').length);
  });

  it('keeps everything when it fits', () => {
    const r = serialize(syntheaPatient(), {
      predictionTime: SYNTHEA_PREDICTION_TIME,
      format: 'markdown-plus',
      vocabulary,
      maxTokens: 4096,
    });
    assert.equal(r.truncation.truncated, false);
    assert.equal(r.truncation.linesBefore, r.truncation.linesAfter);
    assert.equal(r.tokenCount, qwen.count(r.text));
  });

  it('counts exactly with the line cache on random records, at random budgets', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const s = randomSubject(seed);
      const last = s.events[s.events.length - 1]?.time ?? 0;
      for (const format of SERIALIZE_FORMATS) {
        const budget = 50 + ((seed * 37) % 700);
        const r = serialize(s, { predictionTime: last, vocabulary, format, maxTokens: budget, tokenizer: 'qwen2' });
        assert.ok(r.tokenCount <= budget);
        assert.equal(r.tokenCount, qwen.count(r.text), `seed ${seed} ${format}`);
        const l = serialize(s, { predictionTime: last, vocabulary, format, maxTokens: budget, tokenizer: 'llama3' });
        assert.equal(l.tokenCount, (getTokenizer('llama3') as HuggingFaceTokenizer).encode(l.text).length);
      }
    }
  });

  it('works with a tokenizer that is not newline-additive (counts whole texts)', () => {
    let calls = 0;
    const words = { name: 'words', newlineAdditive: false, count: (t: string) => (calls++, t.split(/\s+/).filter(Boolean).length) };
    const r = serialize(longHistory(), {
      predictionTime: at('2020-01-01T00:00'),
      format: 'markdown-plus',
      vocabulary,
      tokenizer: words,
      maxTokens: 400,
    });
    assert.ok(r.tokenCount <= 400);
    assert.equal(r.tokenCount, words.count(r.text));
    assert.ok(calls < 60, `${calls} full counts`);
  });
});
