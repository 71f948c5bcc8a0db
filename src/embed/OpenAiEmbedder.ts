/**
 * Client for OpenAI-compatible `POST /v1/embeddings` servers (vLLM, Hugging Face TEI, Ollama,
 * llama.cpp server, hosted APIs), one or several serving the same model. Batches are bounded by
 * inputs and by estimated tokens; each server has its own number of requests in flight; a free
 * slot takes the next batch, the fastest measured server first, so work follows each server's
 * throughput. 429, 5xx, timeouts, dropped connections and stalls (a request far slower than the
 * server's measured latency, while another server is up) put the batch back in the queue for any
 * server and rest the failing server with exponential backoff (honouring Retry-After); each
 * batch's vectors are taken from exactly one reply. Results are placed by `index`; every
 * vector's dimension is checked.
 */
import { UsageError } from '../errors.ts';
import { formatInput, l2normalize, type EmbedInput, type Embedder, type ModelFamily } from './Embedder.ts';

/** Options of {@link OpenAiEmbedder}. */
export interface OpenAiOptions {
  /**
   * Base URL up to and including `/v1`, e.g. `http://127.0.0.1:8000/v1`; several servers of the
   * same model separated by commas, each optionally with `*N`, its requests in flight
   * (`http://a:8000/v1*8,http://b:8000/v1*2`).
   */
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
  /** Requests in flight per server without a `*N` of its own (default 4). */
  readonly concurrency?: number;
  /** Per-request timeout in ms (default 120,000). */
  readonly timeoutMs?: number;
  /** Retries per batch after the first try, over all servers (default 6). */
  readonly maxRetries?: number;
  /** First backoff in ms of a failing server, doubled per consecutive failure with jitter (default 500). */
  readonly backoffMs?: number;
  /** Re-normalize vectors to unit length (default true: servers differ). */
  readonly normalize?: boolean;
  /**
   * With two or more servers up, a request running longer than `stallFactor` times its server's
   * measured latency (and at least `minStallMs`) is abandoned and its batch retried elsewhere
   * (defaults 10 and 10,000 ms).
   */
  readonly stallFactor?: number;
  readonly minStallMs?: number;
}

/** One server of a spec: where, and how many requests it takes at once. */
export interface ServerEntry {
  /** Base URL up to `/v1`, without a trailing slash. */
  readonly baseUrl: string;
  /** Requests in flight, or undefined for the default. */
  readonly concurrency: number | undefined;
}

/**
 * Parse the server list of an `openai:` spec: comma-separated base URLs, each optionally
 * followed by `*N` (requests in flight).
 *
 * @throws UsageError naming the bad entry
 */
