import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAcesConfig } from '../../src/aces/parseAcesConfig.ts';
import { parseAcesDuration } from '../../src/aces/parseAcesDuration.ts';
import { UsageError } from '../../src/errors.ts';

const BASE = `
predicates:
  admission:
    code: {regex: "^ADMISSION//"}
  discharge:
    code: {regex: "^DISCHARGE//"}
  death:
    code: MEDS_DEATH
  discharge_or_death:
    expr: or(discharge, death)
trigger: admission
windows:
  input:
    start: null
    end: trigger + 24h
    start_inclusive: True
    end_inclusive: True
    index_timestamp: end
  target:
    start: input.end
    end: start -> discharge_or_death
    start_inclusive: False
    end_inclusive: True
    label: death
`;

const parse = (text: string, overrides?: string) =>
  parseAcesConfig({ text, file: 'task.yaml' }, overrides === undefined ? undefined : { text: overrides, file: 'preds.yaml' });

function throwsUsage(text: string, pattern: RegExp, overrides?: string): void {
  assert.throws(
    () => parse(text, overrides),
    (err: unknown) => {
      assert.ok(err instanceof UsageError, String(err));
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('parseAcesDuration', () => {
  it('reads the pytimeparse forms ACES configs use', () => {
    assert.equal(parseAcesDuration('24h'), 86_400_000);
    assert.equal(parseAcesDuration('1825d'), 1825 * 86_400_000);
    assert.equal(parseAcesDuration('2h30m'), 9_000_000);
    assert.equal(parseAcesDuration('1 day 12 hours'), 1.5 * 86_400_000);
    assert.equal(parseAcesDuration('90 minutes'), 5_400_000);
    assert.equal(parseAcesDuration('2 weeks'), 14 * 86_400_000);
    assert.equal(parseAcesDuration('1y'), null);
    assert.equal(parseAcesDuration('soon'), null);
  });
});

describe('parseAcesConfig', () => {
  it('parses predicates, windows, roots and the evaluation order', () => {
    const c = parse(BASE);
    assert.deepEqual(
      c.predicates.map((p) => `${p.type}:${p.name}`),
      ['plain:admission', 'plain:discharge', 'plain:death', 'derived:discharge_or_death'],
    );
    assert.equal(c.trigger, 'admission');
    const input = c.windows[0];
    assert.equal(input?.root, 'end');
    assert.deepEqual(input?.end, { kind: 'offset', ref: 'trigger', ms: 86_400_000 });
    assert.deepEqual(input?.start, { kind: 'event', ref: 'end', predicate: '_RECORD_START', forward: false });
    assert.deepEqual(c.windows[1]?.end, { kind: 'event', ref: 'start', predicate: 'discharge_or_death', forward: true });
    assert.deepEqual(c.order, ['trigger', 'input.end', 'input.start', 'target.start', 'target.end']);
    assert.equal(c.labelWindow?.name, 'target');
    assert.equal(c.indexWindow.indexTimestamp, 'end');
  });

  it('value bounds: exclusive unless *_inclusive', () => {
    const c = parse(
      BASE.replace(
        '  death:\n    code: MEDS_DEATH',
        '  death:\n    code: LAB//X\n    value_min: 1.3\n    value_max: 5\n    value_max_inclusive: true',
      ),
    );
    const death = c.predicates.find((p) => p.name === 'death');
    assert.ok(death?.type === 'plain');
    assert.deepEqual([death.valueMin, death.valueMinInclusive, death.valueMax, death.valueMaxInclusive], [1.3, false, 5, true]);
  });

  it('regexes search (not full match); leading Rust inline flags become JavaScript flags', () => {
    const c = parse(BASE.replace('code: {regex: "^ADMISSION//"}', 'code: {regex: "(?i)admission//"}'));
    const adm = c.predicates.find((p) => p.name === 'admission');
    assert.ok(adm?.type === 'plain' && adm.code.kind === 'regex');
    assert.ok(adm.code.regex.test('HOSPITAL_ADMISSION//EW EMER.'));
    assert.ok(!adm.code.regex.test('DISCHARGE//HOME'));
  });

  it('a typo in a predicate name names the key path and the near miss', () => {
    throwsUsage(
      BASE.replace('label: death', 'label: deaht'),
      /task\.yaml, field "windows\.target\.label": predicate "deaht" is not defined \(did you mean "death"\?\)/,
    );
    throwsUsage(BASE.replace('trigger: admission', 'trigger: admision'), /field "trigger".*did you mean "admission"/);
    throwsUsage(
      BASE.replace('start_inclusive: False', 'start_inclusiv: False'),
      /field "windows\.target\.start_inclusiv": unknown or unsupported key.*did you mean "start_inclusive"/,
    );
    throwsUsage(
      BASE.replace('start: input.end', 'start: inptu.end'),
      /field "windows\.target\.start": window "inptu" is not defined \(did you mean "input"\?\)/,
    );
  });

  it('unsupported constructs are named', () => {
    throwsUsage(
      BASE.replace('    code: MEDS_DEATH', '    code: MEDS_DEATH\n    unit: mg/dL'),
      /field "predicates\.death\.unit": unknown or unsupported predicate key \(matching other columns is not supported\)/,
    );
    throwsUsage(
      BASE.replace('expr: or(discharge, death)', 'expr: not(discharge)'),
      /field "predicates\.discharge_or_death\.expr".*"not\(\.\.\.\)" is not in the ACES language/,
    );
    throwsUsage(BASE.replace('expr: or(discharge, death)', 'expr: or(and(discharge, death), death)'), /nested and\/or is not supported/);
    throwsUsage(BASE.replace('trigger + 24h', 'trigger + 1y'), /field "windows\.input\.end": "1y" is not a time delta/);
    throwsUsage(`${BASE}extra_key: 1\n`, /field "extra_key": unknown or unsupported key/);
    throwsUsage(BASE.replace('    index_timestamp: end\n', ''), /no window has index_timestamp/);
    throwsUsage(
      BASE.replace('has_never', '').replace('    label: death', '    label: death\n    has:\n      death: (1)'),
      /field "windows\.target\.has\.death": expected "\(min, max\)"/,
    );
    throwsUsage(
      BASE.replace('end: start -> discharge_or_death', 'end: start <- discharge_or_death'),
      /the end would come before the start/,
    );
    throwsUsage(BASE.replace('start: input.end', 'start: end'), /exactly one of start and end must be defined from the other/);
  });

  it('MEDS-DEV placeholders: an error naming --predicates, filled by a predicates file', () => {
    const withPlaceholder = BASE.replace('  admission:\n    code: {regex: "^ADMISSION//"}', '  admission: ???');
    throwsUsage(withPlaceholder, /field "predicates\.admission": predicate "admission" is "\?\?\?".*--predicates/);
    const c = parse(withPlaceholder, 'predicates:\n  admission:\n    code: {any: [ADMISSION//ED, ADMISSION//MEDICAL]}\n');
    const adm = c.predicates.find((p) => p.name === 'admission');
    assert.ok(adm?.type === 'plain');
    assert.deepEqual(adm.code, { kind: 'any', codes: ['ADMISSION//ED', 'ADMISSION//MEDICAL'] });
    throwsUsage(withPlaceholder, /preds\.yaml, field "predicates": unknown|preds\.yaml, field "windows"/, 'windows: {}\n');
  });

  it('unused placeholders are fine, as in ACES; demographics cannot be used in windows', () => {
    assert.doesNotThrow(() => parse(BASE.replace('predicates:\n', 'predicates:\n  unused: ???\n')));
    const demo = `${BASE}patient_demographics:\n  male:\n    code: GENDER//M\n`;
    assert.equal(parse(demo).demographics[0]?.name, 'male');
    throwsUsage(demo.replace('label: death', 'label: male'), /"male" is a patient_demographics predicate/);
  });

  it('cycles between windows or predicates are errors', () => {
    throwsUsage(BASE.replace('expr: or(discharge, death)', 'expr: or(discharge, discharge_or_death)'), /depends on itself/);
    const cyc =
      BASE.replace('start: input.end', 'start: other.end') +
      '  other:\n    start: target.end\n    end: start + 1h\n    start_inclusive: True\n    end_inclusive: True\n';
    throwsUsage(cyc, /cycle/);
  });
});
