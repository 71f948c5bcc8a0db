import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import { openDuck } from '../../src/meds/duckdb.ts';
import { UsageError } from '../../src/errors.ts';
import type { Event } from '../../src/types.ts';
import { MIMIC_MEDS, tempDir } from '../helpers/paths.ts';

function isOrdered(events: readonly Event[]): boolean {
  for (let i = 1; i < events.length; i++) {
    const a = events[i - 1]!.time;
    const b = events[i]!.time;
    if (a !== null && (b === null || b < a)) return false;
  }
  return true;
}

async function sql(statements: string[]): Promise<void> {
  const duck = await openDuck();
  try {
    for (const s of statements) await duck.connection.run(s);
  } finally {
    duck.close();
  }
}

describe('openMedsDataset on the MIMIC-IV demo', () => {
  it('indexes 20 subjects and 112,174 events with metadata', async () => {
    const ds = await openMedsDataset(MIMIC_MEDS);
    try {
      assert.equal(ds.subjectCount, 20);
      assert.equal(ds.eventCount, 112_174);
      assert.deepEqual(
        ds.shards.map((s) => [s.name.endsWith('held_out/0.parquet') || s.name.endsWith('tuning/0.parquet'), s.rows].toString()).sort(),
        ['true,42554', 'true,69620'],
      );
      assert.equal(ds.metadata.medsVersion, '0.3.3');
      assert.ok(ds.codes.size > 2000);
      assert.equal(ds.describe('DIAGNOSIS//ICD//9//70723'), 'Pressure ulcer, stage III');
      assert.ok(ds.extraColumns.some((c) => c.name === 'hadm_id' && c.type === 'BIGINT'));
      assert.ok(ds.extraColumns.some((c) => c.name === 'unit' && c.type === 'VARCHAR'));
    } finally {
      ds.close();
    }
  });

  it('streams each subject once, ordered with static events first, matching random access', async () => {
    const ds = await openMedsDataset(MIMIC_MEDS);
    try {
      const seen = new Set<number>();
      let events = 0;
      let checked = 0;
      for await (const s of ds.subjects()) {
        assert.ok(!seen.has(s.subjectId), `subject ${s.subjectId} streamed twice`);
        seen.add(s.subjectId);
        events += s.events.length;
        assert.ok(isOrdered(s.events), `subject ${s.subjectId} out of order`);
        assert.ok(s.events.every((e) => e.subjectId === s.subjectId));
        if (checked < 3) {
          const again = await ds.getSubject(s.subjectId);
          assert.deepEqual(again.events, s.events);
          checked++;
        }
      }
      assert.equal(seen.size, 20);
      assert.equal(events, 112_174);
    } finally {
      ds.close();
    }
  });

  it('keeps extra columns with JS types', async () => {
    const ds = await openMedsDataset(MIMIC_MEDS);
    try {
      const s = await ds.getSubject(ds.subjectIds()[0]!);
      const withHadm = s.events.find((e) => e.extra?.hadm_id !== undefined);
      assert.ok(withHadm, 'some event carries hadm_id');
      assert.equal(typeof withHadm.extra!.hadm_id, 'number');
      const withText = s.events.find((e) => e.textValue !== null);
      assert.ok(withText);
    } finally {
      ds.close();
    }
  });

  it('counts the codes the data has (one scan, remembered), independent of codes.parquet', async () => {
    const ds = await openMedsDataset(MIMIC_MEDS);
    try {
      const counts = await ds.codeCounts();
      // The same numbers, summed from the events themselves.
      const fromEvents = new Map<string, number>();
      for await (const s of ds.subjects()) for (const e of s.events) fromEvents.set(e.code, (fromEvents.get(e.code) ?? 0) + 1);
      assert.deepEqual(new Map([...counts].sort()), new Map([...fromEvents].sort()));
      assert.equal(
        [...counts.values()].reduce((a, b) => a + b, 0),
        112_174,
      );
      assert.equal(await ds.codeCounts(), counts, 'remembered: the same map');
      assert.deepEqual(await ds.distinctCodes(), [...fromEvents.keys()].sort());
    } finally {
      ds.close();
    }
  });

  it('counts numeric values in bounds (as FLOAT, NaN and null left out), matching the events', async () => {
    const ds = await openMedsDataset(MIMIC_MEDS);
    try {
      const counts = await ds.codeCounts();
      const events: { code: string; v: number | null }[] = [];
      for await (const s of ds.subjects()) for (const e of s.events) events.push({ code: e.code, v: e.numericValue });
      // The two codes with the most numeric values, and bounds at their median.
      const withValues = new Map<string, number[]>();
      for (const e of events) if (e.v !== null && !Number.isNaN(e.v)) withValues.set(e.code, [...(withValues.get(e.code) ?? []), e.v]);
      const codes = [...withValues]
        .sort((a, b) => b[1].length - a[1].length)
        .slice(0, 2)
        .map(([c]) => c);
      assert.equal(codes.length, 2);
      const values = codes.flatMap((c) => withValues.get(c) ?? []).sort((a, b) => a - b);
      const mid = values[Math.floor(values.length / 2)] as number;
      const f = Math.fround;
      const expect = (keep: (v: number) => boolean): number => values.filter(keep).length;
      assert.equal(await ds.countNumericValues(codes, { min: null, minInclusive: false, max: null, maxInclusive: false }), values.length);
      assert.equal(
        await ds.countNumericValues(codes, { min: mid, minInclusive: true, max: null, maxInclusive: false }),
        expect((v) => f(v) >= f(mid)),
      );
      assert.equal(
        await ds.countNumericValues(codes, { min: mid, minInclusive: false, max: null, maxInclusive: false }),
        expect((v) => f(v) > f(mid)),
      );
      assert.equal(
        await ds.countNumericValues(codes, { min: null, minInclusive: false, max: mid, maxInclusive: false }),
        expect((v) => f(v) < f(mid)),
      );
      assert.ok(values.length <= codes.reduce((n, c) => n + (counts.get(c) ?? 0), 0));
      assert.equal(await ds.countNumericValues([], { min: null, minInclusive: false, max: null, maxInclusive: false }), 0);
    } finally {
      ds.close();
    }
  });

  it('resolves unknown subjects with a usage error', async () => {
    const ds = await openMedsDataset(MIMIC_MEDS);
    try {
      assert.throws(() => ds.resolveSubjectId('42'), UsageError);
      await assert.rejects(ds.getSubject(42), /unknown subject "42"/);
    } finally {
      ds.close();
    }
  });
});

