import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { readLabels } from '../../src/meds/labels.ts';
import { importLabels } from '../../src/tasks/importLabels.ts';
import { MIMIC_MEDS, tempDir } from '../helpers/paths.ts';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/ehrshot/labeled_patients.csv');

describe('importLabels', () => {
  it('reads EHRSHOT labeled_patients.csv (boolean labels, UTC times)', async () => {
    const r = await importLabels(FIXTURE);
    assert.equal(r.format, 'ehrshot-csv');
    assert.equal(r.valueType, 'boolean');
    assert.equal(r.labels.length, 10);
    assert.deepEqual(r.labels[1], { subjectId: 115967096, predictionTime: Date.UTC(2017, 0, 3, 23, 59), booleanValue: true });
    assert.equal(r.labels.filter((l) => l.booleanValue).length, 3);
  });

  it('reads categorical (lab class) and numeric EHRSHOT labels, and rejects bad rows naming the row', async () => {
    const dir = tempDir();
    const cat = join(dir, 'anemia.csv');
    writeFileSync(
      cat,
      'patient_id,prediction_time,value,label_type\n1,2020-01-01 09:59:00,0,categorical\n1,2020-01-02T09:59:00.5,3,categorical\n\n',
    );
    const r = await importLabels(cat);
    assert.equal(r.valueType, 'integer');
    assert.deepEqual(
      r.labels.map((l) => [l.integerValue, l.predictionTime]),
      [
        [0, Date.UTC(2020, 0, 1, 9, 59)],
        [3, Date.UTC(2020, 0, 2, 9, 59, 0, 500)],
      ],
    );
    const num = join(dir, 'num.csv');
    writeFileSync(num, 'patient_id,prediction_time,value,label_type\n2,2020-01-01 00:00:00,1.5,numeric\n');
    assert.equal((await importLabels(num)).labels[0]?.floatValue, 1.5);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'patient_id,prediction_time,value,label_type\n1,2020-01-01 00:00:00,True,boolean\n1,yesterday,True,boolean\n');
    await assert.rejects(importLabels(bad), /bad\.csv, row 3, field "prediction_time"/);
    writeFileSync(bad, 'patient,time\n1,2020-01-01\n');
    await assert.rejects(importLabels(bad), /missing column "patient_id"/);
    await assert.rejects(importLabels(join(dir, 'nope.csv')), /does not exist/);
    const txt = join(dir, 'labels.txt');
    writeFileSync(txt, 'x');
    await assert.rejects(importLabels(txt), /unknown label file type/);
  });

  it('imports the MIMIC-IV demo icu_mortality_first_24h.parquet cleanly', async () => {
    const file = join(MIMIC_MEDS, 'tasks/icu_mortality_first_24h.parquet');
    const r = await importLabels(file);
    assert.equal(r.format, 'meds');
    assert.equal(r.valueType, 'boolean');
    assert.equal(r.labels.length, 74);
    assert.equal(r.labels.filter((l) => l.booleanValue).length, 9);
    assert.deepEqual(r.labels, await readLabels(file));
  });
});
