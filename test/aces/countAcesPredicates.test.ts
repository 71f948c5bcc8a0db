import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closestCodes, literalPrefix } from '../../src/aces/closestCodes.ts';
import { countAcesPredicates } from '../../src/aces/countAcesPredicates.ts';
import { medsCodeCounts } from '../../src/aces/medsCodeCounts.ts';
import { parseAcesConfig } from '../../src/aces/parseAcesConfig.ts';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import { MIMIC_MEDS } from '../helpers/paths.ts';

const CONFIG = `
predicates:
  icu_admission:
    code: {regex: "^ICU_ADMITION//.*"}
  icu_discharge:
    code: {regex: "^ICU_DISCHARGE//.*"}
  death:
    code: MEDS_DEATH
  low_sodium:
    code: LAB//50983//mEq/L
    value_max: 135
  impossible_sodium:
    code: LAB//50983//mEq/L
    value_min: 1000
  discharge_or_death:
    expr: or(icu_discharge, death)
trigger: icu_admission
windows:
  input:
    start: null
    end: trigger + 24h
    start_inclusive: True
    end_inclusive: True
    index_timestamp: end
    has:
      low_sodium: (None, 0)
      impossible_sodium: (None, 0)
  target:
    start: input.end
    end: start -> discharge_or_death
    start_inclusive: False
    end_inclusive: True
    label: death
`;

describe('closestCodes', () => {
  it('prefers the longest shared prefix, then edit distance', () => {
    const codes = ['ICU_ADMISSION//MICU', 'ICU_DISCHARGE//MICU', 'HOSPITAL_ADMISSION//EW EMER.', 'MEDS_DEATH', 'LAB//50983//mEq/L'];
    assert.deepEqual(closestCodes('ICU_ADMITION//', codes, 2), ['ICU_ADMISSION//MICU', 'ICU_DISCHARGE//MICU']);
    assert.deepEqual(closestCodes('MEDS_DAETH', codes, 1), ['MEDS_DEATH']);
    assert.equal(literalPrefix('^ICU_ADMISSION//.*'), 'ICU_ADMISSION//');
    assert.equal(literalPrefix('LAB//50983\\.x'), 'LAB//50983.x');
  });
});

describe('countAcesPredicates on the MIMIC-IV demo', () => {
  it('counts matching rows per predicate and warns, with the closest codes, when none match', async () => {
    const config = parseAcesConfig({ text: CONFIG, file: 'typo.yaml' });
    const ds = await openMedsDataset(MIMIC_MEDS);
    try {
      const counts = await countAcesPredicates(config, medsCodeCounts(ds));
      const by = new Map(counts.map((c) => [c.name, c]));
      assert.equal(by.get('icu_admission')?.rows, 0);
      assert.match(
        by.get('icu_admission')?.warning ?? '',
        /predicate "icu_admission" matches no event: no code matches regex "\^ICU_ADMITION\/\/\.\*"; closest codes: ICU_ADMISSION\/\//,
      );
      assert.equal(by.get('icu_discharge')?.rows, 27);
      assert.equal(by.get('icu_discharge')?.warning, null);
      assert.equal(by.get('death')?.rows, 4);
      const low = by.get('low_sodium')?.rows ?? 0;
      const all = (await ds.query(`SELECT count(*)::BIGINT AS n FROM ${ds.dataRelation} WHERE code = 'LAB//50983//mEq/L'`))[0]?.n;
      const below = (
        await ds.query(`SELECT count(*)::BIGINT AS n FROM ${ds.dataRelation} WHERE code = 'LAB//50983//mEq/L' AND numeric_value < 135`)
      )[0]?.n;
      assert.ok(low > 0 && low < Number(all));
      assert.equal(low, Number(below));
      assert.match(
        by.get('impossible_sodium')?.warning ?? '',
        /1 codes match code "LAB\/\/50983\/\/mEq\/L" but no value is within the bounds/,
      );
      assert.equal(by.get('discharge_or_death')?.warning, null);
    } finally {
      ds.close();
    }
  });
});
