import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { UseLiteEmbedder } from '../../src/embed/UseLiteEmbedder.ts';
import { chunkText } from '../../src/embed/chunkText.ts';
import { createEmbedder } from '../../src/embed/createEmbedder.ts';

const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, i) => s + x * (b[i] as number), 0);

describe('use-lite (bundled Universal Sentence Encoder Lite)', () => {
  let e: UseLiteEmbedder;
  before(() => {
    e = createEmbedder('use-lite', { useLite: { threads: 1 } }) as UseLiteEmbedder;
  });
  after(() => e.close());

  it('unit vectors of 512 dimensions, deterministic across calls', async () => {
    const [a, b] = await e.embed([
      { text: 'Type 2 diabetes mellitus', instruction: null },
      { text: 'Type 2 diabetes mellitus', instruction: 'ignored' },
    ]);
    assert.equal(a!.length, 512);
    assert.ok(Math.abs(dot(a!, a!) - 1) < 1e-5);
    assert.deepEqual(a, b, 'plain family: the instruction does not change the vector');
    const [again] = await e.embed([{ text: 'Type 2 diabetes mellitus', instruction: null }]);
    assert.deepEqual(again, a);
  });

  it('related clinical texts are closer than unrelated ones', async () => {
    const [anemia, hb, fracture, dm, glucose] = await e.embed(
      ['Anemia', 'Hemoglobin (g/dL): 8.1 (low)', 'Fracture of ankle', 'Diabetes mellitus type 2', 'Glucose (mg/dL): 210 (high)'].map(
        (text) => ({ text, instruction: null }),
      ),
    );
    assert.ok(dot(anemia!, hb!) > dot(anemia!, fracture!), 'anemia ~ low hemoglobin');
    assert.ok(dot(dm!, glucose!) > dot(dm!, fracture!), 'diabetes ~ high glucose');
  });

  it('long texts are chunked and averaged: a change beyond the first 128 tokens changes the vector', async () => {
    const head = Array.from({ length: 40 }, (_, i) => `- Observation ${i}: value ${i}`).join('\n');
    const [a, b] = await e.embed([
      { text: `${head}\n- Fracture of ankle`, instruction: null },
      { text: `${head}\n- Myocardial infarction`, instruction: null },
    ]);
    assert.ok(dot(a!, b!) < 0.9999, 'the tail is read');
    assert.ok(e.chunks >= 4);
  });
});

describe('chunkText', () => {
  const words = (s: string): number => s.split(/\s+/).filter(Boolean).length;
  it('packs lines up to the budget, splits long lines, keeps the first chunks', () => {
    const text = ['a b c', 'd e', 'f g h i j k l m n o p', 'q'].join('\n');
    assert.deepEqual(chunkText(text, words, 5, 16), ['a b c\nd e', 'f g h i j', 'k l m n o', 'p\nq']);
    assert.deepEqual(chunkText(text, words, 5, 2), ['a b c\nd e', 'f g h i j']);
    assert.deepEqual(chunkText('', words, 5), ['']);
  });
});
