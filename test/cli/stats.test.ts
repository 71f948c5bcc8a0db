import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/runCli.ts';
import { MIMIC_MEDS } from '../helpers/paths.ts';

describe('ehr-embed stats', () => {
  it('reports the MIMIC-IV demo per split as JSON', () => {
    const r = runCli(['stats', MIMIC_MEDS, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.subjects, 20);
    assert.equal(s.events, 112_174);
    assert.equal(s.splits.held_out.events, 42_554);
    assert.equal(s.splits.tuning.events, 69_620);
    assert.equal(s.splits.held_out.subjects + s.splits.tuning.subjects, 20);
    assert.equal(s.topCodes.length, 20);
    assert.ok(s.describedEventShare > 0 && s.describedEventShare < 1);
    assert.ok(s.eventsPerSubject.p50 <= s.eventsPerSubject.p90 && s.eventsPerSubject.p90 <= s.eventsPerSubject.max);
    const described = s.topCodes.find((c: { description: string | null }) => c.description !== null);
    assert.ok(described === undefined || typeof described.description === 'string');
  });

  it('prints tables by default', () => {
    const r = runCli(['stats', MIMIC_MEDS, '--top', '5']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /held_out/);
    assert.match(r.stdout, /Top 5 codes/);
  });
});

describe('CLI errors and help', () => {
  it('exit code 2 with one clear line for user errors', () => {
    for (const args of [
      ['stats', '/nonexistent/dir'],
      ['no-such-command'],
      ['stats', MIMIC_MEDS, '--no-such-option'],
      ['stats', MIMIC_MEDS, '--top', '0'],
    ]) {
      const r = runCli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(!/\n\s+at /.test(r.stderr), `no stack trace for ${args.join(' ')}`);
      assert.ok(r.stderr.length > 10);
    }
  });

  it('--help documents every command and option with defaults', () => {
    const r = runCli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /stats/);
    const sub = runCli(['stats', '--help']);
    assert.equal(sub.code, 0);
    assert.match(sub.stdout, /--json/);
    assert.match(sub.stdout, /default: 20/);
  });
});
