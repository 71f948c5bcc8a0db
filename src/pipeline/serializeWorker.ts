/**
 * Worker thread of {@link SerializePool}: builds the run's vocabulary and tokenizer once, then
 * serializes the batches of subjects it is sent and posts back their {@link PairText}s.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { getTokenizer } from '../tokenize/getTokenizer.ts';
import { buildVocabulary, type BuildVocabularyOptions } from '../vocab/VocabularyChain.ts';
import { serializePairs, type SerializeSettings } from './serializePairs.ts';
import { unpackRequests, type PackedRequests } from './packRequests.ts';

/** What the pool gives each worker. */
export interface SerializeWorkerData {
  readonly settings: SerializeSettings;
  readonly vocabulary: BuildVocabularyOptions;
}

const data = workerData as SerializeWorkerData;
const port = parentPort;
if (port === null) throw new Error('serializeWorker runs as a worker thread');
const vocabulary = buildVocabulary(data.vocabulary);
const tokenizer = getTokenizer(data.settings.tokenizer);
port.on('message', (msg: { seq: number; packed: PackedRequests }) => {
  void vocabulary.then(
    (vocab) => {
      try {
        const requests = unpackRequests(msg.packed);
        port.postMessage({ seq: msg.seq, pairs: requests.flatMap((r) => serializePairs(r, data.settings, vocab, tokenizer)) });
      } catch (err) {
        port.postMessage({
          seq: msg.seq,
          error: { message: (err as Error).message, usage: (err as { name?: string }).name === 'UsageError' },
        });
      }
    },
    (err: Error) => port.postMessage({ seq: msg.seq, error: { message: err.message, usage: err.name === 'UsageError' } }),
  );
});
