// Batch parity: the batch pipeline (convert → label → embed → train, then the probe on the
// feature files) and POST /v1/predict with the patients' FHIR bundles give the same
// probabilities, because the service runs the same steps on the same events.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readFeatureFile } from '../../src/meds/featureFiles.ts';
import { readLabels, writeLabels } from '../../src/meds/labels.ts';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import { ProbeBundle } from '../../src/artifacts/ProbeBundle.ts';
import { startServer, type RunningServer } from '../../src/server/startServer.ts';
import type { Label } from '../../src/types.ts';
import { startEmbeddingServer, type RunningServer as EmbeddingServer } from '../helpers/embeddingServer.ts';
import { tempDir } from '../helpers/paths.ts';
import { runCliAsync } from '../helpers/runCli.ts';
import { r4PatientBundles, requestJson, type SampleBundle } from './fixtures.ts';

const TASK = 'parity_outcome';

describe('batch parity: POST /v1/predict equals the batch pipeline', () => {
  const dir = tempDir('ehr-embed-parity-');
  let embeddings: EmbeddingServer;
  let server: RunningServer;
  let patients: SampleBundle[];
  const batch = new Map<string, number>();
  let labels: Label[];
  let probe: ProbeBundle;

  before(async () => {
    // 4 train and 2 tuning patients (by the converter's hash split), converted on their own.
    const all = r4PatientBundles();
    patients = [...all.filter((p) => p.split === 'train').slice(0, 4), ...all.filter((p) => p.split === 'tuning').slice(0, 2)];
    assert.equal(patients.length, 6);
    const input = join(dir, 'patients.ndjson');
    writeFileSync(input, patients.map((p) => p.line).join('\n') + '\n');
    const meds = join(dir, 'meds');
    const conv = await runCliAsync(['convert', '--from', 'fhir', '--input', input, '--out', meds]);
    assert.equal(conv.code, 0, conv.stderr);

    // Three prediction times per patient, at event times (the leakage boundary is inclusive),
    // outcomes alternating so that train and tuning both have two classes.
    const ds = await openMedsDataset(meds);
    const rows: Label[] = [];
    try {
      for (const p of patients) {
        const times = (await ds.getSubject(p.subjectId)).events.map((e) => e.time).filter((t): t is number => t !== null);
        for (const q of [0.35, 0.65, 0.95])
          rows.push({
            subjectId: p.subjectId,
            predictionTime: times[Math.floor(q * (times.length - 1))] as number,
            booleanValue: rows.length % 2 === 0,
          });
      }
    } finally {
      ds.close();
    }
    const labelFile = join(dir, `${TASK}.parquet`);
    await writeLabels(labelFile, rows);
    const labelsDir = join(dir, 'labels');
    const lab = await runCliAsync(['label', meds, '--tasks', 'none', '--import', `${TASK}=${labelFile}`, '--out', labelsDir]);
    assert.equal(lab.code, 0, lab.stderr);

    // A Qwen-family model name: the task instruction is part of every embedded input.
    embeddings = await startEmbeddingServer({ dims: 16 });
    const model = `openai:${embeddings.url}#Qwen3-Embedding-test`;
    const features = join(dir, 'features');
    const emb = await runCliAsync([
      'embed',
      meds,
      '--labels',
      labelsDir,
      '--model',
      model,
      '--max-tokens',
      '1024',
      '--out',
      features,
      '--cache',
      join(dir, 'batch-cache'),
    ]);
    assert.equal(emb.code, 0, emb.stderr);
    const probeDir = join(dir, 'probe');
    const tr = await runCliAsync(['train', '--labels', labelsDir, '--features', features, '--task', TASK, '--out', probeDir]);
    assert.equal(tr.code, 0, tr.stderr);
    assert.match(tr.stdout, /chosen on tuning/);

    // Batch probabilities: the trained probe on the batch feature rows.
    probe = ProbeBundle.load(probeDir);
    labels = await readLabels(join(labelsDir, `${TASK}.parquet`));
    const f = await readFeatureFile(join(features, `${TASK}.parquet`));
    for (let i = 0; i < f.subjectIds.length; i++)
      batch.set(`${f.subjectIds[i]}@${f.predictionTimes[i]}`, probe.predictProba(f.data.subarray(i * f.dims, (i + 1) * f.dims)));

    // The service, with a cache of its own: every vector is embedded again, not read back.
    server = await startServer({ port: 0, probes: [probeDir], cacheDir: join(dir, 'serve-cache') });
  });

  after(async () => {
    await server?.close();
    await embeddings?.close();
  });

  it('trains a probe bound to the model, serializer settings and instruction of the features', () => {
    assert.equal(probe.task, TASK);
    assert.equal(probe.data.model.spec, `openai:${embeddings.url}#Qwen3-Embedding-test`);
    assert.equal(probe.data.model.family, 'qwen');
    assert.deepEqual(
      { format: probe.data.serializer.format, maxTokens: probe.data.serializer.maxTokens, tokenizer: probe.data.serializer.tokenizer },
      { format: 'markdown', maxTokens: 1024, tokenizer: 'qwen2' },
    );
    assert.match(probe.data.instruction.text ?? '', /^Given a patient's electronic healthcare record/);
    assert.equal(probe.data.training.n, 12);
    assert.equal(probe.data.training.tuningN, 6);
    assert.equal(probe.data.training.cSelected, true);
  });

  it('gives identical probabilities for every (patient, prediction time) to 1e-6', async () => {
    assert.equal(labels.length, 18);
    let maxDiff = 0;
    for (const l of labels) {
      const p = patients.find((x) => x.subjectId === l.subjectId) as SampleBundle;
      const res = await requestJson(`${server.url}/v1/predict`, {
        bundle: p.bundle,
        predictionTime: new Date(l.predictionTime).toISOString(),
        tasks: [TASK],
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.subjectId, l.subjectId, 'the service gives the batch subject id');
      const [pred] = res.body.predictions;
      assert.equal(pred.task, TASK);
      assert.equal(pred.probe.checksum, probe.checksum);
      const expected = batch.get(`${l.subjectId}@${l.predictionTime}`);
      assert.ok(expected !== undefined);
      maxDiff = Math.max(maxDiff, Math.abs(pred.probability - expected));
      assert.ok(
        Math.abs(pred.probability - expected) <= 1e-6,
        `subject ${l.subjectId} at ${new Date(l.predictionTime).toISOString()}: service ${pred.probability}, batch ${expected}`,
      );
    }
    // Same events, same text, same vector, same arithmetic: in practice bit-identical.
    assert.equal(maxDiff, 0);
  });

  it('serves the batch text, budget cut included: /v1/serialize equals `ehr-embed serialize` on the dataset', async () => {
    const l = labels[2] as Label;
    const p = patients.find((x) => x.subjectId === l.subjectId) as SampleBundle;
    const time = new Date(l.predictionTime).toISOString();
    const cli = await runCliAsync([
      'serialize',
      join(dir, 'meds'),
      '--subject',
      String(l.subjectId),
      '--time',
      time,
      '--max-tokens',
      '1024',
      '--json',
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    const res = await requestJson(`${server.url}/v1/serialize`, { bundle: p.bundle, predictionTime: time });
    assert.equal(res.status, 200);
    assert.equal(res.body.text, JSON.parse(cli.stdout).text);
    assert.equal(res.body.settings.maxTokens, 1024, 'defaults come from the probe');
    assert.equal(res.body.truncation.truncated, true, 'the budget cut this record, in both paths alike');
  });
});
