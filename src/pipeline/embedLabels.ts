/**
 * The `embed` pipeline: serialize each labeled (subject, prediction time) once, attach the task's
 * instruction, embed through the cache (identical inputs once), and write one feature file per
 * task. Also the dry run: counts, tokens, cache hits and a measured time estimate, without the
 * full embedding.
 *
 * A real run streams by subject: texts are deduplicated by their SHA-256 and each input by its
 * cache key as they are serialized; an input not in the cache waits until a batch per embedder
 * call has gathered, is embedded and committed to the cache, and its text is dropped. The feature
 * files are written at the end from the cache, in label order. So memory grows with pairs and
 * keys, not with texts or vectors, and a killed run keeps every committed batch.
 */
import { InternalError, isUsageError, UsageError } from '../errors.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MedsDataset } from '../meds/MedsDataset.ts';
import { FeatureFileWriter } from '../meds/featureFiles.ts';
import type { SerializeFormat } from '../serialize/serialize.ts';
import { getTokenizer } from '../tokenize/getTokenizer.ts';
import type { Tokenizer } from '../tokenize/tokenizer.ts';
import type { Label } from '../types.ts';
import type { Vocabulary } from '../vocab/Vocabulary.ts';
import type { EmbedInput, Embedder } from '../embed/Embedder.ts';
import type { EmbeddingCache } from '../embed/EmbeddingCache.ts';
import { cacheInput, embedWithCache, type EmbedStats } from '../embed/embedWithCache.ts';
import { resolveInstruction, type InstructionMode } from '../serialize/instructions.ts';
import { estimateGpuHours, gpuProfile, type GpuEstimate } from '../embed/gpuProfiles.ts';
import type { ServerStats } from '../embed/OpenAiEmbedder.ts';
import { inShard, partFileName, type Shard } from '../embed/Shard.ts';
import { tokenStats, writeFeaturesManifest, type EmbedReport } from '../artifacts/featuresManifest.ts';
import { availableParallelism } from 'node:os';
import type { BuildVocabularyOptions } from '../vocab/VocabularyChain.ts';
import { checkMemory, type MemoryNeed } from '../memoryBudget.ts';
import { SERIALIZE_BATCH_EVENTS, SerializePool } from './SerializePool.ts';
import { serializePairs, type PairRequest, type PairText, type SerializeSettings } from './serializePairs.ts';

/** A task to embed: its labels (rows of its label file) and instruction query. */
export interface EmbedTask {
  readonly name: string;
  readonly query: string | null;
  readonly labels: readonly Pick<Label, 'subjectId' | 'predictionTime'>[];
}

/** Options of {@link embedLabels}. */
export interface EmbedLabelsOptions {
  readonly format: SerializeFormat;
  /** Token budget of each text (default: none). */
  readonly maxTokens?: number;
  /** Tokenizer of the budget and token counts (default `qwen2`). */
  readonly tokenizer?: string;
  readonly instruction: InstructionMode;
  readonly vocabulary: Vocabulary;
  /**
   * What `vocabulary` was built from ({@link buildVocabulary}'s options): worker threads rebuild
   * it from these. Without them serialization runs in the main thread.
   */
  readonly vocabularyInputs?: BuildVocabularyOptions;
  /**
   * Threads that serialize and count tokens (default: one per CPU, at most 4, for runs of at
   * least {@link WORKER_MIN_PAIRS} (subject, time) pairs; else 1, the main thread). Any number
   * gives the same texts, counts and files.
   */
  readonly workers?: number;
  /** Memory this run may use in bytes (default: physical memory or the container limit), see `checkMemory`. */
  readonly maxMemory?: number;
  /** Output directory (not used by a dry run). */
  readonly out: string;
  /** Only count and estimate (default false). */
  readonly dryRun?: boolean;
  /**
   * Before serializing, check that the embedder answers ({@link Embedder.check}; default true),
   * so a run against a stopped server fails in seconds. Off for a rerun served by the cache alone.
   */
  readonly check?: boolean;
  /** Inputs embedded for the dry run's time estimate (default 16). */
  readonly sampleSize?: number;
  /**
   * Dry run: estimate GPU-hours from this planning profile (see {@link GPU_PROFILES}) instead of
   * embedding a measured sample, so a study can be planned before its servers exist.
   */
  readonly gpuProfile?: string;
  /** USD per million input tokens, for the dry run's cost line. */
  readonly pricePerMillionTokens?: number;
  readonly onProgress?: (stage: 'serialize' | 'embed', done: number, total: number) => void;
  /**
   * Embed only the subjects of this shard (see {@link inShard}) and write
   * `<task>.part-<i>-of-<n>.parquet` plus `manifest.part-<i>-of-<n>.json` (default: everything,
   * `<task>.parquet` and `manifest.json`).
   */
  readonly shard?: Shard;
}

