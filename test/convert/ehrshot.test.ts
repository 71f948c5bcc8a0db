// No real EHRSHOT data is available here: test/fixtures/ehrshot/ehrshot_sample.csv is a hand-written
// sample in EHRSHOT's CSV layout (3 patients; one bad date and one short row on purpose).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { convertToMeds } from '../../src/convert/convertToMeds.ts';
import { UsageError } from '../../src/errors.ts';
import { openMedsDataset } from '../../src/meds/index.ts';
import type { Event } from '../../src/types.ts';
import { tempDir } from '../helpers/paths.ts';

const SAMPLE = resolve(import.meta.dirname, '../fixtures/ehrshot/ehrshot_sample.csv');

function find(events: readonly Event[], pred: (e: Event) => boolean): Event {
  const e = events.find(pred);
  assert.ok(e, 'event not found');
  return e;
}

describe('ehrshot converter', () => {
  it('converts the sample: visits with ends, labs with units, text values, birth and death', async () => {
    const out = join(tempDir(), 'meds');
    const r = await convertToMeds({ from: 'ehrshot', input: SAMPLE, out });
    assert.equal(r.dataset.subjects, 3);
    assert.equal(r.conversion.read.ehrshot, 37);
    assert.equal(r.dataset.events, 35);
    assert.deepEqual(r.conversion.skipped, { ehrshot: { 'missing or unparseable start': 1, 'missing column visit_id': 1 } });
    const rejected = readFileSync(join(out, 'rejects.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // Data rows 35 and 36 are lines 36 and 37 of the file (the header is line 1).
    assert.deepEqual(
      rejected.map((x) => [x.file, x.line, x.reason]),
      [
        ['ehrshot_sample.csv', 35, 'missing or unparseable start'],
        ['ehrshot_sample.csv', 36, 'missing column visit_id'],
      ],
    );
    const ds = await openMedsDataset(out);
    try {
      assert.deepEqual(
        [...ds.subjectIds()].sort((a, b) => a - b),
        [115967096, 129540355, 132455214],
      );
      const s = await ds.getSubject(115967096);
      assert.deepEqual(
        s.events.filter((e) => e.time === null).map((e) => e.code),
        ['Gender/F', 'Race/5', 'Ethnicity/Not Hispanic'],
      );
      const birth = find(s.events, (e) => e.code === 'MEDS_BIRTH');
      assert.equal(birth.time, Date.UTC(1952, 3, 11));
      assert.equal(birth.extra?.source_value, 'SNOMED/3950001');
      const visit = find(s.events, (e) => e.code === 'Visit/ERIP');
      assert.equal(visit.time, Date.UTC(2019, 2, 2, 14, 20));
      assert.deepEqual(visit.extra, { visit_id: '51480322', end: Date.UTC(2019, 2, 11, 10, 5), domain: 'visit' });
      const k = s.events.filter((e) => e.code === 'LOINC/2823-3');
      assert.deepEqual(
        k.map((e) => [Math.round((e.numericValue ?? 0) * 10) / 10, e.extra?.unit, e.extra?.visit_id, e.extra?.domain]),
        [
          [5.9, 'mmol/L', '51480322', 'measurement'],
          [4.8, 'mmol/L', '51480322', 'measurement'],
        ],
      );
      assert.equal(find(s.events, (e) => e.code === 'LOINC/5778-6').textValue, 'Yellow');
      assert.equal(find(s.events, (e) => e.code === 'ICD10CM/N17.9').extra?.domain, 'condition');
      const died = await ds.getSubject(129540355);
      assert.equal(find(died.events, (e) => e.code === 'MEDS_DEATH').time, Date.UTC(2020, 5, 23, 12, 10));
      assert.equal(ds.describe('Visit/ERIP'), 'Emergency Room and Inpatient Visit');
      assert.equal(ds.describe('Gender/M'), 'Male');
      assert.equal(ds.describe('MEDS_DEATH'), 'Death');
    } finally {
      ds.close();
    }
  });

  it('reads a directory of .csv.gz files with quoted fields', async () => {
    const dir = tempDir();
    const input = join(dir, 'in');
    mkdirSync(join(input, 'part'), { recursive: true });
    const text = readFileSync(SAMPLE, 'utf8');
    const [header, ...rows] = text.trim().split('\n');
    writeFileSync(join(input, 'a.csv.gz'), gzipSync([header, ...rows.slice(0, 17)].join('\n') + '\n'));
    // A text value with a comma, a quote and a line break, CRLF line ends.
    const extra = '132455214,2021-02-08 13:35:00,,LOINC/11506-3,"Follow up in 2 weeks, ""sooner"" if\nworse",,71230544,observation';
    writeFileSync(join(input, 'part', 'b.csv'), [header, ...rows.slice(17), extra].join('\r\n') + '\r\n');
    const out = join(dir, 'meds');
    const r = await convertToMeds({ from: 'ehrshot', input, out });
    assert.equal(r.dataset.subjects, 3);
    assert.equal(r.dataset.events, 36);
    const rejected = readFileSync(join(out, 'rejects.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      rejected.map((x) => [x.file, x.line]),
      [
        ['part/b.csv', 18],
        ['part/b.csv', 19],
      ],
    );
    const ds = await openMedsDataset(out);
    try {
      const s = await ds.getSubject(132455214);
      assert.equal(find(s.events, (e) => e.code === 'LOINC/11506-3').textValue, 'Follow up in 2 weeks, "sooner" if\nworse');
      assert.equal(find(s.events, (e) => e.code === 'HCPCS/G0444').extra?.visit_id, '71230544');
    } finally {
      ds.close();
    }
  });

  it('strict stops at the first bad row; a file without the needed columns is a usage error', async () => {
    const dir = tempDir();
    await assert.rejects(convertToMeds({ from: 'ehrshot', input: SAMPLE, out: join(dir, 'strict'), strict: true }), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.message, /ehrshot_sample\.csv, row 35: ehrshot skipped: missing or unparseable start/);
      return true;
    });
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'patient,time,code\n1,2020-01-01,LOINC/1-8\n');
    await assert.rejects(
      convertToMeds({ from: 'ehrshot', input: bad, out: join(dir, 'bad') }),
      (err: unknown) => err instanceof UsageError && /no column "patient_id"/.test(err.message),
    );
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    await assert.rejects(
      convertToMeds({ from: 'ehrshot', input: empty, out: join(dir, 'e') }),
      (err: unknown) => err instanceof UsageError && /no \.csv or \.csv\.gz files/.test(err.message),
    );
  });
});
