import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FeatureFileWriter, readFeatureFile } from '../../src/meds/featureFiles.ts';
import { openDuck } from '../../src/meds/duckdb.ts';
import { tempDir } from '../helpers/paths.ts';

describe('feature files', () => {
  it('round-trip rows in order across parts, as list<float32>', async () => {
    const file = join(tempDir(), 'task.parquet');
    const w = new FeatureFileWriter(file, 7);
    const rows = Array.from({ length: 23 }, (_, i) => ({
      sid: 100 + (i % 5),
      t: Date.UTC(2020, 0, 1) + i * 60_000 + 0.5,
      v: Float32Array.from({ length: 6 }, (_, j) => Math.fround(i + j / 10)),
    }));
    for (const r of rows) w.add(r.sid, r.t, r.v);
    assert.equal(await w.finish(), 23);
    const m = await readFeatureFile(file);
    assert.equal(m.dims, 6);
    assert.deepEqual(
      [...m.subjectIds],
      rows.map((r) => r.sid),
    );
    assert.deepEqual(
      [...m.predictionTimes],
      rows.map((r) => r.t),
    );
    rows.forEach((r, i) => assert.deepEqual(m.data.subarray(i * 6, i * 6 + 6), r.v));
    const duck = await openDuck();
    try {
      const d = (await duck.connection.runAndReadAll(`DESCRIBE SELECT * FROM '${file}'`))
        .getRowObjectsJS()
        .map((x) => `${x.column_name}:${x.column_type}`);
      assert.deepEqual(d, ['subject_id:BIGINT', 'prediction_time:TIMESTAMP', 'embedding:FLOAT[]']);
    } finally {
      duck.close();
    }
  });

  it('rejects mixed dimensions, NaN values and files without the column', async () => {
    const w = new FeatureFileWriter(join(tempDir(), 'x.parquet'));
    w.add(1, 0, new Float32Array(3));
    assert.throws(() => w.add(1, 0, new Float32Array(4)), /must all have 3 dimensions/);
    const file = join(tempDir(), 'nan.parquet');
    const w2 = new FeatureFileWriter(file);
    w2.add(1, 0, Float32Array.from([1, NaN]));
    await w2.finish();
    await assert.rejects(readFeatureFile(file), /non-finite value in "embedding" at row 1, dimension 2/);
    await assert.rejects(readFeatureFile(file, 'nope'), /cannot read feature file/);
  });

  it('an empty file is valid', async () => {
    const file = join(tempDir(), 'empty.parquet');
    assert.equal(await new FeatureFileWriter(file).finish(), 0);
    const m = await readFeatureFile(file);
    assert.equal(m.subjectIds.length, 0);
  });
});
