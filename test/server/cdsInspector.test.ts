// The inspector page and CDS Hooks in headless Chromium (Debian's chromium through
// playwright-core): a pasted CDS Hooks request shows the card the EHR gets and the text the
// model read; a card's inspector link opens the same card. Screenshots go to test/server/out/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, type RunningServer } from '../../src/server/startServer.ts';
import { startEmbeddingServer, type RunningServer as EmbeddingServer } from '../helpers/embeddingServer.ts';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.ts';
import { tempDir } from '../helpers/paths.ts';
import { patientView, prefetchFor } from './cdsRequests.ts';
import { writeTestProbe } from './fixtures.ts';
import { r4PatientBundles, requestJson } from './fixtures.ts';

const OUT = join(import.meta.dirname, 'out');
const skipBrowser = skipWithoutChromium;
const NOW = Date.parse('2020-03-01T12:00:00Z');
const KEY = 'inspector-cds-test-key';

describe('inspector: CDS Hooks card', () => {
  const dir = tempDir('ehr-embed-cds-inspector-');
  let embeddings: EmbeddingServer;
  let server: RunningServer;

  before(async () => {
    embeddings = await startEmbeddingServer({ dims: 8 });
    const model = `openai:${embeddings.url}#m`;
    server = await startServer({
      port: 0,
      probes: [writeTestProbe(dir, 'mortality_1y', model, 8, 7), writeTestProbe(dir, 'long_los', model, 8, 5)],
      cacheDir: null,
      apiKey: KEY,
      cds: { now: () => NOW },
    });
  });
  after(async () => {
    await server?.close();
    await embeddings?.close();
  });

  it("shows the card of a pasted request, and the same card from a card's link", { skip: skipBrowser, timeout: 180_000 }, async () => {
    const p = r4PatientBundles()[7] as ReturnType<typeof r4PatientBundles>[number];
    const request = patientView(p, prefetchFor(p, 'searchset'));
    // What the EHR gets for this request.
    const ehr = await requestJson(`${server.url}/cds-services/long_los`, request, { authorization: `Bearer ${KEY}` });
    assert.equal(ehr.status, 200);
    const card = ehr.body.cards[0];

    mkdirSync(OUT, { recursive: true });
    const browser = await launchChromium({ width: 1500, height: 950 });
    const context = browser.context;
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      const foreign: string[] = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('request', (r) => {
        if (!r.url().startsWith(server.url)) foreign.push(r.url());
      });
      // The key as the page keeps it (sessionStorage), then a fresh load: one init, no race with a second.
      await page.goto(`${server.url}/`, { waitUntil: 'load' });
      await page.evaluate(`sessionStorage.setItem("ehrEmbedKey", ${JSON.stringify(KEY)})`);
      await page.reload({ waitUntil: 'load' });
      await page.waitForSelector('#cds-service option[value="long_los"]', { state: 'attached' });
      await page.click('#tab-cds');
      await page.selectOption('#cds-service', 'long_los');
      await page.fill('#cds-request', JSON.stringify(request));
      await page.click('#go');
      await page.waitForSelector('[data-testid="card-summary"]');
      // The same card as the EHR's (the summary holds the probability: same record, same number).
      assert.equal(await page.locator('[data-testid="card-summary"]').textContent(), card.summary);
      assert.equal(await page.locator('[data-testid="card-indicator"]').textContent(), card.indicator.toUpperCase());
      assert.equal(await page.locator('[data-testid="card-source"]').textContent(), `Source: ${card.source.label}`);
      assert.equal(await page.locator('[data-testid="card-detail"]').textContent(), card.detail.replace(/^\*\*Predicted/, '**Predicted'));
      // The record it scored, in the text pane, and the predictions of the loaded probes.
      await page.waitForSelector('[data-testid="text-line"]');
      // The paper's Markdown starts with two blank lines; its first written line is the title.
      assert.equal(
        (await page.locator('[data-testid="text-line"]').allTextContents()).find((l) => l.trim() !== ''),
        '# Electronic Healthcare Record',
      );
      await page.waitForSelector('[data-testid="prediction"]');
      assert.match(
        (await page.locator('[data-testid="prediction"]', { hasText: 'long_los' }).textContent()) ?? '',
        new RegExp(`long_los\\s*${(ehr.body.extension['ehr-embed.prediction'].probability * 100).toFixed(1)}%`),
      );
      await page.screenshot({ path: join(OUT, 'inspector-cds.png'), fullPage: false });

      // The EHR card's link: the inspector opens on that prediction.
      await page.goto(card.links[0].url, { waitUntil: 'load' });
      await page.waitForSelector('[data-testid="card-summary"]');
      assert.equal(await page.locator('[data-testid="card-summary"]').textContent(), card.summary);
      await page.waitForSelector('[data-testid="text-line"]');
      assert.equal(await page.inputValue('#ptime'), new Date(NOW).toISOString());
      await page.screenshot({ path: join(OUT, 'inspector-cds-link.png'), fullPage: false });

      assert.deepEqual(errors, [], 'no page errors');
      assert.deepEqual(foreign, [], 'the page requests nothing but its own server');
    } finally {
      await browser.close();
    }
  });
});
