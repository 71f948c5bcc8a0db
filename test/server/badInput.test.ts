// Bad requests against a real server: prototype names as data answer 200 or 4xx (never 500),
// checked prediction times, 405 with Allow for a wrong method, and a minimum API key length off
// loopback. Inputs are generated from the bundled R4 sample.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isUsageError } from '../../src/errors.ts';
import { MIN_API_KEY_LENGTH, startServer, type RunningServer } from '../../src/server/startServer.ts';
import { mulberry32 } from '../helpers/mulberry32.ts';
import { r4PatientBundles, requestJson } from './fixtures.ts';

type R = Record<string, unknown>;

describe('server: bad input', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ port: 0, cacheDir: null, model: 'openai:http://127.0.0.1:9/v1#m' });
  });
  after(() => server.close());

  it('prototype names in a bundle (class, gender, system, resourceType) answer 200, not 500', async () => {
    const bundle = structuredClone(r4PatientBundles()[0]?.bundle) as { entry: { resource: R }[] };
    const encounters = bundle.entry.filter((e) => e.resource.resourceType === 'Encounter');
    ['constructor', 'toString', '__proto__', 'hasOwnProperty'].forEach((name, i) => {
      (encounters[i] as { resource: R }).resource.class = { code: name };
    });
    const patient = bundle.entry.find((e) => e.resource.resourceType === 'Patient')!.resource;
    patient.gender = '__proto__';
    const condition = bundle.entry.find((e) => e.resource.resourceType === 'Condition')!.resource;
    (condition.code as { coding: R[] }).coding = [{ system: 'constructor', code: '446096008' }];
    bundle.entry.push({ resource: { resourceType: 'constructor', id: 'x', subject: { reference: `urn:uuid:${String(patient.id)}` } } });
    const r = await requestJson(`${server.url}/v1/serialize`, { bundle, predictionTime: '2024-01-01T00:00:00Z', format: 'list' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.doesNotMatch(r.body.text as string, /native code|function Object/);
  });

  it('prototype names as MEDS event codes and extra keys answer 200', async () => {
    const events = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'Gender/__proto__', 'Visit/constructor', 'valueOf'].map(
      (code, i) => ({ time: i === 4 ? null : `2019-0${i + 1}-01`, code, extra: { domain: code, __proto__x: 'y' } }),
    );
    for (const format of ['markdown', 'list']) {
      const r = await requestJson(`${server.url}/v1/serialize`, { events, predictionTime: '2020-01-01', format });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    const proto = await requestJson(
      `${server.url}/v1/serialize`,
      JSON.parse('{"events":[{"time":"2019-01-01","code":"A","extra":{"__proto__":"x"}}],"predictionTime":"2020-01-01"}') as R,
    );
    assert.equal(proto.status, 200);
  });

  it('prediction times: year 0019 stays 0019; minute 99 and offset +99:99 are 400', async () => {
    const events = [{ time: '0010-01-01', code: 'MEDS_BIRTH' }];
    const ok = await requestJson(`${server.url}/v1/serialize`, { events, predictionTime: '0019-05-01' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.predictionTime, '0019-05-01T00:00:00.000Z');
    for (const t of ['2019-05-01T00:99', '2019-05-01T00:00:60Z', '2019-05-01T00:00:00+99:99']) {
      const bad = await requestJson(`${server.url}/v1/serialize`, { events, predictionTime: t });
      assert.equal(bad.status, 400, t);
      assert.equal(bad.body.error.path, 'predictionTime');
    }
  });

  it('a body that is not JSON gets the kind and position of the error, never its text', async () => {
    const r = await requestJson(`${server.url}/v1/serialize`, '{"events":[{"code":Janet}]}');
    assert.equal(r.status, 400);
    assert.equal(r.body.error.message, 'the request body is not valid JSON (unexpected character at character 19)');
  });

  it('a wrong method is 405 with Allow; an unknown path stays 404', async () => {
    const get = await fetch(`${server.url}/v1/serialize`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    assert.equal(((await get.json()) as { error: { code: string } }).error.code, 'method_not_allowed');
    const del = await fetch(`${server.url}/healthz`, { method: 'DELETE' });
    assert.equal(del.status, 405);
    assert.equal(del.headers.get('allow'), 'GET, HEAD');
    const put = await fetch(`${server.url}/v1/subjects/123`, { method: 'PUT' });
    assert.equal(put.status, 405);
    assert.equal((await fetch(`${server.url}/v1/nothing-here`)).status, 404);
  });

  it('seeded fuzz: mutated bundles and events never get a 500', async () => {
    const rand = mulberry32(Number(process.env.FUZZ_SEED ?? 21));
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const odd = (): unknown =>
      pick([
        null,
        'constructor',
        '__proto__',
        'toString',
        'hasOwnProperty',
        'valueOf',
        '0019-05-01',
        '2019-05-01T00:99',
        'notalist',
        {},
        [],
        -1,
        0,
        1e308,
        'x'.repeat(3000),
        '\u0000',
        true,
        'Patient',
      ]);
    const mutate = (v: unknown, depth = 0): void => {
      if (typeof v !== 'object' || v === null) return;
      const o = v as R;
      const keys = Object.keys(o);
      if (keys.length === 0) return;
      const k = pick(keys);
      // Mostly deep inside resources: the top level is checked by parseRecordInput anyway.
      if (depth < 8 && rand() < 0.85 && typeof o[k] === 'object' && o[k] !== null) mutate(o[k], depth + 1);
      else o[k] = odd();
    };
    const bundles = r4PatientBundles().slice(0, 4);
    const statuses = new Map<number, number>();
    const deadline = Date.now() + Number(process.env.FUZZ_MS ?? 2000);
    do {
      const bundle = structuredClone(pick(bundles).bundle);
      for (let k = 0; k < 1 + Math.floor(rand() * 6); k++) mutate(bundle);
      const body =
        rand() < 0.2
          ? {
              events: [{ time: odd(), code: odd(), numericValue: odd(), textValue: odd(), extra: { [String(odd())]: odd() } }],
              predictionTime: '2024-01-01',
            }
          : { bundle, predictionTime: rand() < 0.9 ? '2024-01-01' : odd(), format: pick(['list', 'markdown']) };
      const r = await requestJson(`${server.url}${pick(['/v1/serialize', '/v1/inspect'])}`, body);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      assert.ok(r.status === 200 || r.status === 400, `status ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
    } while (Date.now() < deadline);
    assert.ok((statuses.get(200) ?? 0) > 0, 'some mutated records still convert');
  });

  it(`an API key shorter than ${MIN_API_KEY_LENGTH} characters is refused off loopback (and allowed on it)`, async () => {
    await assert.rejects(
      startServer({ host: '0.0.0.0', port: 0, cacheDir: null, apiKey: 'k', model: 'openai:http://127.0.0.1:9/v1#m' }),
      (err) => isUsageError(err) && /at least 16/.test(err.message) && !err.message.includes("'k'"),
    );
    const local = await startServer({ port: 0, cacheDir: null, apiKey: 'k', model: 'openai:http://127.0.0.1:9/v1#m' });
    await local.close();
    const wide = await startServer({
      host: '0.0.0.0',
      port: 0,
      cacheDir: null,
      apiKey: 'x'.repeat(MIN_API_KEY_LENGTH),
      model: 'openai:http://127.0.0.1:9/v1#m',
    });
    await wide.close();
  });
});
