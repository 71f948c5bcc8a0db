import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunResult, SkippedRun } from '../../src/eval/runEvaluation.ts';
import { summarize } from '../../src/eval/runEvaluation.ts';
import { aggregateRuns } from '../../src/report/aggregateRuns.ts';
import { chooseFewShotK } from '../../src/report/chooseFewShotK.ts';
import { compareK } from '../../src/report/compareK.ts';
import { completeCurves } from '../../src/report/completeCurves.ts';
import { escapeHtml } from '../../src/report/escapeHtml.ts';
import { fewShotCurves } from '../../src/report/fewShotCurves.ts';
import { formatCount, formatDiff, formatInterval, formatP, formatRate, formatSeconds } from '../../src/report/formatMetric.ts';
import { groupSkipped, normalizeReason } from '../../src/report/groupSkipped.ts';
import { renderMarkdown } from '../../src/report/renderMarkdown.ts';
import { prefixSvgIds } from '../../src/report/renderSvg.ts';
import { binTokenCounts } from '../../src/report/tokenHistogramSpec.ts';

function run(
  task: string,
  group: string,
  k: number | 'all',
  replicate: number,
  est: number,
  lower: number | null,
  upper: number | null,
): RunResult {
  const iv = { estimate: est, lower, upper } as unknown as RunResult['auroc'];
  return {
    task,
    group,
    featureSet: 'f',
    head: 'lr',
    k,
    replicate,
    nTrain: 2,
    nVal: 2,
    nTest: 10,
    chosen: {},
    valAuroc: 0.5,
    auroc: iv,
    auprc: iv,
    brier: iv,
    seconds: 0.1,
  };
}

