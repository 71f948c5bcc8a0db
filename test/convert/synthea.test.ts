import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { convertToMeds } from '../../src/convert/convertToMeds.ts';
import { UsageError } from '../../src/errors.ts';
import { openMedsDataset, type MedsDataset } from '../../src/meds/index.ts';
import type { Event } from '../../src/types.ts';
import { DATA, tempDir } from '../helpers/paths.ts';

const FOUR = join(DATA, 'synthea-csv-4patients');
const TWENTY_SEVEN = join(DATA, 'synthea-csv-27');

async function domainCounts(ds: MedsDataset): Promise<Record<string, number>> {
  const rows = await ds.query(`SELECT domain, count(*)::INTEGER AS n FROM ${ds.dataRelation} GROUP BY domain ORDER BY domain`);
  return Object.fromEntries(rows.map((r) => [String(r.domain), Number(r.n)]));
}

function find(events: readonly Event[], pred: (e: Event) => boolean): Event {
  const e = events.find(pred);
  assert.ok(e, 'event not found');
  return e;
}

/** Read rejects.ndjson as objects. */
function rejects(out: string): { file: string; line: number | null; reason: string; kind: string }[] {
  return readFileSync(join(out, 'rejects.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

describe('synthea converter', () => {
  it('converts the 4-patient export: counts, descriptions, a visit and a lab', async () => {
    const out = join(tempDir(), 'meds');
    const r = await convertToMeds({ from: 'synthea', input: FOUR, out });
    assert.equal(r.dataset.subjects, 4);
    assert.equal(r.dataset.events, 614);
    assert.equal(r.conversion.totals.skipped, 0);
    assert.equal(r.conversion.totals.fallbacks, 0);
    const ds = await openMedsDataset(out);
    try {
      assert.deepEqual(await domainCounts(ds), {
        careplan: 8,
        condition: 94,
        death: 1,
        demographics: 16,
        device: 1,
        immunization: 6,
        measurement: 123,
        medication: 127,
        observation: 106,
        procedure: 23,
        visit: 109,
      });
      const visits = await ds.query(
        `SELECT code, count(*)::INTEGER AS n FROM ${ds.dataRelation} WHERE code LIKE 'Visit/%' GROUP BY code ORDER BY code`,
      );
      assert.deepEqual(Object.fromEntries(visits.map((v) => [v.code, v.n])), {
        'Visit/AMB': 24,
        'Visit/ER': 5,
        'Visit/IP': 8,
        'Visit/OP': 13,
        'Visit/WELL': 59,
      });
      for (const [code, meta] of ds.codes) assert.ok(meta.description, `${code} has a description`);
      assert.equal(ds.describe('Visit/IP'), 'Inpatient Visit');
      assert.equal(ds.describe('LOINC/718-7'), 'Hemoglobin [Mass/volume] in Blood');

      const s = await ds.getSubject(ds.resolveSubjectId('61cd0a27-0dc6-dab3-1432-93e5f02bf3a3'));
      const ip = find(s.events, (e) => e.code === 'Visit/IP');
      assert.equal(ip.time, Date.parse('1996-07-23T01:29:06Z'));
      assert.equal(ip.textValue, 'Encounter Inpatient');
      assert.deepEqual(ip.extra, {
        visit_id: 'f1a2bec2-80b5-d7d0-f2bf-18dd46a2380d',
        end: Date.parse('1996-07-24T01:29:06Z'),
        domain: 'visit',
        source_value: '183452005',
      });
      const hb = find(s.events, (e) => e.code === 'LOINC/718-7' && e.time === Date.parse('2023-12-24T01:29:06Z'));
      assert.ok(Math.abs((hb.numericValue ?? 0) - 12.4) < 1e-5);
      assert.deepEqual(hb.extra, { visit_id: '23790863-b220-0d71-4865-6771944688fa', unit: 'g/dL', domain: 'measurement' });
      assert.deepEqual(
        s.events.filter((e) => e.time === null).map((e) => e.code),
        ['Gender/F', 'Race/white', 'Ethnicity/nonhispanic'],
      );
      assert.equal(find(s.events, (e) => e.code === 'MEDS_BIRTH').time, Date.UTC(1982, 5, 19));
      assert.equal(ds.describe('Ethnicity/nonhispanic'), 'Not Hispanic or Latino');
      // Every event of an encounter carries its id; a condition is a date (midnight UTC).
      const inVisit = s.events.filter((e) => e.extra?.visit_id === 'f1a2bec2-80b5-d7d0-f2bf-18dd46a2380d');
      assert.ok(inVisit.length > 1);

      const dead = await ds.getSubject(ds.resolveSubjectId('261ad2a4-7c6f-da54-6a5b-3441beab9a6a'));
      assert.equal(find(dead.events, (e) => e.code === 'MEDS_DEATH').time, Date.UTC(1976, 6, 25));
      assert.equal(find(dead.events, (e) => e.code === 'SNOMED/22298006').time, Date.UTC(1976, 6, 25));
    } finally {
      ds.close();
    }
  });

  it('converts the 27-patient export with every code described', async () => {
    const out = join(tempDir(), 'meds');
    const r = await convertToMeds({ from: 'synthea', input: TWENTY_SEVEN, out });
    assert.equal(r.dataset.subjects, 27);
    assert.equal(r.dataset.events, 3176);
    assert.equal(r.conversion.totals.skipped, 0);
    // Only imaging rows beyond the first instance of a series are left out (none here: one row).
    assert.equal(r.conversion.totals.read, 3093);
    const ds = await openMedsDataset(out);
    try {
      assert.equal(ds.subjectCount, 27);
      assert.deepEqual(await domainCounts(ds), {
        allergy: 40,
        careplan: 49,
        condition: 438,
        death: 2,
        demographics: 108,
        device: 3,
        imaging: 1,
        immunization: 29,
        measurement: 479,
        medication: 663,
        observation: 511,
        procedure: 249,
        visit: 604,
      });
      const undescribed = [...ds.codes.values()].filter((c) => !c.description).map((c) => c.code);
      assert.deepEqual(undescribed, []);
      // Drug allergies are RxNorm (SYSTEM column); imaging is the DICOM modality.
      const rows = await ds.query(
        `SELECT code, text_value, source_value FROM ${ds.dataRelation} WHERE domain IN ('allergy', 'imaging') AND (code LIKE 'RxNorm/%' OR code LIKE 'DICOM/%')`,
      );
      assert.equal(rows.filter((x) => String(x.code).startsWith('RxNorm/')).length, 3);
      assert.deepEqual(
        rows.find((x) => x.code === 'DICOM/DX'),
        { code: 'DICOM/DX', text_value: 'Chest', source_value: 'SNOMED/399208008' },
      );
      assert.equal(ds.describe('Synthea/QALY'), 'Quality-adjusted life years');
    } finally {
      ds.close();
    }
  });

  it('skips bad rows with a reason and a row number, converts the rest; strict stops', async () => {
    const dir = tempDir();
    const input = join(dir, 'in');
    cpSync(FOUR, input, { recursive: true });
    const conditions = readFileSync(join(input, 'conditions.csv'), 'utf8').split('\n');
    // Data row 1: an impossible date; row 2: the DESCRIPTION column cut off; row 3: unknown patient.
    conditions[1] = (conditions[1] as string).replace('2023-01-27,', '2023-02-30,');
    conditions[2] = (conditions[2] as string).replace(/,Coronary Heart Disease$/, '');
    conditions[3] = (conditions[3] as string).replace('261ad2a4-7c6f-da54-6a5b-3441beab9a6a', 'no-such-patient');
    writeFileSync(join(input, 'conditions.csv'), conditions.join('\n'));
    const out = join(dir, 'meds');
    const r = await convertToMeds({ from: 'synthea', input, out });
    assert.equal(r.dataset.events, 614 - 3);
    assert.deepEqual(r.conversion.skipped, {
      conditions: { 'missing or unparseable START': 1, 'missing column DESCRIPTION': 1, 'PATIENT not in patients.csv': 1 },
    });
    assert.deepEqual(
      rejects(out).map((x) => [x.file, x.line, x.reason]),
      [
        ['conditions.csv', 1, 'missing or unparseable START'],
        ['conditions.csv', 2, 'missing column DESCRIPTION'],
        ['conditions.csv', 3, 'PATIENT not in patients.csv'],
      ],
    );
    await assert.rejects(convertToMeds({ from: 'synthea', input, out: join(dir, 'strict'), strict: true }), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.message, /conditions\.csv, row 1: conditions skipped: missing or unparseable START/);
      return true;
    });
  });

  it('needs patients.csv and tells which file is missing', async () => {
    const dir = tempDir();
    const input = join(dir, 'in');
    cpSync(FOUR, input, { recursive: true });
    rmSync(join(input, 'patients.csv'));
    await assert.rejects(
      convertToMeds({ from: 'synthea', input, out: join(dir, 'meds') }),
      (err: unknown) => err instanceof UsageError && /patients\.csv not found/.test(err.message),
    );
  });

  it('rejects a table whose header lacks a column it needs', async () => {
    const dir = tempDir();
    const input = join(dir, 'in');
    cpSync(FOUR, input, { recursive: true });
    const enc = readFileSync(join(input, 'encounters.csv'), 'utf8');
    writeFileSync(join(input, 'encounters.csv'), enc.replace('ENCOUNTERCLASS', 'KLASS'));
    await assert.rejects(
      convertToMeds({ from: 'synthea', input, out: join(dir, 'meds') }),
      (err: unknown) => err instanceof UsageError && /encounters\.csv.*ENCOUNTERCLASS/.test(err.message),
    );
  });
});
