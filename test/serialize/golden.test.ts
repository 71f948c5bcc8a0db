import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GOLDEN_DIR, renderGoldenCases } from './goldenCases.ts';
import { DATA, tempDir } from '../helpers/paths.ts';

describe('serialization golden files (Synthea STU3 and R4, OMOP, MIMIC-IV demo)', () => {
  it('real subjects render exactly as committed', async () => {
    const cases = await renderGoldenCases(tempDir(), DATA);
    assert.deepEqual(cases.map((c) => c.file).sort(), readdirSync(GOLDEN_DIR).sort(), 'same set of cases');
    for (const c of cases)
      assert.equal(
        c.text,
        readFileSync(join(GOLDEN_DIR, c.file), 'utf8'),
        `${c.file} differs: rerun scripts/update-serialize-golden.ts and review the diff`,
      );
    const current = cases.filter((c) => c.file.endsWith('.md') && /current visit/.test(c.text));
    assert.ok(current.length >= 4, 'in-stay cases show a current visit');
    for (const c of current) {
      const line = c.text.split('\n').find((l) => /current visit/.test(l))!;
      assert.ok(!/duration/.test(line), `current visit shows no duration: ${line}`);
    }
  });
});
