// One in-memory bundle → the events the batch pipeline reads back from its MEDS dataset, for every
// patient of the Synthea R4 sample (float32 values, microsecond times, extra columns, order).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { convertToMeds } from '../../src/convert/convertToMeds.ts';
import { fhirBundleToSubject } from '../../src/convert/fhirBundleToSubject.ts';
import { isUsageError } from '../../src/errors.ts';
import { openMedsDataset, type MedsDataset } from '../../src/meds/MedsDataset.ts';
import { serialize } from '../../src/serialize/serialize.ts';
import { vocabularyFromCodes } from '../../src/serialize/vocabulary.ts';
import { layeredVocabulary } from '../../src/server/layeredVocabulary.ts';
import type { VocabularyChain } from '../../src/vocab/VocabularyChain.ts';
import { buildVocabulary } from '../../src/vocab/VocabularyChain.ts';
import { tempDir } from '../helpers/paths.ts';
import { R4_SAMPLE, r4PatientBundles } from './fixtures.ts';

describe('fhirBundleToSubject', () => {
  const dir = tempDir('ehr-embed-bundle-');
  let ds: MedsDataset;
  let vocabulary: VocabularyChain;

  before(async () => {
    await convertToMeds({ from: 'fhir', input: R4_SAMPLE, out: join(dir, 'meds') });
    ds = await openMedsDataset(join(dir, 'meds'));
    const codes = (await ds.query(`SELECT DISTINCT code::VARCHAR AS code FROM ${ds.dataRelation}`)).map((r) => String(r.code));
    vocabulary = await buildVocabulary({ codes, datasetCodes: ds.codes });
  });
  after(() => ds?.close());

  it('gives every patient of the sample exactly the events and subject id of the batch dataset', async () => {
    const bundles = r4PatientBundles();
    assert.equal(bundles.length, 40);
    for (const b of bundles) {
      const r = fhirBundleToSubject(JSON.parse(b.line));
      assert.equal(r.subject.subjectId, b.subjectId);
      assert.equal(r.sourceId, b.patientId);
      assert.equal(r.otherPatientEvents, 0);
      assert.deepEqual(r.subject.events, (await ds.getSubject(b.subjectId)).events, `patient ${b.patientId}`);
      assert.ok(r.report.totals.written >= r.subject.events.length);
    }
  });

  it('gives the batch texts when the dataset describes the codes first (Synthea words codes differently across patients)', async () => {
    let differ = 0;
    for (const b of r4PatientBundles().slice(0, 12)) {
      const r = fhirBundleToSubject(b.bundle);
      const own = vocabularyFromCodes(r.codes);
      const stored = await ds.getSubject(b.subjectId);
      const last = stored.events.at(-1)?.time as number;
      for (const t of [last, last - 400 * 86_400_000]) {
        const batch = serialize(stored, { predictionTime: t, vocabulary, tokenizer: 'chars' }).text;
        assert.equal(
          serialize(r.subject, { predictionTime: t, vocabulary: layeredVocabulary(vocabulary, own), tokenizer: 'chars' }).text,
          batch,
        );
        if (serialize(r.subject, { predictionTime: t, vocabulary: own, tokenizer: 'chars' }).text !== batch) differ++;
      }
    }
    // Why probes carry their training vocabulary: the bundle's own displays are not the dataset's.
    assert.ok(differ > 0);
  });

  it('rejects what is not one patient in a Bundle', () => {
    const bad = (v: unknown, re: RegExp): void =>
      assert.throws(
        () => fhirBundleToSubject(v),
        (e) => isUsageError(e) && re.test(e.message),
      );
    bad([], /expected a FHIR Bundle object/);
    bad({ resourceType: 'Patient', id: 'p' }, /resourceType "Bundle"/);
    bad({ resourceType: 'Bundle', entry: {} }, /entry must be an array/);
    bad({ resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Condition', id: 'c' } }] }, /no Patient/);
    bad(
      {
        resourceType: 'Bundle',
        entry: [{ resource: { resourceType: 'Patient', id: 'a' } }, { resource: { resourceType: 'Patient', id: 'b' } }],
      },
      /2 Patient resources/,
    );
  });

  it('rounds values to float32 and times to microseconds, as parquet stores them; drops other patients', () => {
    const r = fhirBundleToSubject({
      resourceType: 'Bundle',
      entry: [
        { resource: { resourceType: 'Patient', id: 'p1', birthDate: '1980-01-01', gender: 'female' } },
        {
          resource: {
            resourceType: 'Observation',
            id: 'o1',
            status: 'final',
            subject: { reference: 'Patient/p1' },
            effectiveDateTime: '2019-01-01T10:00:00.1234567Z',
            code: { coding: [{ system: 'http://loinc.org', code: '2345-7', display: 'Glucose' }] },
            valueQuantity: { value: 0.1, unit: 'mg/dL' },
          },
        },
        {
          resource: {
            resourceType: 'Condition',
            id: 'c9',
            subject: { reference: 'Patient/other' },
            onsetDateTime: '2019-01-01',
            code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006' }] },
          },
        },
      ],
    });
    const obs = r.subject.events.find((e) => e.code === 'LOINC/2345-7');
    assert.equal(obs?.numericValue, Math.fround(0.1));
    assert.equal(obs?.time, Date.parse('2019-01-01T10:00:00.123Z') + 0.457);
    assert.deepEqual(obs?.extra, { unit: 'mg/dL', domain: 'observation' });
    assert.equal(r.subject.events[0]?.code, 'Gender/F', 'static facts first');
    assert.equal(r.otherPatientEvents, 1);
    assert.deepEqual(
      r.codes.find((c) => c.code === 'LOINC/2345-7'),
      { code: 'LOINC/2345-7', description: 'Glucose', parentCodes: [] },
    );
  });
});
