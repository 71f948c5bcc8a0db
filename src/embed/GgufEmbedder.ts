/**
 * `gguf:<file>`: a GGUF embedding model (Qwen3-Embedding, GTE-Qwen2, nomic-embed, BGE... as
 * converted by llama.cpp) run in-process through node-llama-cpp, on the CPU, or on a CUDA or
 * Vulkan GPU where one is found (prebuilt binaries ship in npm packages; nothing is built or
 * downloaded at run time).
 *
 * Spec: `gguf:<file>[?family=plain|qwen|llm2vec&normalize=true|false&max_length=N&threads=N&gpu=auto|cpu|cuda|vulkan]`.
 * The canonical spec (the cache key) carries the options that change vectors (family,
 * normalize, max_length) and a fingerprint of the file (`sha`: SHA-256 of its size and first
 * MiB, which holds the GGUF header: architecture, tokenizer, tensor layout), so a different
 * model under the same path never reuses cached vectors. `threads` and `gpu` are run-time
 * settings and stay out of it.
 *
 * Pooling is the model file's own (`<arch>.pooling_type`, written by llama.cpp's converter:
 * `last` for Qwen3-Embedding, `mean` for most BERT-style encoders); llama.cpp applies it.
 * Special tokens (BOS/EOS or CLS/SEP) are added as llama.cpp's tokenizer settings say. Texts
 * longer than `max_length` tokens (default: the smaller of the model's training context and
 * 8192) are truncated from the right, keeping the start and the special tokens.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type * as NodeLlamaCpp from 'node-llama-cpp';
import type { Llama, LlamaEmbeddingContext, LlamaModel, Token } from 'node-llama-cpp';
import { UsageError } from '../errors.ts';
import { guessFamily } from './OpenAiEmbedder.ts';
import { booleanOption, choiceOption, positiveIntOption, unknownOption } from './specOption.ts';
import { importOptionalBackend, OPTIONAL_BACKENDS } from './optionalPackage.ts';
import { formatInput, l2normalize, MODEL_FAMILIES, type EmbedInput, type Embedder, type ModelFamily } from './Embedder.ts';

/** Where llama.cpp runs: `auto` picks CUDA or Vulkan when the machine has one, else the CPU. */
export type GgufDevice = 'auto' | 'cpu' | 'cuda' | 'vulkan';
export const GGUF_DEVICES: readonly GgufDevice[] = ['auto', 'cpu', 'cuda', 'vulkan'];

/** Options of {@link GgufEmbedder}. */
export interface GgufOptions {
  /** The `.gguf` file. */
  readonly file: string;
  /** Instruction family (default: guessed from the file name, e.g. `qwen` for Qwen3-Embedding). */
  readonly family?: ModelFamily;
  /** L2-normalize the vectors (default true). */
  readonly normalize?: boolean;
  /** Cap on tokens per text, special tokens included. */
  readonly maxLength?: number;
  /** CPU threads for llama.cpp (default: one less than `os.availableParallelism()`, at least 1). */
  readonly threads?: number;
  /** Device (default `auto`). */
  readonly gpu?: GgufDevice;
  /** Expected fingerprint (`sha=` from a canonical spec): loading fails if the file differs. */
  readonly sha?: string;
}

/** Default cap on tokens per text: enough for the study's 4,096-token texts plus an instruction. */
const DEFAULT_MAX_LENGTH = 8192;
const KEYS = ['family', 'normalize', 'max_length', 'threads', 'gpu', 'sha'] as const;

/**
 * Parse `gguf:<file>[?k=v&...]` into options (no file access). Throws a UsageError on unknown
 * keys or bad values.
 */
