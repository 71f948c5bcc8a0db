// The inspector: its JSON endpoints over a MEDS dataset and a labels directory, and the page in
// headless Chromium (Debian's chromium through playwright-core): select a subject, see its text,
// click a line, see its events. Screenshots go to test/server/out/ for a person to look at.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SERIALIZE_FORMATS } from '../../src/serialize/serialize.ts';
import { startServer, type RunningServer } from '../../src/server/startServer.ts';
import { TOKENIZER_NAMES } from '../../src/tokenize/getTokenizer.ts';
import { startEmbeddingServer, type RunningServer as EmbeddingServer } from '../helpers/embeddingServer.ts';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.ts';
import { tempDir } from '../helpers/paths.ts';
import { runCliAsync } from '../helpers/runCli.ts';
import { R4_SAMPLE, r4PatientBundles, requestJson } from './fixtures.ts';

const OUT = join(import.meta.dirname, 'out');
const skipBrowser = skipWithoutChromium;

describe('inspector', () => {
  const dir = tempDir('ehr-embed-inspector-');
  const meds = join(dir, 'meds');
  const labels = join(dir, 'labels');
  let embeddings: EmbeddingServer;
  let server: RunningServer;

  before(async () => {
    const conv = await runCliAsync(['convert', '--from', 'fhir', '--input', R4_SAMPLE, '--out', meds]);
    assert.equal(conv.code, 0, conv.stderr);
    const lab = await runCliAsync(['label', meds, '--tasks', 'mortality_1y', '--out', labels]);
    assert.equal(lab.code, 0, lab.stderr);
    embeddings = await startEmbeddingServer({ dims: 12 });
    const features = join(dir, 'features');
    const emb = await runCliAsync([
      'embed',
      meds,
      '--labels',
      labels,
      '--model',
      `openai:${embeddings.url}#m`,
      '--max-tokens',
      '768',
      '--out',
      features,
      '--cache',
      join(dir, 'cache'),
    ]);
    assert.equal(emb.code, 0, emb.stderr);
    const probe = join(dir, 'probe');
    // The sample's tuning split has no death within a year: C cannot be chosen there.
    const noC = await runCliAsync(['train', '--labels', labels, '--features', features, '--task', 'mortality_1y', '--out', probe]);
    assert.equal(noC.code, 2);
    assert.match(noC.stderr, /0 positive of \d+ tuning labels: choosing C needs both classes.*--c <value>/);
    const tr = await runCliAsync([
      'train',
      '--labels',
      labels,
      '--features',
      features,
      '--task',
      'mortality_1y',
      '--out',
      probe,
      '--c',
      '1',
    ]);
    assert.equal(tr.code, 0, tr.stderr);
    assert.match(tr.stdout, /1 \(fixed\)/);
    server = await startServer({ port: 0, meds, labels, probes: [probe], cacheDir: join(dir, 'serve-cache') });
  });
  after(async () => {
    await server?.close();
    await embeddings?.close();
  });

  it('lists subjects with source ids, splits and label counts, and finds them by id', async () => {
    const page = await requestJson(`${server.url}/v1/subjects?limit=10`);
    assert.equal(page.status, 200);
    assert.equal(page.body.total, 40);
    assert.equal(page.body.subjects.length, 10);
    const p = r4PatientBundles()[0] as ReturnType<typeof r4PatientBundles>[number];
    const found = await requestJson(`${server.url}/v1/subjects?q=${p.patientId.slice(0, 8)}`);
    assert.equal(found.body.subjects[0].subjectId, p.subjectId);
    assert.equal(found.body.subjects[0].sourceId, p.patientId);
    const detail = await requestJson(`${server.url}/v1/subjects/${p.patientId}`);
    assert.equal(detail.status, 200);
    assert.equal(detail.body.subjectId, p.subjectId);
    assert.ok(detail.body.events > 0);
    assert.ok(detail.body.lastTime > detail.body.firstTime);
    assert.equal((await requestJson(`${server.url}/v1/subjects/nope`)).body.error.code, 'unknown_subject');
  });

  it('inspects a subject: whole text, the lines the budget cut, each line with its source events', async () => {
    const subjects = (await requestJson(`${server.url}/v1/subjects?limit=100`)).body.subjects as { subjectId: number; labels: number }[];
    const s = subjects.find((x) => x.labels > 0) as { subjectId: number };
    const detail = (await requestJson(`${server.url}/v1/subjects/${s.subjectId}`)).body;
    const time = detail.labelList[0].predictionTime;
    const r = await requestJson(`${server.url}/v1/inspect`, { subjectId: s.subjectId, predictionTime: time, maxTokens: 200 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(r.body.tokenCount <= 200 && r.body.tokensBefore > 200);
    const kept = r.body.lines.filter((l: { cut: boolean }) => !l.cut).map((l: { text: string }) => l.text);
    assert.deepEqual(kept, r.body.text.split('\n'), 'uncut lines are exactly the budgeted text');
    assert.ok(
      r.body.lines.some((l: { cut: boolean }) => l.cut),
      'some lines were cut',
    );
    const withEvents = r.body.lines.filter((l: { events: unknown[] }) => l.events.length > 0);
    assert.ok(withEvents.length > 3);
    for (const l of withEvents)
      for (const e of l.events) assert.ok(e.time === null || e.time <= time, 'only events at or before the prediction time');
    const pred = await requestJson(`${server.url}/v1/predict`, { subjectId: s.subjectId, predictionTime: time });
    assert.equal(pred.status, 200, JSON.stringify(pred.body));
    assert.equal(pred.body.predictions[0].task, 'mortality_1y');
  });

  it(
    'in headless Chromium: select a subject, see its text, click a line, see its events; paste a bundle',
    { skip: skipBrowser, timeout: 180_000 },
    async () => {
      mkdirSync(OUT, { recursive: true });
      const browser = await launchChromium({ width: 1500, height: 950 });
      const context = browser.context;
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        const foreign: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
        page.on('request', (r) => {
          if (!r.url().startsWith(server.url) && !r.url().startsWith('http://127.0.0.1:')) foreign.push(r.url());
        });
        await page.goto(`${server.url}/`, { waitUntil: 'load' });
        await page.waitForSelector('[data-testid="subject-row"]');
        // The menus list what the server's registries hold (use-lite included).
        assert.deepEqual(await page.locator('#tokenizer option').allTextContents(), [...TOKENIZER_NAMES]);
        assert.deepEqual(await page.locator('#format option').allTextContents(), [...SERIALIZE_FORMATS]);
        assert.equal(await page.locator('[data-testid="subject-row"]').count(), 40);

        // Select a subject with labels: its text appears, its labels are offered as times.
        const subjects = (await requestJson(`${server.url}/v1/subjects?limit=100`)).body.subjects as {
          subjectId: number;
          labels: number;
        }[];
        const s = subjects.find((x) => x.labels > 0) as { subjectId: number };
        await page.click(`[data-testid="subject-row"][data-subject="${s.subjectId}"]`);
        await page.waitForSelector('[data-testid="text-line"]');
        await page.waitForSelector('[data-testid="label-link"]');
        // The paper's Markdown starts with two blank lines; its first written line is the title.
        const lines = await page.locator('[data-testid="text-line"]').allTextContents();
        assert.equal(
          lines.find((l) => l.trim() !== ''),
          '# Electronic Healthcare Record',
        );
        const tokens = Number(await page.locator('#token-count').textContent());
        assert.ok(tokens > 0);
        // Predictions of the loaded probe.
        await page.waitForSelector('[data-testid="prediction"]');
        assert.match((await page.locator('[data-testid="prediction"]').first().textContent()) ?? '', /mortality_1y\s*\d+(\.\d)?%/);

        // Click a line made from events: its events are listed with time, code, description, value.
        // A lab line such as "- Sodium (mmol/L): 137 (normal), 137 (normal), 143 (normal)": one event per value.
        const line = page.locator('[data-testid="text-line"].src', { hasText: '(normal), ' }).first();
        const lineText = (await line.textContent()) ?? '';
        await line.click();
        await page.waitForSelector('[data-testid="event-row"]');
        const rows = await page.locator('[data-testid="event-row"]').allTextContents();
        assert.ok(rows.length >= 2, `events of "${lineText}": ${rows.length}`);
        for (const r of rows) assert.match(r, /^\d{4}-\d{2}-\d{2} .*LOINC\/[\d-]+.*\d/, 'an event row shows its time, code and value');
        await page.screenshot({ path: join(OUT, 'inspector.png'), fullPage: false });

        // A budget greys out the cut part.
        await page.fill('#maxtokens', '150');
        await page.click('#go');
        await page.waitForSelector('[data-testid="text-line"].cut');
        assert.ok((await page.locator('[data-testid="text-line"].cut').count()) > 0);
        assert.ok(Number(await page.locator('#token-count').textContent()) <= 150);
        await page.screenshot({ path: join(OUT, 'inspector-budget.png'), fullPage: false });

        // Paste a FHIR bundle instead.
        const p = r4PatientBundles()[5] as ReturnType<typeof r4PatientBundles>[number];
        await page.click('#tab-fhir');
        await page.fill('#maxtokens', '');
        await page.fill('#bundle', p.line);
        await page.fill('#ptime', '2018-06-01T00:00:00Z');
        await page.click('#go');
        await page.waitForSelector(`#stats:has-text("${p.subjectId}")`);
        assert.ok((await page.locator('[data-testid="text-line"]').count()) > 10);
        await page.screenshot({ path: join(OUT, 'inspector-fhir.png'), fullPage: false });

        // Without --meds the Dataset tab is off and the page says how to turn it on.
        const bare = await startServer({ port: 0, model: `openai:${embeddings.url}#m`, cacheDir: null });
        try {
          await page.goto(`${bare.url}/`, { waitUntil: 'load' });
          await page.waitForSelector('[data-testid="no-dataset"]', { state: 'visible' });
          assert.match((await page.locator('[data-testid="no-dataset"]').textContent()) ?? '', /--meds <meds-dir>/);
          assert.equal(await page.locator('#tab-ds').isDisabled(), true);
        } finally {
          await bare.close();
        }

        assert.deepEqual(errors, [], 'no console errors');
        assert.deepEqual(foreign, [], 'the page requests nothing but its own server');
      } finally {
        await browser.close();
      }
    },
  );
});
