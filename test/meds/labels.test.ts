import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readLabels, writeLabels } from '../../src/meds/labels.ts';
import { MIMIC_MEDS, tempDir } from '../helpers/paths.ts';

describe('MEDS label files', () => {
  it('reads the ICU mortality labels shipped with the MIMIC-IV demo', async () => {
    const labels = await readLabels(join(MIMIC_MEDS, 'tasks/icu_mortality_first_24h.parquet'));
    assert.ok(labels.length > 0);
    assert.ok(
      labels.every((l) => Number.isSafeInteger(l.subjectId) && Number.isFinite(l.predictionTime) && typeof l.booleanValue === 'boolean'),
    );
    const first = labels[0]!;
    assert.equal(first.subjectId, 10002428);
    assert.equal(new Date(first.predictionTime).toISOString(), '2156-04-13T16:24:18.000Z');
  });

  it('round-trips every value column', async () => {
    const file = join(tempDir(), 'task.parquet');
    const labels = [
      {
        subjectId: 2,
        predictionTime: Date.UTC(2020, 1, 1, 23, 59),
        booleanValue: true,
        integerValue: null,
        floatValue: null,
        categoricalValue: null,
      },
      {
        subjectId: 1,
        predictionTime: Date.UTC(2020, 1, 1, 10, 0),
        booleanValue: null,
        integerValue: 3,
        floatValue: 2.5,
        categoricalValue: 'severe',
      },
    ];
    await writeLabels(file, labels);
    const back = await readLabels(file);
    assert.deepEqual(back, [labels[1], labels[0]], 'sorted by subject and time');
  });

  it('rejects a missing file and a file without prediction_time', async () => {
    await assert.rejects(readLabels('/nonexistent.parquet'), /label file does not exist/);
    await assert.rejects(
      readLabels(join(MIMIC_MEDS, 'metadata/subject_splits.parquet')),
      /missing required MEDS label column "prediction_time"/,
    );
  });
});