describe('report parts', () => {
  it('escapeHtml escapes markup and both quotes', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('formats metrics, differences, p-values, counts, durations and rates', () => {
    assert.equal(formatInterval(0.81234, 0.7, null), '0.812 (0.700\u2013n/a)');
    assert.equal(formatDiff(0.0412), '+0.041');
    assert.equal(formatDiff(-0.0412), '\u22120.041');
    assert.equal(formatDiff(0.0001), '0.000', 'no sign on a rounded zero');
    assert.equal(formatP(0.0004), '<0.001');
    assert.equal(formatP(0.04), '0.040');
    assert.equal(formatCount(1234567), '1,234,567');
    assert.equal(formatSeconds(0.25), '250 ms');
    assert.equal(formatSeconds(245), '4 min 05 s');
    assert.equal(formatSeconds(3725), '1 h 02 min');
    assert.equal(formatRate(2000, 48.3, 'patients'), '41.4 patients/s');
    assert.equal(formatRate(5, 0, 'x'), 'n/a');
  });

  it('orders k with all last', () => {
    assert.deepEqual([128, 'all', 1, 16].sort(compareK as (a: unknown, b: unknown) => number), [1, 16, 128, 'all']);
  });

  it('groups skipped runs by reason without their numbers, largest group first', () => {
    assert.equal(normalizeReason('one class only in train (0 positives of 8)'), 'one class only in train');
    assert.equal(
      normalizeReason('no few-shot sample for k=4 (shots.json has none for this task)'),
      'no few-shot sample for k (shots.json has none for this task)',
    );
    const s = (task: string, k: number, reason: string): SkippedRun => ({ task, featureSet: 'f', head: 'lr', k, reason });
    const groups = groupSkipped([
      s('a', 64, 'k=64 draws the same train and tuning sample as k=48 (all available labels: train 40+/300-, tuning 30+/200-)'),
      s('b', 128, 'k=128 draws the same train and tuning sample as k=64 (all available labels: train 50+/300-, tuning 30+/200-)'),
      s('c', 4, 'one class only in held_out (0 positives of 30)'),
    ]);
    assert.equal(groups.length, 2);
    assert.equal(groups[0]?.count, 2);
    assert.deepEqual(groups[0]?.ks, [64, 128]);
    assert.deepEqual(groups[0]?.tasks, ['a', 'b']);
    assert.match(groups[1]?.explanation ?? '', /test split/);
  });

  it('aggregates replicates like summarize, and bands average bounds the same way as values', () => {
    const results = [
      run('t1', 'g1', 4, 0, 0.6, 0.5, 0.7),
      run('t1', 'g1', 4, 1, 0.8, 0.7, null),
      run('t2', 'g1', 4, 0, 0.5, 0.4, 0.6),
      run('t3', 'g2', 4, 0, 0.9, 0.85, 0.95),
    ];
    const agg = aggregateRuns(results);
    const t1 = [...agg.values()].find((a) => a.task === 't1');
    assert.equal(t1?.auroc.estimate, 0.7);
    assert.equal(t1?.auroc.lower, 0.6);
    assert.equal(t1?.auroc.upper, 0.7, 'a null bound is left out of the mean');
    assert.deepEqual([t1?.auroc.min, t1?.auroc.max], [0.6, 0.8]);
    const macro = summarize(results);
    const curves = fewShotCurves(macro, agg);
    const m = curves.find((c) => c.scope === 'macro');
    assert.equal(m?.value, macro[0]?.macroAuroc);
    // lower: group g1 = mean(t1 0.6, t2 0.4) = 0.5; g2 = 0.85; macro = 0.675.
    assert.ok(Math.abs((m?.lower ?? 0) - 0.675) < 1e-12);
    assert.equal(curves.find((c) => c.scope === 'group' && c.panel === 'g1')?.tasks, 2);
  });

  it('never joins macro or group means over different task sets on one curve, and names what it left off', () => {
    // The demo's shape: three tasks at every k but k = 32, where only the lab task has labels enough.
    const results = [1, 16, 32, 'all' as const].flatMap((k) => [
      run('hypoglycemia', 'lab', k, 0, 0.7, 0.6, 0.8),
      ...(k === 32
        ? []
        : [run('mortality_1y', 'operational', k, 0, 0.9, 0.85, 0.95), run('readmission_30d', 'operational', k, 0, 0.8, 0.7, 0.9)]),
    ]);
    const { points, gaps } = completeCurves(fewShotCurves(summarize(results), aggregateRuns(results)));
    assert.deepEqual(
      points.filter((p) => p.scope === 'macro').map((p) => p.k),
      [1, 16, 'all'],
    );
    assert.deepEqual(
      points.filter((p) => p.scope === 'group' && p.panel === 'operational').map((p) => p.k),
      [1, 16, 'all'],
    );
    assert.deepEqual(
      points.filter((p) => p.scope === 'group' && p.panel === 'lab').map((p) => p.k),
      [1, 16, 32, 'all'],
      'the lab group has the same task at every k',
    );
    assert.equal(points.filter((p) => p.scope === 'task').length, 10, 'task curves are complete');
    assert.deepEqual(
      gaps.map((g) => [g.scope, g.panel, g.k, g.taskNames.join()]),
      [['macro', 'macro', 32, 'hypoglycemia']],
    );
    assert.deepEqual(gaps[0]?.curveTaskNames, ['hypoglycemia', 'mortality_1y', 'readmission_30d']);
  });

  it('chooses the largest k that at least half of the best-covered pairs reach', () => {
    const agg = (k: number, n: number) => Array.from({ length: n }, () => ({ k }) as never);
    assert.equal(chooseFewShotK([...agg(8, 10), ...agg(16, 10), ...agg(32, 6), ...agg(64, 4)]), 32);
    assert.equal(chooseFewShotK([]), null);
  });

  it('bins token counts into round widths', () => {
    const bins = binTokenCounts([0, 5, 99, 100, 250, 4096]);
    assert.equal(bins[0]?.end, 200, 'max 4096 over ~30 bins: width 200');
    assert.equal(
      bins.reduce((a, b) => a + b.count, 0),
      6,
    );
    assert.equal(bins.at(-1)?.count, 1);
    assert.deepEqual(binTokenCounts([]), []);
  });

  it('prefixes SVG ids and their references', () => {
    assert.equal(
      prefixSvgIds('<clipPath id="clip1"/><g clip-path="url(#clip1)"/><use href="#clip1"/>', 'c'),
      '<clipPath id="c-clip1"/><g clip-path="url(#c-clip1)"/><use href="#c-clip1"/>',
    );
  });

  it('escapes Markdown syntax in plain text but leaves snake_case alone', () => {
    const md = renderMarkdown({
      title: 'T',
      meta: 'm',
      footer: 'f',
      sections: [
        {
          id: 's',
          title: 'S',
          blocks: [{ kind: 'paragraphs', items: ['a *b* <i>c</i> held_out _x_ p < 0.05 [link](y)', '# not a heading'] }],
        },
      ],
    });
    assert.ok(md.includes('a \\*b\\* \\<i>c\\</i> held_out \\_x\\_ p < 0.05 \\[link\\](y)'));
    assert.ok(md.includes('\\# not a heading'));
  });
});
