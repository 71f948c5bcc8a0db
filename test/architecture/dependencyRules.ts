/**
 * The dependency arrows of DESIGN.md as a check: read every import of src/, map each file to its
 * layer (its folder under src/; files directly in src/ are `core`, src/index.ts is `index`) and
 * compare with docs/dependency-rules.json, the one table of what may import what.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One layer's rule in docs/dependency-rules.json. */
export interface LayerRule {
  /** Layers it may import values and types from (`*`: every layer). */
  readonly imports: readonly string[];
  /** Layers it may import types only from. */
  readonly typeImports?: readonly string[];
  /** Why (shown in docs/architecture.md). */
  readonly why: string;
}

/** docs/dependency-rules.json. */
export interface DependencyRules {
  readonly layers: Readonly<Record<string, LayerRule>>;
  /** npm package → the layers that may import it. */
  readonly packages: Readonly<Record<string, readonly string[]>>;
}

/** One import (or re-export, or dynamic import) of a source file. */
export interface ImportEdge {
  /** The importing file, relative to src/ with `/` separators. */
  readonly file: string;
  readonly line: number;
  /** The specifier as written. */
  readonly specifier: string;
  /** The imported file relative to src/ (`../x` when outside src/), or undefined for a package. */
  readonly target: string | undefined;
  /** Whether only types are imported (`import type`, every specifier `type`, `typeof import()`). */
  readonly typeOnly: boolean;
}

/** The repository's rules file. */
export const RULES_FILE = resolve(import.meta.dirname, '../../docs/dependency-rules.json');

/** Read docs/dependency-rules.json. */
export function loadRules(file = RULES_FILE): DependencyRules {
  return JSON.parse(readFileSync(file, 'utf8')) as DependencyRules;
}

/** The layer of a file relative to src/: its top folder, `index` for index.ts, else `core`. */
export function layerOf(file: string): string {
  const slash = file.indexOf('/');
  if (slash >= 0) return file.slice(0, slash);
  return file === 'index.ts' ? 'index' : 'core';
}

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listSources(p));
    else if (/\.(ts|mts|mjs|js)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false; // `import './x.ts'` runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const b = clause.namedBindings;
  if (!b || ts.isNamespaceImport(b)) return false;
  return b.elements.length > 0 && b.elements.every((e) => e.isTypeOnly);
}

function isTypeOnlyExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const c = node.exportClause;
  return c !== undefined && ts.isNamedExports(c) && c.elements.length > 0 && c.elements.every((e) => e.isTypeOnly);
}

/** Every import edge of the files under `srcDir` (static, re-exports, `import()`, `typeof import()`). */
export function readImportEdges(srcDir: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const path of listSources(srcDir)) {
    const file = relative(srcDir, path).split(sep).join('/');
    const text = readFileSync(path, 'utf8');
    const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
    const add = (spec: ts.Node, typeOnly: boolean): void => {
      if (!ts.isStringLiteralLike(spec)) return;
      const specifier = spec.text;
      const target = specifier.startsWith('.')
        ? relative(srcDir, resolve(dirname(path), specifier))
            .split(sep)
            .join('/')
        : undefined;
      edges.push({ file, line: sf.getLineAndCharacterOfPosition(spec.getStart(sf)).line + 1, specifier, target, typeOnly });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, isTypeOnlyImport(node));
      else if (ts.isExportDeclaration(node) && node.moduleSpecifier) add(node.moduleSpecifier, isTypeOnlyExport(node));
      else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0])
        add(node.arguments[0], false);
      else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, true);
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return edges;
}

/** The package name of a bare specifier (`@scope/name/sub` → `@scope/name`, `name/sub` → `name`). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

/**
 * The edges the rules forbid, one message each naming the file and line, the import, and the
 * rule it breaks. Imports within a layer, of `core`, and of `node:` modules are always allowed.
 */
