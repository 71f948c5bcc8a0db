/**
 * The embedder registry: a model spec string selects a backend.
 *
 * | spec | backend |
 * |---|---|
 * | `use-lite` | Universal Sentence Encoder Lite, bundled, offline (the default) |
 * | `openai:<base-url>#<model>` | an OpenAI-compatible `/v1/embeddings` server (vLLM, TEI, Ollama, llama.cpp, hosted) |
 * | `onnx:<model-dir>[?pooling=mean\|cls\|last&normalize=true\|false&max_length=N&family=...]` | a local ONNX model folder (transformers.js layout), never fetched |
 * | `gguf:<file>[?family=...&normalize=...&max_length=N&threads=N&gpu=auto\|cpu\|cuda\|vulkan]` | a local GGUF model through node-llama-cpp (llama.cpp) |
 */
import { UsageError } from '../errors.ts';
import { MODEL_FAMILIES, type Embedder, type ModelFamily } from './Embedder.ts';
import { GgufEmbedder, parseGgufSpec } from './GgufEmbedder.ts';
import { OnnxEmbedder, parseOnnxSpec, type OnnxOptions } from './OnnxEmbedder.ts';
import { OpenAiEmbedder, type OpenAiOptions } from './OpenAiEmbedder.ts';
import { UseLiteEmbedder, type UseLiteOptions } from './UseLiteEmbedder.ts';

/** Backend-independent options; each backend ignores what does not apply to it. */
export interface CreateEmbedderOptions {
  /** Override the instruction family guessed from the model name. */
  readonly family?: ModelFamily;
  readonly useLite?: UseLiteOptions;
  readonly openai?: Partial<Omit<OpenAiOptions, 'baseUrl' | 'model' | 'family'>>;
  /** Runtime settings of `onnx:` models (the vector-changing ones belong in the spec). */
  readonly onnx?: Pick<OnnxOptions, 'batchSize' | 'threads'>;
}

/** Registry entries: spec prefix → description (for help texts and errors). */
export const EMBEDDERS: ReadonlyMap<string, string> = new Map([
  ['use-lite', 'Universal Sentence Encoder Lite, bundled and offline (default; a small baseline, not an LLM)'],
  ['openai:<base-url>#<model>', 'an OpenAI-compatible /v1/embeddings server: vLLM, Hugging Face TEI, Ollama, llama.cpp server, hosted APIs'],
  ['onnx:<model-dir>', 'a local ONNX model folder (transformers.js layout: config.json, tokenizer.json, onnx/model.onnx); options ?pooling=mean|cls|last&normalize=true|false&max_length=N&family=...'],
  ['gguf:<file>', "a local GGUF model run by llama.cpp (node-llama-cpp), CPU or CUDA/Vulkan; pooling is the file's own; options ?family=...&normalize=true|false&max_length=N&threads=N&gpu=auto|cpu|cuda|vulkan"],
]);

/**
 * Check a spec without starting the model (no workers, no connections): for config validation
 * before any work starts. Throws the same UsageError as {@link createEmbedder}.
 */
export function validateModelSpec(spec: string): void {
  const s = spec.trim();
  if (s === 'use-lite' || s.startsWith('use-lite?')) {
    for (const [k, v] of new URLSearchParams(s.slice('use-lite?'.length))) {
      if (k !== 'chunk' && k !== 'chunks') throw new UsageError(`unknown use-lite option "${k}" (known: chunk, chunks)`, { field: 'model' });
      if (!/^[1-9]\d*$/.test(v)) throw new UsageError(`use-lite option ${k} expects a positive integer, got "${v}"`, { field: 'model' });
    }
    return;
  }
  if (s.startsWith('openai:')) {
    const rest = s.slice('openai:'.length);
    const hash = rest.lastIndexOf('#');
    if (hash < 0 || hash === rest.length - 1) throw new UsageError(`model spec "${spec}" needs a model name: openai:<base-url>#<model>`, { field: 'model' });
    try {
      new URL(rest.slice(0, hash));
    } catch {
      throw new UsageError(`invalid server URL "${rest.slice(0, hash)}" (expected e.g. http://127.0.0.1:8000/v1)`, { field: 'model' });
    }
    return;
  }
  if (s.startsWith('onnx:')) {
    parseOnnxSpec(s);
    return;
  }
  if (s.startsWith('gguf:')) {
    parseGgufSpec(s);
    return;
  }
  throw new UsageError(`unknown model spec "${spec}"; known: ${[...EMBEDDERS.keys()].join(', ')}`, { field: 'model' });
}

/** Build the embedder of a spec; an unknown spec is a UsageError listing the known forms. */
export function createEmbedder(spec: string, options: CreateEmbedderOptions = {}): Embedder {
  if (options.family !== undefined && !MODEL_FAMILIES.includes(options.family)) {
    throw new UsageError(`unknown model family "${options.family}"; known: ${MODEL_FAMILIES.join(', ')}`, { field: 'family' });
  }
  validateModelSpec(spec);
  const s = spec.trim();
  if (s === 'use-lite' || s.startsWith('use-lite?')) {
    const params = new URLSearchParams(s.slice('use-lite?'.length));
    const num = (k: string): number | undefined => {
      const v = params.get(k);
      if (v === null) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) throw new UsageError(`use-lite option ${k} expects a positive integer, got "${v}"`, { field: 'model' });
      return n;
    };
    return new UseLiteEmbedder({ ...options.useLite, maxChunkTokens: num('chunk') ?? options.useLite?.maxChunkTokens, maxChunks: num('chunks') ?? options.useLite?.maxChunks });
  }
  if (s.startsWith('openai:')) {
    const rest = s.slice('openai:'.length);
    const hash = rest.lastIndexOf('#');
    if (hash < 0) throw new UsageError(`model spec "${spec}" needs a model name: openai:<base-url>#<model>`, { field: 'model' });
    return new OpenAiEmbedder({ ...options.openai, baseUrl: rest.slice(0, hash), model: rest.slice(hash + 1), ...(options.family ? { family: options.family } : {}) });
  }
  if (s.startsWith('onnx:')) {
    const parsed = parseOnnxSpec(s);
    return new OnnxEmbedder({ ...options.onnx, ...parsed, ...(parsed.family === undefined && options.family ? { family: options.family } : {}) });
  }
  if (s.startsWith('gguf:')) {
    const parsed = parseGgufSpec(s);
    return new GgufEmbedder({ ...parsed, ...(parsed.family === undefined && options.family ? { family: options.family } : {}) });
  }
  throw new UsageError(`unknown model spec "${spec}"; known: ${[...EMBEDDERS.keys()].join(', ')}`, { field: 'model' });
}
