import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { RunResult } from '../../src/eval/runEvaluation.ts';
import { lrHead } from '../../src/eval/lrHead.ts';
import { runEvaluation } from '../../src/eval/runEvaluation.ts';
import { buildReport } from '../../src/report/buildReport.ts';
import { EHRSHOT_REFERENCE } from '../../src/report/EHRSHOT_REFERENCE.ts';
import type { EvaluationFile } from '../../src/artifacts/resultsFile.ts';
import type { ReportInput } from '../../src/report/ReportInput.ts';
import { writeReport } from '../../src/report/writeReport.ts';
import { syntheticReportInput } from './reportFixture.ts';

interface ParsedCell {
  readonly attrs: Readonly<Record<string, string>>;
  /** The cell's main text (without its second line), unescaped. */
  readonly text: string;
}
interface ParsedRow {
  readonly attrs: Readonly<Record<string, string>>;
  readonly cells: readonly ParsedCell[];
}

function unescape(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function attrsOf(s: string): Record<string, string> {
  return Object.fromEntries([...s.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1] as string, unescape(m[2] as string)]));
}

/** Rows of the table `data-table="id"` of report.html (our own markup, so a regex parse is safe). */
function tableRows(html: string, id: string): ParsedRow[] {
  const start = html.indexOf(`<table data-table="${id}">`);
  assert.ok(start >= 0, `table ${id} is in the page`);
  const body = html.slice(start, html.indexOf('</table>', start));
  return [...body.matchAll(/<tr([^>]*)>([\s\S]*?)<\/tr>/g)].map((r) => ({
    attrs: attrsOf(r[1] as string),
    cells: [...(r[2] as string).matchAll(/<t[dh]([^>]*)>([\s\S]*?)<\/t[dh]>/g)].map((c) => ({
      attrs: attrsOf(c[1] as string),
      text: unescape((c[2] as string).replace(/<span class="sub">[\s\S]*$/, '')),
    })),
  }));
}

/** The exact number a data attribute holds; JSON's null (a NaN bound) is written "NaN". */
function assertSame(attr: string | undefined, expected: number | null, what: string): void {
  assert.ok(attr !== undefined, `${what}: attribute present`);
  if (expected === null || Number.isNaN(expected)) assert.equal(attr, 'NaN', what);
  else assert.equal(Number(attr), expected, what);
}

const f3 = (x: number | null): string => (x === null || Number.isNaN(x) ? 'n/a' : x.toFixed(3));
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const finiteMean = (xs: readonly (number | null)[]): number => {
  const f = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return f.length ? mean(f) : NaN;
};

let input: ReportInput;
let ev: EvaluationFile;
let html: string;
let markdown: string;
let seconds: number;

before(async () => {
  input = await syntheticReportInput();
  ev = input.evaluation;
  const t0 = performance.now();
  ({ html, markdown } = await buildReport(input));
  seconds = (performance.now() - t0) / 1000;
});