export function checkEdges(edges: readonly ImportEdge[], rules: DependencyRules): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const from = layerOf(e.file);
    const where = `src/${e.file}:${e.line} imports '${e.specifier}'`;
    const rule = rules.layers[from];
    if (!rule) {
      out.push(`${where}: layer "${from}" is not in docs/dependency-rules.json (add a rule for the new folder)`);
      continue;
    }
    if (e.target === undefined) {
      if (e.specifier.startsWith('node:')) continue;
      const owners = rules.packages[packageOf(e.specifier)];
      if (owners && !owners.includes(from))
        out.push(
          `${where}: package ${packageOf(e.specifier)} may be imported only by ${owners.join(', ')} (rule "packages" of docs/dependency-rules.json)`,
        );
      continue;
    }
    if (e.target.startsWith('../')) {
      out.push(`${where}: outside src/ (the package ships src/ alone)`);
      continue;
    }
    const to = layerOf(e.target);
    if (to === from || to === 'core') continue;
    if (rule.imports.includes('*') || rule.imports.includes(to)) continue;
    if (e.typeOnly && rule.typeImports?.includes(to)) continue;
    const allowed = [...rule.imports, ...(rule.typeImports ?? []).map((l) => `${l} (types)`)];
    const typeHint = !e.typeOnly && rule.typeImports?.includes(to) ? ` (types only from ${to})` : '';
    out.push(`${where}: ${from} → ${to} breaks the rule "${from} imports ${allowed.length ? allowed.join(', ') : 'core only'}"${typeHint}`);
  }
  return out;
}

/** The Markdown table of the rules (the block docs/architecture.md carries). */
export function rulesTable(rules: DependencyRules): string {
  const rows = Object.entries(rules.layers).map(([layer, r]) => {
    const may = [
      ...r.imports.map((l) => (l === '*' ? 'anything' : `\`${l}\``)),
      ...(r.typeImports ?? []).map((l) => `\`${l}\` (types only)`),
    ];
    return `| \`${layer}\` | ${may.length ? may.join(', ') : '—'} | ${r.why} |`;
  });
  const pkgs = Object.entries(rules.packages).map(([p, ls]) => `\`${p}\` (${ls.join(', ')})`);
  return [
    '| layer | may import (besides itself and `core`) | why |',
    '|---|---|---|',
    ...rows,
    '',
    `Packages only some layers may import: ${pkgs.join(', ')}.`,
  ].join('\n');
}

/** Markers around the generated table in docs/architecture.md. */
export const TABLE_START =
  '<!-- dependency-rules:start (generated from docs/dependency-rules.json by scripts/update-architecture-doc.ts) -->';
export const TABLE_END = '<!-- dependency-rules:end -->';

/**
 * A Markdown table block with cell padding and separator widths normalised, so a formatter
 * (prettier aligns table columns) does not make the generated table look stale.
 */
export function normalizeTable(block: string): string {
  return block
    .split('\n')
    .map((line) =>
      line.trimStart().startsWith('|')
        ? line
            .trim()
            .split('|')
            .map((c) => c.trim().replace(/^:?-{3,}:?$/, '---'))
            .join('|')
        : line.trim(),
    )
    .filter((line) => line !== '')
    .join('\n');
}

/** The generated block between the markers of a document, or undefined when it has none. */
export function tableIn(doc: string): string | undefined {
  const a = doc.indexOf(TABLE_START);
  const b = doc.indexOf(TABLE_END);
  if (a < 0 || b < a) return undefined;
  return doc.slice(a + TABLE_START.length, b).trim();
}

/**
 * Uses of MedsDataset's SQL escape hatch (`dataRelation`, `query(<SQL>)`) outside src/meds: the
 * rest of the code asks the dataset through named methods (`codeCounts`, `countNumericValues`,
 * ...), so the dataset's engine and layout can change in one folder. By syntax: any property
 * named `dataRelation`, and any `.query(...)` whose first argument is SQL text.
 */
export function medsInternalUses(srcDir: string): string[] {
  const out: string[] = [];
  for (const path of listSources(srcDir)) {
    const file = relative(srcDir, path).split(sep).join('/');
    if (layerOf(file) === 'meds') continue;
    const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const at = (n: ts.Node): string => `src/${file}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node) && node.name.text === 'dataRelation')
        out.push(`${at(node)}: MedsDataset.dataRelation is for src/meds only (add a named method there)`);
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'query') {
        const arg = node.arguments[0];
        const text = arg && (ts.isStringLiteralLike(arg) ? arg.text : ts.isTemplateExpression(arg) ? arg.head.text : undefined);
        if (text !== undefined && /^\s*(SELECT|WITH|DESCRIBE|FROM)\b/i.test(text))
          out.push(`${at(node)}: SQL through MedsDataset.query is for src/meds only (add a named method there)`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out;
}
