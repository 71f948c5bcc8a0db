/**
 * Client for OpenAI-compatible `POST /v1/embeddings` servers (vLLM, Hugging Face TEI, Ollama,
 * llama.cpp server, hosted APIs). Batches are bounded by inputs and by estimated tokens; several
 * requests are in flight; 429, 5xx, timeouts and dropped connections are retried with
 * exponential backoff (honouring Retry-After); results are placed by `index`; every vector's
 * dimension is checked.
 */
import { UsageError } from '../errors.ts';
import { formatInput, l2normalize, type EmbedInput, type Embedder, type ModelFamily } from './Embedder.ts';

/** Options of {@link OpenAiEmbedder}. */
export interface OpenAiOptions {
  /** Base URL up to and including `/v1`, e.g. `http://127.0.0.1:8000/v1`. */
  readonly baseUrl: string;
  /** Model name sent in each request. */
  readonly model: string;
  /** Instruction format (default: guessed from the model name, see {@link guessFamily}). */
  readonly family?: ModelFamily;
  /** API key (default: env `EHR_EMBED_API_KEY`, then `OPENAI_API_KEY`; none for local servers). */
  readonly apiKey?: string;
  /** Expected dimension; checked on every vector (default: taken from the first reply). */
  readonly dims?: number;
  /** Inputs per request (default 32). */
  readonly maxBatchInputs?: number;
  /** Estimated tokens per request, at 3 characters a token (default 32,768). */
  readonly maxBatchTokens?: number;
  /** Requests in flight (default 4). */
  readonly concurrency?: number;
  /** Per-request timeout in ms (default 120,000). */
  readonly timeoutMs?: number;
  /** Retries per request after the first try (default 6). */
  readonly maxRetries?: number;
  /** First backoff in ms, doubled per retry with jitter (default 500). */
  readonly backoffMs?: number;
  /** Re-normalize vectors to unit length (default true: servers differ). */
  readonly normalize?: boolean;
}

/** Guess the instruction family from a model name. */
export function guessFamily(model: string): ModelFamily {
  const m = model.toLowerCase();
  if (m.includes('llm2vec')) return 'llm2vec';
  if (/qwen/.test(m) && /(embed|gte)/.test(m)) return 'qwen';
  if (/gte-qwen|qwen3-embedding|e5-mistral|sfr-embedding|nv-embed|linq-embed/.test(m)) return 'qwen';
  return 'plain';
}

/** Statistics of requests made, for benchmarks and dry runs. */
export interface RequestStats {
  requests: number;
  retries: number;
  inputs: number;
}

/** An {@link Embedder} over an OpenAI-compatible HTTP endpoint. */
export class OpenAiEmbedder implements Embedder {
  readonly spec: string;
  readonly family: ModelFamily;
  readonly description: string;
  readonly stats: RequestStats = { requests: 0, retries: 0, inputs: 0 };
  private dimsSeen: number | undefined;
  private readonly o: Required<Omit<OpenAiOptions, 'dims' | 'apiKey' | 'family'>> & { apiKey: string | undefined };
  private readonly url: string;

