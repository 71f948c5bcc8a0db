// DESIGN.md's dependency arrows, enforced: every import of src/ against docs/dependency-rules.json.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import {
  checkEdges,
  layerOf,
  loadRules,
  medsInternalUses,
  normalizeTable,
  readImportEdges,
  rulesTable,
  tableIn,
  type ImportEdge,
} from './dependencyRules.ts';

const SRC = resolve(import.meta.dirname, '../../src');
const rules = loadRules();
const srcEdges = readImportEdges(SRC);

describe('dependency rules (docs/dependency-rules.json)', () => {
  it('src/ has no wrong-way import', () => {
    assert.ok(srcEdges.length > 500, `read ${srcEdges.length} imports: the parser found too few`);
    assert.deepEqual(checkEdges(srcEdges, rules), []);
  });

  it('has a rule for every folder of src/ and names only known layers', () => {
    const layers = new Set(srcEdges.map((e) => layerOf(e.file)));
    for (const l of layers) assert.ok(rules.layers[l], `no rule for src/${l}/`);
    const known = new Set([...Object.keys(rules.layers), '*']);
    for (const [l, r] of Object.entries(rules.layers)) {
      for (const to of [...r.imports, ...(r.typeImports ?? [])]) assert.ok(known.has(to), `${l} names unknown layer ${to}`);
    }
  });

  it('the layers form no cycle', () => {
    const seen = new Map<string, 'open' | 'done'>();
    const visit = (l: string, path: string[]): void => {
      if (seen.get(l) === 'done') return;
      assert.notEqual(seen.get(l), 'open', `cycle: ${[...path, l].join(' → ')}`);
      seen.set(l, 'open');
      const r = rules.layers[l];
      for (const to of [...(r?.imports ?? []), ...(r?.typeImports ?? [])]) if (to !== '*') visit(to, [...path, l]);
      seen.set(l, 'done');
    };
    for (const l of Object.keys(rules.layers)) visit(l, []);
  });

  it('catches wrong-way imports, naming file, import and rule', () => {
    const edge = (file: string, specifier: string, typeOnly = false): ImportEdge => ({
      file,
      line: 3,
      specifier,
      target: specifier.startsWith('.') ? join(file, '..', specifier).replaceAll('\\', '/') : undefined,
      typeOnly,
    });
    const bad = checkEdges(
      [
        edge('embed/featuresManifest.ts', '../pipeline/embedLabels.ts', true), // the violation this test was written for
        edge('meds/MedsDataset.ts', '../cli/main.ts'),
        edge('report/x.ts', '../meds/computeDatasetStats.ts'), // a value import where only types may come
        edge('probe/x.ts', '@duckdb/node-api'),
        edge('newfolder/x.ts', '../types.ts'),
        edge('serialize/x.ts', '../../test/helpers/paths.ts'),
      ],
      rules,
    );
    assert.equal(bad.length, 6, bad.join('\n'));
    assert.match(
      bad[0] as string,
      /^src\/embed\/featuresManifest\.ts:3 imports '\.\.\/pipeline\/embedLabels\.ts': embed → pipeline breaks the rule "embed imports tokenize"$/,
    );
    assert.match(
      bad[1] as string,
      /src\/meds\/MedsDataset\.ts:3 imports '\.\.\/cli\/main\.ts': meds → cli breaks the rule "meds imports core only"/,
    );
    assert.match(bad[2] as string, /report → meds .*\(types only from meds\)/);
    assert.match(bad[3] as string, /package @duckdb\/node-api may be imported only by meds/);
    assert.match(bad[4] as string, /layer "newfolder" is not in docs\/dependency-rules\.json/);
    assert.match(bad[5] as string, /outside src\//);
    // And the allowed ones pass: within a layer, core, node:, type-only where types are allowed, cli → anything.
    assert.deepEqual(
      checkEdges(
        [
          edge('meds/a.ts', './b.ts'),
          edge('meds/a.ts', '../errors.ts'),
          edge('meds/a.ts', 'node:fs'),
          edge('report/x.ts', '../meds/computeDatasetStats.ts', true),
          edge('cli/x.ts', '../server/startServer.ts'),
        ],
        rules,
      ),
      [],
    );
  });

  it('reads import kinds from real source: type-only, re-exports, dynamic and typeof import()', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deps-'));
    try {
      mkdirSync(join(dir, 'meds'));
      mkdirSync(join(dir, 'report'));
      writeFileSync(
        join(dir, 'meds', 'a.ts'),
        "import { x } from '../report/b.ts';\nexport type { Y } from '../report/b.ts';\nconst m = await import('../report/b.ts');\ntype T = typeof import('../report/b.ts');\nimport { type Z } from '../report/b.ts';\n",
      );
      writeFileSync(join(dir, 'report', 'b.ts'), "import type { A } from '../meds/a.ts';\nimport { a } from '../meds/a.ts';\n");
      const edges = readImportEdges(dir);
      assert.deepEqual(
        edges.map((e) => [e.file, e.line, e.target, e.typeOnly]),
        [
          ['meds/a.ts', 1, 'report/b.ts', false],
          ['meds/a.ts', 2, 'report/b.ts', true],
          ['meds/a.ts', 3, 'report/b.ts', false],
          ['meds/a.ts', 4, 'report/b.ts', true],
          ['meds/a.ts', 5, 'report/b.ts', true],
          ['report/b.ts', 1, 'meds/a.ts', true],
          ['report/b.ts', 2, 'meds/a.ts', false],
        ],
      );
      // meds may import nothing: five violations; report may import meds types only: one.
      const bad = checkEdges(edges, rules);
      assert.equal(bad.filter((m) => m.startsWith('src/meds/a.ts')).length, 5);
      assert.deepEqual(
        bad.filter((m) => m.startsWith('src/report/b.ts')).map((m) => m.slice(0, 40)),
        ["src/report/b.ts:2 imports '../meds/a.ts'"],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('MedsDataset SQL (query, dataRelation) stays in src/meds; the check catches a use', () => {
    assert.deepEqual(medsInternalUses(SRC), []);
    const dir = mkdtempSync(join(tmpdir(), 'deps-'));
    try {
      mkdirSync(join(dir, 'vocab'));
      mkdirSync(join(dir, 'meds'));
      writeFileSync(
        join(dir, 'vocab', 'a.ts'),
        'const rows = await ds.query(`SELECT DISTINCT code FROM ${ds.dataRelation}`);\nc.req.query("offset");\n',
      );
      writeFileSync(join(dir, 'meds', 'b.ts'), 'const rows = await ds.query(`SELECT 1 FROM ${ds.dataRelation}`);\n');
      assert.deepEqual(medsInternalUses(dir), [
        'src/vocab/a.ts:1: SQL through MedsDataset.query is for src/meds only (add a named method there)',
        'src/vocab/a.ts:1: MedsDataset.dataRelation is for src/meds only (add a named method there)',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('docs/architecture.md carries the table generated from the rules', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/architecture.md'), 'utf8');
    const block = tableIn(doc);
    assert.ok(block !== undefined, 'docs/architecture.md lacks the dependency-rules markers');
    assert.equal(
      normalizeTable(block),
      normalizeTable(rulesTable(rules)),
      'regenerate it: node --import tsx scripts/update-architecture-doc.ts',
    );
    // A formatter's column alignment is not a difference; a changed rule is.
    const aligned = rulesTable(rules).replace('|---|---|---|', '| ----- | --------- | --- |').replaceAll('| `', '|   `');
    assert.equal(normalizeTable(aligned), normalizeTable(rulesTable(rules)));
    assert.notEqual(
      normalizeTable(rulesTable({ ...rules, layers: { ...rules.layers, meds: { imports: ['vocab'], why: 'x' } } })),
      normalizeTable(rulesTable(rules)),
    );
  });
});
