import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildReport, reportChartSpecs } from '../../src/report/buildReport.ts';
import { buildReportModel } from '../../src/report/buildReportModel.ts';
import { calibrationKs, calibrationSummaries } from '../../src/report/calibrationSection.ts';
import type { ReportInput } from '../../src/report/ReportInput.ts';
import { syntheticReportInput } from './reportFixture.ts';

let input: ReportInput;
let html: string;
let markdown: string;

describe('calibration and subgroup sections', () => {
  before(async () => {
    input = await syntheticReportInput();
    ({ html, markdown } = await buildReport(input));
  });

  it('results carry calibration on probabilities and AUROC on decision values', () => {
    const r = input.evaluation.results.find((x) => x.k === 'all')!;
    assert.equal(r.rankedOn, 'decision');
    assert.equal(r.calibration?.nBins, 10);
    assert.equal(
      r.calibration?.bins.reduce((a, b) => a + b.count, 0),
      r.nTest,
    );
    assert.ok(r.fit && r.fit.uncertified === 0 && r.fit.relGrad <= 1e-8, JSON.stringify(r.fit));
    assert.deepEqual(input.evaluation.fitWarnings, []);
  });

  it('the calibration table shows pooled ECE, slope and intercept at the few-shot k and all', () => {
    const model = buildReportModel(input);
    const ks = calibrationKs(model);
    assert.deepEqual(ks, [model.fewShotK, 'all']);
    const sums = calibrationSummaries(input.evaluation.results, ks);
    const s = sums.find((x) => x.task === 'long_los' && x.model === 'qwen3-emb-8b|lr' && x.k === model.fewShotK)!;
    const runs = input.evaluation.results.filter((x) => x.task === 'long_los' && x.featureSet === 'qwen3-emb-8b' && x.k === model.fewShotK);
    assert.equal(s.replicates, runs.length);
    assert.ok(Math.abs(s.ece - runs.reduce((a, r) => a + r.calibration!.ece, 0) / runs.length) < 1e-15);
    const start = html.indexOf('<table data-table="calibration">');
    assert.ok(start > 0, 'calibration table in report.html');
    const table = html.slice(start, html.indexOf('</table>', start));
    assert.ok(table.includes(`data-ece="${s.ece}"`), 'exact ECE in a data attribute');
    assert.match(markdown, /## Calibration/);
    assert.match(markdown, /10 equal-width probability bins/);
    assert.ok(reportChartSpecs(model).calibration, 'a reliability chart spec');
    assert.match(html, /<figure data-chart="calibration">[\s\S]*?<svg/);
  });

  it('the subgroup table lists each group with counts, interval and flag', () => {
    const r = input.evaluation.results.find((x) => x.k === 'all' && x.task === 'long_los' && x.featureSet === 'counts')!;
    assert.deepEqual(
      r.subgroups?.map((g) => `${g.attribute}:${g.group}`),
      ['sex:Female', 'sex:Male', 'age:18-39', 'age:40-64', 'age:65-79'],
    );
    const g = r.subgroups![0]!;
    assert.equal(g.labels, r.nTest / 2);
    const start = html.indexOf('<table data-table="subgroups">');
    assert.ok(start > 0, 'subgroup table in report.html');
    const table = html.slice(start, html.indexOf('</table>', start));
    assert.ok(
      table.includes(
        `data-task="long_los" data-model="counts|lr" data-attribute="sex" data-group="Female" data-labels="${g.labels}" data-positives="${g.positives}" data-auroc="${g.auroc!.estimate}"`,
      ),
    );
    assert.match(markdown, /## Subgroups/);
  });
});