export function parseServerList(value: string): ServerEntry[] {
  const parts = value.split(',').map((x) => x.trim());
  if (parts.length === 0 || parts.some((p) => p === ''))
    throw new UsageError(`empty server URL in "${value}" (expected e.g. http://a:8000/v1,http://b:8000/v1)`, { field: 'model' });
  const out = parts.map((p) => {
    const m = /^(.*?)(?:\*(\d+))?$/.exec(p) as RegExpExecArray;
    const url = m[1] as string;
    let base: URL;
    try {
      base = new URL(url);
    } catch {
      throw new UsageError(`invalid server URL "${url}" (expected e.g. http://127.0.0.1:8000/v1)`, { field: 'model' });
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:')
      throw new UsageError(`invalid server URL "${url}": expected http:// or https://`, { field: 'model' });
    const concurrency = m[2] !== undefined ? Number(m[2]) : undefined;
    if (concurrency !== undefined && concurrency < 1)
      throw new UsageError(`"${p}": requests in flight (*N) must be at least 1`, { field: 'model' });
    return { baseUrl: base.href.replace(/\/$/, ''), concurrency };
  });
  const seen = new Set<string>();
  for (const e of out) {
    if (seen.has(e.baseUrl)) throw new UsageError(`server ${e.baseUrl} is listed twice in "${value}"`, { field: 'model' });
    seen.add(e.baseUrl);
  }
  return out;
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

/** What one server did, for reports and benchmarks. */
export interface ServerStats {
  readonly baseUrl: string;
  readonly concurrency: number;
  /** Requests sent (failed ones included). */
  readonly requests: number;
  /** Inputs embedded (successful replies only). */
  readonly inputs: number;
  /** Failed requests: errors, 429/5xx, timeouts, stalls. */
  readonly failures: number;
  /** Requests abandoned as stalled. */
  readonly stalls: number;
  /** Measured latency of a batch (moving average, ms), undefined before the first reply. */
  readonly latencyMs: number | undefined;
}

interface Server {
  readonly baseUrl: string;
  readonly url: string;
  readonly concurrency: number;
  inFlight: number;
  /** Start times (performance.now()) of the requests in flight. */
  readonly started: Set<number>;
  downUntil: number;
  consecutiveFailures: number;
  latencyMs: number | undefined;
  requests: number;
  inputs: number;
  failures: number;
  stalls: number;
}

interface Job {
  readonly texts: string[];
  readonly call: { failed: boolean };
  /** Only this server (a per-server check); undefined: any. */
  readonly pin: Server | undefined;
  attempts: number;
  lastProblem: string;
  settled: boolean;
  resolve(v: Float32Array[]): void;
  reject(e: Error): void;
}

/** A failed try that may succeed elsewhere or later. */
class RetryableProblem extends Error {
  constructor(
    message: string,
    readonly retryAfter: string | null = null,
  ) {
    super(message);
  }
}

/** An {@link Embedder} over one or several OpenAI-compatible HTTP endpoints serving one model. */
export class OpenAiEmbedder implements Embedder {
  readonly spec: string;
  readonly family: ModelFamily;
  readonly description: string;
  readonly stats: RequestStats = { requests: 0, retries: 0, inputs: 0 };
  private dimsSeen: number | undefined;
  private readonly o: Required<Omit<OpenAiOptions, 'dims' | 'apiKey' | 'family'>> & { apiKey: string | undefined };
  private readonly servers: Server[];
  private readonly queue: Job[] = [];
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = 0;

  constructor(options: OpenAiOptions) {
    const entries = parseServerList(options.baseUrl);
    if (options.model === '') throw new UsageError('the model name is empty (spec openai:<base-url>#<model>)', { field: 'model' });
    this.family = options.family ?? guessFamily(options.model);
    this.dimsSeen = options.dims;
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
      stallFactor: options.stallFactor ?? 10,
      minStallMs: options.minStallMs ?? 10_000,
    };
    this.servers = entries.map((e) => ({
      baseUrl: e.baseUrl,
      url: `${e.baseUrl}/embeddings`,
      concurrency: e.concurrency ?? this.o.concurrency,
      inFlight: 0,
      started: new Set<number>(),
      downUntil: 0,
      consecutiveFailures: 0,
      latencyMs: undefined,
      requests: 0,
      inputs: 0,
      failures: 0,
      stalls: 0,
    }));
    // The spec is part of the cache key: servers in sorted order and without their `*N` (neither
    // changes a vector), so the same servers listed differently share cached vectors.
    this.spec = `openai:${[...entries.map((e) => e.baseUrl)].sort().join(',')}#${options.model}`;
    const hosts = this.servers.map((s) => new URL(s.baseUrl).host);
    this.description = `${options.model} via ${hosts.length === 1 ? hosts[0] : `${hosts.length} servers (${hosts.join(', ')})`} (OpenAI-compatible, ${this.family} instructions)`;
  }

  get dims(): number | undefined {
    return this.dimsSeen;
  }

  /**
   * Inputs in flight that fill every server's slots twice over (see {@link Embedder.callSize});
   * undefined for one server, which keeps the one-call-at-a-time pipeline.
   */
  get callSize(): number | undefined {
    return this.servers.length > 1 ? this.callCapacity : undefined;
  }

  /** Twice the inputs all servers take at once: what keeps every slot busy. */
  get callCapacity(): number {
    return 2 * this.o.maxBatchInputs * this.servers.reduce((a, s) => a + s.concurrency, 0);
  }

  /** The servers' base URLs, in spec order. */
  get serverUrls(): string[] {
    return this.servers.map((s) => s.baseUrl);
  }

  /** Per-server counts and measured latency, in spec order. */
  serverStats(): ServerStats[] {
    return this.servers.map((s) => ({
      baseUrl: s.baseUrl,
      concurrency: s.concurrency,
      requests: s.requests,
      inputs: s.inputs,
      failures: s.failures,
      stalls: s.stalls,
      latencyMs: s.latencyMs,
    }));
  }

  async embed(inputs: readonly EmbedInput[]): Promise<Float32Array[]> {
    return this.embedVia(inputs, undefined);
  }

  /**
   * Embed on one server only (index in spec order), retrying there but never elsewhere: for
   * checks that compare servers.
   */
  async embedOn(server: number, inputs: readonly EmbedInput[]): Promise<Float32Array[]> {
    const s = this.servers[server];
    if (s === undefined) throw new UsageError(`no server ${server}; this spec has ${this.servers.length}`);
    return this.embedVia(inputs, s);
  }

  private async embedVia(inputs: readonly EmbedInput[], pin: Server | undefined): Promise<Float32Array[]> {
    const texts = inputs.map((i) => formatInput(this.family, i));
    const batches = splitBatches(texts, this.o.maxBatchInputs, this.o.maxBatchTokens);
    const out = new Array<Float32Array>(texts.length);
    const call = { failed: false };
    try {
      await Promise.all(
        batches.map(async (b) => {
          const vecs = await this.submit(b.texts, call, pin);
          vecs.forEach((v, i) => (out[b.start + i] = v));
        }),
      );
    } catch (err) {
      // Stop this call's queued batches; batches in flight finish and are dropped.
      call.failed = true;
      throw err;
    }
    return out;
  }

  private submit(texts: string[], call: { failed: boolean }, pin: Server | undefined): Promise<Float32Array[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ texts, call, pin, attempts: 0, lastProblem: '', settled: false, resolve, reject });
      this.pump();
    });
  }

  /** Whether `s` may take another request now (a resting server takes one probe at a time). */
  private free(s: Server, now: number): boolean {
    return now >= s.downUntil && s.inFlight < (s.consecutiveFailures > 0 ? 1 : s.concurrency);
  }

  /** Start queued batches on free servers, the fastest measured first; wake up when a resting server may be tried again. */
  private pump(): void {
    const now = Date.now();
    for (let i = 0; i < this.queue.length;) {
      const job = this.queue[i] as Job;
      if (job.call.failed) {
        this.queue.splice(i, 1);
        continue;
      }
      const candidates = job.pin ? [job.pin] : this.servers;
      let best: Server | undefined;
      for (const s of candidates) {
        if (!this.free(s, now)) continue;
        // Unmeasured servers first (to measure them), then the lowest latency per batch.
        if (best === undefined || (s.latencyMs ?? 0) < (best.latencyMs ?? 0)) best = s;
      }
      if (best === undefined || (job.pin === undefined && this.fasterSlotsAhead(best) >= this.queue.length - i)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      void this.run(best, job);
    }
    if (this.queue.length > 0) {
      const resting = this.servers.filter((s) => s.downUntil > now).map((s) => s.downUntil);
      const at = resting.length > 0 ? Math.min(...resting) : undefined;
      // (Re)arm for the first server to come back, unless a timer for an earlier time is set.
      if (at !== undefined && (this.wakeTimer === undefined || at < this.wakeAt)) {
        if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
        this.wakeAt = at;
        this.wakeTimer = setTimeout(
          () => {
            this.wakeTimer = undefined;
            this.pump();
          },
          Math.max(1, at - now),
        );
      }
    }
  }

  /**
   * At the end of a run, a batch given to a slow server can finish after a faster server would
   * have taken it and finished. The number of slots on other healthy servers that will free up
   * and finish a batch before `s` would finish one started now (from measured latencies): when
   * the queue is no longer than that, `s` waits.
   */
  private fasterSlotsAhead(s: Server): number {
    if (s.latencyMs === undefined) return 0;
    const now = performance.now();
    const sDone = now + s.latencyMs;
    let n = 0;
    for (const f of this.servers) {
      if (f === s || f.latencyMs === undefined || f.consecutiveFailures > 0 || f.latencyMs >= s.latencyMs) continue;
      for (const t of f.started) if (Math.max(now, t + f.latencyMs) + f.latencyMs < sDone) n++;
    }
    return n;
  }

  private upServers(now: number): number {
    return this.servers.filter((s) => s.downUntil <= now && s.consecutiveFailures === 0).length;
  }

  /** One try of a batch on a server; on a retryable failure the batch goes back to the queue. */
  private async run(s: Server, job: Job): Promise<void> {
    s.inFlight++;
    s.requests++;
    this.stats.requests++;
    if (job.attempts > 0) this.stats.retries++;
    let started = performance.now();
    while (s.started.has(started)) started += 1e-6;
    s.started.add(started);
    const ac = new AbortController();
    let why: 'timeout' | 'stall' | undefined;
    const timeout = setTimeout(() => {
      why = 'timeout';
      ac.abort();
    }, this.o.timeoutMs);
    // A stall is only worth abandoning when another server could take the batch.
    // A server not measured yet is judged by the slowest measured one.
    const known = s.latencyMs ?? Math.max(-1, ...this.servers.map((x) => x.latencyMs ?? -1));
    const stallMs = known >= 0 ? Math.max(this.o.minStallMs, this.o.stallFactor * known) : undefined;
    const stall =
      stallMs !== undefined && job.pin === undefined && stallMs < this.o.timeoutMs
        ? setTimeout(() => {
            if (this.upServers(Date.now()) - (s.consecutiveFailures === 0 ? 1 : 0) > 0) {
              why = 'stall';
              ac.abort();
            }
          }, stallMs)
        : undefined;
    try {
      const vecs = await this.request(s, job.texts, ac.signal);
      if (job.settled) return;
      job.settled = true;
      const ms = performance.now() - started;
      s.latencyMs = s.latencyMs === undefined ? ms : 0.8 * s.latencyMs + 0.2 * ms;
      s.consecutiveFailures = 0;
      s.inputs += job.texts.length;
      this.stats.inputs += job.texts.length;
      job.resolve(vecs);
    } catch (err) {
      if (job.settled) return;
      if (!(err instanceof RetryableProblem) && why === undefined) {
        job.settled = true;
        job.reject(err as Error);
        return;
      }
      const problem =
        why === 'timeout'
          ? 'request timed out'
          : why === 'stall'
            ? `request stalled (over ${Math.round(stallMs ?? 0)} ms)`
            : (err as Error).message;
      s.failures++;
      if (why === 'stall') s.stalls++;
      s.consecutiveFailures++;
      s.downUntil = Date.now() + this.backoff(s.consecutiveFailures - 1, err instanceof RetryableProblem ? err.retryAfter : null);
      job.attempts++;
      job.lastProblem = `${s.baseUrl}: ${problem}`;
      if (job.attempts > this.o.maxRetries) {
        job.settled = true;
        const where =
          this.servers.length === 1 ? `embedding server ${s.url}` : `embedding servers (${this.servers.map((x) => x.baseUrl).join(', ')})`;
        job.reject(
          new UsageError(`${where} failed after ${this.o.maxRetries + 1} tries: ${this.servers.length === 1 ? problem : job.lastProblem}`, {
            field: 'model',
          }),
        );
        return;
      }
      // To the front: the oldest batch is retried first, so no batch starves.
      this.queue.unshift(job);
    } finally {
      clearTimeout(timeout);
      if (stall) clearTimeout(stall);
      s.started.delete(started);
      s.inFlight--;
      this.pump();
    }
  }

  /**
   * One request per server with a one-word input, no retries, at most `timeoutMs` (default
   * 15 s): the first server that does not answer with a vector fails the check, named.
   */
  async check(timeoutMs = 15_000): Promise<void> {
    await Promise.all(
      this.servers.map(async (s) => {
        const signal = AbortSignal.timeout(timeoutMs);
        try {
          await this.request(s, ['check'], signal);
        } catch (err) {
          const why =
            err instanceof RetryableProblem
              ? err.message
              : signal.aborted
                ? `no answer within ${timeoutMs / 1000} s`
                : (err as Error).message;
          throw new UsageError(`embedding server ${s.url} is not usable: ${why}; start it or fix --model`, { field: 'model' });
        }
      }),
    );
  }

  /** One HTTP request; RetryableProblem for what another try may fix, UsageError for what it cannot. */
  private async request(s: Server, texts: string[], signal: AbortSignal): Promise<Float32Array[]> {
    let res: Response;
    try {
      res = await fetch(s.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.o.apiKey ? { authorization: `Bearer ${this.o.apiKey}` } : {}) },
        body: JSON.stringify({ model: this.o.model, input: texts, encoding_format: 'float' }),
        signal,
      });
    } catch (err) {
      throw new RetryableProblem(describeFetchError(err));
    }
    if (res.status === 429 || res.status >= 500)
      throw new RetryableProblem(`HTTP ${res.status} ${await safeText(res)}`, res.headers.get('retry-after'));
    if (!res.ok)
      throw new UsageError(`embedding server ${s.url} refused the request: HTTP ${res.status} ${await safeText(res)}`, { field: 'model' });
    let body: unknown;
    try {
      body = await res.json();
    } catch (err) {
      throw new RetryableProblem(`reply was not JSON (${(err as Error).message})`);
    }
    return this.parse(s.url, body, texts.length);
  }

  private parse(url: string, body: unknown, n: number): Float32Array[] {
    const data = (body as { data?: unknown }).data;
    if (!Array.isArray(data)) throw new UsageError(`embedding server ${url} replied without a "data" array`);
    if (data.length !== n) throw new UsageError(`embedding server ${url} returned ${data.length} vectors for ${n} inputs`);
    const out = new Array<Float32Array>(n);
    for (const [pos, item] of data.entries()) {
      const idx = typeof (item as { index?: unknown }).index === 'number' ? (item as { index: number }).index : pos;
      const emb = (item as { embedding?: unknown }).embedding;
      if (!Array.isArray(emb))
        throw new UsageError(`embedding server ${url}: item ${pos} has no float "embedding" (is encoding_format "float" supported?)`);
      if (idx < 0 || idx >= n || out[idx] !== undefined) throw new UsageError(`embedding server ${url}: bad or repeated index ${idx}`);
      if (this.dimsSeen === undefined) this.dimsSeen = emb.length;
      if (emb.length !== this.dimsSeen)
        throw new UsageError(`embedding server ${url} returned a vector of ${emb.length} dimensions, expected ${this.dimsSeen}`, {
          field: 'dims',
        });
      const v = Float32Array.from(emb as number[]);
      for (let i = 0; i < v.length; i++)
        if (!Number.isFinite(v[i])) throw new UsageError(`embedding server ${url} returned a non-finite value`);
      out[idx] = this.o.normalize ? l2normalize(v) : v;
    }
    return out;
  }

  private backoff(attempt: number, retryAfter: string | null): number {
    const ra = retryAfter !== null ? Number(retryAfter) : NaN;
    if (Number.isFinite(ra) && ra >= 0) return Math.min(ra * 1000, 60_000);
    const base = this.o.backoffMs * 2 ** Math.min(attempt, 20);
    return Math.min(base * (0.5 + Math.random() * 0.5), 30_000);
  }

  async close(): Promise<void> {
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
  }
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
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'request timed out';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

async function safeText(res: Response): Promise<string> {
  try {
    return (await res.text()).slice(0, 300);
  } catch {
    return '';
  }
}
