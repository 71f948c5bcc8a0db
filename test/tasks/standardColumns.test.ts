import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import { readLabels } from '../../src/meds/labels.ts';
import { labelDataset, type LabeledDataset } from '../../src/tasks/labelDataset.ts';
import { loadTaskSpecs } from '../../src/tasks/loadTaskSpecs.ts';
import type { Label } from '../../src/types.ts';
import { MIMIC_MEDS, tempDir } from '../helpers/paths.ts';
import { standardColumnsCopy } from './standardColumnsCopy.ts';

const specs = [...loadTaskSpecs().values()];
const row = (l: Label): string => `${l.subjectId} ${new Date(l.predictionTime).toISOString()} ${String(l.booleanValue ?? l.integerValue)}`;

async function label(dir: string): Promise<LabeledDataset> {
  const ds = await openMedsDataset(dir);
  try {
    return await labelDataset(ds, specs);
  } finally {
    ds.close();
  }
}

// Hospital stays (HOSPITAL_ADMISSION// .. HOSPITAL_DISCHARGE//) come from src/meds/visits.ts: by
// hadm_id when the column exists, else an admission ends at the next discharge in time.

// MEDS promises only subject_id, time, code, numeric_value (and text_value): every built-in task
// must give the same labels without the MIMIC-specific columns (hadm_id, icustay_id, ...).
describe('built-in tasks on a standard-columns-only copy of the MIMIC-IV demo', () => {
  let full: LabeledDataset;
  let std: LabeledDataset;
  before(async () => {
    full = await label(MIMIC_MEDS);
    std = await label(await standardColumnsCopy(MIMIC_MEDS, tempDir()));
  });

  for (const spec of specs) {
    it(`${spec.name}: same labels as with the extra columns`, () => {
      const a = full.tasks.find((t) => t.name === spec.name)?.labels ?? [];
      const b = std.tasks.find((t) => t.name === spec.name)?.labels ?? [];
      assert.ok(a.length > 0, `${spec.name} has labels on the full demo`);
      assert.deepEqual(b.map(row), a.map(row));
    });
  }

  it('icu_mortality_24h equals the ACES labels shipped with the demo, to the second, on both copies', async () => {
    const shipped = await readLabels(join(MIMIC_MEDS, 'tasks', 'icu_mortality_first_24h.parquet'));
    const subjects = full.subjectIds;
    const want = shipped.filter((l) => subjects.has(l.subjectId)).map(row);
    assert.equal(want.length, 14);
    for (const result of [full, std]) assert.deepEqual(result.tasks.find((t) => t.name === 'icu_mortality_24h')?.labels.map(row), want);
  });
});
