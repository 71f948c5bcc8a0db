import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import { vectorViewPaths } from '../../src/meds/vectorViews.ts';
import { MIMIC_MEDS } from '../helpers/paths.ts';

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
});
