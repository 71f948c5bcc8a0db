import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkEmbedder } from '../../src/embed/checkEmbedder.ts';
import { OpenAiEmbedder } from '../../src/embed/OpenAiEmbedder.ts';
import { formatInput } from '../../src/embed/Embedder.ts';
import { startEmbeddingServer, vectorOf } from '../helpers/embeddingServer.ts';
import { tempDir } from '../helpers/paths.ts';
import { runCliAsync } from '../helpers/runCli.ts';

const status = (rs: { name: string; status: string }[], name: string): string | undefined => rs.find((r) => r.name === name)?.status;

describe('check-embedder', () => {
  it('passes a well-configured Qwen-style server and agrees with reference vectors', async () => {
    const server = await startEmbeddingServer({ dims: 32 });
    try {
      const e = new OpenAiEmbedder({ baseUrl: server.url, model: 'Qwen/Qwen3-Embedding-0.6B' });
      const ref = join(tempDir(), 'ref.jsonl');
      const text = 'Hemoglobin (g/dL): 10.2 (low)';
      writeFileSync(
        ref,
        JSON.stringify({ text, instruction: 'q', embedding: vectorOf(formatInput('qwen', { text, instruction: 'q' }), 32) }) + '\n',
      );
      const rs = await checkEmbedder(e, { referenceFile: ref, longChars: 4000 });
      for (const name of ['dimension', 'unit norm', 'determinism', 'batch independence', 'instruction', 'truncation', 'reference vectors'])
        assert.equal(status(rs, name), 'pass', name);
    } finally {
      await server.close();
    }
  });

  it('flags a server that drops the instruction and one that truncates silently', async () => {
    const server = await startEmbeddingServer({ dims: 16, stripInstruction: true, truncateChars: 2000 });
    try {
      const rs = await checkEmbedder(new OpenAiEmbedder({ baseUrl: server.url, model: 'gte-Qwen2-7B-instruct' }), { longChars: 4000 });
      assert.equal(status(rs, 'instruction'), 'fail');
      assert.equal(status(rs, 'truncation'), 'warn');
    } finally {
      await server.close();
    }
  });

  it('CLI exits 1 when a check fails', async () => {
    const server = await startEmbeddingServer({ dims: 16, stripInstruction: true });
    try {
      const r = await runCliAsync(['check-embedder', '--model', `openai:${server.url}#Qwen3-Embedding-8B`, '--json']);
      assert.equal(r.code, 1, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.family, 'qwen');
    } finally {
      await server.close();
    }
  });
});