  constructor(options: OpenAiOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new UsageError(`invalid server URL "${options.baseUrl}" (expected e.g. http://127.0.0.1:8000/v1)`, { field: 'model' });
    }
    if (options.model === '') throw new UsageError('the model name is empty (spec openai:<base-url>#<model>)', { field: 'model' });
    this.url = `${base.href.replace(/\/$/, '')}/embeddings`;
    this.family = options.family ?? guessFamily(options.model);
    this.dimsSeen = options.dims;
    this.spec = `openai:${base.href.replace(/\/$/, '')}#${options.model}`;
    this.description = `${options.model} via ${base.host} (OpenAI-compatible, ${this.family} instructions)`;
    this.o = {
      baseUrl: options.baseUrl,
      model: options.model,
      apiKey: options.apiKey ?? process.env.EHR_EMBED_API_KEY ?? process.env.OPENAI_API_KEY,
      maxBatchInputs: options.maxBatchInputs ?? 32,
      maxBatchTokens: options.maxBatchTokens ?? 32_768,
      concurrency: options.concurrency ?? 4,
      timeoutMs: options.timeoutMs ?? 120_000,
      maxRetries: options.maxRetries ?? 6,
      backoffMs: options.backoffMs ?? 500,
      normalize: options.normalize ?? true,
    };
  }

  get dims(): number | undefined {
    return this.dimsSeen;
  }

  async embed(inputs: readonly EmbedInput[]): Promise<Float32Array[]> {
    const texts = inputs.map((i) => formatInput(this.family, i));
    const batches = splitBatches(texts, this.o.maxBatchInputs, this.o.maxBatchTokens);
    const out = new Array<Float32Array>(texts.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const b = batches[next++] as { start: number; texts: string[] };
        const vecs = await this.request(b.texts);
        vecs.forEach((v, i) => (out[b.start + i] = v));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, batches.length) }, worker));
    return out;
  }

  /** One request with retries; returns vectors in input order. */
  private async request(texts: string[]): Promise<Float32Array[]> {
    let lastProblem = '';
    for (let attempt = 0; attempt <= this.o.maxRetries; attempt++) {
      if (attempt > 0) this.stats.retries++;
      this.stats.requests++;
      let res: Response;
      try {
        res = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(this.o.apiKey ? { authorization: `Bearer ${this.o.apiKey}` } : {}) },
          body: JSON.stringify({ model: this.o.model, input: texts, encoding_format: 'float' }),
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
      } catch (err) {
        lastProblem = describeFetchError(err);
        await sleep(this.backoff(attempt, null));
        continue;
      }
      if (res.status === 429 || res.status >= 500) {
        lastProblem = `HTTP ${res.status} ${await safeText(res)}`;
        await sleep(this.backoff(attempt, res.headers.get('retry-after')));
        continue;
      }
      if (!res.ok) {
        throw new UsageError(`embedding server ${this.url} refused the request: HTTP ${res.status} ${await safeText(res)}`, { field: 'model' });
      }
      let body: unknown;
      try {
        body = await res.json();
      } catch (err) {
        lastProblem = `reply was not JSON (${(err as Error).message})`;
        await sleep(this.backoff(attempt, null));
        continue;
      }
      this.stats.inputs += texts.length;
      return this.parse(body, texts.length);
    }
    throw new UsageError(`embedding server ${this.url} failed after ${this.o.maxRetries + 1} tries: ${lastProblem}`, { field: 'model' });
  }

  private parse(body: unknown, n: number): Float32Array[] {
    const data = (body as { data?: unknown }).data;
    if (!Array.isArray(data)) throw new UsageError(`embedding server ${this.url} replied without a "data" array`);
    if (data.length !== n) throw new UsageError(`embedding server ${this.url} returned ${data.length} vectors for ${n} inputs`);
    const out = new Array<Float32Array>(n);
    for (const [pos, item] of data.entries()) {
      const idx = typeof (item as { index?: unknown }).index === 'number' ? ((item as { index: number }).index) : pos;
      const emb = (item as { embedding?: unknown }).embedding;
      if (!Array.isArray(emb)) throw new UsageError(`embedding server ${this.url}: item ${pos} has no float "embedding" (is encoding_format "float" supported?)`);
      if (idx < 0 || idx >= n || out[idx] !== undefined) throw new UsageError(`embedding server ${this.url}: bad or repeated index ${idx}`);
      if (this.dimsSeen === undefined) this.dimsSeen = emb.length;
      if (emb.length !== this.dimsSeen) throw new UsageError(`embedding server ${this.url} returned a vector of ${emb.length} dimensions, expected ${this.dimsSeen}`, { field: 'dims' });
      const v = Float32Array.from(emb as number[]);
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) throw new UsageError(`embedding server ${this.url} returned a non-finite value`);
      out[idx] = this.o.normalize ? l2normalize(v) : v;
    }
    return out;
  }

  private backoff(attempt: number, retryAfter: string | null): number {
    const ra = retryAfter !== null ? Number(retryAfter) : NaN;
    if (Number.isFinite(ra) && ra >= 0) return Math.min(ra * 1000, 60_000);
    const base = this.o.backoffMs * 2 ** attempt;
    return Math.min(base * (0.5 + Math.random() * 0.5), 30_000);
  }

  async close(): Promise<void> {}
}

/** Split texts into consecutive batches bounded by count and by estimated tokens (chars / 3). */
export function splitBatches(texts: readonly string[], maxInputs: number, maxTokens: number): { start: number; texts: string[] }[] {
  const out: { start: number; texts: string[] }[] = [];
  let cur: string[] = [];
  let start = 0;
  let tokens = 0;
  texts.forEach((t, i) => {
    const est = Math.ceil(t.length / 3);
    if (cur.length > 0 && (cur.length >= maxInputs || tokens + est > maxTokens)) {
      out.push({ start, texts: cur });
      cur = [];
      tokens = 0;
      start = i;
    }
    cur.push(t);
    tokens += est;
  });
  if (cur.length > 0) out.push({ start, texts: cur });
  return out;
}

function describeFetchError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'request timed out';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

async function safeText(res: Response): Promise<string> {
  try {
    return (await res.text()).slice(0, 300);
  } catch {
    return '';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
