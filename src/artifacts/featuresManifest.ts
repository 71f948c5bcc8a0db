/**
 * The features manifest, the one owner of `<features>/manifest.json` (and the part manifests
 * `manifest.part-<i>-of-<n>.json` of a sharded run): what `ehr-embed embed` wrote, read back by
 * `train`, `evaluate`, `merge-features` and the benchmark. Written by {@link writeFeaturesManifest},
 * read and checked by {@link readFeaturesManifest}.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { EmbedStats } from '../embed/embedWithCache.ts';
import type { GpuEstimate } from '../embed/gpuProfiles.ts';
import type { ServerStats } from '../embed/OpenAiEmbedder.ts';
import { partManifestName, type Shard } from '../embed/Shard.ts';
import { UsageError } from '../errors.ts';
import { INSTRUCTION_MODES, type InstructionMode } from '../serialize/instructions.ts';
import { SERIALIZE_FORMATS, type SerializeFormat } from '../serialize/serialize.ts';

/** File name of the manifest of a features directory written by one process (or merged). */
export const FEATURES_MANIFEST_FILE = 'manifest.json';

/** Token statistics of the serialized texts. */
export interface TokenStats {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly max: number;
  /** Texts cut to fit the budget. */
  readonly truncated: number;
}

/** What an embed run (or dry run) reports; also written to `<out>/manifest.json`. */
export interface EmbedReport {
  readonly model: string;
  readonly family: string;
  readonly description: string;
  readonly dims: number | undefined;
  readonly format: SerializeFormat;
  readonly maxTokens: number | null;
  readonly tokenizer: string;
  readonly instruction: InstructionMode;
  readonly tasks: Readonly<Record<string, { readonly labels: number; readonly file?: string }>>;
  /** Label rows over all tasks. */
  readonly inputs: number;
  /** Distinct (subject, prediction time) pairs serialized. */
  readonly pairs: number;
  /** Distinct texts. */
  readonly distinctTexts: number;
  /** Distinct (instruction, text) inputs. */
  readonly distinctInputs: number;
  readonly cacheHits: number;
  /** Distinct inputs embedded now (dry run: that would be). */
  readonly toEmbed: number;
  readonly tokens: TokenStats;
  /** Token count of every distinct text (for length histograms). */
  readonly tokenCounts?: readonly number[];
  /** Tokens of the inputs still to embed (texts only; instructions add a few dozen each). */
  readonly tokensToEmbed: number;
  readonly seconds: { readonly serialize: number; readonly embed: number };
  /** Dry run: estimated seconds to embed what is missing, from a measured sample. */
  readonly estimatedSeconds?: number;
  /** Dry run without a time estimate: why (the model could not embed a sample). */
  readonly estimateNote?: string;
  readonly estimatedCostUsd?: number;
  /** Dry run with a GPU profile: the planning estimate of what is still to embed. */
  readonly gpuEstimate?: GpuEstimate;
  readonly dryRun: boolean;
  /** Labels whose subject is not in the dataset (no text; an error unless zero). */
  readonly missingSubjects: number;
  /** The shard this run embedded (absent: all subjects). */
  readonly shard?: Shard;
  /** Per-server counts of a multi-server `openai:` spec (absent for other backends). */
  readonly servers?: readonly ServerStats[];
}

/**
 * `manifest.json`: an {@link EmbedReport} plus when it was written, the cache counts of the run
 * and, for a combined view of a sharded run, the part manifests it came from.
 */
export type FeaturesManifest = EmbedReport & {
  readonly createdAt?: string;
  readonly embedStats?: EmbedStats;
  readonly mergedFrom?: readonly string[];
};

/**
 * What a reader relies on (the settings a probe and an evaluation depend on); other fields are
 * kept as written.
 */
const ManifestSchema = z.looseObject({
  model: z.string(),
  family: z.string(),
  dims: z.number().int().positive().optional(),
  format: z.enum(SERIALIZE_FORMATS),
  maxTokens: z.number().int().nullable(),
  tokenizer: z.string(),
  instruction: z.enum(INSTRUCTION_MODES),
  tasks: z.record(z.string(), z.looseObject({ labels: z.number().int().nonnegative(), file: z.string().optional() })),
  dryRun: z.literal(false, { error: 'a real embed run, not a dry run' }).optional(),
});

const PART_MANIFEST_RE = /^manifest\.part-(\d+)-of-(\d+)\.json$/;

/** Settings every shard of one run must share (the features mean nothing together otherwise). */
const SAME = ['model', 'family', 'format', 'maxTokens', 'tokenizer', 'instruction'] as const;

