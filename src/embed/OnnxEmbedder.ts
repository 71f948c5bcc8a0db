/**
 * `onnx:<model-dir>`: a sentence-embedding or decoder embedding model exported to ONNX in a local
 * folder in transformers.js layout (`config.json`, `tokenizer.json`, optional
 * `tokenizer_config.json`, `onnx/model.onnx` or `onnx/model_quantized.onnx`), run on the CPU
 * with onnxruntime-node. Nothing is ever fetched from a hub.
 *
 * Options go in the spec's query string, and the canonical spec (the cache key) always carries
 * the ones that change vectors:
 *
 * `onnx:<dir>?pooling=mean|cls|last&normalize=true|false&max_length=N&file=onnx/<name>.onnx&family=plain|qwen|llm2vec`
 *
 * Texts are tokenized with the folder's `tokenizer.json` (special tokens from its post-processor),
 * truncated from the right to the model's max length (the smaller of `model_max_length` and
 * `max_position_embeddings`, or `max_length=`) keeping the special tokens, padded on the right
 * within a batch, and pooled over the output `last_hidden_state` (or the first output) with the
 * attention mask: masked mean, the first token, or the last non-padding token.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import type * as Ort from 'onnxruntime-node';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { UsageError } from '../errors.ts';
import { booleanOption, choiceOption, positiveIntOption, unknownOption } from './specOption.ts';
import { importOptionalBackend, OPTIONAL_BACKENDS } from './optionalPackage.ts';
import { formatInput, l2normalize, MODEL_FAMILIES, type EmbedInput, type Embedder, type ModelFamily } from './Embedder.ts';

/** How token vectors become one text vector. */
export type OnnxPooling = 'mean' | 'cls' | 'last';
export const ONNX_POOLINGS: readonly OnnxPooling[] = ['mean', 'cls', 'last'];

/** Options of {@link OnnxEmbedder}. */
export interface OnnxOptions {
  /** The model folder. */
  readonly dir: string;
  /** Pooling (default `last` for the qwen family, else `mean`). */
  readonly pooling?: OnnxPooling;
  /** L2-normalize the pooled vectors (default true). */
  readonly normalize?: boolean;
  /** Cap on tokens per text, special tokens included (default: the model's max length). */
  readonly maxLength?: number;
  /** The ONNX file inside the folder (default `onnx/model.onnx`, else `onnx/model_quantized.onnx`). */
  readonly file?: string;
  /** Instruction family (default `plain`). */
  readonly family?: ModelFamily;
  /** Texts per inference call (default 16). */
  readonly batchSize?: number;
  /** onnxruntime intra-op threads (default: onnxruntime's choice). */
  readonly threads?: number;
}

/** Spec query keys understood by {@link parseOnnxSpec}. */
const KEYS = ['pooling', 'normalize', 'max_length', 'file', 'family'] as const;

/**
 * Parse `onnx:<dir>[?k=v&...]` into options (no file access). Throws a UsageError on unknown
 * keys or bad values.
 */
export function parseOnnxSpec(spec: string): OnnxOptions {
  const s = spec.trim();
  if (!s.startsWith('onnx:')) throw new UsageError(`not an onnx model spec: "${spec}"`, { field: 'model' });
  const rest = s.slice('onnx:'.length);
  const q = rest.indexOf('?');
  const dir = q < 0 ? rest : rest.slice(0, q);
  if (dir === '') throw new UsageError(`model spec "${spec}" needs a folder: onnx:<model-dir>`, { field: 'model' });
  const opts: { -readonly [K in keyof OnnxOptions]: OnnxOptions[K] } = { dir };
  for (const [k, v] of new URLSearchParams(q < 0 ? '' : rest.slice(q + 1))) {
    switch (k) {
      case 'pooling':
        opts.pooling = choiceOption('onnx', k, v, ONNX_POOLINGS);
        break;
      case 'normalize':
        opts.normalize = booleanOption('onnx', k, v);
        break;
      case 'max_length':
        opts.maxLength = positiveIntOption('onnx', k, v);
        break;
      case 'file':
        if (v === '' || !v.endsWith('.onnx'))
          throw new UsageError(`onnx option file expects a path ending in .onnx, got "${v}"`, { field: 'model' });
        opts.file = v;
        break;
      case 'family':
        opts.family = choiceOption('onnx', k, v, MODEL_FAMILIES);
        break;
      default:
        throw unknownOption('onnx', k, KEYS);
    }
  }
  return opts;
}

type Json = Record<string, unknown>;