export function parseGgufSpec(spec: string): GgufOptions {
  const s = spec.trim();
  if (!s.startsWith('gguf:')) throw new UsageError(`not a gguf model spec: "${spec}"`, { field: 'model' });
  const rest = s.slice('gguf:'.length);
  const q = rest.indexOf('?');
  const file = q < 0 ? rest : rest.slice(0, q);
  if (file === '') throw new UsageError(`model spec "${spec}" needs a file: gguf:<file.gguf>`, { field: 'model' });
  const opts: { -readonly [K in keyof GgufOptions]: GgufOptions[K] } = { file };
  for (const [k, v] of new URLSearchParams(q < 0 ? '' : rest.slice(q + 1))) {
    switch (k) {
      case 'family':
        opts.family = choiceOption('gguf', k, v, MODEL_FAMILIES);
        break;
      case 'normalize':
        opts.normalize = booleanOption('gguf', k, v);
        break;
      case 'max_length':
        opts.maxLength = positiveIntOption('gguf', k, v);
        break;
      case 'threads':
        opts.threads = positiveIntOption('gguf', k, v);
        break;
      case 'gpu':
        opts.gpu = choiceOption('gguf', k, v, GGUF_DEVICES);
        break;
      case 'sha':
        if (!/^[0-9a-f]{16}$/.test(v))
          throw new UsageError(`gguf option sha expects 16 hex digits (from a canonical spec), got "${v}"`, { field: 'model' });
        opts.sha = v;
        break;
      default:
        throw unknownOption('gguf', k, KEYS);
    }
  }
  return opts;
}

/** Bytes hashed from the start of the file: the whole header (metadata, vocabulary, tensor table) of any real model. */
const HEAD_BYTES = 16 << 20;
/** Blocks of tensor data sampled across the rest, so that re-trained weights change the fingerprint. */
const SAMPLES = 32;
const SAMPLE_BYTES = 64 << 10;

/**
 * Fingerprint of a GGUF file: SHA-256 over its size, its first 16 MiB (the header with the
 * vocabulary, tokenizer settings and tensor table; a Qwen-size vocabulary alone takes several
 * MiB) and 32 blocks of 64 KiB spread over the rest (weights: a re-trained or re-quantized model
 * of the same size differs there), first 16 hex digits. About 18 MiB read, whatever the size.
 */
export function ggufFingerprint(file: string): string {
  const size = statSync(file).size;
  const hash = createHash('sha256').update(String(size));
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, HEAD_BYTES));
    readSync(fd, head, 0, head.length, 0);
    if (head.length < 4 || head.toString('latin1', 0, 4) !== 'GGUF') {
      throw new UsageError('not a GGUF file (it does not start with the magic "GGUF")', { file: resolve(file) });
    }
    hash.update(head);
    const rest = size - head.length;
    if (rest > 0) {
      const block = Buffer.alloc(Math.min(SAMPLE_BYTES, rest));
      for (let i = 0; i < SAMPLES; i++) {
        const at = head.length + Math.floor(((rest - block.length) * i) / Math.max(1, SAMPLES - 1));
        hash.update(block.subarray(0, readSync(fd, block, 0, block.length, at)));
      }
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * llama.cpp explains load failures only in its log, so its error lines are kept here (instead of
 * printed to stderr) for our messages.
 */
const nativeErrors = {
  lines: [] as string[],
  total: 0,
  push(line: string): void {
    this.lines.push(line);
    this.total++;
    if (this.lines.length > 20) this.lines.shift();
  },
  /** Lines logged after the `total` count was `mark` (as many as are still kept). */
  since(mark: number): string[] {
    return this.lines.slice(Math.max(0, this.lines.length - (this.total - mark)));
  },
};

const llamas = new Map<GgufDevice, Promise<Llama>>();

/**
 * One llama.cpp runtime per device for the whole process: node-llama-cpp binds one native
 * library per configuration and keeps only the first caller's logger, and starting it costs
 * most of a second.
 */
function sharedLlama(device: GgufDevice): Promise<Llama> {
  let llama = llamas.get(device);
  if (llama === undefined) {
    llama = (async () => {
      const { getLlama, LlamaLogLevel } = await importOptionalBackend<typeof NodeLlamaCpp>(OPTIONAL_BACKENDS.gguf, 'node-llama-cpp');
      return getLlama({
        gpu: device === 'cpu' ? false : device,
        // Use the prebuilt binaries only: never compile or download at run time.
        build: 'never',
        skipDownload: true,
        progressLogs: false,
        logLevel: LlamaLogLevel.error,
        logger: (level, message) => {
          if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) nativeErrors.push(message.trim());
        },
      });
    })();
    // A failed start is not cached: the next model may ask again (and report again).
    llama.catch(() => llamas.delete(device));
    llamas.set(device, llama);
  }
  return llama;
}

/** llama.cpp logs from its own threads; the lines reach JavaScript a little after a failure. */
const settleLogs = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

interface Loaded {
  readonly model: LlamaModel;
  readonly context: LlamaEmbeddingContext;
  /** Usable tokens per text, special tokens included. */
  readonly maxLength: number;
  /** Special tokens node-llama-cpp adds around every text (BOS/EOS, CLS/SEP), by its own rules. */
  readonly specials: number;
}

