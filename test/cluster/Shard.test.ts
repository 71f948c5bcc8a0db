import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseShard, shardFromEnv, subjectShard } from '../../src/embed/Shard.ts';

describe('shards', () => {
  it('assigns subjects by a stable hash: known values, and about 1/n each', () => {
    // Fixed by the documented construction (SHA-256 of "shard:<id>"): changing it breaks merges of old runs.
    // Expected values computed outside the code under test: node -e with crypto's SHA-256 of "shard:<id>", first 6 bytes / 2^48 * 4.
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((id) => subjectShard(id, 4)),
      [1, 1, 1, 2, 1, 2, 1, 0],
    );
    const counts = [0, 0, 0, 0];
    for (let id = 0; id < 4000; id++) (counts[subjectShard(id, 4)] as number)++;
    for (const c of counts) assert.ok(c > 850 && c < 1150, `shard sizes ${counts}`);
    assert.equal(subjectShard(123, 1), 0);
  });

  it('parses i/n and refuses bad values', () => {
    assert.deepEqual(parseShard('3/8'), { index: 3, count: 8 });
    assert.throws(() => parseShard('8/8'), /index must be 0 to count-1/);
    assert.throws(() => parseShard('1-4'), /expects <index>\/<count>/);
  });

  it('reads SLURM arrays (minus the first id) and Kubernetes Indexed Jobs (count from EHR_EMBED_SHARD_COUNT)', () => {
    assert.equal(shardFromEnv({}), undefined);
    assert.deepEqual(
      shardFromEnv({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '3', SLURM_ARRAY_TASK_MAX: '6', SLURM_ARRAY_TASK_COUNT: '4' })?.shard,
      { index: 2, count: 4 },
    );
    assert.deepEqual(shardFromEnv({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2' })?.shard, { index: 0, count: 2 });
    assert.throws(
      () => shardFromEnv({ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '8', SLURM_ARRAY_TASK_COUNT: '5' }),
      /not 5 consecutive numbers/,
    );
    assert.deepEqual(shardFromEnv({ JOB_COMPLETION_INDEX: '2', EHR_EMBED_SHARD_COUNT: '3' })?.shard, { index: 2, count: 3 });
    assert.throws(() => shardFromEnv({ JOB_COMPLETION_INDEX: '2' }), /EHR_EMBED_SHARD_COUNT is not/);
    assert.deepEqual(shardFromEnv({ EHR_EMBED_SHARD: '1/3', SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2' })?.shard, {
      index: 1,
      count: 3,
    });
  });
});
