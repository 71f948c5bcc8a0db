import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { labelWithAces } from '../../src/aces/labelWithAces.ts';
import { loadAcesConfig } from '../../src/aces/parseAcesConfig.ts';
import { expectedRows, memorySource, subjectsFromCsv } from './acesFixtures.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/aces');
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

// ACES's own end-to-end cases (tests/test_meds.py, test_other_meds.py, test_override_meds.py):
// the same labels, row for row.
for (const dir of readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)) {
  describe(`ACES sample ${dir}`, () => {
    const subjects = subjectsFromCsv(join(FIXTURES, dir, 'data.csv'));
    const tasks = readdirSync(join(FIXTURES, dir))
      .filter((f) => f.endsWith('.yaml') && !f.endsWith('.predicates.yaml'))
      .map((f) => f.slice(0, -5));
    for (const task of tasks) {
      it(`${task} gives ACES's expected labels`, async () => {
        const overrides = join(FIXTURES, dir, `${task}.predicates.yaml`);
        const config = loadAcesConfig(join(FIXTURES, dir, `${task}.yaml`), existsSync(overrides) ? overrides : undefined);
        const result = await labelWithAces(memorySource(subjects), [{ name: task, config }]);
        const got = (result.tasks[0]?.labels ?? []).map((l) => `${l.subjectId} ${iso(l.predictionTime)} ${String(l.booleanValue)}`);
        assert.deepEqual(got, expectedRows(join(FIXTURES, dir, `${task}.expected.csv`)));
      });
    }
  });
}
