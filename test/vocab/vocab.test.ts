import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildVocabulary } from '../../src/vocab/VocabularyChain.ts';
import { auditVocabulary } from '../../src/vocab/auditVocabulary.ts';
import { vocabularyPrefix } from '../../src/vocab/vocabularyPrefix.ts';
import { normalizeIcd } from '../../src/vocab/normalizeIcd.ts';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import { UsageError } from '../../src/errors.ts';
import { MIMIC_MEDS, DATA } from '../helpers/paths.ts';
import { runCli } from '../helpers/runCli.ts';

const ICD10 = join(DATA, 'vocab/icd10cm-order-Jan-2021.csv.gz');
const OMOP = join(DATA, 'omop-synthea27nj');

describe('vocabulary chain', () => {
  it('describes ICD-10-CM codes in any spelling from the titles file', async () => {
    const v = await buildVocabulary({
      codes: ['ICD10CM/E78.5', 'ICD10CM/I10', 'DIAGNOSIS//ICD//10//I214', 'ICD10CM/ZZZ99'],
      paths: [ICD10],
    });
    assert.equal(v.describe('ICD10CM/E78.5'), 'Hyperlipidemia, unspecified');
    assert.equal(v.describe('ICD10CM/I10'), 'Essential (primary) hypertension');
    assert.match(v.describe('DIAGNOSIS//ICD//10//I214') ?? '', /Non-ST elevation \(NSTEMI\) myocardial infarction/);
    assert.equal(v.describe('ICD10CM/ZZZ99'), null);
    assert.equal(v.sourceOf('ICD10CM/I10'), 'icd10cm-titles');
  });

  it('describes codes from an OMOP CONCEPT folder, after the dataset codes', async () => {
    const v = await buildVocabulary({
      codes: ['SNOMED/15777000', 'LOINC/4548-4', 'SNOMED/0000'],
      datasetCodes: new Map([['LOINC/4548-4', { code: 'LOINC/4548-4', description: 'HbA1c (from dataset)', parentCodes: [] }]]),
      paths: [OMOP],
    });
    assert.equal(v.describe('SNOMED/15777000'), 'Prediabetes');
    assert.equal(v.sourceOf('SNOMED/15777000'), 'omop-concept');
    assert.equal(v.describe('LOINC/4548-4'), 'HbA1c (from dataset)', 'the dataset wins');
    assert.equal(v.describe('SNOMED/0000'), null);
  });

  it('falls back to a described parent code', async () => {
    const v = await buildVocabulary({
      codes: ['LAB//1//x'],
      datasetCodes: new Map([
        ['LAB//1//x', { code: 'LAB//1//x', description: null, parentCodes: ['LOINC/777-3'] }],
        ['LOINC/777-3', { code: 'LOINC/777-3', description: 'Platelets', parentCodes: [] }],
      ]),
    });
    assert.equal(v.describe('LAB//1//x'), 'Platelets');
    assert.equal(v.sourceOf('LAB//1//x'), 'parent');
  });

  it('rejects a missing or unreadable vocabulary path', async () => {
    await assert.rejects(buildVocabulary({ codes: ['ICD10CM/I10'], paths: ['/nonexistent'] }), UsageError);
    await assert.rejects(
      buildVocabulary({ codes: ['ICD10CM/I10'], paths: [join(MIMIC_MEDS, 'README.txt')] }),
      /cannot read ICD-10-CM titles/,
    );
  });

  it('prefixes and ICD normalisation', () => {
    assert.equal(vocabularyPrefix('LOINC/4548-4'), 'LOINC');
    assert.equal(vocabularyPrefix('RxNorm Extension/OMOP123'), 'RxNorm Extension');
    assert.equal(vocabularyPrefix('LAB//51265//K/uL'), 'LAB');
    assert.equal(vocabularyPrefix('MEDS_BIRTH'), 'MEDS_BIRTH');
    assert.equal(vocabularyPrefix('BMI (kg/m2)'), 'OTHER');
    assert.deepEqual(normalizeIcd('ICD9CM/410.71'), { version: 9, code: '41071' });
    assert.equal(normalizeIcd('SNOMED/1'), null);
  });
});

describe('vocab-audit', () => {
  it('reports coverage per prefix on the MIMIC-IV demo', async () => {
    const ds = await openMedsDataset(MIMIC_MEDS);
    try {
      const { audit } = await auditVocabulary(ds, { vocabPaths: [ICD10] });
      assert.equal(audit.events, 112_174);
      const dx = audit.prefixes.find((p) => p.prefix === 'DIAGNOSIS')!;
      assert.equal(dx.codeShare, 1);
      const lab = audit.prefixes.find((p) => p.prefix === 'LAB')!;
      assert.ok(lab.eventShare < 0.5, 'MIMIC chart items lack descriptions');
      assert.equal(audit.undescribed.length, 30);
      assert.ok(audit.undescribed[0]!.events >= audit.undescribed[29]!.events);
      const sum = Object.values(audit.bySource).reduce((a, b) => a + b, 0);
      assert.equal(sum, audit.codes);
    } finally {
      ds.close();
    }
  });

  it('CLI prints JSON', () => {
    const r = runCli(['vocab-audit', MIMIC_MEDS, '--json', '--top', '3']);
    assert.equal(r.code, 0, r.stderr);
    const a = JSON.parse(r.stdout);
    assert.equal(a.undescribed.length, 3);
  });
});
