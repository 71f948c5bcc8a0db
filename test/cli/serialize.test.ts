import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MIMIC_MEDS } from '../helpers/paths.ts';
import { runCli } from '../helpers/runCli.ts';

describe('ehr-embed serialize', () => {
  it('prints a MIMIC subject mid-stay; --json adds token count, truncation and provenance', () => {
    const r = runCli(['serialize', MIMIC_MEDS, '--subject', '10001725', '--time', '2110-04-12T21:08:00Z', '--max-tokens', '600', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.ok(d.tokenCount <= 600);
    assert.equal(d.truncation.truncated, true);
    assert.equal(d.lines.length, d.text.split('\n').length);
    const withSources = d.lines.filter((l: { sources: unknown[] }) => l.sources.length > 0);
    assert.ok(withSources.length > 5);
    for (const l of withSources)
      for (const s of l.sources)
        assert.ok(s.time === null || s.time <= Date.parse('2110-04-12T21:08:00Z'), 'no source after the prediction time');
    const text = runCli(['serialize', MIMIC_MEDS, '--subject', '10001725', '--time', '2110-04-12T21:08:00Z', '--format', 'list-plus']);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^Patient age: 46/);
    // The reference list: newest first, no age line, the birth and sex last.
    const ref = runCli(['serialize', MIMIC_MEDS, '--subject', '10001725', '--time', '2110-04-12T21:08:00Z', '--format', 'list']);
    assert.equal(ref.code, 0);
    assert.match(ref.stdout, /\nMEDS_BIRTH\nGENDER\/\/F\n$/);
  });

  it('bad time, unknown subject, unknown format or tokenizer: exit 2 with a clear message', () => {
    const cases: [string[], RegExp][] = [
      [['--subject', '10001725', '--time', '12/04/2110'], /--time expects an ISO 8601 date/],
      [['--subject', '42', '--time', '2110-04-12'], /unknown subject "42"/],
      [
        ['--subject', '10001725', '--time', '2110-04-12', '--format', 'yaml'],
        /Allowed choices are markdown, list, markdown-plus, list-plus/,
      ],
      [['--subject', '10001725', '--time', '2110-04-12', '--tokenizer', 'gpt2'], /Allowed choices are qwen2, qwen3, llama3, chars/],
    ];
    for (const [args, re] of cases) {
      const r = runCli(['serialize', MIMIC_MEDS, ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, re);
    }
  });
});
