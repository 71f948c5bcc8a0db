/**
 * The embedder registry: a model spec string selects a backend.
 *
 * | spec | backend |
 * |---|---|
 * | `use-lite` | Universal Sentence Encoder Lite, bundled, offline (the default) |
 * | `openai:<base-url>[*N][,<base-url>[*N]...]#<model>` | one or several OpenAI-compatible `/v1/embeddings` servers of one model (vLLM, TEI, Ollama, llama.cpp, hosted); `*N`: requests in flight |
 * | `onnx:<model-dir>[?pooling=mean\|cls\|last&normalize=true\|false&max_length=N&family=...]` | a local ONNX model folder (transformers.js layout), never fetched |
 * | `gguf:<file>[?family=...&normalize=...&max_length=N&threads=N&gpu=auto\|cpu\|cuda\|vulkan]` | a local GGUF model through node-llama-cpp (llama.cpp) |
 */
import { UsageError } from '../errors.ts';
import { MODEL_FAMILIES, type Embedder, type ModelFamily } from './Embedder.ts';
import { GgufEmbedder, parseGgufSpec, type GgufOptions } from './GgufEmbedder.ts';
import { positiveIntOption, unknownOption } from './specOption.ts';
import { OnnxEmbedder, parseOnnxSpec, type OnnxOptions } from './OnnxEmbedder.ts';
import { OPTIONAL_BACKENDS, requireOptionalBackend } from './optionalPackage.ts';
import { OpenAiEmbedder, parseServerList, type OpenAiOptions } from './OpenAiEmbedder.ts';
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
  [
    'openai:<base-url>#<model>',
    'an OpenAI-compatible /v1/embeddings server: vLLM, Hugging Face TEI, Ollama, llama.cpp server, hosted APIs; several servers of one model: openai:<url>[*N],<url>[*N]#<model> (N: requests in flight)',
  ],
  [
    'onnx:<model-dir>',
    'a local ONNX model folder (transformers.js layout: config.json, tokenizer.json, onnx/model.onnx); options ?pooling=mean|cls|last&normalize=true|false&max_length=N&family=...',
  ],
  [
    'gguf:<file>',
    "a local GGUF model run by llama.cpp (node-llama-cpp), CPU or CUDA/Vulkan; pooling is the file's own; options ?family=...&normalize=true|false&max_length=N&threads=N&gpu=auto|cpu|cuda|vulkan",
  ],
]);

/** A model spec taken apart (no file access, nothing started). */
type ParsedSpec =
  | { readonly kind: 'use-lite'; readonly maxChunkTokens?: number; readonly maxChunks?: number }
  | { readonly kind: 'openai'; readonly baseUrl: string; readonly model: string }
  | { readonly kind: 'onnx'; readonly options: OnnxOptions }
  | { readonly kind: 'gguf'; readonly options: GgufOptions };

/**
 * Parse a spec of any backend; throws the UsageError a bad spec deserves. The backends with large
 * packages (use-lite, onnx, gguf) are optional peer dependencies: a missing one fails here,
 * before any work starts.
 */
function parseModelSpec(spec: string): ParsedSpec {
  const s = spec.trim();
  if (s === 'use-lite' || s.startsWith('use-lite?')) {
    let maxChunkTokens: number | undefined;
    let maxChunks: number | undefined;
    for (const [k, v] of new URLSearchParams(s.slice('use-lite?'.length))) {
      if (k === 'chunk') maxChunkTokens = positiveIntOption('use-lite', k, v);
      else if (k === 'chunks') maxChunks = positiveIntOption('use-lite', k, v);
      else throw unknownOption('use-lite', k, ['chunk', 'chunks']);
    }
    requireOptionalBackend(OPTIONAL_BACKENDS['use-lite']);
    return {
      kind: 'use-lite',
      ...(maxChunkTokens !== undefined ? { maxChunkTokens } : {}),
      ...(maxChunks !== undefined ? { maxChunks } : {}),
    };
  }
  if (s.startsWith('openai:')) {
    const rest = s.slice('openai:'.length);
    const hash = rest.lastIndexOf('#');
    if (hash < 0 || hash === rest.length - 1)
      throw new UsageError(`model spec "${spec}" needs a model name: openai:<base-url>#<model>`, { field: 'model' });
    parseServerList(rest.slice(0, hash));
    return { kind: 'openai', baseUrl: rest.slice(0, hash), model: rest.slice(hash + 1) };
  }
  if (s.startsWith('onnx:')) {
    const options = parseOnnxSpec(s);
    requireOptionalBackend(OPTIONAL_BACKENDS.onnx);
    return { kind: 'onnx', options };
  }
  if (s.startsWith('gguf:')) {
    const options = parseGgufSpec(s);
    requireOptionalBackend(OPTIONAL_BACKENDS.gguf);
    return { kind: 'gguf', options };
  }
  throw new UsageError(`unknown model spec "${spec}"; known: ${[...EMBEDDERS.keys()].join(', ')}`, { field: 'model' });
}

/**
 * Check a spec without starting the model (no workers, no connections): for config validation
 * before any work starts. Throws the same UsageError as {@link createEmbedder}.
 */
export function validateModelSpec(spec: string): void {
  parseModelSpec(spec);
}

/** Build the embedder of a spec; an unknown spec is a UsageError listing the known forms. */
export function createEmbedder(spec: string, options: CreateEmbedderOptions = {}): Embedder {
  if (options.family !== undefined && !MODEL_FAMILIES.includes(options.family)) {
    throw new UsageError(`unknown model family "${options.family}"; known: ${MODEL_FAMILIES.join(', ')}`, { field: 'family' });
  }
  const parsed = parseModelSpec(spec);
  switch (parsed.kind) {
    case 'use-lite':
      return new UseLiteEmbedder({
        ...options.useLite,
        maxChunkTokens: parsed.maxChunkTokens ?? options.useLite?.maxChunkTokens,
        maxChunks: parsed.maxChunks ?? options.useLite?.maxChunks,
      });
    case 'openai':
      return new OpenAiEmbedder({
        ...options.openai,
        baseUrl: parsed.baseUrl,
        model: parsed.model,
        ...(options.family ? { family: options.family } : {}),
      });
    case 'onnx':
      return new OnnxEmbedder({
        ...options.onnx,
        ...parsed.options,
        ...(parsed.options.family === undefined && options.family ? { family: options.family } : {}),
      });
    case 'gguf':
      return new GgufEmbedder({
        ...parsed.options,
        ...(parsed.options.family === undefined && options.family ? { family: options.family } : {}),
      });
  }
}
