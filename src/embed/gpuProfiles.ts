/**
 * GPU-time estimates for planning a study (`ehr-embed embed --dry-run --gpu-profile <name>`),
 * from forward-pass ceilings measured on an H100 and reported in issue 16 of this project:
 * a Qwen3-Embedding-8B-shaped model runs about 7.2 texts/s at 4,096 tokens and 3.4 at 8,192; a
 * 4B shape about 11 and a 0.6B shape about 39 texts/s at 4,096 tokens.
 *
 * Seconds per text are modelled as `a*L + b*L^2` (linear layers plus attention) for a text of L
 * tokens, fitted exactly through the two 8B points; the 4B and 0.6B shapes scale that curve by
 * their measured rate at 4,096 tokens. These are ceilings of the forward pass (no padding waste,
 * no queueing, no network), so real runs take longer: treat the result as a lower bound.
 */
import { UsageError } from '../errors.ts';

/** One planning profile. */
export interface GpuProfile {
  readonly name: string;
  readonly description: string;
  /** Measured texts per second at 4,096 tokens (the anchor of the curve). */
  readonly textsPerSecondAt4096: number;
}

/** The profiles, by name. */
export const GPU_PROFILES: ReadonlyMap<string, GpuProfile> = new Map(
  [
    {
      name: 'h100-8b',
      description: 'one H100, Qwen3-Embedding-8B-shaped model (7.2 texts/s at 4,096 tokens, 3.4 at 8,192)',
      textsPerSecondAt4096: 7.2,
    },
    {
      name: 'h100-4b',
      description: 'one H100, Qwen3-Embedding-4B-shaped model (about 11 texts/s at 4,096 tokens)',
      textsPerSecondAt4096: 11,
    },
    {
      name: 'h100-0.6b',
      description: 'one H100, Qwen3-Embedding-0.6B-shaped model (about 39 texts/s at 4,096 tokens)',
      textsPerSecondAt4096: 39,
    },
  ].map((p) => [p.name, p]),
);

// The 8B curve through (4096, 1/7.2 s) and (8192, 1/3.4 s).
const L1 = 4096;
const L2 = 8192;
const T1 = 1 / 7.2;
const T2 = 1 / 3.4;
const B = (T2 - 2 * T1) / (L2 * L2 - 2 * L1 * L1);
const A = (T1 - B * L1 * L1) / L1;

/** Seconds one GPU of `profile` needs for one text of `tokens` tokens. */
export function secondsPerText(profile: GpuProfile, tokens: number): number {
  const scale = 7.2 / profile.textsPerSecondAt4096;
  return scale * (A * tokens + B * tokens * tokens);
}

/** The profile of a name; a UsageError lists the known ones. */
export function gpuProfile(name: string): GpuProfile {
  const p = GPU_PROFILES.get(name);
  if (!p) throw new UsageError(`unknown GPU profile "${name}"; known: ${[...GPU_PROFILES.keys()].join(', ')}`, { field: 'gpu-profile' });
  return p;
}

/** A planning estimate for texts of the given token counts. */
export interface GpuEstimate {
  readonly profile: string;
  readonly description: string;
  readonly texts: number;
  readonly tokens: number;
  /** GPU-hours on the profile's GPU (divide by the number of GPUs for wall time). */
  readonly gpuHours: number;
}

/** GPU-hours to embed texts of `tokenCounts` tokens each on `profile`. */
export function estimateGpuHours(profile: GpuProfile, tokenCounts: readonly number[]): GpuEstimate {
  let s = 0;
  let tokens = 0;
  for (const t of tokenCounts) {
    s += secondsPerText(profile, t);
    tokens += t;
  }
  return { profile: profile.name, description: profile.description, texts: tokenCounts.length, tokens, gpuHours: s / 3600 };
}
