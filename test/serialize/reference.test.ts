import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_VOCABULARY, serialize } from '../../src/serialize/index.ts';
import { pyFixed, pyFloat2, pyInt } from '../../src/serialize/reference/pyFormat.ts';
import { getTokenizer } from '../../src/tokenize/index.ts';
import { mulberry32 } from '../helpers/mulberry32.ts';
import { at, mimicPatient, randomSubject, SubjectBuilder, SYNTHEA_PREDICTION_TIME, syntheaPatient, vocabulary } from './fixtures.ts';

const md = (t: number, s = mimicPatient()): string =>
  serialize(s, { predictionTime: t, format: 'markdown', vocabulary: EMPTY_VOCABULARY, tokenizer: 'chars' }).text;
const section = (text: string, heading: string): string => {
  const from = text.indexOf(heading);
  const next = text.indexOf('\n## ', from + 1);
  return text.slice(from, next < 0 ? undefined : next);
};

describe('reference formats: Python number formatting', () => {
  it('rounds half to even on the exact binary value, as CPython does', () => {
    assert.equal(pyFixed(0.125, 2), '0.12');
    assert.equal(pyFixed(0.375, 2), '0.38');
    assert.equal(pyFixed(2.5, 0), '2');
    assert.equal(pyFixed(3.5, 0), '4');
    assert.equal(pyFixed(-2.5, 0), '-2');
    assert.equal(pyFixed(0.25, 1), '0.2');
    assert.equal(pyFixed(2.675, 2), '2.67'); // the double lies below 2.675
    assert.equal(pyFixed(Math.fround(30.849998), 1), '30.8'); // a float32 shown as 30.85 with 2 decimals
    assert.equal(pyFloat2(Math.fround(30.849998)), '30.85');
    assert.equal(pyFixed(-0.001, 2), '-0.00');
  });

  it('truncates with int() and strips zeros like format_float', () => {
    assert.equal(pyInt(99.9), '99');
    assert.equal(pyInt(-0.5), '0');
    assert.equal(pyFloat2(100), '100');
    assert.equal(pyFloat2(4.900000095367432), '4.9');
    assert.equal(pyFloat2(-0.001), '-0');
  });

  it('format_float fast path (shortest representation) agrees with rounding the exact value', () => {
    // Edge cases (exponent notation, -0, ties, the 1e13 bound) and seeded values of the kinds
    // found in MEDS: cents, tenths, float32 values, any magnitude.
    const xs = [
      0,
      -0,
      1e-7,
      -1e-7,
      5e-324,
      0.005,
      0.015,
      2.675,
      1.005,
      1e12 + 0.5,
      9.999e12,
      1e13,
      1e13 + 0.25,
      -1e13 - 0.5,
      123456789.125,
      0.1,
      0.3,
      1e20,
    ];
    const rand = mulberry32(3);
    for (let i = 0; i < 20_000; i++) {
      const k = rand();
      xs.push(
        k < 0.3
          ? Math.round(rand() * 1e6) / 100
          : k < 0.5
            ? -Math.round(rand() * 1e4) / 10
            : k < 0.7
              ? (rand() - 0.5) * 10 ** Math.floor(rand() * 30 - 10)
              : k < 0.85
                ? Math.fround(rand() * 200)
                : Math.round(rand() * 1e7) / 1000,
      );
    }
    for (const x of xs) {
      // format_float: f"{x:.2f}", then trailing zeros and a trailing point removed.
      const expected = pyFixed(x, 2)
        .replace(/(\.\d*?)0+$/, '$1')
        .replace(/\.$/, '');
      assert.equal(pyFloat2(x), expected, String(x));
      assert.equal(pyFloat2(x), expected, `${x} (remembered)`);
    }
    assert.equal(pyFloat2(-0), '-0');
    assert.equal(pyFloat2(0), '0');
  });
});

describe('reference Markdown: MIMIC visits', () => {
  it('a row with a hadm_id stays outside until its admission starts, then joins it', () => {
    const before = md(at('2175-04-05T10:00'));
    // Outside any visit; the fourth-slot rule puts it among the demographics (no value shown there).
    assert.match(section(before, '## Patient Demographics'), /- Patient age: 91\n- GENDER\/\/F\n- LAB\/\/220045\/\/bpm\n/);
    assert.doesNotMatch(section(before, '## Detailed Past Medical Visits'), /220045/);
    const after = md(at('2175-04-05T16:00'));
    assert.doesNotMatch(section(after, '## General Medical Events'), /220045/);
    const detailed = section(after, '## Detailed Past Medical Visits');
    const inpatient = detailed.slice(detailed.indexOf('### Inpatient Visit'), detailed.indexOf('### Emergency Room Visit'));
    assert.match(inpatient, /- LAB\/\/220045\/\/bpm: 92/);
  });

  it('rows without ids join the latest-started visit containing them; ED visits end at ED_OUT', () => {
    const text = md(at('2175-04-05T20:00'));
    const detailed = section(text, '## Detailed Past Medical Visits');
    const ed = detailed.slice(detailed.indexOf('### Emergency Room Visit'));
    const inpatient = detailed.slice(detailed.indexOf('### Inpatient Visit'), detailed.indexOf('### Emergency Room Visit'));
    assert.match(ed, /- LAB\/\/51265\/\/K\/uL: 337/);
    assert.match(inpatient, /- MEDICATION\/\/START\/\/Heparin/);
    assert.match(text, /- Inpatient Visit on \[2023-12-31\]\(2023-12-31\) \(0 days before prediction time, current visit\)/);
    // Under 24 hours: no duration.
    assert.match(text, /- Emergency Room Visit on \[2023-12-31\]\(2023-12-31\) \(0 days before prediction time\)\n/);
    assert.doesNotMatch(text, /HOSPITAL_DISCHARGE|ED_OUT/);
  });

  it('after the discharge: whole 24-hour periods of stay, and the list shows visits as lines', () => {
    const t = at('2175-05-01T00:00');
    assert.match(md(t), /- Inpatient Visit on \[2023-12-06\]\(2023-12-06\) \(25 days before prediction time, duration: 5 days\)/);
    const list = serialize(mimicPatient(), { predictionTime: t, format: 'list', vocabulary: EMPTY_VOCABULARY, tokenizer: 'chars' }).text;
    assert.equal(
      list
        .split('\n')
        .filter((l) => /Visit$/.test(l))
        .join('|'),
      'Inpatient Visit|Emergency Room Visit',
    );
    assert.doesNotMatch(list, /HOSPITAL_DISCHARGE|ED_OUT|HOSPITAL_ADMISSION|ED_REGISTRATION/);
    assert.match(list, /\nMEDS_BIRTH\nGENDER\/\/F$/);
  });
});

