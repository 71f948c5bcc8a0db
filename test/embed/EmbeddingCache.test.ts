import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { EmbeddingCache } from '../../src/embed/EmbeddingCache.ts';
import { embedWithCache } from '../../src/embed/embedWithCache.ts';
import { OpenAiEmbedder } from '../../src/embed/OpenAiEmbedder.ts';
import { startEmbeddingServer } from '../helpers/embeddingServer.ts';
import { tempDir } from '../helpers/paths.ts';

describe('embedding cache', () => {
  it('a run killed with SIGKILL keeps its committed batches; the rerun embeds only the rest', async () => {
    const server = await startEmbeddingServer({ dims: 8, serviceMs: 150 });
    const dir = tempDir();
    try {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', resolve(import.meta.dirname, '../helpers/embedChild.ts'), server.url, dir, '200'],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let lines = 0;
      await new Promise<void>((done) => {
        child.stdout.on('data', (d: Buffer) => {
          lines += d
            .toString()
            .split('\n')
            .filter((l) => l.startsWith('done ') && l !== 'done 0').length;
          if (lines >= 3) {
            child.kill('SIGKILL');
            done();
          }
        });
      });
      await new Promise((r) => child.once('exit', r));
      // The request in flight at the kill still finishes on the server: let it land before counting.
      await server.idle();
      const cache = EmbeddingCache.open(dir);
      try {
        const kept = cache.size;
        assert.ok(kept >= 15 && kept < 200, `kept ${kept}`);
        assert.equal(kept % 5, 0, 'only whole batches are committed');
        const before = server.requests.inputs;
        const e = new OpenAiEmbedder({ baseUrl: server.url, model: 'm', concurrency: 4 });
        const inputs = Array.from({ length: 200 }, (_, i) => ({ text: `record ${i}`, instruction: null }));
        const r = await embedWithCache(e, cache, inputs, { batchSize: 50 });
        assert.equal(r.stats.cacheHits, kept);
        assert.equal(r.stats.embedded, 200 - kept);
        assert.equal(server.requests.inputs - before, 200 - kept, 'the server saw only the missing texts');
        assert.equal(cache.size, 200);
      } finally {
        await cache.close();
      }
    } finally {
      await server.close();
    }
  });

  it('keys depend on model, instruction and exact text', () => {
    const k = (m: string, text: string, instruction: string | null): string => EmbeddingCache.key(m, { text, instruction });
    const base = k('m', 't', null);
    assert.notEqual(base, k('m2', 't', null));
    assert.notEqual(base, k('m', 't ', null));
    assert.notEqual(base, k('m', 't', ''));
    assert.notEqual(k('m', 't', 'a'), k('m', 't', 'b'));
    assert.equal(base, k('m', 't', null));
  });

  it('merges caches: adds what is missing, keeps the destination on a conflict, leaves sources unchanged', async () => {
    const [a, b, d] = [tempDir(), tempDir(), tempDir()];
    const v = (x: number) => Float32Array.from([x, x + 1, x + 2]);
    const ca = EmbeddingCache.open(a);
    await ca.putMany([
      ['k1', v(1)],
      ['k2', v(2)],
    ]);
    await ca.close();
    const cb = EmbeddingCache.open(b);
    await cb.putMany([
      ['k2', v(2)],
      ['k3', v(3)],
      ['k4', v(40)],
    ]);
    await cb.close();
    const dst = EmbeddingCache.open(d);
    try {
      await dst.putMany([['k4', v(4)]]);
      assert.deepEqual(await dst.mergeFrom(a, 1), { source: a, read: 2, added: 2, same: 0, differing: 0 });
      assert.deepEqual(await dst.mergeFrom(b), { source: b, read: 3, added: 1, same: 1, differing: 1 });
      assert.equal(dst.size, 4);
      assert.deepEqual(dst.get('k3'), v(3));
      assert.deepEqual(dst.get('k4'), v(4), 'the destination keeps its vector');
      await assert.rejects(dst.mergeFrom(tempDir()), /not an embedding cache/);
      await assert.rejects(dst.mergeFrom(d), /into itself/);
    } finally {
      await dst.close();
    }
    const again = EmbeddingCache.open(b);
    assert.equal(again.size, 3, 'source unchanged');
    await again.close();
  });
});
