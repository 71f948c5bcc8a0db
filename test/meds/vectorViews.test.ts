import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { FeatureFileWriter, readFeatureFile } from '../../src/meds/featureFiles.ts';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import { vectorViewPaths } from '../../src/meds/vectorViews.ts';
import { MIMIC_MEDS, tempDir } from '../helpers/paths.ts';

describe('DuckDB vector views', () => {
  it('decode events through the typed arrays, never the per-row fallback (MIMIC-IV demo)', async () => {
    const before = vectorViewPaths();
    const ds = await openMedsDataset(MIMIC_MEDS);
    try {
      let events = 0;
      for await (const s of ds.subjects()) events += s.events.length;
      assert.ok(events > 100_000, `read ${events} events`);
    } finally {
      ds.close();
    }
    const after = vectorViewPaths();
    assert.ok(after.typed - before.typed > 0, 'no vector was read through its typed array');
    assert.equal(after.fallback - before.fallback, 0, 'vectors were decoded value by value: @duckdb/node-api changed its vector layout');
  });

  it('read feature vectors through the typed arrays', async () => {
    const file = join(tempDir('vector-views'), 't.parquet');
    const w = new FeatureFileWriter(file);
    for (let i = 0; i < 50; i++)
      w.add(
        i + 1,
        1_700_000_000_000 + i,
        Float32Array.from({ length: 8 }, (_, j) => i + j / 8),
      );
    await w.finish();
    const before = vectorViewPaths();
    const f = await readFeatureFile(file);
    assert.equal(f.data[8 * 3 + 2], 3 + 2 / 8);
    const after = vectorViewPaths();
    assert.ok(after.typed - before.typed > 0, 'no vector was read through its typed array');
    assert.equal(after.fallback - before.fallback, 0, 'feature vectors were decoded value by value');
  });
});
