/**
 * The manifest of a features directory, whether one process wrote it (`manifest.json`) or n
 * shards did (`manifest.part-<i>-of-<n>.json`, combined here into one view).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import type { EmbedReport, TokenStats } from '../pipeline/embedLabels.ts';

/** A combined manifest: an {@link EmbedReport} plus the parts it came from. */
export type FeaturesManifest = EmbedReport & { readonly createdAt?: string; readonly mergedFrom?: readonly string[] };

const PART_MANIFEST_RE = /^manifest\.part-(\d+)-of-(\d+)\.json$/;

/** Settings every shard of one run must share (the features mean nothing together otherwise). */
const SAME = ['model', 'family', 'format', 'maxTokens', 'tokenizer', 'instruction'] as const;

function readJson(file: string): FeaturesManifest {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as FeaturesManifest;
  } catch (err) {
    throw new UsageError(`cannot read the manifest: ${(err as Error).message}`, { file });
  }
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
  if (counts.length > 1) throw new UsageError(`part manifests of different shard counts (${counts.join(', ')}): remove the older run's files`, { file: dir });
  const n = counts[0] as number;
  const have = new Set(names.map((x) => Number(PART_MANIFEST_RE.exec(x)?.[1])));
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !have.has(i));
  if (missing.length > 0) throw new UsageError(`missing ${missing.length} of ${n} shard manifests (${missing.slice(0, 5).map((i) => `manifest.part-${i}-of-${n}.json`).join(', ')}): has every shard finished?`, { file: dir });
  const parts = names.map((name) => ({ name, m: readJson(join(dir, name)) }));
  const first = (parts[0] as { m: FeaturesManifest }).m;
  for (const { name, m } of parts) {
    for (const k of SAME) {
      if (JSON.stringify(m[k]) !== JSON.stringify(first[k])) {
        throw new UsageError(`shards disagree on "${k}": ${JSON.stringify(first[k])} in ${names[0]} but ${JSON.stringify(m[k])} here`, { file: join(dir, name), field: k });
      }
    }
  }
  const sum = (f: (m: FeaturesManifest) => number): number => parts.reduce((a, p) => a + f(p.m), 0);
  const tasks: Record<string, { labels: number; file: string }> = {};
  for (const { m } of parts) {
    for (const [t, v] of Object.entries(m.tasks)) tasks[t] = { labels: (tasks[t]?.labels ?? 0) + v.labels, file: `${t}.parquet` };
  }
  const tokenCounts = parts.flatMap((p) => [...(p.m.tokenCounts ?? [])]);
  const sorted = [...tokenCounts].sort((a, b) => a - b);
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  const tokens: TokenStats = {
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : 0,
    p50: q(0.5),
    p90: q(0.9),
    max: sorted[sorted.length - 1] ?? 0,
    truncated: sum((m) => m.tokens.truncated),
  };
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
  const file = join(dir, 'manifest.json');
  if (existsSync(file)) return readJson(file);
  const combined = combinePartManifests(dir);
  if (combined) return combined;
  throw new UsageError('not a features directory: manifest.json (or manifest.part-<i>-of-<n>.json from sharded runs) is missing (write one with `ehr-embed embed`)', { file: dir });
}
