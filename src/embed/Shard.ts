/**
 * Sharded runs: `ehr-embed embed --shard <i>/<n>` embeds only the subjects whose stable hash
 * falls in shard i of n, so n processes (a SLURM array, a Kubernetes Indexed Job) split one
 * study without talking to each other. The shard of a subject depends only on its id and n,
 * never on the machine, the order of the label file or the other tasks.
 */
import { UsageError } from '../errors.ts';
import { hashUnit } from '../hashUnit.ts';

/** Shard `index` (0-based) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Where a shard came from, for the log line of a run. */
export interface ShardSource {
  readonly shard: Shard;
  /** `--shard`, or the environment variable(s) read. */
  readonly from: string;
}

/**
 * The shard of a subject: `floor(n * u)` where `u` is the first 48 bits of
 * SHA-256(`"shard:" + subjectId`) (subject id in decimal) read big-endian and divided by 2^48.
 * The same construction as the hash split (`hashUnit`), under its own prefix, so shards are
 * independent of the train/tuning/held-out split.
 */
export function subjectShard(subjectId: number, count: number): number {
  return Math.min(count - 1, Math.floor(hashUnit(`shard:${subjectId}`) * count));
}

/** True when the subject belongs to `shard`. */
export function inShard(subjectId: number, shard: Shard): boolean {
  return shard.count === 1 || subjectShard(subjectId, shard.count) === shard.index;
}

/** Parse `<i>/<n>` (0 <= i < n); `what` names the flag or variable in the error. */
export function parseShard(value: string, what = '--shard'): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  if (!m) throw new UsageError(`${what} expects <index>/<count> with a 0-based index, e.g. 0/4, got "${value}"`, { field: what });
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count)
    throw new UsageError(`${what} "${value}": the index must be 0 to count-1 and the count at least 1`, { field: what });
  return { index, count };
}

const intVar = (env: NodeJS.ProcessEnv, name: string): number | undefined => {
  const v = env[name];
  if (v === undefined || v.trim() === '') return undefined;
  if (!/^\d+$/.test(v.trim()))
    throw new UsageError(`environment variable ${name} must be a non-negative integer, got "${v}"`, { field: name });
  return Number(v);
};

/**
 * The shard a cluster scheduler assigned through the environment, or undefined outside one.
 * In order:
 * 1. `EHR_EMBED_SHARD=<i>/<n>` (explicit, any scheduler);
 * 2. SLURM job arrays: index `SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN`, count
 *    `SLURM_ARRAY_TASK_COUNT`; arrays with a step or a list (`--array=1,5,9`, `0-9:2`), whose ids
 *    are not consecutive, are refused (the count would not match the ids);
 * 3. Kubernetes Indexed Jobs: index `JOB_COMPLETION_INDEX` (injected by Kubernetes), count
 *    `EHR_EMBED_SHARD_COUNT` (Kubernetes does not inject the completions count: set it in the pod
 *    template to the Job's `completions`).
 */
export function shardFromEnv(env: NodeJS.ProcessEnv = process.env): ShardSource | undefined {
  if (env.EHR_EMBED_SHARD !== undefined && env.EHR_EMBED_SHARD.trim() !== '')
    return { shard: parseShard(env.EHR_EMBED_SHARD, 'EHR_EMBED_SHARD'), from: 'EHR_EMBED_SHARD' };
  const id = intVar(env, 'SLURM_ARRAY_TASK_ID');
  if (id !== undefined) {
    const count = intVar(env, 'SLURM_ARRAY_TASK_COUNT');
    if (count === undefined)
      throw new UsageError('SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: pass --shard <i>/<n>', {
        field: 'SLURM_ARRAY_TASK_COUNT',
      });
    const min = intVar(env, 'SLURM_ARRAY_TASK_MIN') ?? 0;
    const max = intVar(env, 'SLURM_ARRAY_TASK_MAX');
    if (max !== undefined && max - min + 1 !== count) {
      throw new UsageError(
        `the SLURM array ids ${min}..${max} are not ${count} consecutive numbers (a step or a list in --array): use --array=0-${count - 1} or pass --shard <i>/<n>`,
        { field: 'SLURM_ARRAY_TASK_COUNT' },
      );
    }
    const index = id - min;
    if (index < 0 || index >= count)
      throw new UsageError(`SLURM_ARRAY_TASK_ID ${id} is outside ${min}..${min + count - 1}`, { field: 'SLURM_ARRAY_TASK_ID' });
    return { shard: { index, count }, from: 'SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT' };
  }
  const k8s = intVar(env, 'JOB_COMPLETION_INDEX');
  if (k8s !== undefined) {
    const count = intVar(env, 'EHR_EMBED_SHARD_COUNT');
    if (count === undefined) {
      throw new UsageError(
        "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but EHR_EMBED_SHARD_COUNT is not: set it in the pod template to the Job's completions, or pass --shard <i>/<n>",
        { field: 'EHR_EMBED_SHARD_COUNT' },
      );
    }
    if (count < 1 || k8s >= count)
      throw new UsageError(`JOB_COMPLETION_INDEX ${k8s} is not below EHR_EMBED_SHARD_COUNT ${count}`, { field: 'JOB_COMPLETION_INDEX' });
    return { shard: { index: k8s, count }, from: 'JOB_COMPLETION_INDEX/EHR_EMBED_SHARD_COUNT' };
  }
  return undefined;
}

/** `<task>.part-<i>-of-<n>.parquet`. */
export function partFileName(task: string, shard: Shard): string {
  return `${task}.part-${shard.index}-of-${shard.count}.parquet`;
}

/** `manifest.part-<i>-of-<n>.json`. */
export function partManifestName(shard: Shard): string {
  return `manifest.part-${shard.index}-of-${shard.count}.json`;
}
