import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The names a module exports, read from the syntax alone (following `export *` into relative
 * modules): with `verbatimModuleSyntax`, a re-exported type must be marked `type`, so a specifier
 * without the mark is a value. Fast enough to run on every test run, unlike a full type check.
 */
export function exportsOf(file: string, seen = new Set<string>()): Map<string, 'value' | 'type'> {
  const out = new Map<string, 'value' | 'type'>();
  if (seen.has(file)) return out;
  seen.add(file);
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const exported = (n: ts.Node): boolean =>
    ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
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
      else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isEnumDeclaration(s)) && s.name)
        out.set(s.name.text, 'value');
      else if (ts.isVariableStatement(s))
        for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) out.set(d.name.text, 'value');
    }
  }
  return out;
}

/** The public API of src/index.ts as the snapshot lists it: sorted, `type ` in front of type-only names. */
export function publicNames(index: string): string[] {
  return [...exportsOf(index)].map(([name, kind]) => (kind === 'type' ? `type ${name}` : name)).sort();
}
