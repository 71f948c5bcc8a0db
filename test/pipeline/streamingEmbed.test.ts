// A real embed streams: inputs are embedded and committed batch by batch while the subjects are
// serialized (the first batch goes out before the last subject is read). Killed with SIGKILL mid-run, it keeps every committed batch; the rerun embeds only
// the rest and writes the same files as an uninterrupted run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { it } from 'node:test';
import { readLabelsDir, tasksWithLabels } from '../../src/artifacts/labelsDir.ts';
import { createEmbedder } from '../../src/embed/createEmbedder.ts';
import { EmbeddingCache } from '../../src/embed/EmbeddingCache.ts';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import { embedLabels } from '../../src/pipeline/embedLabels.ts';
import { readEmbedTasks } from '../../src/pipeline/readEmbedTasks.ts';
import { buildVocabulary } from '../../src/vocab/VocabularyChain.ts';
import { startEmbeddingServer } from '../helpers/embeddingServer.ts';
import { MIMIC_MEDS, tempDir } from '../helpers/paths.ts';
import { runCli, runCliAsync } from '../helpers/runCli.ts';

const BIN = resolve(import.meta.dirname, '../../bin/ehr-embed.js');

it('a killed embed keeps its committed batches; the rerun embeds only the rest and writes the same files', async () => {
  const dir = tempDir();
  const labels = join(dir, 'labels');
  // Every task: each has its own instruction, so about 1,600 distinct inputs.
  assert.equal(runCli(['label', MIMIC_MEDS, '--out', labels]).code, 0);
  // Slow batches, so the kill lands mid-run.
  const server = await startEmbeddingServer({ dims: 8, serviceMs: 100 });
  try {
    const args = (out: string, cache: string): string[] => [
      'embed',
      MIMIC_MEDS,
      '--labels',
      labels,
      '--model',
      `openai:${server.url}#Qwen3-Embedding-test`,
      '--max-tokens',
      '1024',
      '--out',
      join(dir, out),
      '--cache',
      join(dir, cache),
      '--json',
    ];
    const child = spawn(process.execPath, [BIN, ...args('killed', 'cache')], { stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    // The server check, then three 64-input batches answered (one batch at a time: the first two
    // were committed before the third was sent): kill while serialization still runs.
    while (server.requests.inputs < 1 + 3 * 64) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    await server.idle();
    const servedBeforeKill = server.requests.inputs;
    const rerun = await runCliAsync(args('rerun', 'cache'));
    assert.equal(rerun.code, 0, rerun.stderr);
    const r = JSON.parse(rerun.stdout) as { distinctInputs: number; cacheHits: number; toEmbed: number; tasks: Record<string, unknown> };
    assert.ok(r.distinctInputs > 128, `enough inputs for several batches: ${r.distinctInputs}`);
    // At least two batches were committed before the kill; nothing is embedded twice except a batch in flight.
    assert.ok(r.cacheHits >= 128, `cache hits after the kill: ${r.cacheHits}`);
    assert.equal(r.cacheHits + r.toEmbed, r.distinctInputs);
    assert.ok(servedBeforeKill - 1 <= r.cacheHits + 64, `served ${servedBeforeKill - 1} inputs before the kill, ${r.cacheHits} kept`);
    // The same files as an uninterrupted run on a fresh cache.
    const whole = await runCliAsync(args('whole', 'fresh'));
    assert.equal(whole.code, 0, whole.stderr);
    assert.equal(JSON.parse(whole.stdout).toEmbed, r.distinctInputs);
    for (const task of Object.keys(r.tasks))
      assert.ok(readFileSync(join(dir, 'rerun', `${task}.parquet`)).equals(readFileSync(join(dir, 'whole', `${task}.parquet`))), task);
  } finally {
    await server.close();
  }
});

it('embeds while it serializes: the first batch goes out before the last subject is read', async () => {
  const dir = tempDir();
  const labels = join(dir, 'labels');
  assert.equal(runCli(['label', MIMIC_MEDS, '--out', labels]).code, 0);
  const server = await startEmbeddingServer({ dims: 8 });
  const ds = await openMedsDataset(MIMIC_MEDS);
  const cache = EmbeddingCache.open(join(dir, 'cache'));
  try {
    const ld = readLabelsDir(labels);
    const tasks = await readEmbedTasks(ld, tasksWithLabels(ld));
    const vocabulary = await buildVocabulary({ codes: await ds.distinctCodes(), datasetCodes: ds.codes });
    // The real dataset and embedder, observed: subjects read so far at each embedder call.
    let read = 0;
    const observed = Object.create(ds, {
      subjects: {
        value: async function* () {
          for await (const s of ds.subjects()) {
            read++;
            yield s;
          }
        },
      },
    }) as typeof ds;
    const embedder = createEmbedder(`openai:${server.url}#Qwen3-Embedding-test`);
    const readAtCall: number[] = [];
    const embed = embedder.embed.bind(embedder);
    const watched = Object.assign(Object.create(embedder) as typeof embedder, {
      embed: (inputs: Parameters<typeof embed>[0]) => {
        readAtCall.push(read);
        return embed(inputs);
      },
    });
    const r = await embedLabels(observed, tasks, watched, cache, {
      format: 'markdown',
      maxTokens: 1024,
      instruction: 'task',
      vocabulary,
      workers: 1,
      out: join(dir, 'feats'),
    });
    assert.ok(r.toEmbed > 64 * 3, `several batches: ${r.toEmbed}`);
    assert.equal(readAtCall.length, Math.ceil(r.toEmbed / 64));
    assert.ok((readAtCall[0] as number) < read, `first batch sent after ${readAtCall[0]} of ${read} subjects`);
  } finally {
    await cache.close();
    ds.close();
    await server.close();
  }
});
