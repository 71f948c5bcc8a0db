import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { convertToMeds } from '../../src/convert/convertToMeds.ts';
import { UsageError } from '../../src/errors.ts';
import { openMedsDataset, type MedsDataset } from '../../src/meds/index.ts';
import type { Event } from '../../src/types.ts';
import { DATA, tempDir } from '../helpers/paths.ts';

const OMOP = join(DATA, 'omop-synthea27nj');

async function domainCounts(ds: MedsDataset): Promise<Record<string, number>> {
  const rows = await ds.query(`SELECT domain, count(*)::INTEGER AS n FROM ${ds.dataRelation} GROUP BY domain ORDER BY domain`);
  return Object.fromEntries(rows.map((r) => [String(r.domain), Number(r.n)]));
}

function find(events: readonly Event[], pred: (e: Event) => boolean): Event {
  const e = events.find(pred);
  assert.ok(e, 'event not found');
  return e;
}

describe('omop converter', () => {
  it('converts Eunomia Synthea27Nj: 28 persons, events per domain, codes from CONCEPT.csv', async () => {
    const out = join(tempDir(), 'meds');
    const r = await convertToMeds({ from: 'omop', input: OMOP, out });
    assert.equal(r.dataset.subjects, 28);
    assert.equal(r.dataset.events, 23_048);
    assert.equal(r.conversion.totals.skipped, 0);
    // ETL-Synthea writes one visit_detail per visit with the same concept and times.
    assert.deepEqual(r.conversion.ignored, { visit_detail: { 'repeats its visit_occurrence (same concept, start and end)': 1791 } });
    assert.deepEqual(r.conversion.fallbacks, {
      measurement: { 'value_as_number empty: number read from value_source_value': 3 },
      person: { 'race concept unknown or 0: Race/<source value> used': 4 },
    });
    const ds = await openMedsDataset(out);
    try {
      assert.deepEqual(await domainCounts(ds), {
        condition: 470,
        death: 3,
        demographics: 112,
        device: 1,
        measurement: 10_040,
        medication: 883,
        observation: 8099,
        procedure: 1649,
        visit: 1791,
      });
      for (const [code, meta] of ds.codes) assert.ok(meta.description, `${code} has a description`);
      assert.equal(ds.describe('SNOMED/65363002'), 'Otitis media');
      assert.equal(ds.describe('Race/hawaiian'), 'Native Hawaiian or Other Pacific Islander');

      const p11 = await ds.getSubject(11);
      const ip = find(p11.events, (e) => e.code === 'Visit/IP' && e.extra?.visit_id === '491');
      assert.equal(ip.time, Date.UTC(2005, 1, 25));
      assert.equal(ip.textValue, 'Inpatient Visit');
      assert.deepEqual(ip.extra, {
        visit_id: '491',
        end: Date.UTC(2005, 1, 26),
        domain: 'visit',
        source_value: 'cb42c9df-d422-474e-4420-770364544ac1',
      });
      assert.equal(find(p11.events, (e) => e.code === 'MEDS_DEATH').time, Date.UTC(2009, 8, 14));
      assert.deepEqual(
        p11.events.filter((e) => e.time === null).map((e) => e.code),
        ['Gender/F', 'Race/3', 'Ethnicity/Hispanic'],
      );

      const p1 = await ds.getSubject(ds.resolveSubjectId('1'));
      const weight = find(p1.events, (e) => e.code === 'LOINC/29463-7' && e.time === Date.UTC(2013, 4, 17));
      assert.ok(Math.abs((weight.numericValue ?? 0) - 48.1) < 1e-5);
      assert.deepEqual(weight.extra, { visit_id: '38', unit: 'kg', domain: 'measurement', source_value: '29463-7' });
      assert.equal(find(p1.events, (e) => e.code === 'MEDS_BIRTH').time, Date.UTC(1998, 3, 9));
      assert.equal(ds.describe('Gender/M'), 'Male');
    } finally {
      ds.close();
    }
  });

  it('keeps unknown concepts as counted fallbacks and skips bad rows; lower-case, tab-separated and gzip tables work', async () => {
    const dir = tempDir();
    const input = join(dir, 'in');
    mkdirSync(input);
    copyFileSync(join(OMOP, 'PERSON.csv'), join(input, 'person.csv'));
    // gzip content under a plain .csv name: recognised by its magic bytes, by our reader and DuckDB's.
    writeFileSync(join(input, 'concept.csv'), gzipSync(readFileSync(join(OMOP, 'CONCEPT.csv'))));
    // Tab-separated (as database dumps are) and gzip-compressed.
    writeFileSync(
      join(input, 'visit_occurrence.tsv.gz'),
      gzipSync(readFileSync(join(OMOP, 'VISIT_OCCURRENCE.csv'), 'utf8').replaceAll(',', '\t')),
    );
    writeFileSync(join(input, 'Measurement.csv'), readFileSync(join(OMOP, 'MEASUREMENT.csv')));
    const cond = readFileSync(join(OMOP, 'CONDITION_OCCURRENCE.csv'), 'utf8').split('\n');
    cond[1] = (cond[1] as string).replace(/^1,1,372328,/, '1,1,999999999,'); // absent from CONCEPT.csv
    cond[2] = (cond[2] as string).replace(/^2,1,43530622,2016-05-14,2016-05-14 00:00:00,/, '2,1,43530622,2016-05-99,,'); // unparseable date
    cond[3] = (cond[3] as string).replace(/^3,1,4112343,/, '3,1,0,'); // concept 0, source concept known
    cond[4] = (cond[4] as string).replace(/^4,1,4059650,(.*),160968000,4059650,$/, '4,1,0,$1,160968000,0,'); // concept 0, no source concept
    cond[5] = (cond[5] as string).split(',').slice(0, 10).join(','); // row cut short
    writeFileSync(join(input, 'CONDITION_OCCURRENCE.csv'), cond.join('\n'));
    const out = join(dir, 'meds');
    const r = await convertToMeds({ from: 'omop', input, out });
    assert.equal(r.dataset.subjects, 28);
    assert.equal(r.conversion.read.visit_occurrence, 1791);
    assert.equal(r.conversion.written.visit_occurrence, 1791);
    assert.equal(r.conversion.written.measurement, 10_040);
    assert.equal(r.conversion.written.condition_occurrence, 470 - 2);
    assert.deepEqual(r.conversion.skipped, {
      condition_occurrence: { 'missing or unparseable condition_start_date': 1, 'missing column provider_id': 1 },
    });
    assert.deepEqual(r.conversion.fallbacks.condition_occurrence, {
      'concept_id not in CONCEPT.csv: OMOP_CONCEPT/<id>': 1,
      'concept_id 0: source concept used': 1,
      'concept_id 0 and no known source concept: OMOP_CONCEPT/0 (source_value kept)': 1,
    });
    const rejected = readFileSync(join(out, 'rejects.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      rejected.map((x) => [x.file, x.line, x.id, x.reason]),
      [
        ['CONDITION_OCCURRENCE.csv', 2, '2', 'missing or unparseable condition_start_date'],
        ['CONDITION_OCCURRENCE.csv', 5, null, 'missing column provider_id'],
      ],
    );
    const ds = await openMedsDataset(out);
    try {
      const p1 = await ds.getSubject(1);
      const unknown = find(p1.events, (e) => e.code === 'OMOP_CONCEPT/999999999');
      assert.equal(unknown.time, Date.UTC(2002, 9, 15));
      assert.equal(unknown.extra?.source_value, '65363002');
      assert.equal(unknown.extra?.end, Date.UTC(2003, 2, 20));
      assert.ok(
        p1.events.some((e) => e.code === 'SNOMED/195662009' && e.time === Date.UTC(2014, 10, 12)),
        'source concept used for concept 0',
      );
      assert.equal(find(p1.events, (e) => e.code === 'OMOP_CONCEPT/0').extra?.source_value, '160968000');
      assert.ok(
        p1.events.some((e) => e.code === 'Visit/OP' && e.extra?.visit_id === '21'),
        'visits read from the gzip TSV',
      );
    } finally {
      ds.close();
    }
    await assert.rejects(convertToMeds({ from: 'omop', input, out: join(dir, 'strict'), strict: true }), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(
        err.message,
        /CONDITION_OCCURRENCE\.csv, row 2: condition_occurrence skipped: missing or unparseable condition_start_date/,
      );
      return true;
    });
  });

  it('needs PERSON and names the directory when it is missing', async () => {
    const dir = tempDir();
    const input = join(dir, 'in');
    mkdirSync(input);
    copyFileSync(join(OMOP, 'VISIT_OCCURRENCE.csv'), join(input, 'VISIT_OCCURRENCE.csv'));
    await assert.rejects(
      convertToMeds({ from: 'omop', input, out: join(dir, 'meds') }),
      (err: unknown) => err instanceof UsageError && /PERSON\.csv not found/.test(err.message) && err.message.includes(input),
    );
  });

  it('converts without CONCEPT.csv: built-in visit and demographic codes, OMOP_CONCEPT/<id> for the rest', async () => {
    const dir = tempDir();
    const input = join(dir, 'in');
    mkdirSync(input);
    for (const t of ['PERSON', 'VISIT_OCCURRENCE', 'DRUG_EXPOSURE']) copyFileSync(join(OMOP, `${t}.csv`), join(input, `${t}.csv`));
    const r = await convertToMeds({ from: 'omop', input, out: join(dir, 'meds') });
    assert.equal(r.dataset.subjects, 28);
    assert.equal(r.conversion.fallbacks.drug_exposure?.['concept_id not in CONCEPT.csv: OMOP_CONCEPT/<id>'], 883);
    const ds = await openMedsDataset(join(dir, 'meds'));
    try {
      assert.equal(ds.describe('Visit/IP'), 'Inpatient Visit');
      assert.equal(ds.describe('Ethnicity/Not Hispanic'), 'Not Hispanic or Latino');
      assert.ok([...ds.codes.keys()].some((c) => c.startsWith('OMOP_CONCEPT/')));
    } finally {
      ds.close();
    }
  });
});
