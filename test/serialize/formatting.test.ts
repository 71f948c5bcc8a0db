import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codeGroup } from '../../src/serialize/eventGroup.ts';
import { formatNumber } from '../../src/serialize/formatNumber.ts';
import { readableCode } from '../../src/serialize/readableCode.ts';
import { sanitizeText } from '../../src/serialize/sanitizeText.ts';

describe('formatNumber', () => {
  it('keeps at most the given decimals and drops trailing zeros', () => {
    assert.equal(formatNumber(2401.0, 1), '2401');
    assert.equal(formatNumber(2.9000000953674316), '2.9');
    assert.equal(formatNumber(3.456), '3.46');
    assert.equal(formatNumber(12.5, 0), '13');
    assert.equal(formatNumber(-0.001), '0');
    assert.equal(formatNumber(0.1 + 0.2), '0.3');
    assert.equal(formatNumber(100, 2), '100');
    assert.equal(formatNumber(-7.25, 1), '-7.3');
  });
});

describe('readableCode', () => {
  it('reads codes without descriptions', () => {
    assert.equal(readableCode('LOINC/4548-4'), 'LOINC 4548-4');
    assert.equal(readableCode('MEDS_DEATH'), 'Death');
    assert.equal(readableCode('MEDICATION//START//Heparin'), 'Heparin');
    assert.equal(readableCode('MEDICATION//STOP//Heparin'), 'Heparin (stopped)');
    assert.equal(readableCode('ICU_ADMISSION//Trauma SICU (TSICU)'), 'ICU admission: Trauma SICU (TSICU)');
    assert.equal(readableCode('HOSPITAL_DISCHARGE//UNK'), 'Hospital discharge');
    assert.equal(readableCode('LAB//51249//g/dL'), 'Lab item 51249');
    assert.equal(readableCode('ED_OUT'), 'Emergency department discharge');
    assert.equal(readableCode('plain'), 'plain');
  });
});

describe('sanitizeText', () => {
  it('makes one line that starts with a visible character', () => {
    assert.equal(sanitizeText('  two\nlines\r\n and\ttabs \u0085 '), 'two lines and tabs');
    assert.equal(sanitizeText('\u0301accent'), 'accent');
  });
});

describe('codeGroup', () => {
  it('groups by vocabulary, parents and SNOMED semantic tags', () => {
    assert.equal(codeGroup('ICD10CM/I10', null, []), 'condition');
    assert.equal(codeGroup('RxNorm/860975', null, []), 'medication');
    assert.equal(codeGroup('CPT4/99213', null, []), 'procedure');
    assert.equal(codeGroup('CVX/140', null, []), 'immunization');
    assert.equal(codeGroup('LOINC/4548-4', null, []), 'measurement');
    assert.equal(codeGroup('SNOMED/430193006', 'Medication reconciliation (procedure)', []), 'procedure');
    assert.equal(codeGroup('SNOMED/44054006', 'Diabetes mellitus type 2 (disorder)', []), 'condition');
    assert.equal(codeGroup('SNOMED/44054006', 'Diabetes', []), 'condition');
    assert.equal(codeGroup('DIAGNOSIS//ICD//9//4280', null, ['ICD9CM/428.0']), 'condition');
    assert.equal(codeGroup('HCPCS//Endocrine system', null, []), 'procedure');
    assert.equal(codeGroup('TRANSFER_TO//ED//Emergency Department', null, []), 'other');
    assert.equal(codeGroup('FOO/1', null, ['RxNorm/1']), 'medication');
  });
});
