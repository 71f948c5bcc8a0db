/**
 * report.html in a real browser (Debian's chromium through playwright-core): it renders with no
 * console error and no network request, its charts have a size, and a full-page screenshot is
 * written to test/report/out/report.png for a person to look at.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { writeReport } from '../../src/report/writeReport.ts';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.ts';
import { syntheticReportInput } from './reportFixture.ts';

const OUT = join(import.meta.dirname, 'out');
const skip = skipWithoutChromium;

describe('report.html in headless Chromium', () => {
  it('renders without errors or requests, with sized charts; writes a screenshot', { skip, timeout: 120_000 }, async () => {
    mkdirSync(OUT, { recursive: true });
    const paths = await writeReport(OUT, await syntheticReportInput());
    const browser = await launchChromium({ width: 1280, height: 900 });
    const context = browser.context;
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      const failed: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('request', (r) => {
        if (r.url() !== pathToFileURL(paths.html).href) requests.push(r.url());
      });
      page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText ?? '?'}`));
      await page.goto(pathToFileURL(paths.html).href, { waitUntil: 'load' });
      assert.deepEqual(errors, [], 'no console errors or warnings');
      assert.deepEqual(requests, [], 'the page requests nothing but itself');
      assert.deepEqual(failed, [], 'no failed requests');
      const charts = await page.$$eval('figure[data-chart] svg', (svgs) =>
        svgs.map((s) => ({ chart: s.closest('figure')?.getAttribute('data-chart'), ...s.getBoundingClientRect().toJSON() })),
      );
      assert.deepEqual(charts.map((c) => c.chart).sort(), ['calibration', 'groups', 'macro', 'tasks', 'tokens']);
      for (const c of charts) assert.ok(c.width > 100 && c.height > 100, `chart ${c.chart} has a size: ${c.width}x${c.height}`);
      // Marks were drawn: the macro chart has line paths (this run's and the published curves).
      const paths2 = await page.$$eval('figure[data-chart="macro"] svg path', (ps) => ps.length);
      assert.ok(paths2 > 5, `macro chart has marks (${paths2} paths)`);
      await page.screenshot({ path: join(OUT, 'report.png'), fullPage: true });
      assert.ok(existsSync(join(OUT, 'report.png')));
    } finally {
      await browser.close();
    }
  });
});
