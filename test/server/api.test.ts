// The HTTP API on a real socket: endpoints, validation errors (4xx with code, message and path),
// the body limit, API keys, and logs without patient content.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isUsageError } from '../../src/errors.ts';
import { SERIALIZE_FORMATS } from '../../src/serialize/serialize.ts';
import { TOKENIZER_NAMES } from '../../src/tokenize/getTokenizer.ts';
import type { RequestLogEntry } from '../../src/server/createApp.ts';
import { isLoopbackHost } from '../../src/server/isLoopbackHost.ts';
import { parseByteSize } from '../../src/server/parseByteSize.ts';
import { startServer, type RunningServer } from '../../src/server/startServer.ts';
import { startEmbeddingServer, type RunningServer as EmbeddingServer } from '../helpers/embeddingServer.ts';
import { tempDir } from '../helpers/paths.ts';
import { runCliAsync } from '../helpers/runCli.ts';
import { r4PatientBundles, requestJson, writeTestProbe } from './fixtures.ts';

const DIMS = 8;

describe('HTTP API', () => {
  const dir = tempDir('ehr-embed-api-');
  let embeddings: EmbeddingServer;
  let server: RunningServer;
  let model: string;
  const logs: RequestLogEntry[] = [];
  const bundles = r4PatientBundles();
  const patient = bundles[2] as (typeof bundles)[number];
  const url = (p: string): string => `${server.url}${p}`;

  before(async () => {
    embeddings = await startEmbeddingServer({ dims: DIMS });
    model = `openai:${embeddings.url}#m`;
    const probes = [writeTestProbe(dir, 'risk_a', model, DIMS, 7, 2048), writeTestProbe(dir, 'risk_b', model, DIMS, 7, 2048)];
    server = await startServer({ port: 0, probes, cacheDir: join(dir, 'cache'), maxBodyBytes: 3 * 1024 * 1024, log: (e) => logs.push(e) });
  });
  after(async () => {
    await server?.close();
    await embeddings?.close();
  });

  it('answers /healthz, /v1/models and /openapi.json', async () => {
    const h = await requestJson(url('/healthz'));
    assert.equal(h.status, 200);
    assert.equal(h.body.status, 'ok');
    const m = await requestJson(url('/v1/models'));
    assert.equal(m.body.model.spec, model);
    assert.deepEqual(
      m.body.probes.map((p: { task: string }) => p.task),
      ['risk_a', 'risk_b'],
    );
    assert.deepEqual(m.body.defaults, { format: 'markdown', maxTokens: 2048, tokenizer: 'qwen2' });
    const o = await requestJson(url('/openapi.json'));
    assert.equal(o.body.openapi, '3.1.0');
    for (const p of [
      '/healthz',
      '/v1/models',
      '/v1/serialize',
      '/v1/embed',
      '/v1/predict',
      '/v1/inspect',
      '/v1/subjects',
      '/v1/subjects/{id}',
    ])
      assert.ok(o.body.paths[p], `OpenAPI describes ${p}`);
    // Every $ref resolves.
    const refs = JSON.stringify(o.body).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const r of refs) assert.ok(o.body.components.schemas[r.split('/').pop() as string], `${r} is defined`);
    // Name lists come from the registries: every tokenizer and format, in the document and in /v1/models.
    // (null is accepted and means the default: the enum sits in an anyOf with null.)
    const enumOf = (s: { enum?: string[]; anyOf?: { enum?: string[] }[] }): string[] | undefined =>
      s.enum ?? s.anyOf?.find((x) => x.enum)?.enum;
    for (const body of ['Settings', 'SerializeRequest', 'EmbedRequest', 'PredictRequest']) {
      assert.deepEqual(enumOf(o.body.components.schemas[body].properties.tokenizer), [...TOKENIZER_NAMES], body);
      assert.deepEqual(enumOf(o.body.components.schemas[body].properties.format), [...SERIALIZE_FORMATS], body);
    }
    assert.ok(TOKENIZER_NAMES.includes('use-lite'));
    // The request bodies are the schemas the server checks with (requestSchemas.ts).
    assert.deepEqual(o.body.components.schemas.PredictRequest.required, ['predictionTime']);
    assert.ok(o.body.components.schemas.PredictRequest.properties.tasks);
    assert.equal(o.body.components.schemas.SerializeRequest.properties.events.items.$ref, '#/components/schemas/MedsEvent');
    assert.deepEqual(m.body.choices, { formats: [...SERIALIZE_FORMATS], tokenizers: [...TOKENIZER_NAMES] });
  });

  it('serializes a FHIR R4 bundle: text, token count, truncation and line provenance', async () => {
    const r = await requestJson(url('/v1/serialize'), { bundle: patient.bundle, predictionTime: '2020-01-01T00:00:00Z', maxTokens: 300 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.subjectId, patient.subjectId);
    assert.match(r.body.text, /^\n\n# Electronic Healthcare Record/);
    assert.ok(r.body.tokenCount <= 300);
    assert.equal(r.body.truncation.truncated, true);
    assert.equal(r.body.lines.length, r.body.text.split('\n').length);
    const withSources = r.body.lines.filter((l: { sources: unknown[] }) => l.sources.length > 0);
    assert.ok(withSources.length > 0);
    for (const l of withSources)
      for (const s of l.sources) assert.ok(s.time === null || s.time <= '2020-01-01T00:00:00.000Z', 'no event after the prediction time');
  });

  it('serializes MEDS events given as JSON', async () => {
    const r = await requestJson(url('/v1/serialize'), {
      events: [
        { time: null, code: 'Gender/F', description: 'Female' },
        { time: '1970-03-01', code: 'MEDS_BIRTH' },
        { time: '2019-04-01T08:00:00Z', code: 'LOINC/2345-7', numericValue: 182, extra: { unit: 'mg/dL' } },
        { time: '2021-01-01T00:00:00Z', code: 'LOINC/2345-7', numericValue: 99, extra: { unit: 'mg/dL' } },
      ],
      predictionTime: '2020-01-01T00:00:00Z',
      format: 'list',
      maxTokens: null,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.match(r.body.text, /Female/);
    assert.match(r.body.text, /182/);
    assert.doesNotMatch(r.body.text, /\b99\b/, 'the later value is not used');
  });

  it('embeds with the served model', async () => {
    const r = await requestJson(url('/v1/embed'), { bundle: patient.bundle, predictionTime: '2020-01-01T00:00:00Z' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.dims, DIMS);
    assert.equal(r.body.embedding.length, DIMS);
    assert.equal(r.body.model, model);
    const other = await requestJson(url('/v1/embed'), {
      bundle: patient.bundle,
      predictionTime: '2020-01-01T00:00:00Z',
      model: 'use-lite',
    });
    assert.equal(other.status, 400);
    assert.equal(other.body.error.code, 'unknown_model');
  });

  it('predicts every requested task with the probe identity; a cached repeat gives the same numbers', async () => {
    const body = { bundle: patient.bundle, predictionTime: '2020-01-01T00:00:00Z', tasks: ['risk_b', 'risk_a'] };
    const r = await requestJson(url('/v1/predict'), body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.predictions.map((p: { task: string }) => p.task),
      ['risk_b', 'risk_a'],
    );
    for (const p of r.body.predictions) {
      assert.ok(p.probability > 0 && p.probability < 1);
      assert.match(p.probe.checksum, /^sha256:/);
      assert.equal(p.probe.model, model);
    }
    const served = embeddings.requests.inputs;
    const again = await requestJson(url('/v1/predict'), body);
    assert.deepEqual(again.body.predictions, r.body.predictions);
    assert.equal(embeddings.requests.inputs, served, 'the repeat is read from the embedding cache');
    const all = await requestJson(url('/v1/predict'), { bundle: patient.bundle, predictionTime: '2020-01-01T00:00:00Z' });
    assert.equal(all.body.predictions.length, 2, 'tasks default to every loaded probe');
  });

  it('answers caller errors with 4xx, a code, a useful message and the field; keeps serving', async () => {
    const valid = { bundle: patient.bundle, predictionTime: '2020-01-01T00:00:00Z' };
    const noPatient = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: { resourceType: 'Observation', id: 'o1', status: 'final' } }],
    };
    const cases: { name: string; path: string; body: unknown; status: number; code: string; field: string | null; message: RegExp }[] = [
      {
        name: 'malformed JSON',
        path: '/v1/predict',
        body: '{"bundle": {"resourceType": "Bundle",',
        status: 400,
        code: 'invalid_json',
        field: null,
        message: /not valid JSON/,
      },
      { name: 'empty body', path: '/v1/serialize', body: '', status: 400, code: 'invalid_json', field: null, message: /empty/ },
      {
        name: 'not an object',
        path: '/v1/serialize',
        body: '[1,2]',
        status: 400,
        code: 'invalid_request',
        field: null,
        message: /JSON object/,
      },
      {
        name: 'no record',
        path: '/v1/serialize',
        body: { predictionTime: '2020-01-01' },
        status: 400,
        code: 'invalid_request',
        field: 'bundle',
        message: /"bundle".*"events"/,
      },
      {
        name: 'bundle without a Patient',
        path: '/v1/predict',
        body: { bundle: noPatient, predictionTime: '2020-01-01' },
        status: 400,
        code: 'no_patient',
        field: 'bundle.entry',
        message: /no Patient/,
      },
      {
        name: 'not a Bundle',
        path: '/v1/serialize',
        body: { bundle: { resourceType: 'Patient', id: 'x' }, predictionTime: '2020-01-01' },
        status: 400,
        code: 'invalid_bundle',
        field: 'bundle.resourceType',
        message: /expected a FHIR Bundle/,
      },
      {
        name: 'missing predictionTime',
        path: '/v1/predict',
        body: { bundle: patient.bundle },
        status: 400,
        code: 'invalid_request',
        field: 'predictionTime',
        message: /predictionTime is required/,
      },
      {
        name: 'invalid predictionTime',
        path: '/v1/serialize',
        body: { ...valid, predictionTime: 'last tuesday' },
        status: 400,
        code: 'invalid_request',
        field: 'predictionTime',
        message: /ISO 8601/,
      },
      {
        name: 'unknown task',
        path: '/v1/predict',
        body: { ...valid, tasks: ['risk_a', 'nope'] },
        status: 400,
        code: 'unknown_task',
        field: 'tasks[1]',
        message: /unknown task "nope"; loaded probes: risk_a, risk_b/,
      },
      {
        name: 'tasks not a list',
        path: '/v1/predict',
        body: { ...valid, tasks: 'risk_a' },
        status: 400,
        code: 'invalid_request',
        field: 'tasks',
        message: /non-empty array/,
      },
      {
        name: 'settings differ from the probe',
        path: '/v1/predict',
        body: { ...valid, maxTokens: 100 },
        status: 400,
        code: 'settings_mismatch',
        field: 'maxTokens',
        message: /trained on texts with maxTokens 2048/,
      },
      {
        name: 'bad format',
        path: '/v1/serialize',
        body: { ...valid, format: 'html' },
        status: 400,
        code: 'invalid_request',
        field: 'format',
        message: /markdown, list/,
      },
      {
        name: 'bad budget',
        path: '/v1/serialize',
        body: { ...valid, maxTokens: -3 },
        status: 400,
        code: 'invalid_request',
        field: 'maxTokens',
        message: /positive integer/,
      },
      {
        name: 'bad event',
        path: '/v1/serialize',
        body: { events: [{ time: '2019-01-01', code: '' }], predictionTime: '2020-01-01' },
        status: 400,
        code: 'invalid_request',
        field: 'events[0].code',
        message: /non-empty string/,
      },
      {
        name: 'subjectId without a dataset',
        path: '/v1/serialize',
        body: { subjectId: 5, predictionTime: '2020-01-01' },
        status: 400,
        code: 'no_dataset',
        field: 'subjectId',
        message: /--meds/,
      },
      {
        name: 'two records',
        path: '/v1/serialize',
        body: { ...valid, events: [] },
        status: 400,
        code: 'invalid_request',
        field: 'events',
        message: /one of/,
      },
      {
        name: 'oversized body',
        path: '/v1/predict',
        body: JSON.stringify({ ...valid, padding: 'x'.repeat(4 * 1024 * 1024) }),
        status: 413,
        code: 'payload_too_large',
        field: null,
        message: /3 MiB/,
      },
    ];
    for (const c of cases) {
      const r = await requestJson(url(c.path), c.body);
      assert.equal(r.status, c.status, `${c.name}: ${JSON.stringify(r.body).slice(0, 300)}`);
      assert.equal(r.body.error.code, c.code, c.name);
      assert.equal(r.body.error.path, c.field, c.name);
      assert.match(r.body.error.message, c.message, c.name);
      // The server keeps serving after each error.
      const ok = await requestJson(url('/v1/serialize'), valid);
      assert.equal(ok.status, 200, `after ${c.name}`);
    }
    const missing = await requestJson(url('/v1/nope'));
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
  });

  it('logs method, route, status and duration only: no patient content, no ids', async () => {
    assert.ok(logs.length > 10);
    for (const e of logs) assert.deepEqual(Object.keys(e).sort(), ['method', 'ms', 'route', 'status']);
    const text = JSON.stringify(logs);
    assert.ok(!text.includes(patient.patientId));
    assert.ok(!text.includes(String(patient.subjectId)));
    assert.ok(logs.some((e) => e.route === '/v1/predict' && e.status === 413));
    assert.ok(logs.some((e) => e.route === '(no route)' && e.status === 404));
  });
});

describe('API keys and binding', () => {
  const dir = tempDir('ehr-embed-api-key-');

  it('requires the key on /v1/* when one is set (Bearer or x-api-key); health, OpenAPI and the page stay open', async () => {
    const server = await startServer({ port: 0, cacheDir: null, apiKey: 's3cret-key', model: 'openai:http://127.0.0.1:9/v1#m' });
    try {
      const body = { events: [{ time: '2019-01-01', code: 'MEDS_BIRTH' }], predictionTime: '2020-01-01' };
      const none = await requestJson(`${server.url}/v1/serialize`, body);
      assert.equal(none.status, 401);
      assert.equal(none.body.error.code, 'unauthorized');
      assert.equal(none.headers.get('www-authenticate'), 'Bearer');
      assert.equal((await requestJson(`${server.url}/v1/serialize`, body, { authorization: 'Bearer wrong' })).status, 401);
      assert.equal((await requestJson(`${server.url}/v1/serialize`, body, { authorization: 'Bearer s3cret-key' })).status, 200);
      assert.equal((await requestJson(`${server.url}/v1/serialize`, body, { 'x-api-key': 's3cret-key' })).status, 200);
      assert.equal((await requestJson(`${server.url}/healthz`)).status, 200);
      assert.equal((await requestJson(`${server.url}/openapi.json`)).status, 200);
      const page = await requestJson(`${server.url}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    } finally {
      await server.close();
    }
  });

  it('refuses to listen beyond loopback without a key, in the library and the CLI', async () => {
    await assert.rejects(
      startServer({ host: '0.0.0.0', port: 0, cacheDir: null }),
      (err) => isUsageError(err) && /without an API key/.test(err.message),
    );
    const env = { ...process.env };
    delete env.EHR_EMBED_SERVER_KEY;
    const r = await runCliAsync(['serve', '--host', '0.0.0.0', '--port', '0'], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /refusing to listen on 0\.0\.0\.0 without an API key: set one in \$EHR_EMBED_SERVER_KEY/);
  });

  it('refuses a probe trained on another model than --model', async () => {
    const probe = writeTestProbe(dir, 'risk_a', 'openai:http://127.0.0.1:9/v1#m', DIMS, 7, null);
    await assert.rejects(
      startServer({ port: 0, cacheDir: null, probes: [probe], model: 'openai:http://127.0.0.1:9/v1#other' }),
      (err) => isUsageError(err) && /trained on model "openai:http:\/\/127\.0\.0\.1:9\/v1#m"/.test(err.message),
    );
    await assert.rejects(
      startServer({ port: 0, cacheDir: null, probes: [probe, probe] }),
      (err) => isUsageError(err) && /two probes for task "risk_a"/.test(err.message),
    );
  });

  it('knows loopback addresses and byte sizes', () => {
    for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(h), true, h);
    for (const h of ['0.0.0.0', '::', '192.168.1.5', '10.0.0.1', 'example.org']) assert.equal(isLoopbackHost(h), false, h);
    assert.equal(parseByteSize('5mb'), 5 * 1024 * 1024);
    assert.equal(parseByteSize('512KB'), 512 * 1024);
    assert.equal(parseByteSize('1048576'), 1048576);
    assert.throws(
      () => parseByteSize('lots'),
      (err) => isUsageError(err) && /--max-body expects a size/.test(err.message),
    );
  });
});
