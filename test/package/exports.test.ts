/**
 * The public API is exactly the names in test/package/public-exports.txt (one a line, `type ` in
 * front of a type-only export). Adding, removing or renaming an export of src/index.ts fails here:
 * update the list on purpose, note the change in CHANGELOG.md and pick the version bump that
 * docs/versioning.md asks for.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

const INDEX = resolve(import.meta.dirname, '../../src/index.ts');
const SNAPSHOT = resolve(import.meta.dirname, 'public-exports.txt');

/**
 * The names a module exports, read from the syntax alone (following `export *` into relative
 * modules): with `verbatimModuleSyntax`, a re-exported type must be marked `type`, so a specifier
 * without the mark is a value. Fast enough to run on every test run, unlike a full type check.
 */
function exportsOf(file: string, seen = new Set<string>()): Map<string, 'value' | 'type'> {
  const out = new Map<string, 'value' | 'type'>();
  if (seen.has(file)) return out;
  seen.add(file);
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const exported = (n: ts.Node): boolean => ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const s of source.statements) {
    if (ts.isExportDeclaration(s)) {
      const from = s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier) ? s.moduleSpecifier.text : undefined;
      if (s.exportClause === undefined) {
        if (from === undefined || !from.startsWith('.')) assert.fail(`export * from a package in ${file}`);
        for (const [name, kind] of exportsOf(resolve(dirname(file), from), seen)) out.set(name, kind);
      } else if (ts.isNamedExports(s.exportClause)) {
        for (const e of s.exportClause.elements) out.set(e.name.text, s.isTypeOnly || e.isTypeOnly ? 'type' : 'value');
      }
    } else if (exported(s)) {
      if (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) out.set(s.name.text, 'type');
      else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isEnumDeclaration(s)) && s.name) out.set(s.name.text, 'value');
      else if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) out.set(d.name.text, 'value');
    }
  }
  return out;
}

const snapshot = readFileSync(SNAPSHOT, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '');

describe('public API (src/index.ts)', () => {
  it('exports exactly the names in public-exports.txt', () => {
    const names = [...exportsOf(INDEX)].map(([name, kind]) => (kind === 'type' ? `type ${name}` : name)).sort();
    const added = names.filter((n) => !snapshot.includes(n));
    const removed = snapshot.filter((n) => !names.includes(n));
    assert.deepEqual({ added, removed }, { added: [], removed: [] }, 'the public API changed: update test/package/public-exports.txt and CHANGELOG.md (docs/versioning.md)');
    assert.deepEqual(snapshot, [...snapshot].sort(), 'public-exports.txt is sorted');
  });

  it('the value exports exist at run time; the headline functions are there; one FeatureMatrix', async () => {
    const api = (await import('../../src/index.ts')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(api).sort(), snapshot.filter((n) => !n.startsWith('type ')).sort());
    for (const fn of ['serialize', 'prepareSubject', 'getTokenizer', 'buildCountFeatures', 'fitCountFeatures', 'createEmbedder', 'openMedsDataset', 'startServer']) {
      assert.equal(typeof api[fn], 'function', fn);
    }
    assert.equal(snapshot.filter((n) => n === 'type FeatureMatrix').length, 1);
    // Server internals stay internal.
    for (const internal of ['apiKeyAuth', 'errorBody', 'parseRecordInput', 'InspectorDataset', 'INSPECTOR_HTML', 'isLoopbackHost', 'layeredVocabulary', 'parseByteSize']) {
      assert.ok(!(internal in api), internal);
    }
  });
});