/** Runs with fewer (subject, time) pairs serialize in the main thread: starting threads costs more than they save. */
export const WORKER_MIN_PAIRS = 2000;

/** The default thread count of a run of `pairs` pairs. */
function autoWorkers(pairs: number): number {
  return pairs < WORKER_MIN_PAIRS ? 1 : Math.min(4, availableParallelism());
}

/** Serialize, embed and write features for tasks. */
export async function embedLabels(
  ds: MedsDataset,
  allTasks: readonly EmbedTask[],
  embedder: Embedder,
  cache: EmbeddingCache,
  o: EmbedLabelsOptions,
): Promise<EmbedReport> {
  const shard = o.shard !== undefined && o.shard.count > 1 ? o.shard : undefined;
  const tasks =
    shard === undefined ? allTasks : allTasks.map((t) => ({ ...t, labels: t.labels.filter((l) => inShard(l.subjectId, shard)) }));
  // A real run checks its server before hours of serialization; a dry run counts even without one.
  if (!o.dryRun && o.check !== false && embedder.check) {
    try {
      await embedder.check();
    } catch (err) {
      if (isUsageError(err)) throw new UsageError(`${err.message} (checked before serializing: nothing was serialized or embedded)`);
      throw err;
    }
  }
  const tokenizerName = o.tokenizer ?? 'qwen2';
  const tokenizer: Tokenizer = getTokenizer(tokenizerName);
  const modelKey = `${embedder.spec}|${embedder.family}`;
  // Each task's instruction, and the distinct instructions as the cache sees them (slots).
  const taskInstruction = tasks.map((t) => resolveInstruction(o.instruction, o.format, t.query ?? undefined));
  const slotInstructions: (string | null)[] = [];
  const taskSlot = taskInstruction.map((instruction) => {
    const seen = cacheInput(embedder, { text: '', instruction }).instruction;
    const at = slotInstructions.indexOf(seen);
    return at >= 0 ? at : slotInstructions.push(seen) - 1;
  });
  // Per subject and prediction time: the slots whose cache keys the dry run needs.
  const need = new Map<number, Map<number, number[]>>();
  tasks.forEach((t, ti) => {
    for (const l of t.labels) {
      let s = need.get(l.subjectId);
      if (!s) need.set(l.subjectId, (s = new Map()));
      const slots = s.get(l.predictionTime);
      const slot = taskSlot[ti] as number;
      if (!slots) s.set(l.predictionTime, [slot]);
      else if (!slots.includes(slot)) slots.push(slot);
    }
  });
  let pairsTotal = 0;
  for (const s of need.values()) {
    pairsTotal += s.size;
    for (const slots of s.values()) slots.sort((a, b) => a - b);
  }
  const settings: SerializeSettings = {
    format: o.format,
    ...(o.maxTokens !== undefined ? { maxTokens: o.maxTokens } : {}),
    tokenizer: tokenizerName,
    // A dry run holds no text: it counts distinct texts by hash and cache hits by key. A real run
    // holds a text only until its inputs are embedded.
    keepTexts: !o.dryRun,
    modelKey,
    slotInstructions,
  };
  // Inputs per embedder call and calls in flight: servers that take many requests at once need
  // that many inputs in flight to stay busy, as parallel calls of the usual 64, so each still
  // commits to the cache on its own (a killed run keeps every finished call).
  const embedBatch = 64;
  const parallelCalls = embedder.callSize !== undefined ? Math.max(2, Math.ceil(embedder.callSize / embedBatch)) : 1;
  const workers = o.workers ?? autoWorkers(pairsTotal);
  if (!o.dryRun) {
    // Texts in flight besides the pending batch: the serializer's batches (two per thread and the
    // one being read, each about SERIALIZE_BATCH_EVENTS events of subjects), or one subject's.
    const pairsPerSubject = pairsTotal / Math.max(1, need.size);
    const eventsPerSubject = ds.eventCount / Math.max(1, ds.subjectCount);
    const serializing =
      workers > 1
        ? (2 * workers + 1) * Math.ceil(pairsPerSubject * Math.max(1, SERIALIZE_BATCH_EVENTS / Math.max(1, eventsPerSubject)))
        : Math.ceil(pairsPerSubject);
    const threads = workers > 1 && o.vocabularyInputs !== undefined ? workers + 1 : 1;
    checkEmbedMemory(pairsTotal, need, embedder.dims, embedBatch * parallelCalls, serializing, threads, {
      ...o,
      rows: tasks.reduce((a, t) => a + t.labels.length, 0),
    });
  }
  const requests = async function* (): AsyncGenerator<PairRequest> {
    for await (const subject of ds.subjects()) {
      const times = need.get(subject.subjectId);
      if (!times) continue;
      const sorted = [...times.keys()].sort((a, b) => a - b);
      yield { subject, times: sorted, slots: sorted.map((t) => times.get(t) as number[]) };
    }
  };
  const pool =
    workers > 1 && o.vocabularyInputs !== undefined ? new SerializePool(workers, { settings, vocabulary: o.vocabularyInputs }) : undefined;
  const batches =
    pool?.run(requests()) ??
    (async function* (): AsyncGenerator<PairText[]> {
      for await (const r of requests()) yield serializePairs(r, settings, o.vocabulary, tokenizer);
    })();
  const textId = new Map<string, number>();
  const tokenCounts: number[] = [];
  const pairText = new Map<string, number>();
  /** The cache keys of each pair, by slot (the order of its slots in `need`). */
  const pairKeys = new Map<string, readonly string[]>();
  // A real run embeds as the texts come: the first time an input (cache key) is seen it is a
  // cache hit or waits in `pending`, which is embedded and committed once it holds a batch per call.
  const seen = new Set<string>();
  let pending: EmbedInput[] = [];
  const streamed = { hits: 0, embedded: 0, queued: 0, tokensToEmbed: 0, seconds: 0 };
  const flushAt = embedBatch * parallelCalls;
  /** Embed and commit `n` pending inputs (full batches only, so no call is smaller than it must be). */
  const embedPending = async (n: number): Promise<void> => {
    const inputs = pending.slice(0, n);
    pending = pending.slice(n);
    if (inputs.length === 0) return;
    const e0 = performance.now();
    // Progress after each committed batch: inputs embedded so far of those queued so far (the
    // total grows as serialization goes on).
    const { stats } = await embedWithCache(embedder, cache, inputs, {
      batchSize: embedBatch,
      parallelCalls,
      onProgress: (d) => o.onProgress?.('embed', streamed.embedded + d, streamed.queued),
    });
    streamed.embedded += stats.embedded;
    streamed.seconds += (performance.now() - e0) / 1000;
  };
  let truncated = 0;
  let done = 0;
  const t0 = performance.now();
  o.onProgress?.('serialize', 0, pairsTotal);
  try {
    for await (const pairs of batches) {
      for (const p of pairs) {
        let id = textId.get(p.hash);
        if (id === undefined) {
          id = tokenCounts.length;
          textId.set(p.hash, id);
          tokenCounts.push(p.tokenCount);
          if (p.truncated) truncated++;
        }
        const key = `${p.subjectId}@${p.predictionTime}`;
        pairText.set(key, id);
        pairKeys.set(key, p.keys);
        if (!o.dryRun) {
          const slots = need.get(p.subjectId)?.get(p.predictionTime) as number[];
          p.keys.forEach((k, j) => {
            if (seen.has(k)) return;
            seen.add(k);
            if (cache.has(k)) {
              streamed.hits++;
              return;
            }
            // The input as the cache sees it: for the plain family the instruction is dropped, as the model drops it.
            pending.push({ text: p.text as string, instruction: slotInstructions[slots[j] as number] ?? null });
            streamed.queued++;
            streamed.tokensToEmbed += p.tokenCount;
          });
        }
        if (++done % 64 === 0) o.onProgress?.('serialize', done, pairsTotal);
        while (pending.length >= flushAt) await embedPending(flushAt);
      }
    }
    await embedPending(pending.length);
  } finally {
    await pool?.close();
  }
  o.onProgress?.('serialize', done, pairsTotal);
  const serializeSeconds = (performance.now() - t0) / 1000 - streamed.seconds;
  // Inputs per task row; rows whose subject is missing from the dataset get no input. Each input
  // is kept as its text id, cache key and pair, never as its text.
  let missingSubjects = 0;
  const inputText: number[] = [];
  const inputKey: string[] = [];
  const inputPair: { subjectId: number; predictionTime: number; task: number }[] = [];
  const rowInput: number[][] = [];
  tasks.forEach((t, ti) => {
    const slot = taskSlot[ti] as number;
    rowInput.push(
      t.labels.map((l) => {
        const key = `${l.subjectId}@${l.predictionTime}`;
        const id = pairText.get(key);
        if (id === undefined) {
          missingSubjects++;
          return -1;
        }
        inputText.push(id);
        const slots = need.get(l.subjectId)?.get(l.predictionTime) as number[];
        inputKey.push((pairKeys.get(key) as readonly string[])[slots.indexOf(slot)] as string);
        if (o.dryRun) inputPair.push({ subjectId: l.subjectId, predictionTime: l.predictionTime, task: ti });
        return inputText.length - 1;
      }),
    );
  });
  const distinct = new Map<string, number>();
  inputKey.forEach((k, i) => {
    if (!distinct.has(k)) distinct.set(k, i);
  });
  // A real run counted hits and tokens as it embedded (by now the cache has every input).
  let hits = streamed.hits;
  let tokensToEmbed = streamed.tokensToEmbed;
  if (o.dryRun) {
    hits = 0;
    tokensToEmbed = 0;
    for (const [k, i] of distinct) {
      if (cache.has(k)) hits++;
      else tokensToEmbed += tokenCounts[inputText[i] as number] as number;
    }
  }
  const tokens = tokenStats(tokenCounts, truncated);
  const base = {
    model: embedder.spec,
    family: embedder.family,
    description: embedder.description,
    format: o.format,
    maxTokens: o.maxTokens ?? null,
    tokenizer: tokenizerName,
    instruction: o.instruction,
    inputs: inputText.length,
    pairs: pairText.size,
    distinctTexts: tokenCounts.length,
    distinctInputs: distinct.size,
    cacheHits: hits,
    toEmbed: distinct.size - hits,
    tokens,
    tokenCounts,
    tokensToEmbed,
    missingSubjects,
    ...(shard !== undefined ? { shard } : {}),
  };
  if (o.dryRun) {
    const missingIdx = [...distinct].filter(([k]) => !cache.has(k)).map(([, i]) => i);
    let gpuEstimate: GpuEstimate | undefined;
    if (o.gpuProfile !== undefined) {
      // Tokens of each input as the model reads it: the text plus its instruction (when used).
      const instrTokens = new Map<string, number>();
      const lengths = missingIdx.map((i) => {
        const text = tokenCounts[inputText[i] as number] as number;
        const instruction = slotInstructions[taskSlot[(inputPair[i] as { task: number }).task] as number] ?? null;
        if (instruction === null) return text;
        let it = instrTokens.get(instruction);
        if (it === undefined) instrTokens.set(instruction, (it = tokenizer.count(instruction)));
        return text + it;
      });
      gpuEstimate = estimateGpuHours(gpuProfile(o.gpuProfile), lengths);
    }
    // The sample's texts again (the dry run kept none): a few subjects read by id.
    const sample: EmbedInput[] = [];
    for (const i of gpuEstimate !== undefined ? [] : missingIdx.slice(0, o.sampleSize ?? 16)) {
      const { subjectId, predictionTime, task } = inputPair[i] as { subjectId: number; predictionTime: number; task: number };
      const [pair] = serializePairs(
        { subject: await ds.getSubject(subjectId), times: [predictionTime], slots: [] },
        { ...settings, keepTexts: true },
        o.vocabulary,
        tokenizer,
      );
      sample.push({ text: pair?.text as string, instruction: taskInstruction[task] as string | null });
    }
    let estimatedSeconds: number | undefined = gpuEstimate !== undefined ? gpuEstimate.gpuHours * 3600 : 0;
    let estimateNote: string | undefined;
    if (sample.length > 0) {
      try {
        // Check (fast, no retries), then warm up (model load, connections), so the sample measures the steady rate.
        await embedder.check?.();
        await embedder.embed(sample.slice(0, 1));
        const s0 = performance.now();
        await embedder.embed(sample);
        estimatedSeconds = (((performance.now() - s0) / 1000) * missingIdx.length) / sample.length;
      } catch (err) {
        if (!isUsageError(err)) throw err;
        // The counts above stand without a model: report them, and say why there is no time.
        estimatedSeconds = undefined;
        estimateNote = `none: the model could not embed a sample (${err.message}); --gpu-profile estimates without a server`;
      }
    }
    return {
      ...base,
      dims: embedder.dims,
      tasks: Object.fromEntries(tasks.map((t) => [t.name, { labels: t.labels.length }])),
      seconds: { serialize: serializeSeconds, embed: 0 },
      ...(estimatedSeconds !== undefined ? { estimatedSeconds } : {}),
      ...(estimateNote !== undefined ? { estimateNote } : {}),
      ...(o.pricePerMillionTokens !== undefined ? { estimatedCostUsd: (tokensToEmbed / 1e6) * o.pricePerMillionTokens } : {}),
      ...(gpuEstimate !== undefined ? { gpuEstimate } : {}),
      dryRun: true,
    };
  }
  mkdirSync(o.out, { recursive: true });
  const taskFiles: Record<string, { labels: number; file: string }> = {};
  for (const [ti, t] of tasks.entries()) {
    const name = shard === undefined ? `${t.name}.parquet` : partFileName(t.name, shard);
    const file = join(o.out, name);
    const w = new FeatureFileWriter(file);
    // Vectors come from the cache, row by row in label order: none is held for the whole run.
    (rowInput[ti] as number[]).forEach((inputIdx, r) => {
      if (inputIdx < 0) return;
      const l = t.labels[r] as EmbedTask['labels'][number];
      const v = cache.get(inputKey[inputIdx] as string);
      if (v === undefined) throw new InternalError(`embedding of task ${t.name} row ${r + 1} is not in the cache after embedding`);
      w.add(l.subjectId, l.predictionTime, v);
    });
    await w.finish();
    taskFiles[t.name] = { labels: t.labels.length, file: name };
  }
  const stats: EmbedStats = {
    inputs: inputText.length,
    distinct: distinct.size,
    cacheHits: hits,
    embedded: streamed.embedded,
    seconds: streamed.seconds,
  };
  const report: EmbedReport = {
    ...base,
    dims: embedder.dims,
    tasks: taskFiles,
    cacheHits: stats.cacheHits,
    toEmbed: stats.embedded,
    seconds: { serialize: serializeSeconds, embed: streamed.seconds },
    dryRun: false,
    ...serverStatsOf(embedder),
  };
  writeFeaturesManifest(o.out, { ...report, createdAt: new Date().toISOString(), embedStats: stats }, shard);
  return report;
}

