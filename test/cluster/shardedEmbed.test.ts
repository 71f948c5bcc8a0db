import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { readFeatureFile, readTaskFeatures } from '../../src/meds/featureFiles.ts';
import { startEmbeddingServer, type RunningServer } from '../helpers/embeddingServer.ts';
import { DATA, tempDir } from '../helpers/paths.ts';
import { runCli, runCliAsync } from '../helpers/runCli.ts';

const TASKS = ['mortality_1y', 'readmission_30d', 'hypoglycemia'];

describe('sharded embed', () => {
  const dir = tempDir();
  const meds = join(dir, 'meds');
  const labels = join(dir, 'labels');
  before(() => {
    assert.equal(
      runCli(['convert', '--from', 'fhir', '--input', join(DATA, 'synthea-fhir/r4-synthea-sample.bundles.ndjson.gz'), '--out', meds]).code,
      0,
    );
    assert.equal(runCli(['label', meds, '--tasks', TASKS.join(','), '--out', labels]).code, 0);
  });

  it('two shards (one from --shard, one from SLURM variables alone) read as one and merge to the single run, row for row and bit for bit', async () => {
    const server: RunningServer = await startEmbeddingServer({ dims: 16 });
    try {
      const model = `openai:${server.url}#Qwen3-Embedding-test`;
      const embed = (out: string, cache: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
        runCliAsync(
          ['embed', meds, '--labels', labels, '--model', model, '--max-tokens', '256', '--out', out, '--cache', cache, '--json', ...args],
          { env },
        );
      const single = join(dir, 'single');
      const sharded = join(dir, 'sharded');
      const r = await embed(single, join(dir, 'cache-single'), []);
      assert.equal(r.code, 0, r.stderr);
      // Separate caches: the shards must compute their vectors, not find the single run's.
      const s0 = await embed(sharded, join(dir, 'cache-0'), ['--shard', '0/2']);
      assert.equal(s0.code, 0, s0.stderr);
      const clean = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !k.startsWith('SLURM_') && k !== 'JOB_COMPLETION_INDEX' && k !== 'EHR_EMBED_SHARD'),
      );
      const s1 = await embed(sharded, join(dir, 'cache-1'), [], {
        ...clean,
        SLURM_ARRAY_TASK_ID: '8',
        SLURM_ARRAY_TASK_MIN: '7',
        SLURM_ARRAY_TASK_MAX: '8',
        SLURM_ARRAY_TASK_COUNT: '2',
      });
      assert.equal(s1.code, 0, s1.stderr);
      assert.match(s1.stderr, /shard 1\/2 \(from SLURM_ARRAY_TASK_ID/);
      const [j0, j1, js] = [JSON.parse(s0.stdout), JSON.parse(s1.stdout), JSON.parse(r.stdout)];
      assert.deepEqual(j1.shard, { index: 1, count: 2 });
      assert.ok(j0.pairs > 0 && j1.pairs > 0, 'both shards have subjects');
      assert.equal(j0.pairs + j1.pairs, js.pairs, 'every (subject, time) in exactly one shard');
      assert.ok(existsSync(join(sharded, 'manifest.part-0-of-2.json')) && existsSync(join(sharded, 'manifest.part-1-of-2.json')));
      for (const task of TASKS) {
        const one = await readFeatureFile(join(single, `${task}.parquet`));
        const parts = await readTaskFeatures(sharded, task);
        const key = (m: typeof one, i: number) => `${m.subjectIds[i]}@${m.predictionTimes[i]}`;
        const rows = (m: typeof one) =>
          new Map(Array.from(m.subjectIds, (_, i) => [key(m, i), [...m.data.subarray(i * m.dims, (i + 1) * m.dims)]]));
        assert.deepEqual(rows(parts), rows(one), `${task}: the parts read as one hold the same rows and vectors`);
      }
      // evaluate and train read the parts as one, before any merge.
      const [ev, tr] = await Promise.all([
        runCliAsync([
          'evaluate',
          '--labels',
          labels,
          '--features',
          `e=${sharded}`,
          '--k',
          'all',
          '--replicates',
          '1',
          '--bootstrap',
          '20',
          '--paired-resamples',
          '20',
          '--out',
          join(dir, 'parts-eval.json'),
        ]),
        runCliAsync([
          'train',
          '--labels',
          labels,
          '--features',
          sharded,
          '--task',
          'mortality_1y',
          '--c',
          '1',
          '--out',
          join(dir, 'probe'),
          '--json',
        ]),
      ]);
      assert.equal(ev.code, 0, ev.stderr);
      assert.ok(
        JSON.parse(readFileSync(join(dir, 'parts-eval.json'), 'utf8')).results.some((x: { featureSet: string }) => x.featureSet === 'e'),
      );
      assert.equal(tr.code, 0, tr.stderr);
      assert.equal(JSON.parse(tr.stdout).model.dims, 16);
      const m = await runCliAsync(['merge-features', sharded, '--json']);
      assert.equal(m.code, 0, m.stderr);
      assert.deepEqual(readdirSync(sharded).sort(), [...TASKS.map((t) => `${t}.parquet`), 'manifest.json'].sort());
      for (const task of TASKS) {
        const a = await readFeatureFile(join(single, `${task}.parquet`));
        const b = await readFeatureFile(join(sharded, `${task}.parquet`));
        assert.deepEqual(b.subjectIds, a.subjectIds, `${task}: same rows in the same order`);
        assert.deepEqual(b.predictionTimes, a.predictionTimes);
        assert.equal(b.dims, a.dims);
        assert.deepEqual(b.data, a.data, `${task}: identical float32 vectors`);
      }
      const merged = JSON.parse(readFileSync(join(sharded, 'manifest.json'), 'utf8'));
      assert.equal(merged.inputs, js.inputs);
      assert.deepEqual(merged.tasks, Object.fromEntries(TASKS.map((t) => [t, { labels: js.tasks[t].labels, file: `${t}.parquet` }])));
      // Each shard's cache worked alone; merged, a rerun of the whole study finds every vector.
      const cm = await runCliAsync(['cache', 'merge', join(dir, 'cache-merged'), join(dir, 'cache-0'), join(dir, 'cache-1'), '--json']);
      assert.equal(cm.code, 0, cm.stderr);
      const cj = JSON.parse(cm.stdout);
      assert.equal(cj.size, js.distinctInputs);
      assert.equal(cj.sources[0].added + cj.sources[1].added, js.distinctInputs);
      const served = server.requests.inputs;
      // --no-check: a rerun served by the cache alone sends no request at all (not even the check).
      const again = await embed(join(dir, 'rerun'), join(dir, 'cache-merged'), ['--no-check']);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(JSON.parse(again.stdout).toEmbed, 0);
      assert.equal(server.requests.inputs, served, 'no request on the rerun with the merged cache');
    } finally {
      await server.close();
    }
  });

  it('an incomplete set of parts is refused by evaluate and by merge-features', async () => {
    const server = await startEmbeddingServer({ dims: 8 });
    try {
      const out = join(dir, 'incomplete');
      const r = await runCliAsync([
        'embed',
        meds,
        '--labels',
        labels,
        '--model',
        `openai:${server.url}#m`,
        '--out',
        out,
        '--cache',
        join(dir, 'cache-i'),
        '--shard',
        '2/3',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const m = await runCliAsync(['merge-features', out]);
      assert.equal(m.code, 2);
      assert.match(m.stderr, /missing 2 of 3 shard manifests \(manifest\.part-0-of-3\.json, manifest\.part-1-of-3\.json\)/);
      const before = server.requests.n;
      const dry = await runCliAsync([
        'embed',
        meds,
        '--labels',
        labels,
        '--model',
        `openai:${server.url}#Qwen3-Embedding-8B`,
        '--max-tokens',
        '4096',
        '--cache',
        join(dir, 'cache-i'),
        '--shard',
        '1/3',
        '--dry-run',
        '--gpu-profile',
        'h100-8b',
        '--json',
      ]);
      assert.equal(dry.code, 0, dry.stderr);
      const d = JSON.parse(dry.stdout);
      assert.equal(d.gpuEstimate.texts, d.toEmbed, 'the estimate covers what is still to embed');
      assert.ok(d.gpuEstimate.tokens > d.tokensToEmbed, 'instruction tokens included');
      assert.ok(
        d.gpuEstimate.gpuHours > 0 && d.gpuEstimate.gpuHours < (d.toEmbed / 7.2 / 3600) * 1.0001,
        'texts shorter than 4,096 tokens run faster than 7.2/s',
      );
      assert.equal(server.requests.n, before, 'planning sends no request');
      const e = await runCliAsync(['evaluate', '--labels', labels, '--features', `e=${out}`, '--out', join(dir, 'eval.json')]);
      assert.equal(e.code, 2);
      assert.match(e.stderr, /missing 2 of 3 parts/);
    } finally {
      await server.close();
    }
  });
});
