import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AGGREGATED_CONCEPTS,
  conceptIndexOf,
  isPlausible,
  normalFlag,
  normalizeUnit,
  toConceptUnit,
} from '../../src/serialize/aggregates.ts';
import type { AggregatedConcept } from '../../src/serialize/aggregates.ts';
import { vocabulary } from './fixtures.ts';

const concept = (name: string): AggregatedConcept => {
  const c = AGGREGATED_CONCEPTS.find((x) => x.name === name);
  assert.ok(c, name);
  return c;
};
const close = (a: number | null, b: number, eps = 1e-6): void => {
  assert.ok(a !== null && Math.abs(a - b) < eps, `${a} != ${b}`);
};

describe('aggregated concepts (SPEC 2.3)', () => {
  it('has the 24 concepts of the table in sections', () => {
    assert.equal(AGGREGATED_CONCEPTS.length, 24);
    assert.deepEqual(
      AGGREGATED_CONCEPTS.map((c) => c.section),
      [...Array<string>(4).fill('body'), ...Array<string>(6).fill('vitals'), ...Array<string>(14).fill('labs')],
    );
    assert.deepEqual(concept('Glucose').codes, ['LOINC/2345-7', 'LOINC/2339-0', 'LOINC/14749-6', 'SNOMED/166900001', 'SNOMED/33747003']);
    assert.deepEqual(concept('Anion gap').plausible, [-20, 50]);
    assert.deepEqual(concept('Potassium').normal, [3.5, 5.0]);
    assert.equal(concept('Body weight').normal, null);
  });

  it('converts kg, g and lb to oz; cm, m and in to inch; °C to °F; g/L to g/dL; mmol/L glucose to mg/dL', () => {
    const w = concept('Body weight');
    close(toConceptUnit(w, 1, 'kg'), 35.27396195);
    close(toConceptUnit(w, 1000, 'g'), 35.27396195);
    close(toConceptUnit(w, 2, '[lb_av]'), 32);
    close(toConceptUnit(w, 2, 'lb'), 32);
    const h = concept('Body height');
    close(toConceptUnit(h, 254, 'cm'), 100);
    close(toConceptUnit(h, 1.27, 'm'), 50);
    close(toConceptUnit(h, 60, '[in_i]'), 60);
    const t = concept('Body temperature');
    close(toConceptUnit(t, 37, 'Cel'), 98.6);
    close(toConceptUnit(t, 37, '°C'), 98.6);
    close(toConceptUnit(t, 99.1, '[degF]'), 99.1);
    close(toConceptUnit(concept('Hemoglobin'), 135, 'g/L'), 13.5);
    close(toConceptUnit(concept('Glucose'), 5.5, 'mmol/L'), 99.088);
    close(toConceptUnit(concept('Sodium'), 140, 'mEq/L'), 140);
    close(toConceptUnit(concept('Platelets'), 250, 'K/uL'), 250);
    close(toConceptUnit(concept('Platelets'), 250, '10*3/uL'), 250);
    close(toConceptUnit(concept('Systolic blood pressure'), 120, 'mm[Hg]'), 120);
    close(toConceptUnit(concept('Heart rate'), 70, '{beats}/min'), 70);
  });

  it('takes a value without a unit to be in the table unit, and refuses unknown units', () => {
    close(toConceptUnit(concept('Sodium'), 140, null), 140);
    close(toConceptUnit(concept('Sodium'), 140, ''), 140);
    assert.equal(toConceptUnit(concept('Body weight'), 12, 'stone'), null);
    assert.equal(toConceptUnit(concept('Glucose'), 5, 'mg'), null);
  });

  it('normalizes unit spellings', () => {
    assert.equal(normalizeUnit(' mm[Hg] '), 'mmhg');
    assert.equal(normalizeUnit('{beats}/min'), '/min');
    assert.equal(normalizeUnit('10^3/µL'), '10*3/ul');
  });

  it('filters implausible values (inclusive bounds)', () => {
    const hr = concept('Heart rate');
    assert.equal(isPlausible(hr, 5), true);
    assert.equal(isPlausible(hr, 300), true);
    assert.equal(isPlausible(hr, 4.9), false);
    assert.equal(isPlausible(hr, 301), false);
    assert.equal(isPlausible(hr, Number.NaN), false);
    assert.equal(isPlausible(concept('Anion gap'), -5), true);
  });

  it('flags low, normal and high against the normal range (inclusive), and nothing without one', () => {
    const k = concept('Potassium');
    assert.equal(normalFlag(k, 3.4), 'low');
    assert.equal(normalFlag(k, 3.5), 'normal');
    assert.equal(normalFlag(k, 5), 'normal');
    assert.equal(normalFlag(k, 5.1), 'high');
    assert.equal(normalFlag(concept('Body height'), 70), null);
  });

  it('matches a code, its parents, or a MIMIC item head', () => {
    const parents = (c: string): readonly string[] => vocabulary.parents(c);
    assert.equal(AGGREGATED_CONCEPTS[conceptIndexOf('LOINC/777-3', parents)]?.name, 'Platelets');
    assert.equal(AGGREGATED_CONCEPTS[conceptIndexOf('LAB//51265//K/uL', parents)]?.name, 'Platelets');
    assert.equal(AGGREGATED_CONCEPTS[conceptIndexOf('LAB//220045//bpm', parents)]?.name, 'Heart rate');
    assert.equal(conceptIndexOf('LOINC/4548-4', parents), -1);
    const deep = (c: string): readonly string[] => ({ a: ['b'], b: ['c'], c: ['LOINC/718-7'] })[c] ?? [];
    assert.equal(AGGREGATED_CONCEPTS[conceptIndexOf('a', deep)]?.name, 'Hemoglobin');
    const cyclic = (c: string): readonly string[] => ({ a: ['b'], b: ['a'] })[c] ?? [];
    assert.equal(conceptIndexOf('a', cyclic), -1);
  });
});