const POOLINGS = ['none (last token)', 'mean', 'cls', 'last', 'rank'];

/** The in-process GGUF backend. */
export class GgufEmbedder implements Embedder {
  readonly spec: string;
  readonly family: ModelFamily;
  readonly normalize: boolean;
  /** The device actually used, known after the first call (`cpu`, `cuda`, `vulkan`). */
  device: string | undefined;
  private readonly file: string;
  private readonly options: GgufOptions;
  private dimsValue: number | undefined;
  private loaded: Promise<Loaded> | null = null;
  private loadedMaxLength: number | undefined;
  private truncatedCount = 0;

  constructor(options: GgufOptions) {
    this.file = options.file;
    if (!existsSync(this.file)) throw new UsageError('GGUF model file not found', { file: resolve(this.file) });
    if (!statSync(this.file).isFile())
      throw new UsageError('GGUF model path is not a file (gguf:<file.gguf>)', { file: resolve(this.file) });
    const sha = ggufFingerprint(this.file);
    if (options.sha !== undefined && options.sha !== sha) {
      throw new UsageError(`GGUF model file changed: fingerprint ${sha}, the spec expects ${options.sha}`, { file: resolve(this.file) });
    }
    this.options = options;
    this.family = options.family ?? guessFamily(this.file.split(/[\\/]/).pop() ?? this.file);
    this.normalize = options.normalize ?? true;
    // The requested cap (the effective one is min(it, the model's context), fixed by the file).
    const params = new URLSearchParams({ normalize: String(this.normalize), max_length: String(options.maxLength ?? DEFAULT_MAX_LENGTH) });
    if (this.family !== 'plain') params.set('family', this.family);
    params.set('sha', sha);
    // An absolute path: the same model gets the same cache key from any working directory.
    this.spec = `gguf:${resolve(this.file)}?${params.toString()}`;
  }

  get dims(): number | undefined {
    return this.dimsValue;
  }

  get description(): string {
    const len = this.loadedMaxLength ?? this.options.maxLength;
    return `local GGUF model ${this.file} (llama.cpp${this.device ? ` on ${this.device}` : ''}, ${this.pooling ?? "the file's"} pooling${len ? `, ${len} tokens` : ''}${this.normalize ? ', normalized' : ''})`;
  }

  /**
   * The pooling llama.cpp applies, from the file (`<arch>.pooling_type`), known after loading.
   * With `last` or `none` pooling and no end token appended, the vector is that of the text's
   * last token: see {@link GgufEmbedder.warning}.
   */
  pooling: string | undefined;

  /** A doubt about the model file found while loading (shown by check-embedder), or null. */
  warning: string | null = null;

  /** Texts cut to `max_length` so far (for reports; the start of each text is kept). */
  get truncated(): number {
    return this.truncatedCount;
  }

  /**
   * Token ids of one text as the model sees it (before special tokens), truncated to fit. Typed
   * as plain numbers so the published declarations do not need the optional node-llama-cpp.
   */
  async tokenize(text: string): Promise<number[]> {
    return (await this.fit(text)).ids;
  }

  /** Tokens of a text cut to leave room for the special tokens, and whether it was cut. */
  private async fit(text: string): Promise<{ ids: Token[]; cut: boolean }> {
    const { model, maxLength, specials } = await this.load();
    const ids = text.length === 0 ? [] : model.tokenize(text);
    const room = maxLength - specials;
    return ids.length > room ? { ids: ids.slice(0, room), cut: true } : { ids, cut: false };
  }

  async embed(inputs: readonly EmbedInput[]): Promise<Float32Array[]> {
    const { context } = await this.load();
    const out: Float32Array[] = [];
    // One sequence at a time: llama.cpp's embedding context evaluates a single sequence, and its
    // own threads already use every core.
    for (const input of inputs) {
      const { ids, cut } = await this.fit(formatInput(this.family, input));
      // Counted here, not in tokenize(): a caller may measure a text before embedding it.
      if (cut) this.truncatedCount++;
      if (ids.length === 0) {
        // node-llama-cpp returns an empty vector for an empty input (before adding special
        // tokens): a silent zero vector would be meaningless, so say so.
        throw new UsageError('cannot embed an empty text: it has no tokens', { file: resolve(this.file) });
      }
      let vector: readonly number[];
      try {
        vector = (await context.getEmbeddingFor(ids)).vector;
      } catch (err) {
        throw new UsageError(
          `llama.cpp could not embed a text of ${ids.length} tokens: ${(err as Error).message}`,
          { file: resolve(this.file) },
          { cause: err },
        );
      }
      const v = Float32Array.from(vector);
      this.dimsValue = v.length;
      out.push(this.normalize ? l2normalize(v) : v);
    }
    return out;
  }

