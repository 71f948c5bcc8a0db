/**
 * The embedding backends' common shape. A backend turns (instruction, text) pairs into vectors;
 * how the instruction is combined with the text depends on the model family (SPEC 3).
 */

/**
 * How a model wants its instruction:
 * - `qwen`: `Instruct: {instruction}\nQuery:\n{text}` (GTE-Qwen2, Qwen3-Embedding; last-token pooling server-side)
 * - `llm2vec`: instruction and text as a pair, joined with LLM2Vec's separator `!@#$%^&*()`
 * - `plain`: no instruction (sentence encoders such as USE or BERT-class models)
 */
export type ModelFamily = 'qwen' | 'llm2vec' | 'plain';

/** All families, for validation and help texts. */
export const MODEL_FAMILIES: readonly ModelFamily[] = ['qwen', 'llm2vec', 'plain'];

/** One text to embed with its instruction (null: none). */
export interface EmbedInput {
  readonly text: string;
  readonly instruction: string | null;
}

/** An embedding backend. Vectors come back in input order, L2-normalized unless stated. */
export interface Embedder {
  /** Canonical spec string (part of the cache key), e.g. `use-lite` or `openai:http://h/v1#m`. */
  readonly spec: string;
  readonly family: ModelFamily;
  /** Dimension, when known before the first call. */
  readonly dims: number | undefined;
  /** Short human description for logs and reports. */
  readonly description: string;
  /** A doubt about the model found while loading it (for example a GGUF file's pooling), or null/absent. */
  readonly warning?: string | null;
  /**
   * Inputs in flight that keep the backend fully busy (several servers, many requests in
   * flight). An embedder that sets it accepts concurrent {@link embed} calls: callers keep about
   * this many inputs in flight over several calls. Absent: one call at a time.
   */
  readonly callSize?: number;
  /**
   * Check once, quickly and without retries, that the backend answers (a served model: every
   * server), so a long run fails in seconds instead of after its serialization. Absent for
   * in-process models, whose load errors surface when they are created.
   */
  check?(): Promise<void>;
  /** Embed a batch. */
  embed(inputs: readonly EmbedInput[]): Promise<Float32Array[]>;
  /** Release workers, sockets, native memory. */
  close(): Promise<void>;
}

/** LLM2Vec's instruction/text separator (its `encode` splits pairs on it). */
export const LLM2VEC_SEPARATOR = '!@#$%^&*()';

/** The string a model of `family` is given for one input. */
export function formatInput(family: ModelFamily, input: EmbedInput): string {
  if (input.instruction === null || input.instruction === '' || family === 'plain') return input.text;
  if (family === 'qwen') return `Instruct: ${input.instruction}\nQuery:\n${input.text}`;
  return `${input.instruction}${LLM2VEC_SEPARATOR}${input.text}`;
}

/** L2-normalize in place; returns the vector. A zero vector stays zero. */
export function l2normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] as number) * (v[i] as number);
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / n;
  return v;
}