describe('openMedsDataset on unsorted and odd shards', () => {
  it('sorts events by time and merges a subject split across shards', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'data', 'a'), { recursive: true });
    await sql([
      `COPY (SELECT * FROM (VALUES (2::BIGINT, TIMESTAMP '2020-01-03', 'B', 1.5::FLOAT), (1, TIMESTAMP '2020-01-02', 'A', NULL), (2, NULL, 'S', NULL), (1, TIMESTAMP '2020-01-01', 'C', 2.0), (2, TIMESTAMP '2020-01-01', 'A', NULL)) t(subject_id, time, code, numeric_value)) TO '${join(dir, 'data/a/0.parquet')}' (FORMAT parquet)`,
      `COPY (SELECT * FROM (VALUES (1::BIGINT, TIMESTAMP '2019-12-31 23:59:59.123456', 'Z', NULL::FLOAT, 'x')) t(subject_id, time, code, numeric_value, text_value)) TO '${join(dir, 'data/b.parquet')}' (FORMAT parquet)`,
    ]);
    const ds = await openMedsDataset(dir);
    try {
      const subjects = [];
      for await (const s of ds.subjects()) subjects.push(s);
      assert.deepEqual(
        subjects.map((s) => s.subjectId),
        [1, 2],
      );
      assert.deepEqual(
        subjects[0]!.events.map((e) => e.code),
        ['Z', 'C', 'A'],
      );
      assert.deepEqual(
        subjects[1]!.events.map((e) => e.code),
        ['S', 'A', 'B'],
      );
      const z = subjects[0]!.events[0]!;
      assert.equal(Math.round(z.time! * 1000), Date.UTC(2019, 11, 31, 23, 59, 59) * 1000 + 123456, 'microseconds survive');
      assert.equal(z.textValue, 'x');
      assert.equal(subjects[1]!.events[2]!.numericValue, 1.5);
      assert.deepEqual((await ds.getSubject(1)).events, subjects[0]!.events);
    } finally {
      ds.close();
    }
  });
});

describe('openMedsDataset errors', () => {
  it('a missing directory', async () => {
    await assert.rejects(openMedsDataset('/nonexistent/meds'), (e: unknown) => e instanceof UsageError && /does not exist/.test(e.message));
  });

  it('a directory with no parquet', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'data'));
    await assert.rejects(openMedsDataset(dir), /no parquet shards found/);
  });

  it('a shard missing subject_id or code', async () => {
    for (const [cols, missing] of [
      ['1::BIGINT AS subject_id', 'code'],
      ["'A' AS code", 'subject_id'],
    ] as const) {
      const dir = tempDir();
      mkdirSync(join(dir, 'data'));
      await sql([`COPY (SELECT ${cols}, TIMESTAMP '2020-01-01' AS time) TO '${join(dir, 'data/0.parquet')}' (FORMAT parquet)`]);
      await assert.rejects(
        openMedsDataset(dir),
        (e: unknown) =>
          e instanceof UsageError && e.message.includes(`missing required MEDS column "${missing}"`) && e.message.includes('0.parquet'),
      );
    }
  });

  it('a truncated (corrupt) parquet file', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'data'));
    const src = join(MIMIC_MEDS, 'data/held_out/0.parquet');
    const bytes = readFileSync(src);
    writeFileSync(join(dir, 'data/0.parquet'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    await assert.rejects(
      openMedsDataset(dir),
      (e: unknown) => e instanceof UsageError && /corrupt or not parquet/.test(e.message) && e.message.includes('0.parquet'),
    );
  });

  it('null codes and non-integer subject ids', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'data'));
    await sql([
      `COPY (SELECT 1::BIGINT AS subject_id, NULL::VARCHAR AS code, TIMESTAMP '2020-01-01' AS time) TO '${join(dir, 'data/0.parquet')}' (FORMAT parquet)`,
    ]);
    await assert.rejects(openMedsDataset(dir), /null code/);
    const dir2 = tempDir();
    mkdirSync(join(dir2, 'data'));
    await sql([
      `COPY (SELECT 'x' AS subject_id, 'A' AS code, TIMESTAMP '2020-01-01' AS time) TO '${join(dir2, 'data/0.parquet')}' (FORMAT parquet)`,
    ]);
    await assert.rejects(openMedsDataset(dir2), /"subject_id" must be an integer/);
  });

  it('a corrupt metadata file names the file', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'data'));
    mkdirSync(join(dir, 'metadata'));
    copyFileSync(join(MIMIC_MEDS, 'data/held_out/0.parquet'), join(dir, 'data/0.parquet'));
    writeFileSync(join(dir, 'metadata/dataset.json'), '{not json');
    await assert.rejects(openMedsDataset(dir), /dataset\.json: invalid JSON/);
  });
});
