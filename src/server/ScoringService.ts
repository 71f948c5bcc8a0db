/**
 * The service's pipeline, the batch pipeline's steps in the batch pipeline's order: record →
 * serialize (the probe's settings and code descriptions) → embed (the probe's model and
 * instruction, through the embedding cache) → the probe's `predictProba`.
 */
import { createHash } from 'node:crypto';
import type { EmbedInput, Embedder } from '../embed/Embedder.ts';
import type { EmbeddingCache } from '../embed/EmbeddingCache.ts';
import { embedWithCache } from '../embed/embedWithCache.ts';
import { isUsageError } from '../errors.ts';
import { canonicalJson, type ProbeBundle } from '../artifacts/ProbeBundle.ts';
import { serialize, type SerializeResult } from '../serialize/serialize.ts';
import { vocabularyFromCodes, type Vocabulary } from '../serialize/vocabulary.ts';
import { ApiError } from './ApiError.ts';
import { layeredVocabulary } from './layeredVocabulary.ts';
import type { RecordInput, SerializerSettings } from './parseRecordInput.ts';

/** Options of {@link ScoringService}. */
export interface ScoringServiceOptions {
  readonly embedder: Embedder;
  /** Embedding cache; null embeds every request anew. */
  readonly cache: EmbeddingCache | null;
  /** Loaded probes (one per task). */
  readonly probes: readonly ProbeBundle[];
  /**
   * Descriptions used first for `/v1/serialize` and `/v1/embed` (the `--meds` dataset's, else
   * the first probe's; default: only the record's own).
   */
  readonly vocabulary?: Vocabulary;
  /** Serializer settings of requests that do not give them (default: the first probe's, else markdown, no budget, qwen2). */
  readonly defaults?: SerializerSettings;
}

/** One probability of {@link ScoringService.predict}. */
export interface Prediction {
  readonly task: string;
  readonly probability: number;
  /** The probe's identity: checksum, model and training summary. */
  readonly probe: {
    readonly checksum: string;
    readonly model: string;
    readonly createdAt: string;
    readonly C: number;
    readonly validationAuroc: number | null;
  };
}

/** The service's scoring pipeline over one embedder and a set of probes. */
export class ScoringService {
  readonly embedder: Embedder;
  readonly cache: EmbeddingCache | null;
  readonly defaults: SerializerSettings;
  private readonly probesByTask = new Map<string, ProbeBundle>();
  private readonly probeVocabulary = new Map<ProbeBundle, { key: string; vocabulary: Vocabulary }>();
  private readonly vocabulary: Vocabulary | undefined;

  constructor(options: ScoringServiceOptions) {
    this.embedder = options.embedder;
    this.cache = options.cache;
    // Probes trained on one dataset carry equal vocabularies: build each distinct one once.
    const byKey = new Map<string, Vocabulary>();
    for (const p of options.probes) {
      const key = createHash('sha256').update(canonicalJson(p.data.serializer.vocabulary)).digest('hex');
      let vocabulary = byKey.get(key);
      if (!vocabulary) byKey.set(key, (vocabulary = vocabularyFromCodes(p.data.serializer.vocabulary)));
      this.probeVocabulary.set(p, { key, vocabulary });
      this.probesByTask.set(p.task, p);
    }
    const first = options.probes[0];
    this.vocabulary = options.vocabulary ?? (first ? this.probeVocabulary.get(first)?.vocabulary : undefined);
    this.defaults =
      options.defaults ??
      (first
        ? { format: first.data.serializer.format, maxTokens: first.data.serializer.maxTokens, tokenizer: first.data.serializer.tokenizer }
        : { format: 'markdown', maxTokens: null, tokenizer: 'qwen2' });
  }

  /** Loaded probes, in load order. */
  get probes(): readonly ProbeBundle[] {
    return [...this.probesByTask.values()];
  }

  /** The probe of a task, or undefined. */
  probe(task: string): ProbeBundle | undefined {
    return this.probesByTask.get(task);
  }

