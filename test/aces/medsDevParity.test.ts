import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { labelWithAces } from '../../src/aces/labelWithAces.ts';
import { loadAcesConfig } from '../../src/aces/parseAcesConfig.ts';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import { readLabels } from '../../src/meds/labels.ts';
import type { Label } from '../../src/types.ts';
import { MIMIC_MEDS, tempDir } from '../helpers/paths.ts';
import { standardColumnsCopy } from '../tasks/standardColumnsCopy.ts';

const MEDS_DEV = join(import.meta.dirname, '../fixtures/meds-dev');
const row = (l: Label): string =>
  `${l.subjectId} ${new Date(l.predictionTime).toISOString()} ${String(l.booleanValue)} µs=${Math.round(l.predictionTime * 1000) % 1000}`;

async function run(dir: string): Promise<Label[]> {
  const config = loadAcesConfig(join(MEDS_DEV, 'mortality_in_icu_first_24h.yaml'), join(MEDS_DEV, 'MIMIC-IV.predicates.yaml'));
  const ds = await openMedsDataset(dir);
  try {
    const result = await labelWithAces(ds, [{ name: 'icu_mortality_first_24h', config }]);
    return result.tasks[0]?.labels ?? [];
  } finally {
    ds.close();
  }
}

// The MIMIC-IV demo ships the labels ACES made from MEDS-DEV's mortality/in_icu/first_24h config for
// all 100 demo subjects; the data here has 20 of them (held_out and tuning shards).
describe('MEDS-DEV mortality/in_icu/first_24h on the MIMIC-IV demo', () => {
  let shipped: Label[] = [];
  let subjects = new Set<number>();
  before(async () => {
    const ds = await openMedsDataset(MIMIC_MEDS);
    subjects = new Set(ds.subjectIds());
    ds.close();
    shipped = (await readLabels(join(MIMIC_MEDS, 'tasks', 'icu_mortality_first_24h.parquet'))).filter((l) => subjects.has(l.subjectId));
  });

  it('gives the shipped label rows of the shipped subjects, to the microsecond', async () => {
    const got = await run(MIMIC_MEDS);
    assert.equal(shipped.length, 14);
    assert.deepEqual(got.map(row), shipped.map(row));
  });

  it('gives the same rows on a standard-columns-only copy (no hadm_id, icustay_id)', async () => {
    const copy = await standardColumnsCopy(MIMIC_MEDS, tempDir());
    assert.deepEqual((await run(copy)).map(row), shipped.map(row));
  });
});
