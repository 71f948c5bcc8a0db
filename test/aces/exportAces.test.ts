import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { exportAces } from '../../src/aces/exportAces.ts';
import { labelWithAces } from '../../src/aces/labelWithAces.ts';
import { parseAcesConfig } from '../../src/aces/parseAcesConfig.ts';
import { UsageError } from '../../src/errors.ts';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import { readLabels } from '../../src/meds/labels.ts';
import { loadTaskSpecs } from '../../src/tasks/loadTaskSpecs.ts';
import type { Label } from '../../src/types.ts';
import { MIMIC_MEDS } from '../helpers/paths.ts';

const specs = loadTaskSpecs();
const row = (l: Label): string => `${l.subjectId} ${new Date(l.predictionTime).toISOString()} ${String(l.booleanValue)}`;

describe('exportAces', () => {
  it('icu_mortality_24h as an ACES config gives the shipped ACES labels when run back', async () => {
    const spec = specs.get('icu_mortality_24h');
    assert.ok(spec);
    const yaml = exportAces(spec);
    assert.match(yaml, /trigger: icu_admission/);
    const config = parseAcesConfig({ text: yaml, file: 'exported.yaml' });
    const ds = await openMedsDataset(MIMIC_MEDS);
    try {
      const got = (await labelWithAces(ds, [{ name: 'x', config }])).tasks[0]?.labels ?? [];
      const ids = new Set(ds.subjectIds());
      const shipped = (await readLabels(join(MIMIC_MEDS, 'tasks', 'icu_mortality_first_24h.parquet'))).filter((l) => ids.has(l.subjectId));
      assert.deepEqual(got.map(row), shipped.map(row));
    } finally {
      ds.close();
    }
  });

  it('tasks ACES cannot express are errors that say why', () => {
    for (const [name, why] of [
      ['long_los', /23:59 on the admission day/],
      ['readmission_30d', /23:59 on the discharge day/],
      ['new_celiac', /calendar-day rule/],
      ['hyponatremia', /one of four classes/],
    ] as const) {
      const spec = specs.get(name);
      assert.ok(spec, name);
      assert.throws(
        () => exportAces(spec),
        (e: unknown) => e instanceof UsageError && why.test(e.message),
      );
    }
  });
});
