// Child process for the kill -9 test: embeds `n` texts through the cache, printing after each
// committed batch. Usage: node --import tsx embedChild.ts <server-url> <cache-dir> <n>
import { OpenAiEmbedder } from '../../src/embed/OpenAiEmbedder.ts';
import { EmbeddingCache } from '../../src/embed/EmbeddingCache.ts';
import { embedWithCache } from '../../src/embed/embedWithCache.ts';

const [url, dir, n] = process.argv.slice(2) as [string, string, string];
const cache = EmbeddingCache.open(dir);
const e = new OpenAiEmbedder({ baseUrl: url, model: 'm', concurrency: 1 });
const inputs = Array.from({ length: Number(n) }, (_, i) => ({ text: `record ${i}`, instruction: null }));
await embedWithCache(e, cache, inputs, { batchSize: 5, onProgress: (done) => process.stdout.write(`done ${done}\n`) });
await cache.close();
