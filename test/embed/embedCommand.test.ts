import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readFeatureFile } from '../../src/meds/featureFiles.ts';
import { readLabels } from '../../src/meds/labels.ts';
import { startEmbeddingServer } from '../helpers/embeddingServer.ts';
import { DATA, tempDir } from '../helpers/paths.ts';
import { runCli, runCliAsync } from '../helpers/runCli.ts';

describe('ehr-embed embed', () => {
  it('embeds every label row through a server, once per distinct input; a rerun is all cache hits', async () => {
    const dir = tempDir();
    const meds = join(dir, 'meds');
    const labels = join(dir, 'labels');
    assert.equal(
      runCli(['convert', '--from', 'fhir', '--input', join(DATA, 'synthea-fhir/r4-synthea-sample.bundles.ndjson.gz'), '--out', meds]).code,
      0,
    );
    assert.equal(runCli(['label', meds, '--tasks', 'mortality_1y,readmission_30d,hypoglycemia', '--out', labels]).code, 0);
    const server = await startEmbeddingServer({ dims: 24 });
    try {
      const model = `openai:${server.url}#Qwen3-Embedding-test`;
      const out = join(dir, 'feats');
      const cache = join(dir, 'cache');
      const dry = await runCliAsync([
        'embed',
        meds,
        '--labels',
        labels,
        '--model',
        model,
        '--max-tokens',
        '512',
        '--dry-run',
        '--price-per-million',
        '0.02',
        '--json',
        '--cache',
        cache,
      ]);
      assert.equal(dry.code, 0, dry.stderr);
      const d = JSON.parse(dry.stdout);
      assert.equal(d.dryRun, true);
      assert.ok(d.tokens.max <= 512, 'budget respected');
      assert.ok(d.distinctInputs >= d.distinctTexts, 'task instructions make inputs distinct');
      assert.ok(d.estimatedCostUsd >= 0);
      assert.ok(!existsSync(out));
      const first = await runCliAsync([
        'embed',
        meds,
        '--labels',
        labels,
        '--model',
        model,
        '--max-tokens',
        '512',
        '--out',
        out,
        '--json',
        '--cache',
        cache,
      ]);
      assert.equal(first.code, 0, first.stderr);
      const r1 = JSON.parse(first.stdout);
      assert.equal(r1.toEmbed + r1.cacheHits, r1.distinctInputs);
      const served = server.requests.inputs;
      for (const task of Object.keys(r1.tasks)) {
        const f = await readFeatureFile(join(out, `${task}.parquet`));
        const l = await readLabels(join(labels, `${task}.parquet`));
        assert.equal(f.subjectIds.length, l.length, `${task}: one row per label`);
        assert.equal(f.dims, 24);
        assert.deepEqual(
          [...f.subjectIds],
          l.map((x) => x.subjectId),
        );
      }
      const second = await runCliAsync([
        'embed',
        meds,
        '--labels',
        labels,
        '--model',
        model,
        '--max-tokens',
        '512',
        '--out',
        out,
        '--json',
        '--cache',
        cache,
      ]);
      const r2 = JSON.parse(second.stdout);
      assert.equal(r2.toEmbed, 0);
      assert.equal(r2.cacheHits, r1.distinctInputs);
      assert.equal(server.requests.inputs, served + 1, 'the rerun sends only the one-word server check');
      const third = await runCliAsync([
        'embed',
        meds,
        '--labels',
        labels,
        '--model',
        model,
        '--max-tokens',
        '512',
        '--out',
        out,
        '--json',
        '--cache',
        cache,
        '--no-check',
      ]);
      assert.equal(JSON.parse(third.stdout).toEmbed, 0);
      assert.equal(server.requests.inputs, served + 1, '--no-check: no request at all when the cache has every input');
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      assert.equal(manifest.model, `openai:${server.url}#Qwen3-Embedding-test`);
      const bad = await runCliAsync(['embed', meds, '--labels', labels, '--model', 'nope', '--out', out]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /unknown model spec "nope"/);
    } finally {
      await server.close();
    }
  });

  it('without a reachable server: a dry run still prints its counts (exit 0, says why there is no time), a real run fails in one line before serializing', async () => {
    const dir = tempDir();
    const meds = join(dir, 'meds');
    const labels = join(dir, 'labels');
    assert.equal(
      runCli(['convert', '--from', 'fhir', '--input', join(DATA, 'synthea-fhir/r4-synthea-sample.bundles.ndjson.gz'), '--out', meds]).code,
      0,
    );
    assert.equal(runCli(['label', meds, '--tasks', 'mortality_1y', '--out', labels]).code, 0);
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const model = `openai:http://127.0.0.1:${port}/v1#Qwen3-Embedding-test`;
    const dry = await runCliAsync([
      'embed',
      meds,
      '--labels',
      labels,
      '--model',
      model,
      '--dry-run',
      '--json',
      '--cache',
      join(dir, 'cache'),
    ]);
    assert.equal(dry.code, 0, dry.stderr);
    const d = JSON.parse(dry.stdout);
    assert.ok(d.inputs > 0 && d.distinctInputs > 0 && d.tokensToEmbed > 0, 'counts are there');
    assert.equal(d.estimatedSeconds, undefined);
    assert.match(d.estimateNote, /could not embed a sample.*127\.0\.0\.1:\d+.*not usable/);
    const real = await runCliAsync([
      'embed',
      meds,
      '--labels',
      labels,
      '--model',
      model,
      '--out',
      join(dir, 'feats'),
      '--cache',
      join(dir, 'cache'),
    ]);
    assert.equal(real.code, 2);
    assert.match(real.stderr, /^ehr-embed: error: .*not usable.*nothing was serialized or embedded\)\n$/);
    assert.ok(!existsSync(join(dir, 'feats')), 'nothing written');
  });
});
