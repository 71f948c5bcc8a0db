import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUsageError } from '../../src/errors.ts';
import { charsTokenizer, getTokenizer, TOKENIZER_NAMES } from '../../src/tokenize/index.ts';
import type { HuggingFaceTokenizer } from '../../src/tokenize/index.ts';
import { mulberry32 } from '../serialize/fixtures.ts';

const SAMPLES = [
  'Hello, world!',
  '# Electronic Healthcare Record\n\nCurrent time: 2024-01-01\n',
  '- Glucose (mg/dL): 210 (high), 95 (normal), 142 (high)',
  '- Body temperature (°F): 101.3 (high)\n- Erythrocytes (10^6/uL): 4.46',
  'Naïve café — 東京 🙂 Ωmega\ttab  two  spaces\r\n',
  "  leading spaces and 'quotes' it's don't\n\n\n",
];

describe('tokenizer registry', () => {
  it('lists qwen2, qwen3, llama3, chars and use-lite', () => {
    assert.deepEqual([...TOKENIZER_NAMES], ['qwen2', 'qwen3', 'llama3', 'chars', 'use-lite']);
  });

  it('rejects an unknown name with a UsageError listing the known names', () => {
    assert.throws(
      () => getTokenizer('gpt2'),
      (err: unknown) => isUsageError(err) && /unknown tokenizer "gpt2".*qwen2, qwen3, llama3, chars/.test((err as Error).message),
    );
  });

  it('loads each tokenizer once', () => {
    assert.equal(getTokenizer('qwen2'), getTokenizer('qwen2'));
  });

  it('matches known Qwen2 and Llama 3 token ids', () => {
    // Reference ids: Qwen2 "Hello, world!" = [9707, 11, 1879, 0] (Qwen2 tokenizer on the HF hub);
    // Llama 3 "Hello World" = [9906, 4435] (tokenizers.js README) and "Hello, world!" = [9906, 11, 1917, 0].
    const qwen = getTokenizer('qwen2') as HuggingFaceTokenizer;
    const llama = getTokenizer('llama3') as HuggingFaceTokenizer;
    assert.deepEqual(qwen.encode('Hello, world!'), [9707, 11, 1879, 0]);
    // Qwen3-0.6B ids captured with llama.cpp's llama-tokenize (same vocabulary as Qwen2), as pinned in a public test suite.
    assert.deepEqual(qwen.encode('the cat sat on the mat'), [1782, 8251, 7578, 389, 279, 5517]);
    assert.deepEqual(qwen.encode('Hello, world! 123'), [9707, 11, 1879, 0, 220, 16, 17, 18]);
    assert.deepEqual(qwen.encode('こんにちは世界'), [89015, 99489]);
    assert.deepEqual(qwen.encode('def main():\n    print("hi")'), [750, 1887, 3932, 262, 1173, 445, 6023, 899]);
    assert.deepEqual(llama.encode('Hello World'), [9906, 4435]);
    assert.deepEqual(llama.encode('Hello, world!'), [9906, 11, 1917, 0]);
    // Qwen splits digits one by one, Llama 3 in runs of up to three.
    assert.equal(qwen.count('2024'), 4);
    assert.equal(llama.count('2024'), 2);
    // No special tokens are counted (Llama 3 would add <|begin_of_text|>).
    assert.equal(llama.count('Hello'), 1);
    assert.equal(qwen.count(''), 0);
  });

  it('counts exactly as many tokens as encode gives, on varied random text', () => {
    const rand = mulberry32(3);
    const atoms = [
      'a',
      'Z',
      'é',
      'e\u0301',
      'ß',
      '東',
      '🙂',
      '0',
      '12',
      '3.5',
      ' ',
      '  ',
      '\t',
      '\n',
      '\r\n',
      '\n\n',
      '\u00a0',
      '\u0085',
      "'s",
      "'LL",
      '(',
      ')',
      ':',
      ',',
      '-',
      '—',
      '...',
      '<|im_start|>',
      '<think>',
      '<|begin_of_text|>',
      '<',
      '|',
      'mg/dL',
      '°F',
      'x10^3/uL',
      'Glucose',
      ' Hemoglobin',
      'ـ',
      'ﬁ',
      '\u200b',
    ];
    for (const name of ['qwen2', 'llama3']) {
      const t = getTokenizer(name) as HuggingFaceTokenizer;
      for (let i = 0; i < 600; i++) {
        let text = '';
        const n = 1 + Math.floor(rand() * 25);
        for (let j = 0; j < n; j++) text += atoms[Math.floor(rand() * atoms.length)];
        assert.equal(t.count(text), t.encode(text).length, `${name}: ${JSON.stringify(text)}`);
      }
      for (const sample of SAMPLES) assert.equal(t.count(sample), t.encode(sample).length);
    }
  });

  it('round-trips text through encode and decode', () => {
    for (const name of ['qwen2', 'llama3']) {
      const t = getTokenizer(name) as HuggingFaceTokenizer;
      for (const s of SAMPLES) assert.equal(t.decode(t.encode(s)), s, `${name}: ${JSON.stringify(s)}`);
    }
  });

  it('gives qwen3 the same counts as qwen2', () => {
    for (const s of SAMPLES) assert.equal(getTokenizer('qwen3').count(s), getTokenizer('qwen2').count(s));
  });

  it('declares the BPE tokenizers additive over lines and pieces', () => {
    for (const name of ['qwen2', 'llama3']) {
      assert.equal(getTokenizer(name).newlineAdditive, true);
      assert.equal(getTokenizer(name).pieceAdditive, true);
    }
  });

  it('counts UTF-16 code units for chars', () => {
    assert.equal(charsTokenizer.count('abc'), 3);
    assert.equal(charsTokenizer.count('🙂x'), 3);
    assert.equal(charsTokenizer.count('°F\n'), 3);
    assert.equal(getTokenizer('chars'), charsTokenizer);
  });
});
