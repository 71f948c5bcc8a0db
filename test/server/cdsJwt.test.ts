// The EHR's JWT on CDS Hooks calls: the spec's own example token and JWK Set, tokens signed here
// with fresh ES384, RS384 and HS256 keys, every claim check, replay, and the serve flags.
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isUsageError } from '../../src/errors.ts';
import { cdsOptionsFromFlags } from '../../src/server/cds/cdsOptionsFromFlags.ts';
import { CdsJwtError, CdsJwtVerifier } from '../../src/server/cds/CdsJwtVerifier.ts';
import { startServer, type RunningServer } from '../../src/server/startServer.ts';
import { startEmbeddingServer, type RunningServer as EmbeddingServer } from '../helpers/embeddingServer.ts';
import { tempDir } from '../helpers/paths.ts';
import { CDS_FIXTURES } from './cdsLogicalModel.ts';
import { patientView, prefetchFor } from './cdsRequests.ts';
import { writeTestProbe } from './fixtures.ts';
import { r4PatientBundles, requestJson } from './fixtures.ts';

const SPEC_TOKEN = readFileSync(join(CDS_FIXTURES, 'jwt.example.txt'), 'utf8').trim();
const SPEC_JWKS = JSON.parse(readFileSync(join(CDS_FIXTURES, 'jwks.example.json'), 'utf8')) as unknown;
const SPEC_AUD = 'https://cds.example.org/cds-services/some-service';
/** Between the example token's iat (1311280970) and exp (1422568860). */
const SPEC_NOW = 1_400_000_000_000;

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A JWT signed here: ES*, RS* with a private key, HS* with a shared secret. */
function signJwt(alg: string, key: KeyObject | string, payload: Record<string, unknown>, kid = 'k1'): string {
  const data = `${b64({ alg, typ: 'JWT', kid })}.${b64(payload)}`;
  const digest = `sha${alg.slice(2)}`;
  const sig =
    typeof key === 'string'
      ? createHmac(digest, key).update(data).digest()
      : sign(digest, Buffer.from(data), alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${data}.${sig.toString('base64url')}`;
}

function claims(aud: string, nowMs: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(nowMs / 1000);
  return { iss: 'https://ehr.example.org/', aud, iat: now, exp: now + 300, jti: randomUUID(), ...extra };
}

function rejects(f: () => unknown, message: RegExp): void {
  assert.throws(f, (err: unknown) => err instanceof CdsJwtError && message.test(err.message));
}

describe('CDS Hooks JWT verification', () => {
  it("verifies the spec's example ES384 token with the spec's JWK Set, once", () => {
    const v = new CdsJwtVerifier({ jwks: SPEC_JWKS });
    const c = v.verify(SPEC_TOKEN, SPEC_AUD, SPEC_NOW);
    assert.deepEqual(c, {
      iss: 'https://fhir-ehr.example.com/',
      jti: 'ee22b021-e1b7-4611-ba5b-8eec6a33ac1e',
      tenant: '2ddd6c3a-8e9a-44c6-a305-52111ad302a2',
    });
    rejects(() => v.verify(SPEC_TOKEN, SPEC_AUD, SPEC_NOW), /used before \(replay\)/);
  });

  it('rejects the example token for another endpoint, after it expired, tampered, or with a wrong key', () => {
    rejects(
      () => new CdsJwtVerifier({ jwks: SPEC_JWKS }).verify(SPEC_TOKEN, 'https://cds.example.org/cds-services/other', SPEC_NOW),
      /aud is not this endpoint/,
    );
    rejects(() => new CdsJwtVerifier({ jwks: SPEC_JWKS }).verify(SPEC_TOKEN, SPEC_AUD, Date.now()), /expired/);
    rejects(() => new CdsJwtVerifier({ jwks: SPEC_JWKS }).verify(SPEC_TOKEN, SPEC_AUD, 1_300_000_000_000), /iat is in the future/);
    const [h, p, s] = SPEC_TOKEN.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    rejects(
      () => new CdsJwtVerifier({ jwks: SPEC_JWKS }).verify(`${h}.${b64({ ...payload, tenant: 'other' })}.${s}`, SPEC_AUD, SPEC_NOW),
      /signature does not verify/,
    );
    rejects(
      () => new CdsJwtVerifier({ jwks: SPEC_JWKS, issuers: ['https://other.example/'] }).verify(SPEC_TOKEN, SPEC_AUD, SPEC_NOW),
      /not an accepted issuer/,
    );
    const other = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    rejects(
      () => new CdsJwtVerifier({ jwks: { keys: [{ ...other, kid: 'example-kid' }] } }).verify(SPEC_TOKEN, SPEC_AUD, SPEC_NOW),
      /signature does not verify/,
    );
    rejects(
      () => new CdsJwtVerifier({ jwks: { keys: [{ ...other, kid: 'another-kid' }] } }).verify(SPEC_TOKEN, SPEC_AUD, SPEC_NOW),
      /no EC key with kid "example-kid"/,
    );
  });

  it('never accepts alg none, and HS256 only with a configured shared key', () => {
    const now = Date.now();
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims(SPEC_AUD, now))}.`;
    rejects(() => new CdsJwtVerifier({ jwks: SPEC_JWKS }).verify(unsigned, SPEC_AUD, now), /alg "none" is not accepted/);
    const hs = signJwt('HS256', 'a-shared-test-secret', claims(SPEC_AUD, now));
    rejects(() => new CdsJwtVerifier({ jwks: SPEC_JWKS }).verify(hs, SPEC_AUD, now), /needs a shared key/);
    assert.equal(new CdsJwtVerifier({ sharedKey: 'a-shared-test-secret' }).verify(hs, SPEC_AUD, now).iss, 'https://ehr.example.org/');
    rejects(() => new CdsJwtVerifier({ sharedKey: 'another-secret' }).verify(hs, SPEC_AUD, now), /signature does not verify/);
  });

  it('verifies RS384 with a JWK Set of several keys by kid, and checks every required claim', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const jwks = {
      keys: [
        { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', alg: 'RS384' },
        { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1' },
      ],
    };
    const v = new CdsJwtVerifier({ jwks });
    const now = Date.now();
    assert.equal(v.verify(signJwt('RS384', rsa.privateKey, claims(SPEC_AUD, now), 'rsa-1'), SPEC_AUD, now).iss, 'https://ehr.example.org/');
    assert.equal(
      v.verify(signJwt('ES384', ec.privateKey, claims([SPEC_AUD] as unknown as string, now), 'ec-1'), SPEC_AUD, now).iss,
      'https://ehr.example.org/',
      'aud may be an array',
    );
    for (const claim of ['iss', 'exp', 'iat', 'jti']) {
      const c = claims(SPEC_AUD, now);
      delete c[claim];
      rejects(() => v.verify(signJwt('RS384', rsa.privateKey, c, 'rsa-1'), SPEC_AUD, now), new RegExp(`has no ${claim}`));
    }
    rejects(() => v.verify(signJwt('RS384', rsa.privateKey, claims(SPEC_AUD, now), 'ec-1'), SPEC_AUD, now), /no RSA key with kid "ec-1"/);
    rejects(() => v.verify('not-a-jwt', SPEC_AUD, now), /not a JWT/);
  });

  it('refuses a JWK Set with private keys or without keys, naming the file', () => {
    const dir = tempDir('ehr-embed-jwks-');
    const file = join(dir, 'private.json');
    writeFileSync(
      file,
      JSON.stringify({ keys: [generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'jwk' })] }),
    );
    assert.throws(
      () => CdsJwtVerifier.fromFiles({ jwksFile: file }),
      (e: unknown) => isUsageError(e) && e.message.includes(file) && /private key/.test(e.message),
    );
    assert.throws(
      () => new CdsJwtVerifier({ jwks: { keys: [] } }),
      (e: unknown) => isUsageError(e) && /non-empty "keys"/.test(e.message),
    );
  });

  it('checks the serve flags', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ cdsThresholds: '0.5,0.2' }, /--cds-thresholds expects/],
      [{ cdsThresholds: '0.5' }, /--cds-thresholds expects/],
      [{ cdsHooks: ['order-sign'] }, /--cds-hooks expects patient-view and\/or encounter-start/],
      [{ cdsRequirePrefetch: ['labs'] }, /--cds-require-prefetch expects prefetch keys \(patient, encounters/],
      [{ cdsFhirAllow: ['ehr.example.org'] }, /--cds-fhir-allow expects http\(s\) URL prefixes/],
      [{ cdsEncounterTime: 'admission' }, /--cds-encounter-time expects start or request/],
      [{ cdsMinEvents: '-1' }, /--cds-min-events expects a non-negative integer/],
      [{ cdsJwtIssuer: ['https://ehr.example.org/'] }, /--cds-jwt-issuer needs --cds-jwks/],
    ];
    for (const [flags, message] of bad)
      assert.throws(
        () => cdsOptionsFromFlags(flags),
        (e: unknown) => isUsageError(e) && message.test(e.message),
        JSON.stringify(flags),
      );
    const o = cdsOptionsFromFlags({
      cdsThresholds: '0.1,0.4',
      cdsHooks: ['patient-view'],
      cdsRequirePrefetch: ['patient', 'observations'],
      cdsEncounterTime: 'request',
      cdsMinEvents: '3',
      cdsBaseUrl: 'https://cds.example.org/',
      cdsJwtSharedKey: 'k',
    });
    assert.deepEqual(
      { ...o, jwt: o.jwt instanceof CdsJwtVerifier },
      {
        thresholds: { warning: 0.1, critical: 0.4 },
        hooks: ['patient-view'],
        requiredPrefetch: ['patient', 'observations'],
        encounterTime: 'request',
        minEvents: 3,
        publicBaseUrl: 'https://cds.example.org',
        jwt: true,
      },
    );
  });
});