function readJson(path: string): Json {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Json;
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`, { file: path }, { cause: err });
  }
}

const positiveInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);

/** The local ONNX model backend. */
export class OnnxEmbedder implements Embedder {
  readonly spec: string;
  readonly family: ModelFamily;
  readonly description: string;
  readonly pooling: OnnxPooling;
  readonly normalize: boolean;
  /** Tokens per text, special tokens included. */
  readonly maxLength: number;
  /** The ONNX file used, relative to the folder. */
  readonly file: string;
  private dimsValue: number | undefined;
  private readonly modelPath: string;
  private readonly tokenizer: HfTokenizer;
  private readonly padId: number;
  private readonly batchSize: number;
  private readonly threads: number | undefined;
  /** Special tokens the post-processor puts before and after the text. */
  private readonly template: { readonly prefix: readonly number[]; readonly suffix: readonly number[] };
  private session: Promise<InferenceSession> | null = null;
  private ort: typeof Ort | null = null;

  constructor(options: OnnxOptions) {
    const dir = options.dir;
    const need = (name: string): string => {
      const p = join(dir, name);
      if (!existsSync(p))
        throw new UsageError(
          `ONNX model folder has no ${name} (expected transformers.js layout: config.json, tokenizer.json, onnx/model.onnx)`,
          { file: resolve(dir) },
        );
      return p;
    };
    const config = readJson(need('config.json'));
    const tokenizerJson = readJson(need('tokenizer.json'));
    const tcPath = join(dir, 'tokenizer_config.json');
    const tokenizerConfig = existsSync(tcPath) ? readJson(tcPath) : {};
    if (options.file !== undefined) this.file = options.file;
    else if (!existsSync(join(dir, 'onnx/model.onnx')) && existsSync(join(dir, 'onnx/model_quantized.onnx')))
      this.file = 'onnx/model_quantized.onnx';
    else this.file = 'onnx/model.onnx';
    this.modelPath = need(this.file);

    this.tokenizer = new HfTokenizer(tokenizerJson, tokenizerConfig);
    this.family = options.family ?? 'plain';
    this.pooling = options.pooling ?? (this.family === 'qwen' ? 'last' : 'mean');
    this.normalize = options.normalize ?? true;
    this.batchSize = options.batchSize ?? 16;
    this.threads = options.threads;
    const modelMax = Math.min(
      positiveInt(tokenizerConfig.model_max_length) ?? Infinity,
      positiveInt(config.max_position_embeddings) ?? Infinity,
    );
    const max = Math.min(options.maxLength ?? Infinity, modelMax);
    this.maxLength = Number.isFinite(max) ? max : 512;
    this.template = this.findTemplate();
    if (this.maxLength <= this.template.prefix.length + this.template.suffix.length) {
      throw new UsageError(
        `max_length ${this.maxLength} leaves no room for text beside the ${this.template.prefix.length + this.template.suffix.length} special tokens`,
        { field: 'model' },
      );
    }
    this.padId = this.findPadId(config, tokenizerConfig);
    this.dimsValue = positiveInt(config.hidden_size) ?? positiveInt(config.d_model);

    const params = new URLSearchParams({ pooling: this.pooling, normalize: String(this.normalize), max_length: String(this.maxLength) });
    if (this.file !== 'onnx/model.onnx') params.set('file', this.file);
    if (this.family !== 'plain') params.set('family', this.family);
    this.spec = `onnx:${dir}?${params.toString()}`;
    const modelType = typeof config.model_type === 'string' ? config.model_type : 'unknown';
    this.description = `local ONNX model ${dir} (${modelType}, ${this.pooling} pooling, ${this.maxLength} tokens${this.normalize ? ', normalized' : ''})`;
  }

  /** Dimension: `hidden_size` from config.json until the first output says otherwise. */
  get dims(): number | undefined {
    return this.dimsValue;
  }

  /** Token ids of one text: special tokens kept, text tokens truncated from the right. */
  tokenize(text: string): number[] {
    const body = text.length === 0 ? [] : this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    const room = this.maxLength - this.template.prefix.length - this.template.suffix.length;
    return [...this.template.prefix, ...body.slice(0, room), ...this.template.suffix];
  }

  async embed(inputs: readonly EmbedInput[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < inputs.length; i += this.batchSize) {
      const batch = inputs.slice(i, i + this.batchSize).map((x) => this.tokenize(formatInput(this.family, x)));
      out.push(...(await this.runBatch(batch)));
    }
    return out;
  }

  async close(): Promise<void> {
    const s = this.session;
    this.session = null;
    if (s) await (await s).release();
  }

  private async load(): Promise<InferenceSession> {
    this.session ??= (async () => {
      this.ort = await importOptionalBackend<typeof Ort>(OPTIONAL_BACKENDS.onnx, 'onnxruntime-node');
      try {
        return await this.ort.InferenceSession.create(this.modelPath, {
          executionProviders: ['cpu'],
          graphOptimizationLevel: 'all',
          ...(this.threads !== undefined ? { intraOpNumThreads: this.threads } : {}),
        });
      } catch (err) {
        throw new UsageError(`cannot load ONNX model: ${(err as Error).message}`, { file: this.modelPath }, { cause: err });
      }
    })();
    return this.session;
  }

  private async runBatch(seqs: readonly number[][]): Promise<Float32Array[]> {
    if (seqs.length === 0) return [];
    const session = await this.load();
    const ort = this.ort as typeof Ort;
    const b = seqs.length;
    const len = Math.max(...seqs.map((s) => s.length));
    const ids = new BigInt64Array(b * len).fill(BigInt(this.padId));
    const mask = new BigInt64Array(b * len);
    seqs.forEach((s, r) => {
      s.forEach((id, c) => {
        ids[r * len + c] = BigInt(id);
        mask[r * len + c] = 1n;
      });
    });
    const feeds: Record<string, Tensor> = {};
    for (const name of session.inputNames) {
      if (name === 'input_ids') feeds[name] = new ort.Tensor('int64', ids, [b, len]);
      else if (name === 'attention_mask') feeds[name] = new ort.Tensor('int64', mask, [b, len]);
      else if (name === 'token_type_ids') feeds[name] = new ort.Tensor('int64', new BigInt64Array(b * len), [b, len]);
      else if (name === 'position_ids') {
        const pos = new BigInt64Array(b * len);
        for (let r = 0; r < b; r++) for (let c = 0; c < len; c++) pos[r * len + c] = BigInt(c);
        feeds[name] = new ort.Tensor('int64', pos, [b, len]);
      } else
        throw new UsageError(
          `ONNX model input "${name}" is not supported (known: input_ids, attention_mask, token_type_ids, position_ids); export the model without a KV cache`,
          { file: this.modelPath },
        );
    }
    const outName = session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : (session.outputNames[0] as string);
    const result = await session.run(feeds, [outName]);
    const t = result[outName] as Tensor;
    const data = t.data as Float32Array;
    if (t.type !== 'float32')
      throw new UsageError(`ONNX model output "${outName}" is ${t.type}, expected float32`, { file: this.modelPath });
    const vectors: Float32Array[] = [];
    if (t.dims.length === 2) {
      // Already pooled ([batch, hidden], e.g. a sentence_embedding output).
      const h = t.dims[1] as number;
      for (let r = 0; r < b; r++) vectors.push(data.slice(r * h, (r + 1) * h));
    } else if (t.dims.length === 3 && t.dims[1] === len) {
      const h = t.dims[2] as number;
      for (let r = 0; r < b; r++) {
        const n = (seqs[r] as number[]).length;
        const row = (c: number): Float32Array => data.subarray((r * len + c) * h, (r * len + c + 1) * h);
        let v: Float32Array;
        if (this.pooling === 'cls') v = row(0).slice();
        else if (this.pooling === 'last') v = row(n - 1).slice();
        else {
          // Masked mean in float64, over the n real tokens only.
          const acc = new Float64Array(h);
          for (let c = 0; c < n; c++) {
            const x = row(c);
            for (let k = 0; k < h; k++) acc[k] = (acc[k] as number) + (x[k] as number);
          }
          v = Float32Array.from(acc, (x) => x / n);
        }
        vectors.push(v);
      }
    } else {
      throw new UsageError(
        `ONNX model output "${outName}" has shape [${t.dims.join(', ')}], expected [batch, ${len}, hidden] or [batch, hidden]`,
        { file: this.modelPath },
      );
    }
    this.dimsValue = vectors[0]?.length ?? this.dimsValue;
    return this.normalize ? vectors.map((v) => l2normalize(v)) : vectors;
  }

  /** The special tokens the post-processor adds around a single text (e.g. [CLS] ... [SEP]). */
  private findTemplate(): { prefix: number[]; suffix: number[] } {
    // Encode a probe text with and without special tokens and locate the body inside.
    for (const probe of ['a', 'the', 'x', '0', 'hello world']) {
      const body: number[] = this.tokenizer.encode(probe, { add_special_tokens: false }).ids;
      const full: number[] = this.tokenizer.encode(probe, { add_special_tokens: true }).ids;
      if (body.length === 0) continue;
      for (let p = 0; p + body.length <= full.length; p++) {
        if (body.every((id: number, i: number) => full[p + i] === id))
          return { prefix: full.slice(0, p), suffix: full.slice(p + body.length) };
      }
    }
    return { prefix: [], suffix: [] };
  }

  private findPadId(config: Json, tokenizerConfig: Json): number {
    const pad = tokenizerConfig.pad_token;
    const padText =
      typeof pad === 'string'
        ? pad
        : pad !== null && typeof pad === 'object' && typeof (pad as Json).content === 'string'
          ? ((pad as Json).content as string)
          : undefined;
    const fromToken = padText === undefined ? undefined : this.tokenizer.token_to_id(padText);
    if (fromToken !== undefined) return fromToken;
    if (typeof config.pad_token_id === 'number' && config.pad_token_id >= 0) return config.pad_token_id;
    if (typeof config.eos_token_id === 'number' && config.eos_token_id >= 0) return config.eos_token_id;
    return 0;
  }
}
