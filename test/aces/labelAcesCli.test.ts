import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readLabels } from '../../src/meds/labels.ts';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import { MIMIC_MEDS, tempDir } from '../helpers/paths.ts';
import { runCli } from '../helpers/runCli.ts';

const MEDS_DEV = join(import.meta.dirname, '../fixtures/meds-dev');

describe('ehr-embed label --aces', () => {
  it('writes a MEDS label file, summary and shots for a MEDS-DEV config with MIMIC-IV predicates', async () => {
    const out = tempDir();
    const r = runCli([
      'label',
      MIMIC_MEDS,
      '--aces',
      join(MEDS_DEV, 'mortality_in_icu_first_24h.yaml'),
      '--predicates',
      join(MEDS_DEV, 'MIMIC-IV.predicates.yaml'),
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /icu_admission +│ plain +│ 27/);
    assert.match(r.stdout, /mortality_in_icu_first_24h/);
    // The written file equals the ACES labels shipped with the demo, row for row (its 20 subjects).
    const labels = await readLabels(join(out, 'mortality_in_icu_first_24h.parquet'));
    const ds = await openMedsDataset(MIMIC_MEDS);
    const ids = new Set(ds.subjectIds());
    ds.close();
    const shipped = (await readLabels(join(MIMIC_MEDS, 'tasks', 'icu_mortality_first_24h.parquet'))).filter((l) => ids.has(l.subjectId));
    assert.equal(labels.length, 14);
    assert.deepEqual(labels, shipped);
    const summary = JSON.parse(
      runCli([
        'label',
        MIMIC_MEDS,
        '--aces',
        join(MEDS_DEV, 'mortality_in_icu_first_24h.yaml'),
        '--predicates',
        join(MEDS_DEV, 'MIMIC-IV.predicates.yaml'),
        '--out',
        out,
        '--json',
      ]).stdout,
    );
    assert.equal(summary.tasks.mortality_in_icu_first_24h.kind, 'aces');
    assert.deepEqual(Object.keys(summary.tasks), ['mortality_in_icu_first_24h']);
  });

  it('a config with an unfilled ??? placeholder, a typo or an unsupported key exits 2 with the key path', () => {
    const dir = tempDir();
    const typo = join(dir, 'typo.yaml');
    writeFileSync(
      typo,
      'predicates:\n  adm:\n    code: X\ntrigger: admission\nwindows:\n  input:\n    start: null\n    end: trigger\n    start_inclusive: true\n    end_inclusive: true\n    index_timestamp: end\n',
    );
    const unsupported = join(dir, 'unsupported.yaml');
    writeFileSync(
      unsupported,
      'predicates:\n  adm:\n    code: X\n    hadm_id: 3\ntrigger: adm\nwindows:\n  input:\n    start: null\n    end: trigger\n    start_inclusive: true\n    end_inclusive: true\n    index_timestamp: end\n',
    );
    for (const [args, pattern] of [
      [
        ['--aces', join(MEDS_DEV, 'mortality_in_icu_first_24h.yaml')],
        /field "predicates\.icu_admission": predicate "icu_admission" is "\?\?\?"/,
      ],
      [['--aces', typo], /typo\.yaml, field "trigger": predicate "admission" is not defined/],
      [['--aces', unsupported], /unsupported\.yaml, field "predicates\.adm\.hadm_id": unknown or unsupported predicate key/],
    ] as const) {
      const r = runCli(['label', MIMIC_MEDS, ...args, '--out', join(dir, 'out')]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
      assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
    }
  });

  it('--export-aces prints a built-in task as ACES YAML, or says why it cannot', () => {
    const ok = runCli(['label', '--export-aces', 'icu_mortality_24h']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /end: start -> discharge_or_death/);
    const no = runCli(['label', '--export-aces', 'long_los']);
    assert.equal(no.code, 2);
    assert.match(no.stderr, /cannot be written as an ACES config: its prediction time is 23:59/);
  });
});
