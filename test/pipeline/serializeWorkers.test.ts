import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startEmbeddingServer } from '../helpers/embeddingServer.ts';
import { MIMIC_MEDS, tempDir } from '../helpers/paths.ts';
import { runCli, runCliAsync } from '../helpers/runCli.ts';

describe('embed with serialization worker threads', () => {
  it('gives the same dry-run counts and byte-identical feature files as the main thread (MIMIC-IV demo)', async () => {
    const dir = tempDir();
    const labels = join(dir, 'labels');
    assert.equal(runCli(['label', MIMIC_MEDS, '--tasks', 'long_los,hyponatremia', '--out', labels]).code, 0);
    const server = await startEmbeddingServer({ dims: 8 });
    try {
      const base = [
        'embed',
        MIMIC_MEDS,
        '--labels',
        labels,
        '--model',
        `openai:${server.url}#Qwen3-Embedding-test`,
        '--format',
        'list',
        '--max-tokens',
        '256',
        '--tokenizer',
        'qwen3',
        '--json',
      ];
      const dry = async (workers: string, cache: string): Promise<Record<string, unknown>> => {
        const r = await runCliAsync([...base, '--dry-run', '--workers', workers, '--cache', join(dir, cache)]);
        assert.equal(r.code, 0, r.stderr);
        const { seconds: _s, estimatedSeconds: _e, ...rest } = JSON.parse(r.stdout);
        return rest;
      };
      const one = await dry('1', 'c1');
      assert.ok(
        (one.pairs as number) > 20 && (one.tokens as { truncated: number }).truncated > 0,
        'a real workload: many pairs, some cut to the budget',
      );
      assert.deepEqual(await dry('3', 'c3'), one, 'three threads: the same counts, token lengths (in order) and cache hits');
      for (const workers of ['1', '2']) {
        const r = await runCliAsync([
          ...base,
          '--workers',
          workers,
          '--out',
          join(dir, `f${workers}`),
          '--cache',
          join(dir, `c${workers}`),
        ]);
        assert.equal(r.code, 0, r.stderr);
      }
      for (const task of ['long_los', 'hyponatremia']) {
        assert.ok(
          readFileSync(join(dir, 'f1', `${task}.parquet`)).equals(readFileSync(join(dir, 'f2', `${task}.parquet`))),
          `${task}.parquet is the same file`,
        );
      }
      // The dry run after the real one sees every input in the cache (keys computed in the threads).
      const again = await dry('2', 'c2');
      assert.equal(again.cacheHits, again.distinctInputs);
      assert.equal(again.toEmbed, 0);
    } finally {
      await server.close();
    }
  });
});