describe('reference formats: token budgets', () => {
  const qwen = getTokenizer('qwen2');

  it('keep the longest prefix of whole lines that fits, with exact counts', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const s = randomSubject(seed);
      const t = s.events[s.events.length - 1]?.time ?? 0;
      for (const format of ['markdown', 'list'] as const) {
        const full = serialize(s, { predictionTime: t, format, vocabulary, tokenizer: 'qwen2' });
        assert.equal(full.tokenCount, qwen.count(full.text), `seed ${seed} ${format}: exact count`);
        const budget = Math.max(20, Math.floor(full.tokenCount / 3));
        const r = serialize(s, { predictionTime: t, format, vocabulary, tokenizer: 'qwen2', maxTokens: budget });
        assert.ok(r.tokenCount <= budget);
        assert.equal(r.tokenCount, qwen.count(r.text));
        assert.ok(full.text.startsWith(r.text), 'a prefix of the whole text');
        assert.ok(full.text[r.text.length] === '\n', 'cut at a line end');
        // One more line would not fit.
        const nextEnd = full.text.indexOf('\n', full.text.slice(r.text.length).search(/[^\n]/) + r.text.length);
        const longer = full.text.slice(0, nextEnd < 0 ? undefined : nextEnd);
        assert.ok(qwen.count(longer) > budget, `seed ${seed} ${format}: a longer prefix would fit`);
        assert.equal(r.truncation.truncated, true);
        assert.equal(r.lines.length, r.text.split('\n').length);
      }
    }
  });

  it('a time window keeps recent rows and the birth (age)', () => {
    const text = serialize(syntheaPatient(), {
      predictionTime: SYNTHEA_PREDICTION_TIME,
      format: 'markdown',
      vocabulary,
      tokenizer: 'chars',
      timeWindowDays: 30,
    }).text;
    const all = serialize(syntheaPatient(), {
      predictionTime: SYNTHEA_PREDICTION_TIME,
      format: 'markdown',
      vocabulary,
      tokenizer: 'chars',
    }).text;
    assert.match(text, /- Patient age: \d+/);
    assert.ok(text.length < all.length);
    assert.equal(
      section(text, '## Past Medical Visits')
        .split('\n')
        .filter((l) => l.startsWith('- ')).length,
      1,
    );
  });
});

describe('reference formats: values with line breaks', () => {
  it('every piece of a multi-line value or unit is a line with its events, and 3+ newlines collapse in Markdown', () => {
    const b = new SubjectBuilder(9);
    b.event(null, 'Gender/F');
    b.event(at('1960-01-01T00:00'), 'MEDS_BIRTH');
    b.visit('Visit/OP', 'v1', at('2020-01-01T10:00'), at('2020-01-01T11:00'), (v) => {
      v.text('SNOMED/1', 'first\n\n\n\nsecond');
      v.value('LOINC/2', 5, 'mg\n/dL');
    });
    b.event(at('2020-02-01T10:00'), 'SNOMED/3', undefined, null, 'x\ny');
    const s = b.build();
    for (const format of ['markdown', 'list'] as const) {
      const r = serialize(s, { predictionTime: at('2021-01-01T00:00'), format, vocabulary: EMPTY_VOCABULARY, tokenizer: 'chars' });
      assert.equal(r.lines.map((l) => l.text).join('\n'), r.text, format);
      if (format === 'markdown') assert.doesNotMatch(r.text, /\n\n\n/);
      const codesOf = (text: string): string[] => (r.lines.find((l) => l.text === text)?.sources ?? []).map((e) => e.code);
      assert.deepEqual(codesOf('second'), ['SNOMED/1'], format);
      assert.deepEqual(codesOf('/dL): 5'), ['LOINC/2'], format);
      // In Markdown SNOMED/3 is the fourth demographic slot, shown without its value.
      if (format === 'list') assert.deepEqual(codesOf('y'), ['SNOMED/3']);
      // A later one-line row keeps its own sources (no sources left over from the pieces).
      for (const l of r.lines)
        if (l.text.startsWith('- Gender') || l.text === 'Gender/F')
          assert.deepEqual(
            l.sources.map((e) => e.code),
            ['Gender/F'],
          );
    }
  });
});
