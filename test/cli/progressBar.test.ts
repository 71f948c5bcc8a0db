import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, formatRate } from '../../src/cli/formatProgress.ts';
import { progressBar } from '../../src/cli/progressBar.ts';

/** A non-terminal stream that keeps what was written. */
function sink(): { write(s: string): boolean; isTTY: false; text: string[] } {
  const text: string[] = [];
  return { write: (s: string) => (text.push(s), true), isTTY: false, text };
}

describe('progress', () => {
  it('rounds rates and durations for people', () => {
    assert.equal(formatRate(1680.7960466479378), '1,681');
    assert.equal(formatRate(42.345), '42.3');
    assert.equal(formatRate(3.14159), '3.14');
    assert.equal(formatRate(0.0123456), '0.0123');
    assert.equal(formatRate(Number.NaN), '0');
    assert.equal(formatDuration(42.4), '42 s');
    assert.equal(formatDuration(185), '3 min 05 s');
    assert.equal(formatDuration(7620), '2 h 07 min');
  });

  it('writes a plain line per interval when not on a terminal, then a closing line', () => {
    let t = 0;
    const out = sink();
    const bar = progressBar('embed', 'inputs', { stream: out, intervalSeconds: 15, now: () => t });
    t = 5_000;
    bar.update(100, 1000);
    assert.equal(out.text.length, 0, 'nothing before the first interval');
    t = 15_000;
    bar.update(300, 1000);
    t = 20_000;
    bar.update(400, 1000);
    t = 30_000;
    bar.update(600, 1000);
    bar.stop();
    assert.deepEqual(out.text, [
      '[ehr-embed] embed: 300/1,000 inputs (30%), 20.0 inputs/s, ETA 35 s\n',
      '[ehr-embed] embed: 600/1,000 inputs (60%), 20.0 inputs/s, ETA 20 s\n',
      '[ehr-embed] embed: 600/1,000 inputs (60%), 20.0 inputs/s, 30 s\n',
    ]);
  });

  it('shows bytes as MB and stays quiet for short steps', () => {
    let t = 0;
    const out = sink();
    const bar = progressBar('convert fhir', 'bytes', { stream: out, intervalSeconds: 15, now: () => t });
    t = 16_000;
    bar.update(8_000_000, 9_200_000);
    bar.stop();
    assert.match(out.text[0] ?? '', /^\[ehr-embed\] convert fhir: 8\.0\/9\.2 MB \(86%\), 0\.500 MB\/s, ETA 2 s\n$/);
    const quiet = sink();
    const short = progressBar('label', 'subjects', { stream: quiet, intervalSeconds: 15, now: () => t });
    short.update(10, 10);
    short.stop();
    assert.deepEqual(quiet.text, []);
  });
});
