import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkEmbedder } from '../../src/embed/checkEmbedder.ts';
import { createEmbedder } from '../../src/embed/createEmbedder.ts';
import { EmbeddingCache } from '../../src/embed/EmbeddingCache.ts';
import { embedWithCache } from '../../src/embed/embedWithCache.ts';
import { OpenAiEmbedder } from '../../src/embed/OpenAiEmbedder.ts';
import { startEmbeddingServer, vectorOf } from '../helpers/embeddingServer.ts';
import { join } from 'node:path';
import { readFeatureFile } from '../../src/meds/featureFiles.ts';
import { MIMIC_MEDS, tempDir } from '../helpers/paths.ts';
import { startServerProcess, type ServerProcess } from '../helpers/serverProcess.ts';
import { runCli, runCliAsync } from '../helpers/runCli.ts';

const DIMS = 12;
const inputsOf = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `patient record ${i}`, instruction: null }));
const expectExact = (vecs: Float32Array[], n: number): void => {
  assert.equal(vecs.length, n);
  // The client re-normalizes in float32, so compare with the same float32 rounding.
  vecs.forEach((v, i) => {
    const want = Float32Array.from(vectorOf(`patient record ${i}`, DIMS));
    let s = 0;
    for (const x of want) s += x * x;
    const norm = Math.sqrt(s);
    for (let k = 0; k < want.length; k++) want[k] = (want[k] as number) / norm;
    assert.deepEqual(v, want, `vector ${i}`);
  });
};

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('several embedding servers in one spec', () => {
  it('parses the server list: per-server requests in flight, a sorted cache spec, clear errors', () => {
    const e = createEmbedder('openai:http://127.0.0.2:9/v1*8,http://127.0.0.1:9/v1#Qwen3-Embedding-8B') as OpenAiEmbedder;
    assert.equal(e.spec, 'openai:http://127.0.0.1:9/v1,http://127.0.0.2:9/v1#Qwen3-Embedding-8B');
    assert.deepEqual(
      e.serverStats().map((s) => [s.baseUrl, s.concurrency]),
      [
        ['http://127.0.0.2:9/v1', 8],
        ['http://127.0.0.1:9/v1', 4],
      ],
    );
    assert.equal(e.callSize, 2 * 32 * 12);
    assert.equal(createEmbedder('openai:http://127.0.0.1:9/v1#m').callSize, undefined, 'one server: one call at a time');
    assert.throws(() => createEmbedder('openai:http://a/v1,,http://b/v1#m'), /empty server URL/);
    assert.throws(() => createEmbedder('openai:http://a/v1,ftp://b/v1#m'), /expected http/);
    assert.throws(() => createEmbedder('openai:http://a/v1,http://a/v1/#m'), /listed twice/);
  });

  it('spreads work by measured speed, and a server killed mid-run loses no vector and writes none twice', async () => {
    const fast = await startServerProcess({ dims: DIMS, serviceMs: 20, slots: 4 });
    const slow = await startServerProcess({ dims: DIMS, serviceMs: 80, slots: 2 });
    const victim = await startServerProcess({ dims: DIMS, serviceMs: 20, slots: 4 });
    const servers: ServerProcess[] = [fast, slow, victim];
    try {
      const spec = `openai:${fast.url}*4,${slow.url}*2,${victim.url}*4#m`;
      const e = createEmbedder(spec, { openai: { maxBatchInputs: 8, backoffMs: 50 } }) as OpenAiEmbedder;
      const cache = EmbeddingCache.open(tempDir());
      try {
        const n = 1200;
        const run = embedWithCache(e, cache, inputsOf(n), { batchSize: 200 });
        await until(() => (e.serverStats()[2]?.inputs ?? 0) >= 80, 'the victim to serve some batches');
        victim.signal('SIGKILL');
        const { vectors, stats } = await run;
        expectExact(vectors, n);
        assert.equal(stats.embedded, n);
        assert.equal(cache.size, n, 'every vector stored once');
        const per = e.serverStats();
        assert.equal(
          per.reduce((a, s) => a + s.inputs, 0),
          n,
          'each input taken from exactly one reply',
        );
        assert.ok((per[2]?.failures ?? 0) >= 1, 'the killed server failed');
        assert.ok((per[2]?.inputs ?? 0) < n / 2);
        assert.ok((per[0]?.inputs ?? 0) > (per[1]?.inputs ?? 0), `the fast server did more: ${per.map((s) => s.inputs)}`);
      } finally {
        await cache.close();
        await e.close();
      }
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  });

  it('a stalled server (SIGSTOP) has its batches retried elsewhere', async () => {
    const ok = await startServerProcess({ dims: DIMS, serviceMs: 10, slots: 4 });
    const frozen = await startServerProcess({ dims: DIMS, serviceMs: 10, slots: 4 });
    try {
      const e = new OpenAiEmbedder({ baseUrl: `${ok.url},${frozen.url}`, model: 'm', maxBatchInputs: 8, minStallMs: 300, backoffMs: 50 });
      const warm = await e.embed(inputsOf(64));
      expectExact(warm, 64);
      assert.ok((e.serverStats()[1]?.inputs ?? 0) > 0, 'both servers measured');
      frozen.signal('SIGSTOP');
      const started = Date.now();
      const vecs = await e.embed(inputsOf(400));
      expectExact(vecs, 400);
      assert.ok((e.serverStats()[1]?.stalls ?? 0) >= 1, 'stall detected');
      assert.ok(Date.now() - started < 15_000, 'did not wait for the request timeout');
      await e.close();
    } finally {
      await Promise.all([ok.stop(), frozen.stop()]);
    }
  });

  it('check-embedder names the server whose vectors differ (it drops the instruction)', async () => {
    const a = await startEmbeddingServer({ dims: DIMS });
    const b = await startEmbeddingServer({ dims: DIMS });
    const c = await startEmbeddingServer({ dims: DIMS, stripInstruction: true });
    try {
      const same = await checkEmbedder(createEmbedder(`openai:${a.url},${b.url}#Qwen3-Embedding-test`));
      assert.equal(same.find((r) => r.name === 'servers agree')?.status, 'pass');
      const r = await runCliAsync(['check-embedder', '--model', `openai:${a.url},${c.url},${b.url}#Qwen3-Embedding-test`, '--json']);
      assert.equal(r.code, 1, r.stderr);
      const agree = (JSON.parse(r.stdout) as { results: { name: string; status: string; detail: string }[] }).results.find(
        (x) => x.name === 'servers agree',
      );
      assert.equal(agree?.status, 'fail');
      assert.match(
        agree?.detail ?? '',
        new RegExp(`^server ${c.url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} differs .* on the record with instruction`),
      );
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('ehr-embed embed with a two-server spec, one server killed mid-run: the same features as one healthy server', async () => {
    const dir = tempDir();
    const labels = join(dir, 'labels');
    assert.equal(runCli(['label', MIMIC_MEDS, '--tasks', 'anemia,hyperkalemia', '--out', labels]).code, 0);
    const healthy = await startEmbeddingServer({ dims: DIMS, serviceMs: 60, slots: 4 });
    const victim = await startEmbeddingServer({ dims: DIMS, serviceMs: 60, slots: 4 });
    try {
      const embed = (model: string, out: string) =>
        runCliAsync([
          'embed',
          MIMIC_MEDS,
          '--labels',
          labels,
          '--model',
          model,
          '--max-tokens',
          '512',
          '--out',
          out,
          '--cache',
          join(out, 'cache'),
          '--json',
        ]);
      const run = embed(`openai:${healthy.url},${victim.url}#Qwen3-Embedding-test`, join(dir, 'two'));
      await until(() => victim.requests.n >= 3, 'the victim to take requests', 120_000);
      const killed = victim.close();
      const r = await run;
      await killed;
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as { toEmbed: number; servers: { baseUrl: string; inputs: number; failures: number }[] };
      assert.ok((report.servers[1]?.failures ?? 0) >= 1, `the killed server failed: ${JSON.stringify(report.servers)}`);
      assert.equal(
        report.servers.reduce((a, x) => a + x.inputs, 0),
        report.toEmbed,
        'each input from exactly one reply',
      );
      const ref = await embed(`openai:${healthy.url}#Qwen3-Embedding-test`, join(dir, 'one'));
      assert.equal(ref.code, 0, ref.stderr);
      for (const task of ['anemia', 'hyperkalemia']) {
        const a = await readFeatureFile(join(dir, 'one', `${task}.parquet`));
        const b = await readFeatureFile(join(dir, 'two', `${task}.parquet`));
        assert.deepEqual(b.subjectIds, a.subjectIds);
        assert.deepEqual(b.data, a.data, `${task}: identical vectors`);
      }
    } finally {
      await healthy.close();
    }
  });
});
