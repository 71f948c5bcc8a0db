import assert from 'node:assert/strict';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FeatureFileWriter, mergeFeatureParts, readFeatureFile, readTaskFeatures, taskFeatureFiles } from '../../src/meds/featureFiles.ts';
import { tempDir } from '../helpers/paths.ts';

const vec = (x: number) => Float32Array.from([x, x / 3, -x]);
async function write(file: string, rows: [number, number][]): Promise<void> {
  const w = new FeatureFileWriter(file);
  for (const [s, t] of rows) w.add(s, t, vec(s * 1000 + t));
  await w.finish();
}

describe('feature part files', () => {
  it('read as one in shard order, merge sorted by (subject, time) with vectors unchanged, empty parts included', async () => {
    const dir = tempDir();
    await write(join(dir, 't.part-0-of-3.parquet'), [
      [5, 2],
      [1, 9],
      [5, 1],
    ]);
    await write(join(dir, 't.part-1-of-3.parquet'), []);
    await write(join(dir, 't.part-2-of-3.parquet'), [
      [3, 4],
      [1, 2],
    ]);
    const all = await readTaskFeatures(dir, 't');
    assert.deepEqual([...all.subjectIds], [5, 1, 5, 3, 1]);
    assert.equal(all.dims, 3);
    const merged = await mergeFeatureParts(dir);
    assert.deepEqual(
      merged.map((m) => [m.task, m.parts, m.rows]),
      [['t', 3, 5]],
    );
    assert.ok(!existsSync(join(dir, 't.part-0-of-3.parquet')), 'parts removed');
    const f = await readFeatureFile(join(dir, 't.parquet'));
    assert.deepEqual([...f.subjectIds], [1, 1, 3, 5, 5]);
    assert.deepEqual([...f.predictionTimes], [2, 9, 4, 1, 2]);
    assert.deepEqual(f.data, Float32Array.from([...vec(1002), ...vec(1009), ...vec(3004), ...vec(5001), ...vec(5002)]));
    assert.deepEqual(await mergeFeatureParts(dir), [], 'a second merge has nothing to do');
  });

  it('refuses missing parts, mixed shard counts, and parts next to a single file', async () => {
    const dir = tempDir();
    await write(join(dir, 'a.part-0-of-3.parquet'), [[1, 1]]);
    assert.throws(
      () => taskFeatureFiles(dir, 'a'),
      /task "a" is missing 2 of 3 parts \(a\.part-1-of-3\.parquet, a\.part-2-of-3\.parquet\)/,
    );
    await write(join(dir, 'a.part-1-of-2.parquet'), [[2, 1]]);
    assert.throws(() => taskFeatureFiles(dir, 'a'), /different shard counts \(3, 2\)/);
    copyFileSync(join(dir, 'a.part-0-of-3.parquet'), join(dir, 'b.parquet'));
    copyFileSync(join(dir, 'a.part-0-of-3.parquet'), join(dir, 'b.part-0-of-1.parquet'));
    assert.throws(() => taskFeatureFiles(dir, 'b'), /both b\.parquet and 1 part file/);
    assert.equal(taskFeatureFiles(dir, 'c'), undefined);
    await assert.rejects(readTaskFeatures(dir, 'c'), /no features for task "c"/);
  });
});
