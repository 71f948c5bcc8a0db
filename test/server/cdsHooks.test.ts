// CDS Hooks 2.0 on a real socket: discovery, patient-view and encounter-start calls answered from
// prefetch in several shapes or from a FHIR server stand-in on 127.0.0.1 (the R4 sample), parity
// with POST /v1/predict, cards and responses checked against HL7's CDS Hooks logical models, and
// the spec's error statuses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PREFETCH_TEMPLATES } from '../../src/server/cds/cdsPrefetch.ts';
import { CDS_EXTENSION_KEY } from '../../src/server/cds/mountCdsHooks.ts';
import { startServer, type RunningServer } from '../../src/server/startServer.ts';
import { startEmbeddingServer, type RunningServer as EmbeddingServer } from '../helpers/embeddingServer.ts';
import { tempDir } from '../helpers/paths.ts';
import { startFhirStandIn, type FhirStandIn } from './cdsFhirServer.ts';
import { CDS_FIXTURES, checkAgainstModel } from './cdsLogicalModel.ts';
import { patientView, prefetchedTypesBundle, prefetchFor, resourcesOf } from './cdsRequests.ts';
import { writeTestProbe } from './fixtures.ts';
import { r4PatientBundles, requestJson, type SampleBundle } from './fixtures.ts';

const DIMS = 8;
/** The request time of every call: after the sample's last events (2019). */
const NOW = Date.parse('2020-03-01T12:00:00Z');
const FHIR_TOKEN = 'fhir-access-token-for-tests';

