/**
 * The per-subject step of `embed`: serialize a subject at each needed prediction time, count its
 * tokens, and name each text by its SHA-256 (and, for the dry run, the cache keys of its inputs),
 * so the caller can count distinct texts and cache hits without holding every text. Run in the
 * main thread or in worker threads ({@link SerializePool}); both give the same results.
 */
import { createHash } from 'node:crypto';
import { EmbeddingCache } from '../embed/EmbeddingCache.ts';
import { prepareSubject } from '../serialize/PreparedSubject.ts';
import { serialize, type SerializeFormat } from '../serialize/serialize.ts';
import type { Tokenizer } from '../tokenize/tokenizer.ts';
import type { Subject } from '../types.ts';
import type { Vocabulary } from '../vocab/Vocabulary.ts';

/** Settings shared by every subject of a run (plain data: sent to worker threads as is). */
export interface SerializeSettings {
  readonly format: SerializeFormat;
  readonly maxTokens?: number;
  readonly tokenizer: string;
  /** Keep the text of each pair (a real run embeds them; a dry run needs only counts and keys). */
  readonly keepTexts: boolean;
  /** `spec|family` of the embedder: the cache key's model part. */
  readonly modelKey: string;
  /** The instruction of each slot as the cache sees it (`null`: none), see {@link PairRequest.slots}. */
  readonly slotInstructions: readonly (string | null)[];
}

/** One subject and what is needed of it. */
export interface PairRequest {
  readonly subject: Subject;
  /** Prediction times, ascending. */
  readonly times: readonly number[];
  /** Per time: the instruction slots whose cache keys are needed (dry run; empty otherwise). */
  readonly slots: readonly (readonly number[])[];
}

/** One serialized (subject, prediction time). */
export interface PairText {
  readonly subjectId: number;
  readonly predictionTime: number;
  /** SHA-256 of the text (base64): equal texts, equal hashes. */
  readonly hash: string;
  /** The text, when {@link SerializeSettings.keepTexts}. */
  readonly text?: string;
  readonly tokenCount: number;
  readonly truncated: boolean;
  /** Cache keys of the requested slots, in the request's order. */
  readonly keys: readonly string[];
}

/** Serialize one subject at its requested times. */
export function serializePairs(req: PairRequest, s: SerializeSettings, vocabulary: Vocabulary, tokenizer: Tokenizer): PairText[] {
  const prepared = prepareSubject(req.subject, vocabulary);
  return req.times.map((t, i) => {
    const r = serialize(prepared, {
      predictionTime: t,
      format: s.format,
      tokenizer,
      ...(s.maxTokens !== undefined ? { maxTokens: s.maxTokens } : {}),
    });
    const keys = (req.slots[i] ?? []).map((slot) =>
      EmbeddingCache.key(s.modelKey, { text: r.text, instruction: s.slotInstructions[slot] ?? null }),
    );
    return {
      subjectId: req.subject.subjectId,
      predictionTime: t,
      hash: createHash('sha256').update(r.text).digest('base64'),
      ...(s.keepTexts ? { text: r.text } : {}),
      tokenCount: r.tokenCount,
      truncated: r.truncation.truncated,
      keys,
    };
  });
}