  /** The descriptions a record is serialized with outside a probe: the server's first, then the record's own. */
  recordVocabulary(record: RecordInput): Vocabulary {
    return this.vocabulary && record.source !== 'dataset' ? layeredVocabulary(this.vocabulary, record.vocabulary) : record.vocabulary;
  }

  /** Serialize a record with the given settings (and {@link recordVocabulary}). */
  serialize(record: RecordInput, settings: SerializerSettings, vocabulary: Vocabulary = this.recordVocabulary(record)): SerializeResult {
    return serialize(record.subject, {
      predictionTime: record.predictionTime,
      format: settings.format,
      tokenizer: settings.tokenizer,
      vocabulary,
      ...(settings.maxTokens !== null ? { maxTokens: settings.maxTokens } : {}),
    });
  }

  /**
   * Embed inputs through the cache (identical inputs once).
   *
   * @throws ApiError 502 when the embedding model fails.
   */
  async embed(inputs: readonly EmbedInput[]): Promise<Float32Array[]> {
    try {
      if (this.cache) return (await embedWithCache(this.embedder, this.cache, inputs)).vectors;
      return await this.embedder.embed(inputs);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new ApiError(502, 'embedding_failed', `the embedding model failed: ${err instanceof Error ? err.message : String(err)}`, null);
    }
  }

  /**
   * The text a task's probe reads for a record: its serializer settings and code descriptions,
   * then the record's own (what {@link predict} embeds), or undefined for an unknown task.
   */
  probeText(record: RecordInput, task: string): SerializeResult | undefined {
    const p = this.probesByTask.get(task);
    const pv = p ? this.probeVocabulary.get(p) : undefined;
    if (!p || !pv) return undefined;
    const s = p.data.serializer;
    return this.serialize(
      record,
      { format: s.format, maxTokens: s.maxTokens, tokenizer: s.tokenizer },
      layeredVocabulary(pv.vocabulary, record.vocabulary),
    );
  }

  /**
   * Probabilities of `tasks` for a record, each with its probe's serializer settings, code
   * descriptions (then the record's own), model and instruction.
   *
   * @param tasks - task names (duplicates answered once); default every loaded probe.
   * @throws ApiError 400 `unknown_task` naming the known tasks.
   */
  async predict(record: RecordInput, tasks?: readonly string[]): Promise<Prediction[]> {
    const names = tasks === undefined ? [...this.probesByTask.keys()] : [...new Set(tasks)];
    const probes = names.map((name, i) => {
      const p = this.probesByTask.get(name);
      if (!p) {
        const known = [...this.probesByTask.keys()].sort();
        throw new ApiError(
          400,
          'unknown_task',
          known.length > 0
            ? `unknown task "${name}"; loaded probes: ${known.join(', ')}`
            : `unknown task "${name}": no probes are loaded (start the server with --probes <dir>)`,
          `tasks[${i}]`,
        );
      }
      return p;
    });
    // One text per distinct (settings, vocabulary); one embedding per distinct (text, instruction).
    const texts = new Map<string, string>();
    const inputs: EmbedInput[] = probes.map((p) => {
      const s = p.data.serializer;
      const pv = this.probeVocabulary.get(p) as { key: string; vocabulary: Vocabulary };
      const key = `${s.format}|${s.maxTokens}|${s.tokenizer}|${pv.key}`;
      let text = texts.get(key);
      if (text === undefined) {
        text = this.serialize(
          record,
          { format: s.format, maxTokens: s.maxTokens, tokenizer: s.tokenizer },
          layeredVocabulary(pv.vocabulary, record.vocabulary),
        ).text;
        texts.set(key, text);
      }
      return { text, instruction: p.data.instruction.text };
    });
    const vectors = await this.embed(inputs);
    return probes.map((p, i) => {
      let probability: number;
      try {
        probability = p.predictProba(vectors[i] as Float32Array);
      } catch (err) {
        if (isUsageError(err)) throw new ApiError(500, 'model_mismatch', err.message, null);
        throw err;
      }
      const t = p.data.training;
      return {
        task: p.task,
        probability,
        probe: { checksum: p.checksum, model: p.data.model.spec, createdAt: p.data.createdAt, C: t.C, validationAuroc: t.validationAuroc },
      };
    });
  }
}