describe('CDS Hooks', () => {
  const dir = tempDir('ehr-embed-cds-');
  let embeddings: EmbeddingServer;
  let fhir: FhirStandIn;
  let server: RunningServer;
  let probeDirs: string[];
  const patients = r4PatientBundles();
  // Patients with many observations (paged by the stand-in) and with every kind of data.
  const rich = patients.find((p) => resourcesOf(p, 'Observation').length > 100 && resourcesOf(p, 'Procedure').length > 0) as SampleBundle;
  const other = patients.find((p) => p !== rich && resourcesOf(p, 'Condition').length > 0) as SampleBundle;
  const url = (p: string): string => `${server.url}${p}`;
  const ext = (body: { extension: Record<string, Record<string, unknown>> }): Record<string, unknown> =>
    body.extension[CDS_EXTENSION_KEY] as Record<string, unknown>;

  before(async () => {
    embeddings = await startEmbeddingServer({ dims: DIMS });
    const model = `openai:${embeddings.url}#m`;
    probeDirs = [writeTestProbe(dir, 'mortality_1y', model, DIMS, 7), writeTestProbe(dir, 'readmission_30d', model, DIMS, 11)];
    fhir = await startFhirStandIn({ token: FHIR_TOKEN });
    server = await startServer({
      port: 0,
      probes: probeDirs,
      cacheDir: join(dir, 'cache'),
      cds: { now: () => NOW, fhirServerAllow: [fhir.base], thresholds: { warning: 0.3, critical: 0.7 } },
    });
  });
  after(async () => {
    await server?.close();
    await fhir?.close();
    await embeddings?.close();
  });

  it('has the sample patients the tests need', () => {
    assert.ok(rich && other);
  });

  it("the logical-model checker passes the spec's examples and fails broken ones", () => {
    const read = (f: string): Record<string, unknown> => JSON.parse(readFileSync(join(CDS_FIXTURES, f), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(checkAgainstModel('CDSHooksServices', read('discovery.example.json')), []);
    assert.deepEqual(checkAgainstModel('CDSHooksRequest', read('request.example.json')), []);
    assert.deepEqual(checkAgainstModel('CDSHooksRequest', read('request-extension.example.json')), []);
    assert.deepEqual(checkAgainstModel('CDSHooksResponse', read('response.example.json')), []);
    // The spec's autolaunchable example leaves out the required indicator.
    assert.deepEqual(checkAgainstModel('CDSHooksResponse', read('response-autolaunchable.example.json')), [
      'CDSHooksResponse.cards[0].indicator: required',
    ]);
    const resp = read('response.example.json') as { cards: Record<string, unknown>[] };
    const c0 = resp.cards[0] as Record<string, unknown>;
    resp.cards[0] = {
      ...c0,
      indicator: 'hard-stop',
      summary: 'x'.repeat(140),
      links: [{ label: 'l', url: 'not a url', type: 'absolute', appContext: 'a' }],
      extra: 1,
    };
    assert.deepEqual(checkAgainstModel('CDSHooksResponse', resp).sort(), [
      'CDSHooksResponse.cards[0].extra: not an element of the model',
      'CDSHooksResponse.cards[0].indicator: "hard-stop" is not one of info, warning, critical',
      'CDSHooksResponse.cards[0].links[0].url: expected an absolute URL, got "not a url"',
      'cards[0].summary: 140 characters (must be < 140)',
      'cds-resp-3: cards[0].links[0] appContext on a non-smart link',
    ]);
    const req = read('request.example.json');
    assert.deepEqual(
      checkAgainstModel('CDSHooksRequest', { ...req, fhirServer: undefined, hookInstance: 'x', prefetch: { p: 'Patient/1' } }).sort(),
      [
        'CDSHooksRequest.hookInstance: expected a UUID, got "x"',
        'CDSHooksRequest.prefetch.p: expected a FHIR resource or null',
        'cds-r-1: fhirAuthorization without fhirServer',
      ],
    );
  });

  it('discovery: one service per probe and hook, with prefetch templates for every resource type the converter reads', async () => {
    const res = await requestJson(url('/cds-services'));
    assert.equal(res.status, 200);
    assert.deepEqual(checkAgainstModel('CDSHooksServices', res.body), []);
    const services = res.body.services as {
      id: string;
      hook: string;
      title: string;
      description: string;
      prefetch: Record<string, string>;
    }[];
    assert.deepEqual(
      services.map((s) => `${s.id}:${s.hook}`),
      ['mortality_1y:patient-view', 'mortality_1y:encounter-start', 'readmission_30d:patient-view', 'readmission_30d:encounter-start'],
    );
    const s = services[0] as (typeof services)[number];
    assert.equal(s.prefetch.patient, 'Patient/{{context.patientId}}');
    assert.equal(s.prefetch.observations, 'Observation?patient={{context.patientId}}');
    for (const type of ['Encounter', 'Condition', 'Observation', 'MedicationRequest', 'Procedure', 'Immunization', 'AllergyIntolerance']) {
      assert.ok(Object.values(s.prefetch).includes(`${type}?patient={{context.patientId}}`), type);
    }
    assert.match(s.title, /death within 365 days/);
    assert.match(s.description, /not a validated clinical score/);
  });

  let firstProbability = 0;
  let firstToken = '';
  let firstBody: { cards: Record<string, unknown>[]; extension: Record<string, Record<string, unknown>> };

  it('patient-view with searchset-Bundle prefetch: one card, valid against the logical model, with risk, indicator, detail, source and inspector link', async () => {
    const req = patientView(rich, prefetchFor(rich, 'searchset'));
    assert.deepEqual(checkAgainstModel('CDSHooksRequest', req), [], 'the test request itself is a valid CDS Hooks request');
    const res = await requestJson(url('/cds-services/mortality_1y'), req);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(checkAgainstModel('CDSHooksResponse', res.body), []);
    firstBody = res.body;
    const [card] = res.body.cards;
    const e = ext(res.body);
    const p = e.probability as number;
    assert.ok(p > 0 && p < 1);
    firstProbability = p;
    firstToken = e.inspectorToken as string;
    assert.equal(e.predictionTime, new Date(NOW).toISOString());
    assert.equal(e.predictionTimeSource, 'request-time');
    assert.deepEqual(e.missing, []);
    assert.equal((e.prefetched as string[]).length, PREFETCH_TEMPLATES.length);
    assert.ok(card.summary.length < 140);
    assert.ok(card.summary.startsWith(`${(p * 100).toFixed(1)}% predicted probability: death within 365 days`), card.summary);
    assert.equal(card.indicator, p >= 0.7 ? 'critical' : p >= 0.3 ? 'warning' : 'info');
    const probe = (await requestJson(url('/v1/models'))).body.probes.find((x: { task: string }) => x.task === 'mortality_1y');
    assert.equal(e.probeChecksum, probe.checksum);
    assert.ok(
      card.source.label.includes(`openai:${embeddings.url}#m`) && card.source.label.includes(probe.checksum.slice(7, 19)),
      card.source.label,
    );
    assert.ok(card.detail.includes(probe.checksum), 'the detail names the whole checksum');
    assert.match(card.detail, /\*\*What this is not\.\*\* Not a diagnosis/);
    assert.match(card.detail, /\*\*What the model read\*\* \(first 15 of \d+ lines\):\n\n```text\n/);
    assert.deepEqual(card.links, [
      { label: 'Open this prediction in the ehr-embed inspector', url: `${server.url}/?cds=${firstToken}`, type: 'absolute' },
    ]);
  });

  it('scores through the /v1/predict path: the same record gives the same number there', async () => {
    const stored = await requestJson(url(`/v1/cds-predictions/${firstToken}`));
    assert.equal(stored.status, 200);
    assert.deepEqual(stored.body.response, firstBody);
    const viaStored = await requestJson(url('/v1/predict'), {
      bundle: stored.body.bundle,
      predictionTime: stored.body.predictionTime,
      tasks: ['mortality_1y'],
    });
    assert.equal(viaStored.body.predictions[0].probability, firstProbability);
    // Independently: the sample's own resources of the prefetched types.
    const direct = await requestJson(url('/v1/predict'), {
      bundle: prefetchedTypesBundle(rich),
      predictionTime: new Date(NOW).toISOString(),
      tasks: ['mortality_1y'],
    });
    assert.equal(direct.status, 200);
    assert.equal(direct.body.predictions[0].probability, firstProbability);
  });

  it('gives the same number for every prefetch shape: bare resources and null, collection Bundles', async () => {
    for (const shape of ['bare', 'collection'] as const) {
      const res = await requestJson(url('/cds-services/mortality_1y'), patientView(rich, prefetchFor(rich, shape)));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(ext(res.body).probability, firstProbability, shape);
    }
  });

  it('fetches what is not prefetched from the FHIR server with the bearer token, every page, and gets the same number', async () => {
    fhir.requests.length = 0;
    const req = patientView(rich, undefined, {
      fhirServer: fhir.base,
      fhirAuthorization: { access_token: FHIR_TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'user/*.read', subject: 'ehr-embed' },
    });
    assert.deepEqual(checkAgainstModel('CDSHooksRequest', req), []);
    const res = await requestJson(url('/cds-services/mortality_1y'), req);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(ext(res.body).probability, firstProbability);
    assert.equal((ext(res.body).fetched as string[]).length, PREFETCH_TEMPLATES.length);
    assert.ok(fhir.requests.every((r) => r.authorization === `Bearer ${FHIR_TOKEN}`));
    assert.ok(fhir.requests.some((r) => r.path === `/fhir/Patient/${rich.patientId}`));
    assert.ok(
      fhir.requests.some((r) => r.path.startsWith('/fhir/Observation?') && r.path.includes('_offset=')),
      'followed next links',
    );
  });

  it('mixes prefetch and fetching: only the missing keys are fetched', async () => {
    fhir.requests.length = 0;
    const res = await requestJson(
      url('/cds-services/mortality_1y'),
      patientView(rich, prefetchFor(rich, 'searchset', ['observations']), {
        fhirServer: fhir.base,
        fhirAuthorization: { access_token: FHIR_TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'user/*.read', subject: 'ehr-embed' },
      }),
    );
    assert.equal(res.status, 200);
    assert.deepEqual(ext(res.body).fetched, ['observations']);
    assert.ok(fhir.requests.every((r) => r.path.startsWith('/fhir/Observation?')));
    assert.equal(ext(res.body).probability, firstProbability);
  });

  it('scores without optional resources that were not sent, and says so', async () => {
    const res = await requestJson(
      url('/cds-services/mortality_1y'),
      patientView(rich, prefetchFor(rich, 'searchset', ['observations', 'procedures', 'carePlans'])),
    );
    assert.equal(res.status, 200);
    assert.deepEqual(checkAgainstModel('CDSHooksResponse', res.body), []);
    assert.deepEqual(ext(res.body).missing, ['observations', 'procedures', 'carePlans']);
    assert.match(res.body.cards[0].detail, /\*\*Not available to the model:\*\* observations, procedures, carePlans/);
    assert.notEqual(ext(res.body).probability, firstProbability, 'a smaller record reads differently');
  });

  it('answers a patient it has not seen before, on another service', async () => {
    const res = await requestJson(url('/cds-services/readmission_30d'), patientView(other, prefetchFor(other, 'bare')));
    assert.equal(res.status, 200);
    assert.deepEqual(checkAgainstModel('CDSHooksResponse', res.body), []);
    assert.match(res.body.cards[0].summary, /predicted probability: a new inpatient admission within 30 days/);
    const direct = await requestJson(url('/v1/predict'), {
      bundle: prefetchedTypesBundle(other),
      predictionTime: new Date(NOW).toISOString(),
      tasks: ['readmission_30d'],
    });
    assert.equal(direct.body.predictions[0].probability, ext(res.body).probability);
  });

  it('returns no card, with the reason in the extension, when the record has too little data or the patient is deceased', async () => {
    const prefetch: Record<string, unknown> = { patient: resourcesOf(rich, 'Patient')[0] };
    for (const t of PREFETCH_TEMPLATES) if (!t.read) prefetch[t.key] = { resourceType: 'Bundle', type: 'searchset', total: 0 };
    const res = await requestJson(url('/cds-services/mortality_1y'), patientView(rich, prefetch));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.cards, []);
    assert.deepEqual(checkAgainstModel('CDSHooksResponse', res.body), []);
    assert.match(ext(res.body).reason as string, /too little data to score: 0 dated event/);
    const dead = { ...(resourcesOf(rich, 'Patient')[0] as Record<string, unknown>), deceasedDateTime: '2019-05-01T00:00:00Z' };
    const deceased = await requestJson(
      url('/cds-services/mortality_1y'),
      patientView(rich, { ...prefetchFor(rich, 'searchset'), patient: dead }),
    );
    assert.equal(deceased.status, 200);
    assert.deepEqual(deceased.body.cards, []);
    assert.match(ext(deceased.body).reason as string, /recorded as deceased/);
    const nullPatient = await requestJson(url('/cds-services/mortality_1y'), patientView(rich, { ...prefetch, patient: null }));
    assert.equal(nullPatient.status, 200);
    assert.deepEqual(nullPatient.body.cards, []);
    assert.match(ext(nullPatient.body).reason as string, /no Patient resource/);
  });

  it('encounter-start: an encounter in progress sets the prediction time to its start', async () => {
    const enc = resourcesOf(rich, 'Encounter')[3] as Record<string, unknown>;
    const start = (enc.period as { start: string }).start;
    const prefetch = prefetchFor(rich, 'searchset');
    const ongoing = { ...enc, status: 'in-progress', period: { start } };
    const bundle = prefetch.encounters as { entry: { resource: Record<string, unknown> }[] };
    prefetch.encounters = { ...bundle, entry: bundle.entry.map((e) => (e.resource.id === enc.id ? { ...e, resource: ongoing } : e)) };
    const req = {
      hookInstance: '1f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      hook: 'encounter-start',
      context: { userId: 'PractitionerRole/A2340113', patientId: rich.patientId, encounterId: enc.id },
      prefetch,
    };
    assert.deepEqual(checkAgainstModel('CDSHooksRequest', req), []);
    const res = await requestJson(url('/cds-services/mortality_1y'), req);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(ext(res.body).predictionTime, new Date(Date.parse(start)).toISOString());
    assert.equal(ext(res.body).predictionTimeSource, 'encounter-start');
    assert.match(res.body.cards[0].detail, /the start of the encounter in progress/);
    const direct = await requestJson(url('/v1/predict'), {
      bundle: (await requestJson(url(`/v1/cds-predictions/${ext(res.body).inspectorToken as string}`))).body.bundle,
      predictionTime: ext(res.body).predictionTime,
      tasks: ['mortality_1y'],
    });
    assert.equal(direct.body.predictions[0].probability, ext(res.body).probability);
    // A finished encounter in context: the request time.
    const done = await requestJson(url('/cds-services/mortality_1y'), {
      ...req,
      context: { ...req.context, encounterId: (resourcesOf(rich, 'Encounter')[5] as { id: string }).id },
      prefetch: prefetchFor(rich, 'searchset'),
    });
    assert.equal(ext(done.body).predictionTimeSource, 'request-time');
  });

  it('answers errors the spec way: 404 unknown service, 412 missing prefetch, 400 with a reason for bad requests', async () => {
    const good = patientView(rich, prefetchFor(rich, 'bare'));
    const unknown = await requestJson(url('/cds-services/nope'), good);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'unknown_service');

    const noPrefetch = await requestJson(url('/cds-services/mortality_1y'), patientView(rich));
    assert.equal(noPrefetch.status, 412);
    assert.equal(noPrefetch.body.error.code, 'prefetch_missing');
    assert.match(noPrefetch.body.error.message, /required prefetch "patient" is missing and the request names no fhirServer/);

    // The spec's own request example, verbatim: its prefetch key is not ours and its fhirServer is not on the allow list.
    const specExample = JSON.parse(readFileSync(join(CDS_FIXTURES, 'request.example.json'), 'utf8'));
    assert.deepEqual(checkAgainstModel('CDSHooksRequest', specExample), []);
    const spec = await requestJson(url('/cds-services/mortality_1y'), specExample);
    assert.equal(spec.status, 412);
    assert.match(spec.body.error.message, /not on this service's allow list/);

    // The allow list matches whole path segments: /fhirx is not under /fhir.
    const beside = await requestJson(
      url('/cds-services/mortality_1y'),
      patientView(rich, undefined, {
        fhirServer: `${fhir.base}x`,
        fhirAuthorization: { access_token: FHIR_TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'user/*.read', subject: 'x' },
      }),
    );
    assert.equal(beside.status, 412);
    assert.match(beside.body.error.message, /not on this service's allow list/);

    const refused = await requestJson(
      url('/cds-services/mortality_1y'),
      patientView(rich, undefined, {
        fhirServer: fhir.base,
        fhirAuthorization: { access_token: 'wrong', token_type: 'Bearer', expires_in: 300, scope: 'user/*.read', subject: 'x' },
      }),
    );
    assert.equal(refused.status, 412);
    assert.match(refused.body.error.message, /HTTP 401 \(the access token was refused\)/);

    const cases: [unknown, string | null, RegExp][] = [
      ['{not json', null, /not valid JSON/],
      [{ ...good, hook: undefined }, 'hook', /hook is required/],
      [{ ...good, hook: 'order-sign' }, 'hook', /answers the hooks patient-view, encounter-start/],
      [{ ...good, hookInstance: '' }, 'hookInstance', /hookInstance is required/],
      [{ ...good, context: undefined }, 'context', /context is required/],
      [{ ...good, context: { userId: 'Practitioner/1' } }, 'context.patientId', /patientId is required/],
      [{ ...good, hook: 'encounter-start' }, 'context.encounterId', /required for encounter-start/],
      [
        { ...good, fhirAuthorization: { access_token: 'x', token_type: 'Bearer', expires_in: 1, scope: 's', subject: 's' } },
        'fhirServer',
        /fhirAuthorization needs fhirServer/,
      ],
      [{ ...good, fhirServer: 'ftp://x' }, 'fhirServer', /http\(s\) base URL/],
      [{ ...good, prefetch: { observations: [1, 2] } }, 'prefetch.observations', /must be a FHIR resource/],
      [
        { ...good, prefetch: { ...(good.prefetch as object), patient: resourcesOf(other, 'Patient')[0] } },
        'prefetch.patient',
        /not the patient of context.patientId/,
      ],
    ];
    for (const [body, path, message] of cases) {
      const res = await requestJson(url('/cds-services/mortality_1y'), body);
      assert.equal(res.status, 400, `${path}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.path, path);
      assert.match(res.body.error.message, message);
    }
  });

  it('accepts the API key as Authorization: Bearer when one is required; 413 beyond --max-body', async () => {
    const keyed = await startServer({
      port: 0,
      probes: probeDirs,
      cacheDir: null,
      apiKey: 'k-0123456789abcdef',
      maxBodyBytes: 3 * 1024 * 1024,
      cds: { now: () => NOW },
    });
    try {
      const none = await requestJson(`${keyed.url}/cds-services`);
      assert.equal(none.status, 401);
      const ok = await requestJson(`${keyed.url}/cds-services`, undefined, { authorization: 'Bearer k-0123456789abcdef' });
      assert.equal(ok.status, 200);
      const call = await requestJson(`${keyed.url}/cds-services/mortality_1y`, patientView(rich, prefetchFor(rich, 'bare')), {
        authorization: 'Bearer k-0123456789abcdef',
      });
      assert.equal(call.status, 200);
      assert.equal(ext(call.body).probability, firstProbability);
      const wrong = await requestJson(`${keyed.url}/cds-services/mortality_1y`, patientView(rich, prefetchFor(rich, 'bare')), {
        authorization: 'Bearer nope',
      });
      assert.equal(wrong.status, 401);
      const big = await requestJson(
        `${keyed.url}/cds-services/mortality_1y`,
        patientView(rich, prefetchFor(rich, 'bare'), { extension: { padding: 'x'.repeat(4 * 1024 * 1024) } }),
        { authorization: 'Bearer k-0123456789abcdef' },
      );
      assert.equal(big.status, 413);
      assert.equal(big.body.error.code, 'payload_too_large');
      const after413 = await requestJson(`${keyed.url}/cds-services`, undefined, { authorization: 'Bearer k-0123456789abcdef' });
      assert.equal(after413.status, 200, 'keeps serving');
    } finally {
      await keyed.close();
    }
  });
});
