import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getTokenizer, isNewlineAdditive, LineTokenCounter, pieceCuts } from '../../src/tokenize/index.ts';
import type { HuggingFaceTokenizer, LineEnd, Tokenizer } from '../../src/tokenize/index.ts';
import { mulberry32 } from '../serialize/fixtures.ts';

const ENDINGS = ['', '\n', '\n\n'];

/** Random lines of the kinds the serializer writes, plus awkward ones (punctuation endings, unicode, digits after parentheses). */
function randomLines(seed: number, n: number): string[] {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const words = [
    'Glucose',
    'Hemoglobin',
    'A1c/Hemoglobin.total',
    'in',
    'Blood',
    '(mg/dL):',
    '(high),',
    '(low)',
    'Visit',
    'on',
    '2023-12-29',
    '(3',
    'days',
    'before',
    'prediction',
    'time,',
    'current',
    'visit)',
    '°F',
    '10^3/uL',
    'naïve',
    'café',
    '東京',
    '🙂',
    "it's",
    '...',
    '—',
    '[Score]',
    ':',
    ',',
    ')',
    '(',
    '(12)',
    '1,000.5',
    '-3',
    '0.25',
    'x(12)',
    '((1',
    ' ',
    '  ',
    '\t',
    'a  b',
    ' (',
    '( 1',
    '\u00a0x',
  ];
  const starts = ['- ', '# ', '## ', '### ', '#### ', '', 'Patient age: ', 'Current time: '];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    let line = pick(starts);
    const k = 1 + Math.floor(rand() * 12);
    for (let j = 0; j < k; j++)
      line += (j === 0 ? '' : ' ') + (rand() < 0.3 ? String(Math.floor(rand() * 100000) / (rand() < 0.5 ? 1 : 100)) : pick(words));
    lines.push(line.trim() || 'x');
  }
  return lines;
}

describe('LineTokenCounter', () => {
  for (const name of ['qwen2', 'llama3']) {
    it(`sums per-line counts to the exact count of the joined text (${name})`, () => {
      const tok = getTokenizer(name);
      const counter = new LineTokenCounter(tok);
      const rand = mulberry32(99);
      for (let doc = 0; doc < 60; doc++) {
        const lines = randomLines(doc, 5 + Math.floor(rand() * 40));
        // Blank lines appear as ending 2 on the line before them.
        const blankAfter = lines.map(() => rand() < 0.2);
        let text = '';
        let sum = 0;
        lines.forEach((l, i) => {
          const last = i === lines.length - 1;
          const end: LineEnd = last ? 0 : blankAfter[i] ? 2 : 1;
          text += l + ENDINGS[end];
          sum += counter.count(l, end);
        });
        assert.equal(sum, tok.count(text), `document ${doc}`);
        assert.equal(sum, (tok as HuggingFaceTokenizer).encode(text).length, `document ${doc} (encode)`);
      }
    });

    it(`counts lines by pieces exactly (${name})`, () => {
      const tok = getTokenizer(name);
      const counter = new LineTokenCounter(tok);
      for (const line of randomLines(7, 400)) {
        for (const end of [0, 1, 2] as const)
          assert.equal(counter.count(line, end), (tok as HuggingFaceTokenizer).encode(line + ENDINGS[end]).length, JSON.stringify(line));
      }
    });
  }

  it('counts a line given as pieces cut at piece boundaries exactly', () => {
    for (const name of ['qwen2', 'llama3', 'chars']) {
      const tok = getTokenizer(name);
      const counter = new LineTokenCounter(tok);
      for (const line of randomLines(11, 200)) {
        const cuts = [0, ...pieceCuts(line), line.length];
        // Any subset of the cut points is a valid partition: keep every other one.
        const kept = cuts.filter((_, i) => i === 0 || i === cuts.length - 1 || i % 2 === 0);
        const pieces = kept.slice(1).map((end, i) => line.slice(kept[i], end));
        assert.equal(pieces.join(''), line);
        for (const end of [0, 1, 2] as const)
          assert.equal(counter.countPieces(pieces, end), tok.count(line + ENDINGS[end]), `${name} ${JSON.stringify(pieces)}`);
      }
    }
  });

  it('cuts before a space after a non-space, and between "(" and a digit', () => {
    assert.deepEqual(pieceCuts('- Glucose (mg/dL): 210 (high), 95'), [1, 9, 18, 22, 30]);
    assert.deepEqual(pieceCuts('x (12)'), [1, 3]);
    assert.deepEqual(pieceCuts('two  (spaces'), [3]); // never after whitespace
    assert.deepEqual(pieceCuts('<|im_start|> 12'), []); // possible added token: no cuts
    assert.deepEqual(pieceCuts('-Hypertension'), []);
  });

  it('keeps counting correctly across cache generations', () => {
    let calls = 0;
    const tok: Tokenizer = { name: 'spy', newlineAdditive: true, count: (t) => (calls++, t.length) };
    const counter = new LineTokenCounter(tok, 2);
    for (const l of ['a', 'bb', 'ccc', 'a', 'bb', 'dddd']) counter.count(l, 1);
    assert.equal(counter.count('ccc', 1), 4);
    assert.ok(counter.size <= 4);
    assert.ok(calls >= 4 && calls <= 6);
  });

  it('recognizes only the known pre-tokenizer patterns as additive', () => {
    assert.equal(isNewlineAdditive({ model: { type: 'BPE' }, normalizer: null, pre_tokenizer: { type: 'ByteLevel' } }), false);
    assert.equal(isNewlineAdditive({ model: { type: 'WordPiece' } }), false);
  });
});
