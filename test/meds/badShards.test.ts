// MEDS shards generated from the bundled MIMIC-IV demo with the time column dropped or retyped:
// an error naming the file, never a dataset whose events all read as static (a leak).
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isUsageError } from '../../src/errors.ts';
import { openDuck } from '../../src/meds/duckdb.ts';
import { openMedsDataset } from '../../src/meds/index.ts';
import { MIMIC_MEDS, tempDir } from '../helpers/paths.ts';

async function shard(select: string): Promise<string> {
  const dir = tempDir();
  mkdirSync(join(dir, 'data'));
  const duck = await openDuck();
  try {
    await duck.connection.run(
      `COPY (SELECT ${select} FROM read_parquet('${join(MIMIC_MEDS, 'data/held_out/0.parquet')}')) TO '${join(dir, 'data/0.parquet')}' (FORMAT parquet)`,
    );
  } finally {
    duck.close();
  }
  return dir;
}

describe('MEDS shards with a bad time column', () => {
  it('a shard without a time column is an error naming the file', async () => {
    const dir = await shard('subject_id, code, numeric_value');
    await assert.rejects(
      openMedsDataset(dir),
      (e) => isUsageError(e) && /data\/0\.parquet/.test(e.message) && /missing required MEDS column "time"/.test(e.message),
    );
  });

  it('a time column of another type is an error naming the file', async () => {
    for (const select of ['subject_id, time::VARCHAR AS time, code', 'subject_id, epoch_us(time) AS time, code']) {
      const dir = await shard(select);
      await assert.rejects(
        openMedsDataset(dir),
        (e) => isUsageError(e) && /data\/0\.parquet/.test(e.message) && /column "time" must be a timestamp/.test(e.message),
        select,
      );
    }
  });

  it('a symbolically linked shard is read, not skipped', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'data'));
    symlinkSync(join(MIMIC_MEDS, 'data/held_out/0.parquet'), join(dir, 'data/linked.parquet'));
    const ds = await openMedsDataset(dir);
    try {
      const direct = await openMedsDataset(await shard('*'));
      assert.equal(ds.subjectCount, direct.subjectCount);
      direct.close();
      assert.ok(ds.subjectCount > 0);
    } finally {
      ds.close();
    }
  });

  it('extra columns named after prototype properties are read as values', async () => {
    const ds = await openMedsDataset(await shard(`subject_id, time, code, 'a' AS "constructor", 7 AS "__proto__", 'b' AS "toString"`));
    try {
      const [first] = await ds
        .subjects()
        .next()
        .then((r) => (r.done ? [] : [r.value]));
      const e = first?.events[0];
      assert.ok(e?.extra);
      assert.equal(Object.getPrototypeOf(e.extra), Object.prototype);
      assert.deepEqual(Object.getOwnPropertyDescriptor(e.extra, '__proto__')?.value, 7);
      assert.equal(e.extra.constructor, 'a');
      assert.equal(e.extra.toString, 'b');
    } finally {
      ds.close();
    }
  });

  it('the unchanged shard opens (the check is not a false alarm)', async () => {
    const ds = await openMedsDataset(await shard('subject_id, time, code, numeric_value'));
    try {
      assert.ok(ds.subjectCount > 0);
    } finally {
      ds.close();
    }
  });
});
