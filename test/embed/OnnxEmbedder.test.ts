import assert from 'node:assert/strict';
import { mkdtempSync, cpSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isUsageError } from '../../src/errors.ts';
import { OnnxEmbedder } from '../../src/embed/OnnxEmbedder.ts';
import { createEmbedder, validateModelSpec } from '../../src/embed/createEmbedder.ts';

const DIR = 'test/fixtures/tiny-onnx';
const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, i) => s + x * (b[i] as number), 0);
const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, x, i) => Math.max(m, Math.abs(x - (b[i] as number))), 0);
const inputs = (...texts: string[]): { text: string; instruction: string | null }[] => texts.map((text) => ({ text, instruction: null }));

const TEXTS = [
  'Hemoglobin low',
  'Patient history: type 2 diabetes mellitus.',
  'chest pain',
  'Glucose 210 mg/dl high, insulin and metformin; admitted to hospital for 3 days.',
];

describe('onnx:<model-dir> (tiny random-weight fixture)', () => {
  const embedders: OnnxEmbedder[] = [];
  const make = (spec: string): OnnxEmbedder => {
    const e = createEmbedder(spec, { onnx: { threads: 1 } }) as OnnxEmbedder;
    embedders.push(e);
    return e;
  };
  let mean: OnnxEmbedder;
  let cls: OnnxEmbedder;
  let last: OnnxEmbedder;
  before(() => {
    mean = make(`onnx:${DIR}?pooling=mean`);
    cls = make(`onnx:${DIR}?pooling=cls`);
    last = make(`onnx:${DIR}?pooling=last`);
  });
  after(async () => {
    for (const e of embedders) await e.close();
  });

  it('parses through createEmbedder; the canonical spec carries the vector-changing settings', () => {
    assert.ok(mean instanceof OnnxEmbedder);
    assert.equal(mean.spec, `onnx:${DIR}?pooling=mean&normalize=true&max_length=64`);
    assert.equal(make(`onnx:${DIR}`).spec, mean.spec, 'mean pooling and normalization are the defaults');
    assert.equal(
      make(`onnx:${DIR}?normalize=false&max_length=20&pooling=cls`).spec,
      `onnx:${DIR}?pooling=cls&normalize=false&max_length=20`,
    );
    assert.equal(
      make(`onnx:${DIR}?family=qwen`).spec,
      `onnx:${DIR}?pooling=last&normalize=true&max_length=64&family=qwen`,
      'qwen defaults to last-token pooling',
    );
    assert.equal(make(`onnx:${DIR}?max_length=1000`).maxLength, 64, 'never beyond the model max length');
    assert.equal(mean.family, 'plain');
    assert.equal(mean.dims, 32, 'hidden_size before the first call');
  });

  it('rejects bad options without touching the disk', () => {
    for (const spec of [
      'onnx:',
      `onnx:${DIR}?pooling=max`,
      `onnx:${DIR}?normalize=yes`,
      `onnx:${DIR}?max_length=0`,
      `onnx:${DIR}?foo=1`,
      `onnx:${DIR}?family=bert`,
    ]) {
      assert.throws(() => validateModelSpec(spec), isUsageError, spec);
    }
    validateModelSpec('onnx:/does/not/exist?pooling=cls');
  });

  it('unit vectors of the output dimension, deterministic across calls and instances', async () => {
    const [a, b] = await mean.embed(inputs(TEXTS[0] as string, TEXTS[1] as string));
    assert.equal(a!.length, 32);
    assert.equal(mean.dims, 32);
    assert.ok(Math.abs(dot(a!, a!) - 1) < 1e-5);
    assert.ok(Math.abs(dot(b!, b!) - 1) < 1e-5);
    assert.ok(dot(a!, b!) < 0.999, 'different texts, different vectors');
    const [again] = await mean.embed(inputs(TEXTS[0] as string));
    assert.deepEqual(again, a);
    const [other] = await make(`onnx:${DIR}`).embed(inputs(TEXTS[0] as string));
    assert.deepEqual(other, a);
  });

  it('normalize=false keeps the raw pooled vector', async () => {
    const [raw] = await make(`onnx:${DIR}?normalize=false`).embed(inputs(TEXTS[1] as string));
    const [unit] = await mean.embed(inputs(TEXTS[1] as string));
    const norm = Math.sqrt(dot(raw!, raw!));
    assert.ok(Math.abs(norm - 1) > 1e-3);
    assert.ok(
      maxDiff(
        raw!.map((x) => x / norm),
        unit!,
      ) < 1e-6,
    );
  });

  for (const pooling of ['mean', 'last', 'cls'] as const) {
    it(`${pooling} pooling: a padded batch of different lengths equals one-by-one`, async () => {
      const e = pooling === 'mean' ? mean : pooling === 'last' ? last : cls;
      const batch = await e.embed(inputs(...TEXTS));
      for (const [i, text] of TEXTS.entries()) {
        const [single] = await e.embed(inputs(text));
        assert.ok(maxDiff(batch[i]!, single!) < 1e-6, `text ${i}`);
      }
    });
  }

  it('pooling modes give different vectors', async () => {
    const [m] = await mean.embed(inputs(TEXTS[1] as string));
    const [c] = await cls.embed(inputs(TEXTS[1] as string));
    const [l] = await last.embed(inputs(TEXTS[1] as string));
    assert.ok(maxDiff(m!, c!) > 1e-3);
    assert.ok(maxDiff(m!, l!) > 1e-3);
    assert.ok(maxDiff(c!, l!) > 1e-3);
  });

  it('truncates from the right to the max length, keeping [CLS] and [SEP]', async () => {
    const words = Array.from({ length: 100 }, (_, i) => ['glucose', 'high', 'anemia', 'insulin', 'fever'][i % 5] as string);
    const long = words.join(' ');
    const ids = mean.tokenize(long);
    assert.equal(ids.length, 64);
    assert.equal(ids[0], 2, '[CLS]');
    assert.equal(ids[63], 3, '[SEP]');
    const head = words.slice(0, 62).join(' ');
    assert.deepEqual(mean.tokenize(head), ids);
    for (const e of [mean, last]) {
      const [a, b] = await e.embed(inputs(long, head));
      assert.deepEqual(a, b);
    }
    const [x, y] = await mean.embed(inputs(long, words.slice(0, 61).join(' ')));
    assert.ok(maxDiff(x!, y!) > 1e-6, 'one token fewer changes the vector');
    const short = make(`onnx:${DIR}?max_length=5`);
    assert.deepEqual(short.tokenize(long).length, 5);
    const [s1, s2] = await short.embed(inputs(long, 'glucose high anemia'));
    assert.deepEqual(s1, s2);
  });

  it('matches the golden vectors computed with numpy by scripts/make-tiny-onnx-model.py', async () => {
    const golden = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as {
      vectors: { text: string; input_ids: number[]; mean: number[]; cls: number[]; last: number[] }[];
    };
    assert.ok(golden.vectors.length >= 2);
    for (const g of golden.vectors) {
      assert.deepEqual(mean.tokenize(g.text), g.input_ids, g.text);
      for (const [e, want] of [
        [mean, g.mean],
        [cls, g.cls],
        [last, g.last],
      ] as const) {
        const [v] = await e.embed(inputs(g.text));
        assert.ok(maxDiff(v!, Float32Array.from(want)) < 1e-5, `${e.pooling} ${g.text}`);
      }
    }
  });

  it('a folder without config.json, tokenizer.json or the ONNX file is a UsageError naming the file', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ehr-embed-onnx-'));
    try {
      assert.throws(
        () => createEmbedder(`onnx:${join(tmp, 'none')}`),
        (err: unknown) => isUsageError(err) && /config\.json/.test((err as Error).message),
      );
      for (const missing of ['config.json', 'tokenizer.json', 'onnx/model.onnx']) {
        const dir = join(tmp, missing.replace('/', '_'));
        cpSync(DIR, dir, { recursive: true });
        rmSync(join(dir, missing));
        assert.throws(
          () => createEmbedder(`onnx:${dir}`),
          (err: unknown) => isUsageError(err) && (err as Error).message.includes(missing),
          missing,
        );
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('uses onnx/model_quantized.onnx when it is the only model file, and says so in the spec', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ehr-embed-onnx-'));
    try {
      cpSync(DIR, tmp, { recursive: true });
      cpSync(join(tmp, 'onnx/model.onnx'), join(tmp, 'onnx/model_quantized.onnx'));
      rmSync(join(tmp, 'onnx/model.onnx'));
      const q = createEmbedder(`onnx:${tmp}`) as OnnxEmbedder;
      try {
        assert.equal(q.file, 'onnx/model_quantized.onnx');
        assert.match(q.spec, /file=onnx%2Fmodel_quantized\.onnx/);
        const [a] = await q.embed(inputs(TEXTS[0] as string));
        const [b] = await mean.embed(inputs(TEXTS[0] as string));
        assert.deepEqual(a, b);
      } finally {
        await q.close();
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
