import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isUsageError } from '../../src/errors.ts';
import { fitLogistic } from '../../src/probe/logistic.ts';
import { fitMaxAbsScaler } from '../../src/probe/maxAbsScaler.ts';
import { canonicalJson, PROBE_BUNDLE_KIND, ProbeBundle, type ProbeBundleData } from '../../src/artifacts/ProbeBundle.ts';
import { tempDir } from '../helpers/paths.ts';

function data(): ProbeBundleData {
  const d = 3;
  const X = Float64Array.from([1, 0, 2, -1, 1, 0, 0.5, 2, 1, -2, -1, 0.5, 3, 0, 1, -1, -1, -1]);
  const y = [1, 0, 1, 0, 1, 0];
  const scaler = fitMaxAbsScaler(X, d);
  const logistic = fitLogistic(scaler.transform(X), y, d, { C: 1 });
  return {
    kind: PROBE_BUNDLE_KIND,
    version: 1,
    task: 'mortality_1y',
    createdAt: '2026-01-01T00:00:00.000Z',
    ehrEmbedVersion: '0.1.0',
    model: { spec: 'use-lite', family: 'plain', dims: d },
    serializer: {
      format: 'markdown',
      maxTokens: 512,
      tokenizer: 'qwen2',
      vocabulary: [{ code: 'LOINC/2345-7', description: 'Glucose', parentCodes: [] }],
    },
    instruction: { mode: 'task', text: 'Given a record, retrieve ...' },
    head: { scaler: scaler.toJSON(), logistic: logistic.toJSON() },
    training: {
      labels: 'l',
      features: 'f',
      n: 6,
      positives: 3,
      tuningN: 0,
      tuningPositives: 0,
      C: 1,
      cSelected: false,
      validationAuroc: null,
      cScores: [],
    },
  };
}

function throwsUsage(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (err) => isUsageError(err) && re.test(err.message));
}

describe('ProbeBundle', () => {
  it('round-trips through probe.json with the same checksum and the same probabilities', () => {
    const dir = tempDir();
    const b = ProbeBundle.create(data());
    assert.match(b.checksum, /^sha256:[0-9a-f]{64}$/);
    b.save(dir);
    const back = ProbeBundle.load(dir, { modelSpec: 'use-lite', modelFamily: 'plain' });
    assert.equal(back.checksum, b.checksum);
    const v = Float32Array.from([0.5, -1, 2]);
    assert.equal(back.predictProba(v), b.predictProba(v));
    // The scaler then the logistic regression: the evaluation's computation.
    assert.equal(b.predictProba(v), b.logistic.predictProba(b.scaler.transform(v))[0]);
  });

  it('checksums canonical JSON: key order does not matter, content does', () => {
    assert.equal(canonicalJson({ b: 1, a: [1, { d: null, c: 'x' }] }), '{"a":[1,{"c":"x","d":null}],"b":1}');
    const json = ProbeBundle.create(data()).toJSON();
    const reordered = Object.fromEntries(Object.entries(json).reverse());
    assert.equal(ProbeBundle.fromJSON(reordered).checksum, json.checksum);
  });

  it('refuses a bundle changed after training (head, settings, model or instruction)', () => {
    const dir = tempDir();
    const file = ProbeBundle.create(data()).save(dir);
    type Editable = {
      head: { logistic: { intercept: number } };
      serializer: { maxTokens: number | null; vocabulary: { description: string | null }[] };
      model: { spec: string };
      instruction: { text: string | null };
    };
    const json = JSON.parse(readFileSync(file, 'utf8')) as Editable;
    const edits: ((j: Editable) => void)[] = [
      (j) => (j.head.logistic.intercept += 0.5),
      (j) => (j.serializer.maxTokens = 1024),
      (j) => (j.model.spec = 'openai:http://x/v1#m'),
      (j) => (j.instruction.text = 'other'),
      (j) => ((j.serializer.vocabulary[0] as { description: string | null }).description = 'Sugar'),
    ];
    for (const edit of edits) {
      const j = structuredClone(json);
      edit(j);
      writeFileSync(join(dir, 'probe.json'), JSON.stringify(j));
      throwsUsage(() => ProbeBundle.load(dir), /checksum mismatch/);
    }
  });

  it('refuses a server model other than the one it was trained on', () => {
    const json = ProbeBundle.create(data()).toJSON();
    throwsUsage(
      () => ProbeBundle.fromJSON(json, { modelSpec: 'use-lite?chunk=120&chunks=1' }),
      /trained on model "use-lite".*--model use-lite/,
    );
    throwsUsage(() => ProbeBundle.fromJSON(json, { modelSpec: 'use-lite', modelFamily: 'qwen' }), /instruction family "plain"/);
  });

  it('rejects what is not a probe bundle, naming the field', () => {
    const dir = tempDir();
    throwsUsage(() => ProbeBundle.load(dir), /no probe bundle here/);
    writeFileSync(join(dir, 'probe.json'), '{oops');
    throwsUsage(() => ProbeBundle.load(dir), /invalid JSON/);
    throwsUsage(() => ProbeBundle.fromJSON({ kind: 'other' }), /expected kind "ehr-embed-probe"/);
    const { checksum: _checksum, ...noChecksum } = ProbeBundle.create(data()).toJSON();
    throwsUsage(() => ProbeBundle.fromJSON(noChecksum), /no checksum/);
    throwsUsage(() => ProbeBundle.create({ ...data(), model: { spec: 'use-lite', family: 'plain', dims: 4 } }), /shapes disagree/);
  });

  it('checks the embedding dimension', () => {
    throwsUsage(() => ProbeBundle.create(data()).predictProba(new Float32Array(5)), /5 dimensions.*expects 3/);
  });
});