describe('CDS Hooks with the EHR JWT required', () => {
  const dir = tempDir('ehr-embed-cds-jwt-');
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  let embeddings: EmbeddingServer;
  let server: RunningServer;
  const base = 'https://cds.example.org';

  before(async () => {
    embeddings = await startEmbeddingServer({ dims: 8 });
    const jwks = join(dir, 'jwks.json');
    writeFileSync(
      jwks,
      JSON.stringify({ keys: [{ ...ec.publicKey.export({ format: 'jwk' }), kid: 'ehr-key', alg: 'ES384', use: 'sig' }] }),
    );
    const cds = cdsOptionsFromFlags({ cdsJwks: jwks, cdsJwtIssuer: ['https://ehr.example.org/'], cdsBaseUrl: base });
    server = await startServer({
      port: 0,
      probes: [writeTestProbe(dir, 'mortality_1y', `openai:${embeddings.url}#m`, 8, 3)],
      cacheDir: null,
      apiKey: 'an-api-key-for-v1',
      cds,
    });
  });
  after(async () => {
    await server?.close();
    await embeddings?.close();
  });

  it('answers discovery and calls with a valid JWT for that endpoint, once per token; the API key is not asked for there', async () => {
    const token = signJwt('ES384', ec.privateKey, claims(`${base}/cds-services`, Date.now()), 'ehr-key');
    const ok = await requestJson(`${server.url}/cds-services`, undefined, { authorization: `Bearer ${token}` });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.services.length, 2);
    const replay = await requestJson(`${server.url}/cds-services`, undefined, { authorization: `Bearer ${token}` });
    assert.equal(replay.status, 401);
    assert.match(replay.body.error.message, /replay/);
    assert.equal(replay.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    const none = await requestJson(`${server.url}/cds-services`);
    assert.equal(none.status, 401);
    assert.match(none.body.error.message, /requires the CDS Client's JWT/);
    const apiKeyOnly = await requestJson(`${server.url}/cds-services`, undefined, { authorization: 'Bearer an-api-key-for-v1' });
    assert.equal(apiKeyOnly.status, 401, 'the API key does not replace the EHR JWT');

    const p = r4PatientBundles()[4] as ReturnType<typeof r4PatientBundles>[number];
    const wrongAud = await requestJson(`${server.url}/cds-services/mortality_1y`, patientView(p, prefetchFor(p, 'bare')), {
      authorization: `Bearer ${signJwt('ES384', ec.privateKey, claims(`${base}/cds-services`, Date.now()), 'ehr-key')}`,
    });
    assert.equal(wrongAud.status, 401);
    assert.match(wrongAud.body.error.message, /aud is not this endpoint \(https:\/\/cds\.example\.org\/cds-services\/mortality_1y\)/);
    const call = await requestJson(`${server.url}/cds-services/mortality_1y`, patientView(p, prefetchFor(p, 'bare')), {
      authorization: `Bearer ${signJwt('ES384', ec.privateKey, claims(`${base}/cds-services/mortality_1y`, Date.now()), 'ehr-key')}`,
    });
    assert.equal(call.status, 200, JSON.stringify(call.body));
    assert.equal(call.body.cards.length, 1);
    assert.ok(call.body.cards[0].links[0].url.startsWith(`${base}/?cds=`), 'inspector links use the public base URL');
    // The inspector's route stays behind the API key.
    const v1 = await requestJson(`${server.url}/v1/cds-services/mortality_1y`, patientView(p, prefetchFor(p, 'bare')), {
      'x-api-key': 'an-api-key-for-v1',
    });
    assert.equal(v1.status, 200);
    assert.equal(v1.body.extension['ehr-embed.prediction'].probability, call.body.extension['ehr-embed.prediction'].probability);
  });
});
