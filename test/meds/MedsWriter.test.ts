import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MedsWriter } from '../../src/meds/MedsWriter.ts';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import { openDuck } from '../../src/meds/duckdb.ts';
import { hashSplit } from '../../src/meds/hashSplit.ts';
import { UsageError } from '../../src/errors.ts';
import type { Subject } from '../../src/types.ts';
import { MIMIC_MEDS, tempDir } from '../helpers/paths.ts';

async function describeParquet(file: string): Promise<Record<string, string>> {
  const duck = await openDuck();
  try {
    const rows = (await duck.connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjectsJS();
    return Object.fromEntries(rows.map((r) => [String(r.column_name), String(r.column_type)]));
  } finally {
    duck.close();
  }
}

describe('MedsWriter', () => {
  it('round-trips the MIMIC-IV demo: identical events, codes, splits', async () => {
    const src = await openMedsDataset(MIMIC_MEDS);
    const out = join(tempDir(), 'meds');
    const original = new Map<number, Subject>();
    try {
      const w = new MedsWriter(out, {
        extraColumns: src.extraColumns,
        splits: src.splits,
        subjectsPerShard: 7,
        provenance: { source: 'test' },
      });
      for (const [code, m] of src.codes) w.setCode(code, m.description, m.parentCodes);
      for await (const s of src.subjects()) {
        original.set(s.subjectId, s);
        w.addAll(s.events);
      }
      const summary = await w.finish();
      assert.equal(summary.subjects, 20);
      assert.equal(summary.events, 112_174);
      assert.deepEqual(summary.subjectsPerSplit, { held_out: 10, tuning: 10 });
      assert.equal(summary.shards.length, 4, '7 subjects per shard: 2 shards per split');
    } finally {
      src.close();
    }
    const back = await openMedsDataset(out);
    try {
      assert.equal(back.subjectCount, 20);
      let n = 0;
      for await (const s of back.subjects()) {
        assert.deepEqual(s.events, original.get(s.subjectId)!.events, `subject ${s.subjectId}`);
        assert.equal(back.splitOf(s.subjectId), src.splitOf(s.subjectId));
        n++;
      }
      assert.equal(n, 20);
      assert.equal(back.describe('DIAGNOSIS//ICD//9//70723'), 'Pressure ulcer, stage III');
      assert.deepEqual(back.codes.get('LAB//51491//units')?.parentCodes, ['LOINC/5803-2']);
      const meta = JSON.parse(readFileSync(join(out, 'metadata/dataset.json'), 'utf8'));
      assert.equal(meta.etl_name, 'ehr-embed');
      assert.equal(meta.meds_version, '0.3.3');
      assert.deepEqual(meta.ehr_embed_provenance, { source: 'test' });
      assert.ok(!existsSync(join(out, '.meds-writer-tmp')));
    } finally {
      back.close();
    }
  });

  it('writes standard MEDS column names and types', async () => {
    const out = join(tempDir(), 'meds');
    const w = new MedsWriter(out, {
      extraColumns: [
        { name: 'unit', type: 'VARCHAR' },
        { name: 'end', type: 'TIMESTAMP' },
      ],
    });
    w.add({ subjectId: 5, time: null, code: 'Gender/F', numericValue: null, textValue: null });
    w.add({ subjectId: 5, time: Date.UTC(2020, 0, 2), code: 'LOINC/718-7', numericValue: 12.5, textValue: null, extra: { unit: 'g/dL' } });
    w.add({
      subjectId: 5,
      time: Date.UTC(2020, 0, 1),
      code: 'Visit/IP',
      numericValue: null,
      textValue: null,
      extra: { end: Date.UTC(2020, 0, 9) },
    });
    w.setSourceId(5, 'patient-abc');
    const summary = await w.finish();
    const shard = join(out, summary.shards[0]!);
    assert.deepEqual(await describeParquet(shard), {
      subject_id: 'BIGINT',
      time: 'TIMESTAMP',
      code: 'VARCHAR',
      numeric_value: 'FLOAT',
      text_value: 'VARCHAR',
      unit: 'VARCHAR',
      end: 'TIMESTAMP',
    });
    assert.deepEqual(await describeParquet(join(out, 'metadata/codes.parquet')), {
      code: 'VARCHAR',
      description: 'VARCHAR',
      parent_codes: 'VARCHAR[]',
    });
    assert.deepEqual(await describeParquet(join(out, 'metadata/subject_splits.parquet')), { subject_id: 'BIGINT', split: 'VARCHAR' });
    const ds = await openMedsDataset(out);
    try {
      const s = await ds.getSubject(5);
      assert.deepEqual(
        s.events.map((e) => e.code),
        ['Gender/F', 'Visit/IP', 'LOINC/718-7'],
        'sorted by time, static first',
      );
      assert.equal(s.events[1]!.extra!.end, Date.UTC(2020, 0, 9));
      assert.equal(ds.resolveSubjectId('patient-abc'), 5);
      assert.equal(ds.splitOf(5), hashSplit(5, 0));
    } finally {
      ds.close();
    }
  });

  it('refuses to overwrite unless asked, and rejects bad events', async () => {
    const out = join(tempDir(), 'meds');
    const w = new MedsWriter(out);
    w.add({ subjectId: 1, time: 0, code: 'A', numericValue: null, textValue: null });
    await w.finish();
    assert.throws(() => new MedsWriter(out), /already holds a MEDS dataset/);
    const w2 = new MedsWriter(out, { overwrite: true });
    assert.throws(() => w2.add({ subjectId: 1.5, time: 0, code: 'A', numericValue: null, textValue: null }), UsageError);
    assert.throws(() => w2.add({ subjectId: 1, time: NaN, code: 'A', numericValue: null, textValue: null }), /time must be finite/);
    assert.throws(
      () => w2.add({ subjectId: 1, time: 0, code: '', numericValue: null, textValue: null }),
      /code must be a non-empty string/,
    );
  });
});

describe('hashSplit', () => {
  it('is deterministic, seed-dependent and close to 70/15/15', () => {
    const counts = { train: 0, tuning: 0, held_out: 0 };
    for (let i = 0; i < 20_000; i++) counts[hashSplit(i, 7)]++;
    assert.ok(Math.abs(counts.train / 20_000 - 0.7) < 0.015, JSON.stringify(counts));
    assert.ok(Math.abs(counts.tuning / 20_000 - 0.15) < 0.015, JSON.stringify(counts));
    assert.equal(hashSplit(123, 7), hashSplit(123, 7));
    let differ = 0;
    for (let i = 0; i < 100; i++) if (hashSplit(i, 1) !== hashSplit(i, 2)) differ++;
    assert.ok(differ > 20);
  });
});
