// Corrupted inputs generated from the bundled real data: each kind of bad input converts what is
// good, counts what is not with a reason, never crashes and never copies record content into a
// reason (docs/bad-input.md lists the rules these tests check).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { convertToMeds, type ConvertResult } from '../../src/convert/convertToMeds.ts';
import { csvTime } from '../../src/convert/csvTime.ts';
import { DUPLICATE_RESOURCE } from '../../src/convert/fhir.ts';
import { parseFhirDateTime } from '../../src/convert/parseFhirDateTime.ts';
import { isUsageError } from '../../src/errors.ts';
import { openMedsDataset } from '../../src/meds/index.ts';
import { DATA, tempDir } from '../helpers/paths.ts';

type R = Record<string, unknown>;
type Entry = { resource: R };

const R4 = join(DATA, 'synthea-fhir/r4-synthea-sample.bundles.ndjson.gz');
const OMOP = join(DATA, 'omop-synthea27nj');

/** The first `n` patient bundles of the R4 sample, as JSON lines. */
function r4Lines(n: number): string[] {
  return gunzipSync(readFileSync(R4))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.includes('"resourceType":"Patient"'))
    .slice(0, n);
}

function entries(bundle: R): Entry[] {
  return bundle.entry as Entry[];
}

function write(dir: string, name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function convert(from: string, input: string): Promise<ConvertResult & { out: string; rejects: string }> {
  const out = join(tempDir(), 'meds');
  const r = await convertToMeds({ from, input, out });
  return { ...r, out, rejects: readFileSync(join(out, 'rejects.ndjson'), 'utf8') };
}

async function codesOf(out: string): Promise<string[]> {
  const ds = await openMedsDataset(out);
  try {
    return [...ds.codes.keys()];
  } finally {
    ds.close();
  }
}

describe('bad FHIR input', () => {
  it('prototype names as codes, genders, systems and resource types convert or are rejected, never crash', async () => {
    const dir = tempDir();
    const lines = r4Lines(3);
    const base = await convert('fhir', write(dir, 'good.ndjson', lines.join('\n') + '\n'));
    const bundles = lines.map((l) => JSON.parse(l) as R);
    const [b0, b1, b2] = bundles as [R, R, R];
    const encounters = entries(b0).filter((e) => e.resource.resourceType === 'Encounter');
    ['constructor', 'toString', '__proto__', 'hasOwnProperty'].forEach((name, i) => {
      (encounters[i] as Entry).resource.class = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: name };
    });
    entries(b1).find((e) => e.resource.resourceType === 'Patient')!.resource.gender = '__proto__';
    const condition = entries(b2).find((e) => e.resource.resourceType === 'Condition')!.resource;
    (condition.code as { coding: R[] }).coding = [{ system: 'constructor', code: '446096008', display: 'Perennial allergic rhinitis' }];
    const patientRef = { reference: `urn:uuid:${String(entries(b2).find((e) => e.resource.resourceType === 'Patient')!.resource.id)}` };
    entries(b2).push(
      { resource: { resourceType: 'constructor', id: 'p1', subject: patientRef } },
      { resource: { resourceType: '__proto__', id: 'p2', subject: patientRef } },
      { resource: { resourceType: 'toString', id: 'p3' } },
    );
    const r = await convert('fhir', write(dir, 'proto.ndjson', bundles.map((b) => JSON.stringify(b)).join('\n') + '\n'));
    assert.equal(r.dataset.subjects, 3);
    // Everything converts as before except the one gender event (counted as a fallback).
    assert.equal(r.dataset.events, base.dataset.events - 1);
    assert.equal(r.conversion.fallbacks.Patient?.['unknown gender value (no Gender/ event)'], 1);
    assert.equal(r.conversion.fallbacks.Encounter?.['unmapped encounter class "constructor"'], 1);
    assert.equal(r.conversion.fallbacks.Encounter?.['unmapped encounter class "toString"'], 1);
    assert.equal(r.conversion.skipped['(unknown resource type)']?.['resource type other than a FHIR name is not supported'], 3);
    const codes = await codesOf(r.out);
    assert.ok(
      codes.includes('Visit/CONSTRUCTOR') && codes.includes('Visit/_PROTO_'),
      codes.filter((c) => c.startsWith('Visit/')).join(' '),
    );
    assert.ok(codes.includes('constructor/446096008'), 'an unknown system is a readable prefix');
    assert.ok(!codes.some((c) => /native code|function|\[object/.test(c)), codes.join(' '));
  });

  it('the same bundle twice is converted once; duplicates are counted', async () => {
    const dir = tempDir();
    const lines = r4Lines(2);
    const once = await convert('fhir', write(dir, 'once.ndjson', lines.join('\n') + '\n'));
    mkdirSync(join(dir, 'twice'));
    write(join(dir, 'twice'), 'a.ndjson', lines.join('\n') + '\n');
    write(join(dir, 'twice'), 'b.ndjson', (lines[1] as string) + '\n');
    const twice = await convert('fhir', join(dir, 'twice'));
    assert.equal(twice.dataset.events, once.dataset.events);
    const resources = entries(JSON.parse(lines[1] as string) as R).length;
    const dupes = Object.values(twice.conversion.ignored).reduce((n, m) => n + (m[DUPLICATE_RESOURCE] ?? 0), 0);
    const ignoredTypes = entries(JSON.parse(lines[1] as string) as R).filter((e) =>
      [
        'Claim',
        'ExplanationOfBenefit',
        'Organization',
        'Practitioner',
        'ImagingStudy',
        'Provenance',
        'CareTeam',
        'Goal',
        'Medication',
        'SupplyDelivery',
        'DocumentReference',
        'Media',
        'Coverage',
        'Location',
        'PractitionerRole',
      ].includes(String(e.resource.resourceType)),
    ).length;
    assert.equal(dupes, resources - ignoredTypes);
  });

  it('a UTF-8 BOM is ignored (NDJSON and single JSON)', async () => {
    const dir = tempDir();
    const lines = r4Lines(3);
    const plain = await convert('fhir', write(dir, 'plain.ndjson', lines.join('\n') + '\n'));
    const bom = await convert('fhir', write(dir, 'bom.ndjson', '\uFEFF' + lines.join('\n') + '\n'));
    assert.equal(bom.dataset.subjects, 3);
    assert.equal(bom.dataset.events, plain.dataset.events);
    assert.equal(bom.conversion.totals.skipped, 0);
    const single = await convert('fhir', write(dir, 'one.json', '\uFEFF' + (lines[0] as string)));
    assert.equal(single.dataset.subjects, 1);
    const gz = await convert('fhir', write(dir, 'bom.ndjson.gz', gzipSync(Buffer.from('\uFEFF' + lines.join('\n') + '\n'))));
    assert.equal(gz.dataset.events, plain.dataset.events);
  });

  it('nothing readable at all (empty, UTF-16, binary, .gz that is not gzip) is a UsageError naming the input', async () => {
    const dir = tempDir();
    const line = r4Lines(1)[0] as string;
    const cases: [string, string | Buffer, RegExp][] = [
      ['empty.ndjson', '', /empty file/],
      ['blank.json', '  \n', /empty file/],
      ['utf16.ndjson', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(line, 'utf16le')]), /UTF-16/],
      ['binary.ndjson', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), /binary data/],
      ['fake.ndjson.gz', line, /not gzip data/],
    ];
    for (const [name, content, why] of cases) {
      await assert.rejects(
        convertToMeds({ from: 'fhir', input: write(dir, name, content), out: join(tempDir(), 'meds') }),
        (e: unknown) => {
          assert.ok(isUsageError(e), name);
          assert.match(e.message, /no FHIR resource could be read/);
          assert.match(e.message, why, `${name}: ${e.message}`);
          assert.ok(!e.message.includes('\n'), 'one line');
          return true;
        },
      );
    }
    // One unreadable file among good ones is a reject, not a failed run.
    mkdirSync(join(dir, 'mixed'));
    write(join(dir, 'mixed'), 'good.ndjson', line + '\n');
    write(join(dir, 'mixed'), 'bad.ndjson.gz', 'not gzip');
    const mixed = await convert('fhir', join(dir, 'mixed'));
    assert.equal(mixed.dataset.subjects, 1);
    assert.match(mixed.rejects, /"file":"bad\.ndjson\.gz".*not gzip data/);
  });

  it('reject reasons never hold record content (JSON errors give position and kind)', async () => {
    const dir = tempDir();
    const lines = r4Lines(2);
    const broken = (lines[1] as string).replace(/"given":\["([A-Za-z]+)/, '"given":[$1').replace(/"family":"([A-Za-z]+)"/, '"family":$1');
    const family = /"family":"([A-Za-z]+)"/.exec(lines[1] as string)?.[1] as string;
    const given = /"given":\["([A-Za-z]+)/.exec(lines[1] as string)?.[1] as string;
    const r = await convert('fhir', write(dir, 'names.ndjson', `${lines[0] as string}\n${broken}\n{"given":[Janet]}\n`));
    assert.equal(r.conversion.totals.skipped, 2);
    const text = r.rejects + JSON.stringify(r.conversion) + readFileSync(join(r.out, 'conversion.json'), 'utf8');
    for (const name of [family, given, 'Janet']) assert.ok(!text.includes(name), `"${name}" leaked`);
    assert.match(r.rejects, /"line":3,.*"reason":"invalid JSON \(unexpected character at character 10\)"/);
    assert.match(r.rejects, /"line":2,.*"reason":"invalid JSON \([a-z ,':}\]]+ at character \d+\)"/);
  });

  it('"entry": "notalist" is a reject with a reason; 1e-400 is counted, not silently 0', async () => {
    const dir = tempDir();
    const lines = r4Lines(1);
    const b = JSON.parse(lines[0] as string) as R;
    const obs = entries(b).find(
      (e) => e.resource.resourceType === 'Observation' && (e.resource.valueQuantity as R | undefined)?.value !== undefined,
    )!.resource;
    (obs.valueQuantity as R).value = 0.5; // replaced in the text below
    const tiny = JSON.stringify(b).replace('"value":0.5', '"value":1e-400');
    const r = await convert('fhir', write(dir, 'x.ndjson', `${tiny}\n{"resourceType":"Bundle","type":"collection","entry":"notalist"}\n`));
    assert.match(r.rejects, /"line":2.*Bundle\.entry is not an array/);
    assert.equal(r.conversion.fallbacks['(record)']?.['number literal too small for a double (1e-400): read as 0'], 1);
  });

  it('dates: years 0000-0099 kept, minutes/seconds 60-99 and offsets like +99:99 rejected, an unreadable effectiveDateTime counted', async () => {
    assert.equal(new Date(parseFhirDateTime('0019-05-01') as number).getUTCFullYear(), 19);
    assert.equal(new Date(parseFhirDateTime('0000-01-01T00:00:00Z') as number).getUTCFullYear(), 0);
    assert.equal(new Date(csvTime('0019-05-01') as number).getUTCFullYear(), 19);
    assert.equal(new Date(csvTime('0099-12-31 23:59:59') as number).toISOString(), '0099-12-31T23:59:59.000Z');
    for (const bad of [
      '2019-05-01T00:99',
      '2019-05-01T00:00:60Z',
      '2019-05-01T24:00:00Z',
      '2019-05-01T00:00:00+99:99',
      '2019-05-01T00:00:00+15:00',
      '2019-05-01T10:00:00-05:60',
    ]) {
      assert.equal(parseFhirDateTime(bad), null, bad);
      assert.equal(csvTime(bad.replace('T', ' ')), null, bad);
    }
    assert.equal(parseFhirDateTime('2019-05-01T10:00:00+14:00'), Date.UTC(2019, 4, 0, 20));
    const dir = tempDir();
    const b = JSON.parse(r4Lines(1)[0] as string) as R;
    const obs = entries(b).find(
      (e) =>
        e.resource.resourceType === 'Observation' &&
        typeof e.resource.effectiveDateTime === 'string' &&
        typeof e.resource.issued === 'string',
    )!.resource;
    obs.effectiveDateTime = '2019-05-01T00:99:00Z';
    const r = await convert('fhir', write(dir, 'd.ndjson', JSON.stringify(b) + '\n'));
    assert.equal(r.conversion.fallbacks.Observation?.['unreadable effectiveDateTime: issued used'], 1);
  });
});

describe('bad OMOP and Synthea CSV input', () => {
  /** A copy of the OMOP tables the converter reads, with PROCEDURE_OCCURRENCE replaced by `edit(lines)`. */
  function omopCopy(edit: (lines: string[]) => void, withConcept: boolean): string {
    const dir = tempDir();
    for (const t of ['PERSON', 'PROCEDURE_OCCURRENCE', 'CONDITION_ERA', 'DRUG_ERA', ...(withConcept ? ['CONCEPT'] : [])])
      copyFileSync(join(OMOP, `${t}.csv`), join(dir, `${t}.csv`));
    const lines = readFileSync(join(OMOP, 'PROCEDURE_OCCURRENCE.csv'), 'utf8').split('\n');
    edit(lines);
    writeFileSync(join(dir, 'PROCEDURE_OCCURRENCE.csv'), lines.join('\n'));
    return dir;
  }
  const quoteField = (lines: string[], row: number, col: number, before: string, after: string): void => {
    const f = (lines[row] as string).split(',');
    f[col] = `${before}${f[col] as string}${after}`;
    lines[row] = f.join(',');
  };

  for (const withConcept of [false, true]) {
    it(`an unbalanced quote rejects its row, not the rows up to the next quote (${withConcept ? 'with' : 'without'} CONCEPT.csv)`, async () => {
      // Opening quote at row 100, stray closing quote 50 rows later (same column), and one
      // opening quote never closed (to the end of the file).
      const near = omopCopy((l) => {
        quoteField(l, 100, 13, '"', '');
        quoteField(l, 150, 13, '', '"');
        quoteField(l, 1200, 2, '"', '');
      }, withConcept);
      const r = await convert('omop', near);
      const procedures = 1649;
      assert.equal(r.conversion.read.procedure_occurrence, procedures);
      assert.deepEqual(r.conversion.skipped.procedure_occurrence, {
        'unbalanced quote: a quoted field swallows lines that read as rows of their own': 1,
        'unbalanced quote: a quoted field runs over more than 100 lines': 1,
      });
      assert.equal(r.conversion.written.procedure_occurrence, procedures - 2);
      const rejects = r.rejects
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { file: string; line: number; reason: string });
      assert.deepEqual(
        rejects.map((x) => [x.file, x.line]),
        [
          ['PROCEDURE_OCCURRENCE.csv', 100],
          ['PROCEDURE_OCCURRENCE.csv', 1200],
        ],
      );
    });
  }

  it('a quoted field that never closes within 100 lines is an unbalanced quote; eras and absent tables are in the summary', async () => {
    const dir = omopCopy((l) => {
      // Make the following lines not look like rows (one field fewer), so only the line limit catches it.
      for (let i = 301; i < 600; i++) l[i] = (l[i] as string).split(',').slice(0, 10).join(',');
      quoteField(l, 300, 13, '"', '');
    }, true);
    const r = await convert('omop', dir);
    assert.equal(r.conversion.skipped.procedure_occurrence?.['unbalanced quote: a quoted field runs over more than 100 lines'], 1);
    assert.equal(r.conversion.tables?.condition_era, 'not converted: derived from CONDITION_OCCURRENCE, whose events eras would repeat');
    assert.equal(r.conversion.tables?.drug_era, 'not converted: derived from DRUG_EXPOSURE, whose events eras would repeat');
    assert.equal(r.conversion.tables?.measurement, 'absent: no such file, so no events of this kind');
    assert.equal(r.conversion.tables?.procedure_occurrence, 'read');
  });

  it('symlinked CSV files are read; years 0019 stay 19; 1e-400 and 1e400 are counted', async () => {
    const dir = tempDir();
    const src = tempDir();
    for (const t of ['PERSON', 'MEASUREMENT', 'CONCEPT']) {
      copyFileSync(join(OMOP, `${t}.csv`), join(src, `${t}.csv`));
      symlinkSync(join(src, `${t}.csv`), join(dir, `${t}.csv`));
    }
    const m = readFileSync(join(src, 'MEASUREMENT.csv'), 'utf8').split('\n');
    const f1 = (m[1] as string).split(',');
    f1[3] = '0019-05-17';
    f1[4] = '0019-05-17 00:00:00';
    f1[8] = '1e-400';
    m[1] = f1.join(',');
    const f2 = (m[2] as string).split(',');
    f2[8] = '1e400';
    m[2] = f2.join(',');
    writeFileSync(join(src, 'MEASUREMENT.csv'), m.join('\n'));
    const r = await convert('omop', dir);
    assert.equal(r.conversion.read.measurement, 10_040);
    assert.equal(r.conversion.fallbacks.measurement?.['number too small for the float32 numeric_value: stored as 0'], 1);
    assert.equal(r.conversion.fallbacks.measurement?.['number beyond the float32 range of numeric_value: kept as text'], 1);
    const ds = await openMedsDataset(r.out);
    try {
      const rows = await ds.query(`SELECT count(*)::INTEGER AS n FROM ${ds.dataRelation} WHERE year(time) = 19`);
      assert.equal(Number(rows[0]?.n), 1);
    } finally {
      ds.close();
    }
  });

  it('a UTF-16, binary or empty table is one line naming the file (exit 2)', async () => {
    const person = readFileSync(join(OMOP, 'PERSON.csv'), 'utf8');
    const cases: [string | Buffer, RegExp][] = [
      [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(person, 'utf16le')]), /PERSON\.csv: UTF-16 text: expected a UTF-8 CSV/],
      [Buffer.from(person, 'utf16le'), /PERSON\.csv: binary data \(or UTF-16 text\)/],
      ['', /PERSON\.csv: empty file/],
    ];
    for (const [content, why] of cases) {
      const dir = tempDir();
      writeFileSync(join(dir, 'PERSON.csv'), content);
      await assert.rejects(
        convertToMeds({ from: 'omop', input: dir, out: join(tempDir(), 'meds') }),
        (e: unknown) => isUsageError(e) && why.test(e.message) && !e.message.includes('\n'),
      );
    }
  });

  it('Synthea CSV: minutes of 99 and offsets of +99:99 are unparseable, not rolled over', async () => {
    const dir = tempDir();
    for (const t of ['patients', 'encounters']) copyFileSync(join(DATA, 'synthea-csv-4patients', `${t}.csv`), join(dir, `${t}.csv`));
    const lines = readFileSync(join(dir, 'encounters.csv'), 'utf8').split('\n');
    lines[1] = (lines[1] as string).replace(/(\d{4}-\d{2}-\d{2})T(\d{2}):\d{2}:\d{2}Z/, '$1T$2:99:00Z');
    lines[2] = (lines[2] as string).replace(/(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})Z/, '$1+99:99');
    writeFileSync(join(dir, 'encounters.csv'), lines.join('\n'));
    const r = await convert('synthea', dir);
    const skipped = Object.values(r.conversion.skipped.encounters ?? {}).reduce((a, b) => a + b, 0);
    assert.equal(skipped, 2);
    assert.match(r.rejects, /"line":1,/);
    assert.match(r.rejects, /"line":2,/);
  });
});
