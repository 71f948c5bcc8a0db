import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { convertToMeds } from '../../src/convert/convertToMeds.ts';
import { parseFhirDateTime } from '../../src/convert/parseFhirDateTime.ts';
import { idFromReference, pickCode } from '../../src/convert/fhir.ts';
import { vocabularyOf } from '../../src/convert/codeSystems.ts';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import { computeDatasetStats } from '../../src/meds/computeDatasetStats.ts';
import { UsageError } from '../../src/errors.ts';
import { DATA, tempDir } from '../helpers/paths.ts';
import { runCli } from '../helpers/runCli.ts';

const STU3 = join(DATA, 'synthea-fhir/stu3-synthea.bundles.ndjson.gz');
const R4 = join(DATA, 'synthea-fhir/r4-synthea-sample.bundles.ndjson.gz');

/** The first `n` bundles of a gzip NDJSON file, parsed. */
function bundles(file: string, n: number): Record<string, unknown>[] {
  return gunzipSync(readFileSync(file))
    .toString('utf8')
    .split('\n')
    .slice(0, n)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('FHIR converter on Synthea data', () => {
  it('STU3: 1,461 subjects, every code described, resources counted by type', async () => {
    const out = join(tempDir(), 'meds');
    const r = await convertToMeds({ from: 'fhir', input: STU3, out });
    assert.equal(r.dataset.subjects, 1461);
    assert.equal(r.conversion.read.Patient, 1461);
    assert.equal(r.conversion.read.Encounter, 18445);
    assert.equal(r.conversion.written.Encounter, 18445);
    assert.equal(r.conversion.totals.skipped, 0);
    assert.equal(r.conversion.ignored.Organization?.['administrative resource'], 1460);
    // Blood-pressure panels become one event per component.
    assert.ok((r.conversion.written.Observation ?? 0) > (r.conversion.read.Observation ?? 0));
    const ds = await openMedsDataset(out);
    try {
      const stats = await computeDatasetStats(ds);
      assert.equal(stats.subjects, 1461);
      assert.equal(stats.describedEventShare, 1);
      assert.equal(stats.describedCodeShare, 1);
      // 460 deceased patients in this data set.
      const deaths = await ds.query(`SELECT count(*)::INTEGER AS n FROM ${ds.dataRelation} WHERE code = 'MEDS_DEATH'`);
      assert.equal(deaths[0]!.n, 460);
      const ip = await ds.query(
        `SELECT count(*)::INTEGER AS n, count("end")::INTEGER AS with_end FROM ${ds.dataRelation} WHERE code = 'Visit/IP'`,
      );
      assert.equal(ip[0]!.n, 308);
      assert.equal(ip[0]!.with_end, 308);
      // A subject's events: visit ids link events to their encounter; labs carry units.
      const sid = ds.subjectIds()[0]!;
      const s = await ds.getSubject(sid);
      const visits = new Set(s.events.filter((e) => e.code.startsWith('Visit/')).map((e) => e.extra?.visit_id));
      const linked = s.events.filter((e) => e.extra?.visit_id !== undefined && !e.code.startsWith('Visit/'));
      assert.ok(linked.length > 0 && linked.every((e) => visits.has(e.extra!.visit_id)));
      assert.ok(s.events.some((e) => e.code === 'LOINC/8302-2' && e.extra?.unit === 'cm' && typeof e.numericValue === 'number'));
      assert.ok(s.events.some((e) => e.code === 'MEDS_BIRTH'));
      assert.ok(s.events.some((e) => e.code.startsWith('Gender/') && e.time === null));
      assert.match(String(ds.sourceIds.get(sid)), /^[0-9a-f-]{36}$/, 'FHIR ids kept as source ids');
      assert.equal(ds.resolveSubjectId(ds.sourceIds.get(sid)!), sid);
    } finally {
      ds.close();
    }
  });

  it('R4: 40 subjects with race, ethnicity and coded classes', async () => {
    const out = join(tempDir(), 'meds');
    const r = await convertToMeds({ from: 'fhir', input: R4, out });
    assert.equal(r.dataset.subjects, 40);
    assert.equal(r.conversion.totals.skipped, 0);
    assert.ok((r.conversion.ignored.Claim?.['billing resource'] ?? 0) > 0);
    const ds = await openMedsDataset(out);
    try {
      const codes = await ds.query(
        `SELECT DISTINCT code FROM ${ds.dataRelation} WHERE code LIKE 'Race/%' OR code LIKE 'Ethnicity/%' OR code LIKE 'Visit/%'`,
      );
      const set = new Set(codes.map((c) => String(c.code)));
      assert.ok(set.has('Race/2106-3') && set.has('Ethnicity/2186-5') && set.has('Visit/AMB') && set.has('Visit/IP'));
      assert.equal(ds.describe('Race/2106-3'), 'White');
    } finally {
      ds.close();
    }
  });
});

describe('FHIR converter input layouts and bad records', () => {
  it('reads a directory of bulk-export NDJSON (bare resources, Medication by reference)', async () => {
    const dir = tempDir();
    const bundle = bundles(STU3, 1)[0]!;
    const byType = new Map<string, string[]>();
    for (const e of bundle.entry as { resource: Record<string, unknown> }[]) {
      const r = { ...e.resource };
      // Bulk export references resources as Type/id, not urn:uuid.
      const text = JSON.stringify(r).replace(/"urn:uuid:([0-9a-f-]+)"/g, (_m, id: string) => {
        const target = (bundle.entry as { resource: Record<string, unknown> }[]).find((x) => x.resource.id === id);
        return JSON.stringify(`${String(target?.resource.resourceType ?? 'Patient')}/${id}`);
      });
      const t = String(r.resourceType);
      byType.set(t, [...(byType.get(t) ?? []), text]);
    }
    for (const [t, lines] of byType) writeFileSync(join(dir, `${t}.ndjson`), lines.join('\n') + '\n');
    const out = join(tempDir(), 'meds');
    const bulk = await convertToMeds({ from: 'fhir', input: dir, out });
    const fromBundle = await convertToMeds({ from: 'fhir', input: writeBundleFile(bundle), out: join(tempDir(), 'meds') });
    assert.equal(bulk.dataset.subjects, 1);
    assert.equal(bulk.conversion.totals.skipped, 0, JSON.stringify(bulk.conversion.skipped));
    assert.deepEqual(bulk.conversion.written, fromBundle.conversion.written);
    assert.ok((bulk.conversion.written.MedicationRequest ?? 0) > 0);
  });

  it('skips bad records with file, line and reason; the rest converts', async () => {
    const dir = tempDir();
    const [good] = bundles(R4, 1);
    const patientId = (good!.entry as { resource: Record<string, unknown> }[]).find((e) => e.resource.resourceType === 'Patient')!.resource
      .id as string;
    const subject = { reference: `urn:uuid:${patientId}` };
    const bad = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          resource: {
            resourceType: 'Condition',
            id: 'no-date',
            subject,
            code: { coding: [{ system: 'http://snomed.info/sct', code: '38341003', display: 'Hypertension' }] },
          },
        },
        {
          resource: {
            resourceType: 'Observation',
            id: 'not-a-number',
            subject,
            effectiveDateTime: '2015-01-01',
            code: { coding: [{ system: 'http://loinc.org', code: '718-7' }] },
            valueQuantity: { value: 'high', unit: 'g/dL' },
          },
        },
        { resource: { resourceType: 'FooBar', id: 'x', subject } },
        {
          resource: {
            resourceType: 'Procedure',
            id: 'no-subject',
            performedDateTime: '2015-01-01',
            code: { coding: [{ system: 'http://snomed.info/sct', code: '1' }] },
          },
        },
      ],
    };
    const lines = [JSON.stringify(good), JSON.stringify(bad), JSON.stringify(good).slice(0, 500), '[1,2]'];
    const input = join(dir, 'input.ndjson');
    writeFileSync(input, lines.join('\n') + '\n');
    const out = join(tempDir(), 'meds');
    const r = await convertToMeds({ from: 'fhir', input, out });
    assert.equal(r.dataset.subjects, 1);
    assert.equal(r.conversion.totals.skipped, 6);
    const rejects = readFileSync(join(out, 'rejects.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; line: number; id: string | null; reason: string });
    assert.equal(rejects.length, 6);
    const byId = new Map(rejects.map((x) => [x.id, x]));
    assert.match(byId.get('no-date')!.reason, /without a usable date/);
    assert.equal(byId.get('no-date')!.line, 2);
    assert.equal(byId.get('no-date')!.file, 'input.ndjson');
    assert.match(byId.get('not-a-number')!.reason, /valueQuantity.value is not a number/);
    assert.match(byId.get('x')!.reason, /resource type "FooBar" is not supported/);
    assert.match(byId.get('no-subject')!.reason, /without a patient reference/);
    assert.ok(
      rejects.some((x) => x.line === 3 && /invalid JSON/.test(x.reason)),
      'truncated JSON line',
    );
    assert.ok(rejects.some((x) => x.line === 4 && /no resourceType/.test(x.reason)));
    assert.ok(!readFileSync(join(out, 'rejects.ndjson'), 'utf8').includes('38341003'), 'rejects hold no record content');
    await assert.rejects(
      convertToMeds({ from: 'fhir', input, out: join(tempDir(), 'meds'), strict: true }),
      (e: unknown) => e instanceof UsageError && /--strict/.test(e.message) && /input\.ndjson/.test(e.message),
    );
  });

  it('unknown format, missing input', async () => {
    await assert.rejects(
      convertToMeds({ from: 'hl7v2', input: STU3, out: join(tempDir(), 'x') }),
      /unknown source format "hl7v2"; known formats: fhir/,
    );
    await assert.rejects(convertToMeds({ from: 'fhir', input: '/nonexistent.ndjson', out: join(tempDir(), 'x') }), /input does not exist/);
  });

  it('CLI prints counts per resource type', () => {
    const out = join(tempDir(), 'meds');
    const r = runCli(['convert', '--from', 'fhir', '--input', R4, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Observation/);
    assert.match(r.stdout, /Wrote 40 subjects/);
    const again = runCli(['convert', '--from', 'fhir', '--input', R4, '--out', out]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already holds a MEDS dataset/);
  });
});

describe('FHIR helpers', () => {
  it('parses FHIR dates, dateTimes with offsets, partial dates; rejects junk', () => {
    assert.equal(parseFhirDateTime('2010-05-29T14:05:42+00:00'), Date.UTC(2010, 4, 29, 14, 5, 42));
    assert.equal(parseFhirDateTime('2007-11-27T09:05:42-05:00'), Date.UTC(2007, 10, 27, 14, 5, 42));
    assert.equal(parseFhirDateTime('1991-07-06'), Date.UTC(1991, 6, 6));
    assert.equal(parseFhirDateTime('2010-05'), Date.UTC(2010, 4, 1));
    assert.equal(parseFhirDateTime('2010-05-29T14:05:42.5Z'), Date.UTC(2010, 4, 29, 14, 5, 42, 500));
    for (const bad of ['2021-02-30', 'yesterday', '', 12, null, '2010-13-01']) assert.equal(parseFhirDateTime(bad), null, String(bad));
  });

  it('maps systems and references', () => {
    assert.equal(vocabularyOf('http://snomed.info/sct'), 'SNOMED');
    assert.equal(vocabularyOf('http://hl7.org/fhir/sid/icd-10-cm'), 'ICD10CM');
    assert.equal(vocabularyOf('https://example.org/fhir/CodeSystem/local-labs'), 'example.org_fhir_CodeSystem_local-labs');
    assert.equal(idFromReference('urn:uuid:abc'), 'abc');
    assert.equal(idFromReference('Patient/123'), '123');
    assert.equal(idFromReference('https://x.org/fhir/Patient/9/_history/2'), '9');
    assert.deepEqual(
      pickCode({
        coding: [
          { system: 'urn:local', code: 'x' },
          { system: 'http://loinc.org', code: '718-7', display: 'Hemoglobin' },
        ],
      }),
      { code: 'LOINC/718-7', description: 'Hemoglobin' },
    );
    assert.equal(pickCode({ text: 'only text' }), null);
  });
});

function writeBundleFile(bundle: unknown): string {
  const dir = tempDir();
  mkdirSync(dir, { recursive: true });
  const f = join(dir, 'bundle.json');
  writeFileSync(f, JSON.stringify(bundle));
  return f;
}
