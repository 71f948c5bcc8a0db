import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OpenAiEmbedder, guessFamily, splitBatches } from '../../src/embed/OpenAiEmbedder.ts';
import { createEmbedder } from '../../src/embed/createEmbedder.ts';
import { EmbeddingCache } from '../../src/embed/EmbeddingCache.ts';
import { embedWithCache } from '../../src/embed/embedWithCache.ts';
import { formatInput } from '../../src/embed/Embedder.ts';
import { UsageError } from '../../src/errors.ts';
import { startEmbeddingServer, vectorOf } from '../helpers/embeddingServer.ts';
import { tempDir } from '../helpers/paths.ts';

const close = (a: Float32Array, b: number[]): boolean => a.length === b.length && a.every((x, i) => Math.abs(x - (b[i] as number)) < 1e-6);

describe('OpenAI-compatible embedder', () => {
  it('gets every vector, in order, through 429s, 500s, slow replies and dropped connections', async () => {
    const server = await startEmbeddingServer({ dims: 16, faults: ['429', '500', 'drop', 'slow', 'ok', '429', 'drop'], slowMs: 1500 });
    try {
      const e = new OpenAiEmbedder({
        baseUrl: server.url,
        model: 'test-model',
        maxBatchInputs: 7,
        concurrency: 3,
        timeoutMs: 800,
        backoffMs: 10,
      });
      const inputs = Array.from({ length: 100 }, (_, i) => ({ text: `text ${i}`, instruction: null }));
      const vecs = await e.embed(inputs);
      assert.equal(vecs.length, 100);
      vecs.forEach((v, i) => assert.ok(close(v, vectorOf(`text ${i}`, 16)), `vector ${i} in place`));
      assert.ok(e.stats.retries >= 5, `retried ${e.stats.retries}`);
      assert.equal(e.dims, 16);
    } finally {
      await server.close();
    }
  });

  it('embeds each distinct text once through the cache, across runs', async () => {
    const server = await startEmbeddingServer({ dims: 8, faultRate: 0.3 });
    const cache = EmbeddingCache.open(tempDir());
    try {
      const e = new OpenAiEmbedder({ baseUrl: server.url, model: 'm', family: 'qwen', backoffMs: 1, timeoutMs: 3000 });
      const inputs = Array.from({ length: 60 }, (_, i) => ({ text: `t${i % 20}`, instruction: i < 30 ? 'q' : null }));
      const first = await embedWithCache(e, cache, inputs, { batchSize: 9 });
      assert.equal(first.stats.distinct, 40);
      assert.equal(first.stats.embedded, 40);
      assert.equal(cache.size, 40);
      const before = server.requests.inputs;
      const second = await embedWithCache(e, cache, inputs);
      assert.equal(second.stats.cacheHits, 40);
      assert.equal(second.stats.embedded, 0);
      assert.equal(server.requests.inputs, before, 'no request on a full cache hit');
      second.vectors.forEach((v, i) => assert.deepEqual(v, first.vectors[i]));
      // A plain-family model ignores instructions: one entry per text.
      const plain = new OpenAiEmbedder({ baseUrl: server.url, model: 'bert', family: 'plain', backoffMs: 1, timeoutMs: 3000 });
      assert.equal((await embedWithCache(plain, cache, inputs)).stats.distinct, 20);
    } finally {
      await cache.close();
      await server.close();
    }
  });

  it('clear errors: wrong dimension, unreachable server, refused request, bad spec', async () => {
    const server = await startEmbeddingServer({ dims: 8, faults: ['ok', 'wrong-dims'], apiKey: 'secret' });
    try {
      const e = new OpenAiEmbedder({ baseUrl: server.url, model: 'm', apiKey: 'secret', maxBatchInputs: 1, concurrency: 1 });
      await assert.rejects(
        e.embed([
          { text: 'a', instruction: null },
          { text: 'b', instruction: null },
        ]),
        /returned a vector of 9 dimensions, expected 8/,
      );
      const noKey = new OpenAiEmbedder({ baseUrl: server.url, model: 'm', apiKey: 'wrong' });
      await assert.rejects(noKey.embed([{ text: 'a', instruction: null }]), /refused the request: HTTP 401/);
    } finally {
      await server.close();
    }
    const gone = await startEmbeddingServer();
    await gone.close();
    const dead = new OpenAiEmbedder({ baseUrl: gone.url, model: 'm', maxRetries: 2, backoffMs: 1 });
    await assert.rejects(
      dead.embed([{ text: 'a', instruction: null }]),
      (err: unknown) => err instanceof UsageError && /failed after 3 tries: ECONNREFUSED/.test(err.message),
    );
    assert.throws(() => createEmbedder('bert-base'), /unknown model spec "bert-base"; known: use-lite, openai:/);
    assert.throws(() => createEmbedder('openai:http://x/v1'), /needs a model name/);
    assert.throws(() => createEmbedder('openai:not a url#m'), /invalid server URL/);
  });

  it('instruction formats and batching', () => {
    assert.equal(guessFamily('Qwen/Qwen3-Embedding-8B'), 'qwen');
    assert.equal(guessFamily('Alibaba-NLP/gte-Qwen2-7B-instruct'), 'qwen');
    assert.equal(guessFamily('McGill-NLP/LLM2Vec-Meta-Llama-31-8B-Instruct-mntp'), 'llm2vec');
    assert.equal(guessFamily('BAAI/bge-base-en'), 'plain');
    assert.equal(formatInput('qwen', { text: 'T', instruction: 'I' }), 'Instruct: I\nQuery:\nT');
    assert.equal(formatInput('llm2vec', { text: 'T', instruction: 'I' }), 'I!@#$%^&*()T');
    assert.equal(formatInput('plain', { text: 'T', instruction: 'I' }), 'T');
    const b = splitBatches(['a'.repeat(30), 'b'.repeat(30), 'c'.repeat(3), 'd'], 3, 15);
    assert.deepEqual(
      b.map((x) => [x.start, x.texts.length]),
      [
        [0, 1],
        [1, 3],
      ],
    );
    assert.deepEqual(
      splitBatches(['a', 'b', 'c', 'd'], 3, 100).map((x) => x.texts.length),
      [3, 1],
    );
  });
});