/** The per-server counts of an embedder over several servers, as a report field. */
function serverStatsOf(embedder: Embedder): { servers?: ServerStats[] } {
  const f = (embedder as { serverStats?: () => ServerStats[] }).serverStats;
  if (typeof f !== 'function') return {};
  const servers = f.call(embedder);
  return servers.length > 1 ? { servers } : {};
}

/** Heap bytes per (subject, prediction time) pair: its key in two maps, its text's hash and token count, its array of cache keys. */
const PAIR_HEAP_BYTES = 320;
/** Heap bytes per cache key held (64 hex characters, its slot in a pair's keys and in the set of keys seen). */
const KEY_HEAP_BYTES = 160;
/** Heap bytes per task row: its text id, its input's cache key reference and its row-to-input index. */
const ROW_HEAP_BYTES = 32;
/** Bytes per token of a text in memory (a UTF-16 string: 2 bytes per character, up to 4 characters per token). */
const TEXT_BYTES_PER_TOKEN = 8;
/** Bytes assumed per text without --max-tokens (a text is then as long as its subject's history). */
const UNBOUNDED_TEXT_BYTES = 1024 ** 2;
/**
 * Bytes per serializing thread (the main thread, and each worker with `--workers`): its V8 heap,
 * tokenizer (a Qwen tokenizer alone is 117 MB of RSS), vocabulary and batch of subjects. Measured:
 * a real embed of the scale dataset's long_los (11,900 pairs, 8,192-token list texts, qwen3, 2
 * workers, 4,096-d test server) peaked at 1,530,492 KB of RSS; less the runtime allowance and
 * this estimate's other items (with margin), 816 MB over its 3 threads, rounded up.
 */