  async close(): Promise<void> {
    const l = this.loaded;
    this.loaded = null;
    if (!l) return;
    // The native runtime (sharedLlama) stays for other models of this process.
    const { model, context } = await l.catch(() => ({ model: null, context: null }));
    await context?.dispose();
    await model?.dispose();
  }

  private load(): Promise<Loaded> {
    this.loaded ??= (async () => {
      const wanted = this.options.gpu ?? 'auto';
      const since = nativeErrors.total;
      const why = (err: unknown): string => [(err as Error).message, ...nativeErrors.since(since).slice(-2)].join('; ');
      let llama: Llama;
      try {
        llama = await sharedLlama(wanted);
      } catch (err) {
        throw new UsageError(`cannot start llama.cpp (${wanted}): ${why(err)}`, { file: resolve(this.file) }, { cause: err });
      }
      this.device = llama.gpu === false ? 'cpu' : llama.gpu;
      let model: LlamaModel;
      try {
        model = await llama.loadModel({ modelPath: resolve(this.file) });
      } catch (err) {
        await settleLogs();
        throw new UsageError(`cannot load GGUF model: ${why(err)}`, { file: resolve(this.file) }, { cause: err });
      }
      const maxLength = Math.min(
        this.options.maxLength ?? DEFAULT_MAX_LENGTH,
        model.trainContextSize > 0 ? model.trainContextSize : DEFAULT_MAX_LENGTH,
      );
      this.loadedMaxLength = maxLength;
      let context: LlamaEmbeddingContext;
      try {
        // node-llama-cpp refuses inputs as long as the context, hence one spare slot. Threads
        // default to one less than the cores, leaving one to Node (serializing, caching):
        // ggml's threads spin-wait at every barrier, so a busy core slows all of them. Measured
        // on 2 cores with another process running, per 256-token text of the test model: 1
        // thread 11 ms, 2 threads 66 ms, node-llama-cpp's default of 6 threads 280-660 ms.
        context = await model.createEmbeddingContext({
          contextSize: maxLength + 1,
          batchSize: maxLength + 1,
          threads: this.options.threads ?? Math.max(1, availableParallelism() - 1),
        });
      } catch (err) {
        await settleLogs();
        await model.dispose();
        throw new UsageError(
          `cannot create an embedding context of ${maxLength + 1} tokens: ${why(err)}`,
          { file: resolve(this.file) },
          { cause: err },
        );
      }
      // node-llama-cpp adds BOS/EOS (CLS/SEP for WordPiece vocabularies, EOS only for
      // Unigram ones) by its own rules: ask it rather than guess from the token flags.
      const specials = context.calculateInputLength([]);
      if (maxLength <= specials) {
        await context.dispose();
        await model.dispose();
        throw new UsageError(`max_length ${maxLength} leaves no room for text beside the model's ${specials} special token(s)`, {
          field: 'model',
        });
      }
      const poolingType = (model.fileInfo.architectureMetadata as { pooling_type?: number }).pooling_type ?? 0;
      this.pooling = POOLINGS[poolingType] ?? `type ${poolingType}`;
      // A decoder pooled at its last token reads the end-of-text token in training (Qwen3-Embedding
      // appends <|endoftext|>); a file converted without add_eos_token silently gives the vector
      // of the text's own last token instead.
      const endAppended = specials > (model.tokens.bos !== null && model.tokens.shouldPrependBosToken ? 1 : 0);
      if ((poolingType === 0 || poolingType === 3) && !endAppended) {
        this.warning = `${this.pooling} pooling without an end-of-text token appended (the file does not set tokenizer.ggml.add_eos_token): the vector is that of the text's last token; if the model was trained with an end token, re-convert the file with a current llama.cpp`;
      }
      this.dimsValue = model.embeddingVectorSize;
      return { model, context, maxLength, specials };
    })();
    return this.loaded;
  }
}