describe('buildReport on a real evaluation of synthetic tasks', () => {
  it('the fixture is realistic: results with CIs, replicates, skipped runs and paired tests', () => {
    assert.ok(ev.results.length > 100);
    // The rare task runs short of train positives at k = 32, yet its sample differs from k = 16's
    // (more negatives), so it runs: a k is skipped only when its sample repeats a smaller k's.
    const rare = ev.results.find((r) => r.task === 'new_pancreatic_cancer' && r.k === 32);
    assert.ok(rare && rare.nTrain < 64, 'the rare task runs at its capped k');
    assert.ok(ev.comparisons.length === 5);
    assert.equal(ev.bestBaseline, 'counts|lr');
  });

  it('is self-contained: no scripts, no external references, CSS inline', (t) => {
    t.diagnostic(`buildReport took ${seconds.toFixed(2)} s; report.html ${(html.length / 1024).toFixed(0)} KiB`);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<link/i);
    assert.doesNotMatch(html, /<iframe|<object|<embed|<img/i);
    assert.doesNotMatch(html, /@import|@font-face|url\(\s*['"]?(?!#)/i);
    for (const m of html.matchAll(/\s(src|href|xlink:href|action)="([^"]*)"/g))
      assert.match(m[2] as string, /^(#|data:)/, `${m[1]}="${m[2]}" points into the page`);
    // The only http URLs are the SVG namespace names, which browsers never fetch.
    const withoutNamespaces = html.replace(/\sxmlns(:\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, '');
    assert.doesNotMatch(withoutNamespaces, /https?:\/\//);
    assert.match(html, /<style>[\s\S]*font-family[\s\S]*<\/style>/);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  });

  it('draws the charts as inline SVG, with unique ids across charts', () => {
    const figures = [...html.matchAll(/<figure data-chart="(\w+)">([\s\S]*?)<\/figure>/g)];
    assert.deepEqual(
      figures.map((f) => f[1]),
      ['macro', 'groups', 'tasks', 'calibration', 'tokens'],
    );
    for (const [, id, body] of figures) {
      const svg = (body as string).match(/<svg [^>]*width="(\d+(?:\.\d+)?)" height="(\d+(?:\.\d+)?)"/);
      assert.ok(svg, `${id}: an <svg> with a size`);
      assert.ok(Number(svg[1]) > 100 && Number(svg[2]) > 100, `${id}: ${svg[1]}x${svg[2]}`);
    }
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
    for (const m of html.matchAll(/url\(#([^)]+)\)/g)) assert.ok(ids.includes(m[1]), `url(#${m[1]}) resolves`);
    // The published EHRSHOT curves are drawn and labelled as such.
    const macro = figures[0]?.[2] as string;
    for (const r of EHRSHOT_REFERENCE)
      assert.ok(macro.includes(`${r.name} \u2014 results published on EHRSHOT, a different dataset`), `${r.name} in the legend`);
  });

  it('shows the AUROC and AUPRC of results.json exactly, at the few-shot k and at all data', () => {
    const rows = tableRows(html, 'results').filter((r) => r.attrs['data-task'] && r.attrs['data-task'] !== '(macro)');
    let checked = 0;
    for (const row of rows) {
      const task = row.attrs['data-task'] as string;
      const model = row.attrs['data-model'] as string;
      for (const cell of row.cells.filter((c) => c.attrs['data-metric'] === 'auroc' || c.attrs['data-metric'] === 'auprc')) {
        const metric = cell.attrs['data-metric'] as 'auroc' | 'auprc';
        const k = cell.attrs['data-k'] === 'all' ? 'all' : Number(cell.attrs['data-k']);
        const runs = ev.results.filter((r) => r.task === task && `${r.featureSet}|${r.head}` === model && r.k === k);
        assert.ok(runs.length > 0, `${task} ${model} k=${k} has results`);
        assert.equal(cell.attrs['data-replicates'], String(runs.length));
        const iv = (r: RunResult) => r[metric] as unknown as { estimate: number; lower: number | null; upper: number | null };
        const estimate = mean(runs.map((r) => iv(r).estimate));
        const lower = finiteMean(runs.map((r) => iv(r).lower));
        const upper = finiteMean(runs.map((r) => iv(r).upper));
        const what = `${task} ${model} ${metric} k=${k}`;
        assertSame(cell.attrs['data-estimate'], estimate, `${what} estimate`);
        assertSame(cell.attrs['data-lower'], lower, `${what} lower`);
        assertSame(cell.attrs['data-upper'], upper, `${what} upper`);
        if (k === 'all') {
          // One run: the very numbers of results.json.
          const [r] = runs as [RunResult];
          assertSame(cell.attrs['data-estimate'], iv(r).estimate, what);
          assertSame(cell.attrs['data-lower'], iv(r).lower, what);
          assertSame(cell.attrs['data-upper'], iv(r).upper, what);
        }
        if (metric === 'auroc') {
          // The per-task mean the macro AUROC is built from, bit for bit.
          const m = ev.macro.find((x) => `${x.featureSet}|${x.head}` === model && x.k === k);
          assert.equal(estimate, m?.tasks[task], `${what} equals macro.tasks`);
        }
        assert.equal(cell.text, `${f3(estimate)} (${f3(lower)}\u2013${f3(upper)})`, `${what} text`);
        checked++;
      }
    }
    const k = Math.max(...rows.flatMap((r) => r.cells.map((c) => Number(c.attrs['data-k']))).filter(Number.isFinite));
    assert.equal(k, 32, 'the table is at the largest k that most tasks reach');
    const expected =
      new Set(ev.results.filter((r) => r.k === 'all' || r.k === k).map((r) => `${r.task}|${r.featureSet}|${r.head}|${r.k}`)).size * 2;
    assert.equal(checked, expected, 'every result at k=32 and all is in the table, AUROC and AUPRC');
    // The rare task's capped k = 32 draws a new sample and is in the table, not skipped.
    assert.ok(
      rows.some(
        (r) =>
          r.attrs['data-task'] === 'new_pancreatic_cancer' &&
          r.cells.some((c) => c.attrs['data-k'] === '32' && c.attrs['data-metric'] === 'auroc'),
      ),
    );
  });

  it('shows macro AUROC and the paired tests of results.json exactly', () => {
    const cells = tableRows(html, 'macro')
      .flatMap((r) => r.cells)
      .filter((c) => c.attrs['data-macro'] !== undefined);
    assert.equal(cells.length, ev.macro.length, 'one cell per macro entry');
    for (const c of cells) {
      const m = ev.macro.find((x) => `${x.featureSet}|${x.head}` === c.attrs['data-model'] && String(x.k) === c.attrs['data-k']);
      assert.ok(m, `macro ${c.attrs['data-model']} k=${c.attrs['data-k']}`);
      assertSame(c.attrs['data-macro'], m.macroAuroc, 'macro');
      assert.equal(c.text.replace(' \u2020', ''), f3(m.macroAuroc));
    }
    // The published curves are in the table too, labelled.
    const refRows = tableRows(html, 'macro').filter((r) => r.cells[0]?.text.includes('results published on EHRSHOT, a different dataset'));
    assert.equal(refRows.length, 3);
    assert.deepEqual(
      refRows[0]?.cells
        .slice(1)
        .filter((c) => c.text !== 'n/a')
        .map((c) => Number(c.text)),
      EHRSHOT_REFERENCE[0]?.points.map((p) => p.auroc),
    );

    const tests = tableRows(html, 'results').flatMap((r) =>
      r.cells.filter((c) => c.attrs['data-diff'] !== undefined).map((c) => ({ row: r, c })),
    );
    assert.equal(tests.length, ev.comparisons.length);
    for (const { row, c } of tests) {
      const cmp = ev.comparisons.find((x) => x.task === row.attrs['data-task'] && x.model === row.attrs['data-model']);
      assert.ok(cmp);
      assertSame(c.attrs['data-diff'], cmp.diff, 'diff');
      assertSame(c.attrs['data-ci-lower'], cmp.ci.lower, 'ci lower');
      assertSame(c.attrs['data-ci-upper'], cmp.ci.upper, 'ci upper');
      assertSame(c.attrs['data-p'], cmp.pValue, 'p');
      assertSame(c.attrs['data-p-holm'], cmp.pHolm, 'p Holm');
    }
  });

  it('shows label counts per task and split, and notes tasks without positives', () => {
    const rows = tableRows(html, 'labels').filter((r) => r.attrs['data-task']);
    assert.equal(rows.length, Object.keys(input.labels?.tasks ?? {}).length);
    for (const r of rows) {
      const summary = input.labels?.tasks[r.attrs['data-task'] as string];
      for (const c of r.cells.filter((x) => x.attrs['data-split'])) {
        const s = summary?.splits[c.attrs['data-split'] as string];
        assert.equal(c.attrs['data-labels'], String(s?.labels));
        assert.equal(c.attrs['data-positives'], String(s?.positives));
      }
    }
    const icu = rows.find((r) => r.attrs['data-task'] === 'icu_mortality_24h');
    assert.match(icu?.cells.at(-1)?.text ?? '', /no ICU stays; not evaluated/);
    const subjects = tableRows(html, 'dataset').map((r) => r.cells[1]?.attrs['data-subjects']);
    assert.deepEqual(subjects.slice(1), ['2000', '1200', '400', '400']);
  });

  it('has the headline, token statistics, examples, timings and skipped reasons', () => {
    assert.match(
      html,
      /the best embedding model, qwen3-emb-8b · lr, reached a macro AUROC of 0\.\d{3}, against 0\.\d{3} for the best count baseline, counts · lr \(difference [^)]*\); (both macros average the same|the first averages) \d+ tasks \(/,
    );
    // Every macro number in the summary says which tasks it averages.
    const summary = html.slice(html.indexOf('id="summary"'), html.indexOf('id="curves"'));
    for (const m of summary.matchAll(/macro AUROC of (0\.\d{3})/g))
      assert.ok(/tasks? \(/.test(summary.slice(m.index, m.index + 400)), `tasks named after ${m[1]}`);
    const tokens = tableRows(html, 'tokens')[1];
    assert.equal(tokens?.cells.at(-1)?.attrs['data-truncated'], String(input.embeddings?.[0]?.report.tokens.truncated));
    for (const e of input.examples ?? [])
      assert.ok(
        html.includes(
          `<pre>${e.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')}</pre>`,
        ),
        `${e.format} example`,
      );
    const timings = tableRows(html, 'timings')
      .map((r) => r.attrs['data-step'])
      .filter(Boolean);
    assert.deepEqual(timings, [
      'convert (Synthea FHIR → MEDS)',
      'label',
      'serialize (qwen3-emb-8b)',
      'embed (qwen3-emb-8b)',
      'evaluate (fit and score)',
    ]);
    assert.match(html, /41\.4 patients\/s/);
    assert.equal(ev.skipped.length, 0);
    assert.match(html, /No run was skipped\./);
  });

  it('shows no local paths: a report may be shared', () => {
    assert.ok(!html.includes('/data/meds'), 'the dataset is named by its folder, not its path');
  });

  it('escapes text from the data', () => {
    assert.ok(html.includes('Values like &lt;0.5 &amp; &quot;quotes&quot; are escaped.'));
    assert.ok(!html.includes('like <0.5'));
  });

  it('writes the same numbers to report.md', () => {
    for (const r of ev.results.filter((x) => x.k === 'all')) {
      const text = `${f3(r.auroc.estimate)} (${f3(r.auroc.lower)}\u2013${f3(r.auroc.upper)})`;
      assert.ok(markdown.includes(`| ${text} |`), `markdown has ${r.task} ${r.featureSet} ${text}`);
    }
    for (const m of ev.macro) assert.ok(markdown.includes(f3(m.macroAuroc)));
    assert.match(markdown, /^# ehr-embed benchmark: synthetic demo$/m);
    assert.match(markdown, /^## Few-shot curves$/m);
    assert.match(markdown, /\(chart in report\.html\)/);
    assert.match(markdown, /^```+text$/m);
    assert.doesNotMatch(markdown, /<script/);
  });

  it('writeReport writes report.html and report.md', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ehr-embed-report-'));
    try {
      const paths = await writeReport(join(dir, 'out'), input);
      // Deterministic: the same input gives the same bytes (golden files can be compared).
      assert.equal(readFileSync(paths.html, 'utf8'), html);
      assert.equal(readFileSync(paths.markdown, 'utf8'), markdown);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('buildReport on other inputs', () => {
  it('escapes hostile names everywhere, SVG included', async () => {
    const bad = 'emb<script>alert("x")</script>&';
    const rename = (s: string): string => s.replace(/^qwen3-emb-8b/, bad);
    const e = input.evaluation;
    const renamed: EvaluationFile = {
      ...e,
      results: e.results.map((r) => ({ ...r, featureSet: rename(r.featureSet) })),
      skipped: e.skipped.map((r) => ({ ...r, featureSet: rename(r.featureSet) })),
      macro: e.macro.map((m) => ({ ...m, featureSet: rename(m.featureSet) })),
      comparisons: e.comparisons.map((c) => ({ ...c, model: rename(c.model) })),
      featureSets: e.featureSets?.map((f) => ({ ...f, name: rename(f.name) })),
    };
    const { html: h, markdown: md } = await buildReport({ ...input, title: 'A <b>bold</b> title', evaluation: renamed, embeddings: [] });
    assert.doesNotMatch(h, /<script/i);
    assert.doesNotMatch(h, /<b>bold/);
    assert.ok(h.includes('emb&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;'));
    assert.doesNotMatch(md, /(?<!\\)<script/, 'an escaped \\< renders as text');
  });

  it('works from runEvaluation output alone (no results.json extras) with k = all only, and with nothing run', async () => {
    const x = Float32Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 1 : 0) + ((i * 7919) % 13) / 13);
    const labels = Array.from({ length: 200 }, (_, i) => ({ subjectId: i, predictionTime: 0, booleanValue: i % 3 === 0 }));
    const task = {
      name: 't',
      group: 'lab',
      query: null,
      labels,
      y: Int8Array.from(labels, (l) => (l.booleanValue ? 1 : 0)),
      split: labels.map((_, i) => (i % 5 < 3 ? 'train' : i % 5 < 4 ? 'tuning' : 'held_out')),
      shots: undefined,
    };
    const res = await runEvaluation([task], [{ name: 'f', baseline: false, dims: 1, rows: () => x }], [lrHead], {
      ks: ['all'],
      bootstrap: 50,
      pairedResamples: 50,
    });
    const r1 = await buildReport({ title: 'minimal', generatedAt: '2025-01-01T00:00:00Z', evaluation: res });
    assert.match(r1.html, /<figure data-chart="macro">/);
    assert.match(r1.html, /No count baseline was evaluated/);
    assert.doesNotMatch(r1.html, /data-chart="groups"/, 'one group: no group panels');
    assert.match(r1.html, /Task: t \(lab\)/, 'a single task panel says which task it is');
    const empty = await runEvaluation(
      [{ ...task, y: new Int8Array(200) }],
      [{ name: 'f', baseline: false, dims: 1, rows: () => x }],
      [lrHead],
      {
        ks: [4, 'all'],
      },
    );
    const r2 = await buildReport({ title: 'nothing', generatedAt: '2025-01-01T00:00:00Z', evaluation: empty });
    assert.match(r2.html, /No run completed/);
    assert.match(r2.html, /one class only in train/);
    assert.doesNotMatch(r2.html, /<figure/);
  });
});