const THREAD_BYTES = 280 * 1024 ** 2;
/** Rows a feature file writer holds before it writes a part ({@link FeatureFileWriter}'s default). */
const WRITER_ROWS = 4096;

/**
 * Stop a real embed before it serializes anything when what it will hold does not fit. A run
 * streams: texts are held only until their batch is embedded and committed to the cache, vectors
 * only while a batch is written, so what grows with the run is per pair and per cache key (hashes
 * and keys, not texts). Those, the texts and vectors of one batch in flight and a feature file
 * writer's part are the estimate.
 */
function checkEmbedMemory(
  pairs: number,
  need: ReadonlyMap<number, ReadonlyMap<number, readonly number[]>>,
  dims: number | undefined,
  batch: number,
  serializing: number,
  threads: number,
  o: Pick<EmbedLabelsOptions, 'maxTokens' | 'maxMemory'> & { rows?: number },
): void {
  let keys = 0;
  for (const s of need.values()) for (const slots of s.values()) keys += slots.length;
  const textBytes = o.maxTokens !== undefined ? o.maxTokens * TEXT_BYTES_PER_TOKEN : UNBOUNDED_TEXT_BYTES;
  const fmt = (n: number): string => n.toLocaleString('en-US');
  const needs: MemoryNeed[] = [
    { what: `${threads} serializing thread(s): tokenizer, vocabulary and a batch of subjects each`, bytes: threads * THREAD_BYTES },
    {
      what: `${fmt(pairs)} (subject, time) pairs and ${fmt(keys)} cache keys`,
      bytes: pairs * PAIR_HEAP_BYTES + keys * KEY_HEAP_BYTES,
      heap: true,
    },
    {
      what: `texts in flight (up to ${fmt(batch)} awaiting the embedder and about ${fmt(serializing)} being serialized, ${o.maxTokens !== undefined ? `${fmt(o.maxTokens)} tokens` : 'no --max-tokens: 1 MB assumed'} each)`,
      bytes: (batch + serializing) * textBytes,
      heap: true,
    },
  ];
  if (o.rows !== undefined) needs.push({ what: `${fmt(o.rows)} task rows`, bytes: o.rows * ROW_HEAP_BYTES, heap: true });
  if (dims !== undefined)
    needs.push({
      what: `vectors of one embedded batch and of a feature file part as it is written (${fmt(batch + 2 * WRITER_ROWS)} × ${fmt(dims)} float32)`,
      bytes: (batch + 2 * WRITER_ROWS) * dims * 4,
    });
  checkMemory('embed', needs, {
    ...(o.maxMemory !== undefined ? { maxMemory: o.maxMemory } : {}),
    advice:
      'Set --max-tokens (texts are held while they wait for the embedder), embed fewer tasks per run (--tasks), or split the run with --shard i/n (each shard holds its own subjects only).',
  });
}
