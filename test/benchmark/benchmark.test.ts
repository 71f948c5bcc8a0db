import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { loadBenchmarkConfig } from '../../src/benchmark/BenchmarkConfig.ts';
import { UsageError } from '../../src/errors.ts';
import { startEmbeddingServer } from '../helpers/embeddingServer.ts';
import { DATA, tempDir } from '../helpers/paths.ts';
import { runCli, runCliAsync } from '../helpers/runCli.ts';

const R4 = join(DATA, 'synthea-fhir/r4-synthea-sample.bundles.ndjson.gz');
const BIN = resolve(import.meta.dirname, '../../bin/ehr-embed.js');

function writeConfig(dir: string, config: unknown): string {
  const f = join(dir, 'config.yaml');
  writeFileSync(f, stringify(config));
  return f;
}

describe('benchmark config validation', () => {
  const base = () => ({
    data: { convert: { from: 'fhir', input: R4 } },
    tasks: ['mortality_1y'],
    models: [{ name: 'u', spec: 'use-lite' }],
  });

  it('rejects typos, unknown models and missing paths with the path of the bad key, before any work', () => {
    const dir = tempDir();
    const cases: [unknown, RegExp][] = [
      [{ ...base(), modles: [] }, /\(top level\): Unrecognized key.*"modles"/],
      [{ ...base(), models: [{ name: 'u', spec: 'bert-base' }] }, /models\[0\]\.spec: unknown model spec "bert-base"/],
      [{ ...base(), data: { convert: { from: 'fhir', input: join(dir, 'missing.ndjson') } } }, /data\.convert\.input: path does not exist/],
      [{ ...base(), evaluation: { ks: [0] } }, /evaluation\.ks\[0\]/],
      [{ ...base(), data: { meds: dir, convert: { from: 'fhir', input: R4 } } }, /data: give exactly one of data\.meds or data\.convert/],
      [{ ...base(), serializations: [{ name: 'x', format: 'yaml' }] }, /serializations\[0\]\.format/],
    ];
    for (const [cfg, re] of cases) {
      const f = writeConfig(dir, cfg);
      assert.throws(
        () => loadBenchmarkConfig(f),
        (e: unknown) => e instanceof UsageError && re.test(e.message) && e.message.includes('config.yaml'),
        String(re),
      );
    }
    const f = writeConfig(dir, { ...base(), modles: [] });
    const out = join(dir, 'out');
    const r = runCli(['benchmark', f, '--out', out]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /modles/);
    assert.ok(!existsSync(out), 'no work started');
  });

  it('the shipped demo config is valid', () => {
    const c = loadBenchmarkConfig(resolve(import.meta.dirname, '../../configs/demo.yaml'));
    assert.ok(c.models.length > 0 && existsSync(c.data.convert!.input));
  });
});

describe('ehr-embed benchmark end to end', () => {
  it('runs, writes results/report/manifest; killed mid-run, the rerun reuses finished steps', async () => {
    const dir = tempDir();
    const server = await startEmbeddingServer({ dims: 16, serviceMs: 400 });
    try {
      const config = writeConfig(dir, {
        title: 'test run',
        data: { convert: { from: 'fhir', input: R4, split: { train: 0.5, tuning: 0.25 } } },
        tasks: ['mortality_1y', 'readmission_30d', 'hypoglycemia'],
        serializations: [{ name: 'md', format: 'markdown', maxTokens: 512, tokenizer: 'qwen2' }],
        models: [{ name: 'served', spec: `openai:${server.url}#Qwen3-Embedding-test` }],
        evaluation: { ks: [4, 'all'], replicates: 2, bootstrap: 100, pairedResamples: 200 },
        cache: join(dir, 'cache'),
      });
      const out = join(dir, 'out');
      // First run: kill it while it embeds, right after its first batch is committed to the cache.
      // Progress lines on every update (the interval is 1 ms) come after each commit, so the kill
      // is synchronised with the run's own report, not with a sleep.
      const child = spawn(process.execPath, [BIN, 'benchmark', config, '--out', out], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, EHR_EMBED_PROGRESS_SECONDS: '0.001' },
      });
      let err = '';
      await new Promise<void>((done) => {
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const committed = [...err.matchAll(/embed served__md: ([\d,]+)\/[\d,]+ inputs/g)].map((m) =>
            Number((m[1] as string).replaceAll(',', '')),
          );
          if (committed.some((n) => n >= 64) && child.exitCode === null) {
            child.kill('SIGKILL');
            done();
          }
        });
        child.on('exit', () => done());
      });
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
      // The request the killed run had in flight still finishes on the server.
      await server.idle();
      assert.match(err, /label: done/);
      assert.ok(!existsSync(join(out, 'results.json')), 'killed before the end');
      const second = await runCliAsync(['benchmark', config, '--out', out]);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stderr, /convert: reused/);
      assert.match(second.stderr, /label: reused/);
      assert.match(second.stderr, /embed served__md: done/);
      const manifest = JSON.parse(readFileSync(join(out, 'features/served__md/manifest.json'), 'utf8'));
      assert.ok(manifest.cacheHits > 0, 'embeddings finished before the kill came from the cache');
      for (const f of ['results.json', 'report.html', 'report.md', 'manifest.json']) assert.ok(existsSync(join(out, f)), f);
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      assert.ok(results.results.some((r: { featureSet: string }) => r.featureSet === 'served__md'));
      assert.ok(results.results.some((r: { featureSet: string; head: string }) => r.featureSet === 'counts' && r.head === 'gbm'));
      const runManifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      assert.match(Object.values(runManifest.inputs)[0] as string, /^[0-9a-f]{64}$/, 'input checksum');
      assert.ok(runManifest.timings.length >= 5);
      const third = await runCliAsync(['benchmark', config, '--out', out]);
      assert.equal(third.code, 0);
      assert.match(third.stderr, /evaluate: reused/);
      assert.match(third.stderr, /embed served__md: reused/);
    } finally {
      await server.close();
    }
  });
});

describe('benchmark config JSON schema', () => {
  it('docs/benchmark-config.schema.json is up to date', async () => {
    const { benchmarkConfigJsonSchema } = await import('../../src/benchmark/BenchmarkConfig.ts');
    const committed = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../docs/benchmark-config.schema.json'), 'utf8'));
    assert.deepEqual(
      committed,
      JSON.parse(JSON.stringify(benchmarkConfigJsonSchema())),
      'regenerate with: node --import tsx scripts/update-config-schema.ts',
    );
  });
});
