import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateGpuHours, gpuProfile, secondsPerText } from '../../src/embed/gpuProfiles.ts';

describe('GPU planning profiles', () => {
  it("reproduce the issue's H100 ceilings at their measured lengths", () => {
    const rate = (name: string, tokens: number) => 1 / secondsPerText(gpuProfile(name), tokens);
    assert.ok(Math.abs(rate('h100-8b', 4096) - 7.2) < 1e-9);
    assert.ok(Math.abs(rate('h100-8b', 8192) - 3.4) < 1e-9);
    assert.ok(Math.abs(rate('h100-4b', 4096) - 11) < 1e-9);
    assert.ok(Math.abs(rate('h100-0.6b', 4096) - 39) < 1e-9);
    // Shorter texts are faster per text, slower per token than long ones are not.
    assert.ok(rate('h100-8b', 1024) > 4 * 7.2 * 0.9);
    assert.throws(() => gpuProfile('a100-70b'), /unknown GPU profile "a100-70b"; known: h100-8b, h100-4b, h100-0.6b/);
  });

  it('sums per-text times: 7.2 texts of 4,096 tokens are one 8B GPU-second', () => {
    const e = estimateGpuHours(
      gpuProfile('h100-8b'),
      Array.from({ length: 72 }, () => 4096),
    );
    assert.equal(e.texts, 72);
    assert.equal(e.tokens, 72 * 4096);
    assert.ok(Math.abs(e.gpuHours * 3600 - 10) < 1e-9);
  });
});
