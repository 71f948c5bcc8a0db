// The inspector's browser script is a checked asset: tsconfig.inspector.json type-checks it
// against the DOM (the same check `npm run typecheck` runs), and the check bites on a misuse.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { INSPECTOR_HTML } from '../../src/server/inspectorHtml.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SCRIPT = join(ROOT, 'src/server/inspectorScript.js');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** Type-check one copy of the script with the repository's inspector settings. */
function check(source: string): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'inspector-'));
  try {
    const config = JSON.parse(readFileSync(join(ROOT, 'tsconfig.inspector.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as {
      compilerOptions: Record<string, unknown>;
    };
    writeFileSync(join(dir, 'script.js'), source);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { ...config.compilerOptions, typeRoots: [] }, files: ['script.js'] }),
    );
    const r = spawnSync(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, out: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('inspector script (src/server/inspectorScript.js)', () => {
  const source = readFileSync(SCRIPT, 'utf8');

  it('is the script the page serves, and it starts with // @ts-check', () => {
    assert.ok(source.startsWith('// @ts-check\n'));
    assert.ok(INSPECTOR_HTML.includes(`<script>\n${source}</script>`));
  });

  it('type-checks against the DOM, and a misuse fails the check', () => {
    const good = check(source);
    assert.equal(good.status, 0, good.out);
    assert.ok(source.includes('document.createElement(tag)'), 'the misuse below needs this call');
    const bad = check(source.replace('document.createElement(tag)', 'document.createElemnt(tag)'));
    assert.notEqual(bad.status, 0);
    assert.match(bad.out, /Property 'createElemnt' does not exist on type 'Document'/);
  });
});