function readJson(file: string): FeaturesManifest {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read the manifest: ${(err as Error).message}`, { file });
  }
  return checkFeaturesManifest(json, file);
}

/**
 * Check parsed manifest JSON against what readers rely on.
 *
 * @throws UsageError naming the file, the field and what was expected
 */
export function checkFeaturesManifest(json: unknown, file: string): FeaturesManifest {
  const r = ManifestSchema.safeParse(json);
  // The file's own object (key order kept): the schema checks, it does not transform.
  if (r.success) return json as FeaturesManifest;
  const issue = r.error.issues[0] as z.core.$ZodIssue;
  const field = issue.path.join('.');
  throw new UsageError(`features manifest: ${issue.message}`, { file, ...(field ? { field } : {}) });
}

/**
 * Write the manifest of a run into `dir`: `manifest.json`, or for one shard of a sharded run
 * (`shard.count > 1`) its part manifest. Written after the feature files, so a directory with a
 * manifest has them all.
 */
export function writeFeaturesManifest(dir: string, manifest: FeaturesManifest, shard?: Shard): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, shard === undefined || shard.count <= 1 ? FEATURES_MANIFEST_FILE : partManifestName(shard));
  writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n');
  return file;
}

/** File names of the part manifests in `dir`, sorted by shard index. */
export function listPartManifests(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => PART_MANIFEST_RE.test(n))
    .sort((a, b) => Number(PART_MANIFEST_RE.exec(a)?.[1]) - Number(PART_MANIFEST_RE.exec(b)?.[1]));
}

/**
 * Combine the part manifests of a sharded run into one: counts are summed, token statistics are
 * recomputed from every part's token counts, the settings must agree. Undefined when `dir` has
 * no part manifests.
 *
 * @throws UsageError when a shard's manifest is missing or the shards used different settings
 */
export function combinePartManifests(dir: string): FeaturesManifest | undefined {
  const names = listPartManifests(dir);
  if (names.length === 0) return undefined;
  const counts = [...new Set(names.map((n) => Number(PART_MANIFEST_RE.exec(n)?.[2])))];
  if (counts.length > 1)
    throw new UsageError(`part manifests of different shard counts (${counts.join(', ')}): remove the older run's files`, { file: dir });
  const n = counts[0] as number;
  const have = new Set(names.map((x) => Number(PART_MANIFEST_RE.exec(x)?.[1])));
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !have.has(i));
  if (missing.length > 0)
    throw new UsageError(
      `missing ${missing.length} of ${n} shard manifests (${missing
        .slice(0, 5)
        .map((i) => `manifest.part-${i}-of-${n}.json`)
        .join(', ')}): has every shard finished?`,
      { file: dir },
    );
  const parts = names.map((name) => ({ name, m: readJson(join(dir, name)) }));
  const first = (parts[0] as { m: FeaturesManifest }).m;
  for (const { name, m } of parts) {
    for (const k of SAME) {
      if (JSON.stringify(m[k]) !== JSON.stringify(first[k])) {
        throw new UsageError(`shards disagree on "${k}": ${JSON.stringify(first[k])} in ${names[0]} but ${JSON.stringify(m[k])} here`, {
          file: join(dir, name),
          field: k,
        });
      }
    }
  }
  const sum = (f: (m: FeaturesManifest) => number): number => parts.reduce((a, p) => a + f(p.m), 0);
  const tasks: Record<string, { labels: number; file: string }> = {};
  for (const { m } of parts) {
    for (const [t, v] of Object.entries(m.tasks)) tasks[t] = { labels: (tasks[t]?.labels ?? 0) + v.labels, file: `${t}.parquet` };
  }
  const tokenCounts = parts.flatMap((p) => [...(p.m.tokenCounts ?? [])]);
  const tokens = tokenStats(
    tokenCounts,
    sum((m) => m.tokens.truncated),
  );
  const { shard: _shard, ...rest } = first;
  return {
    ...rest,
    dims: parts.map((p) => p.m.dims).find((d) => d !== undefined && d !== null),
    tasks,
    inputs: sum((m) => m.inputs),
    pairs: sum((m) => m.pairs),
    // Texts are per subject and subjects are per shard, so these sums count each once (two
    // subjects with identical texts in different shards count twice).
    distinctTexts: sum((m) => m.distinctTexts),
    distinctInputs: sum((m) => m.distinctInputs),
    cacheHits: sum((m) => m.cacheHits),
    toEmbed: sum((m) => m.toEmbed),
    tokens,
    tokenCounts,
    tokensToEmbed: sum((m) => m.tokensToEmbed),
    seconds: { serialize: sum((m) => m.seconds.serialize), embed: sum((m) => m.seconds.embed) },
    missingSubjects: sum((m) => m.missingSubjects),
    dryRun: false,
    mergedFrom: names,
  };
}

/**
 * The manifest of a features directory: `manifest.json`, or else the combined part manifests.
 *
 * @throws UsageError when there is neither
 */
export function readFeaturesManifest(dir: string): FeaturesManifest {
  const file = join(dir, FEATURES_MANIFEST_FILE);
  if (existsSync(file)) return readJson(file);
  const combined = combinePartManifests(dir);
  if (combined) return combined;
  throw new UsageError(
    'not a features directory: manifest.json (or manifest.part-<i>-of-<n>.json from sharded runs) is missing (write one with `ehr-embed embed`)',
    { file: dir },
  );
}

/**
 * Token statistics of a run from the token count of every distinct text (nearest-rank quantiles).
 *
 * @param tokenCounts - one count per distinct text, any order.
 * @param truncated - texts cut to fit the budget.
 */
export function tokenStats(tokenCounts: readonly number[], truncated: number): TokenStats {
  const sorted = [...tokenCounts].sort((a, b) => a - b);
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return {
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : 0,
    p50: q(0.5),
    p90: q(0.9),
    max: sorted[sorted.length - 1] ?? 0,
    truncated,
  };
}
