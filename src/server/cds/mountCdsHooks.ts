/**
 * CDS Hooks 2.0 on the service's hono app: `GET /cds-services` (discovery: one service per loaded
 * probe), `POST /cds-services/{id}` (a `patient-view` or `encounter-start` call → one card), the
 * same call under `/v1/cds-services/{id}` for the inspector page (behind the API key), and
 * `GET /v1/cds-predictions/{token}` (what a card's inspector link shows).
 *
 * A call is scored through the code of `POST /v1/predict`: the prefetched (or fetched) resources
 * become one FHIR Bundle, read by `parseRecordInput` and scored by `ScoringService.predict`.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { payloadLimit } from '../payloadLimit.ts';
import { ApiError } from '../ApiError.ts';
import { apiKeyAuth } from '../apiKeyAuth.ts';
import { errorBody } from '../errorBody.ts';
import { parseRecordInput } from '../parseRecordInput.ts';
import type { ScoringService } from '../ScoringService.ts';
import { buildCdsCard, DEFAULT_CDS_THRESHOLDS, type CdsThresholds } from './buildCdsCard.ts';
import { cdsPredictionTime, type EncounterTimePolicy } from './cdsPredictionTime.ts';
import { PREFETCH_TEMPLATES, prefetchObject } from './cdsPrefetch.ts';
import { CdsJwtError, type CdsJwtVerifier } from './CdsJwtVerifier.ts';
import { CdsPredictionStore } from './CdsPredictionStore.ts';
import { collectCdsResources } from './collectCdsResources.ts';
import { CDS_HOOKS, parseCdsRequest, type CdsHook } from './parseCdsRequest.ts';
import { taskPhrase } from './taskPhrase.ts';

/** CDS Hooks settings of the app. */
export interface CdsOptions {
  /** Indicator thresholds (default warning 0.2, critical 0.5). */
  readonly thresholds?: CdsThresholds;
  /** Prefetch keys without which a call is answered 412 when no FHIR server can supply them (default `patient`). */
  readonly requiredPrefetch?: readonly string[];
  /** Hooks each service is offered for (default patient-view and encounter-start). */
  readonly hooks?: readonly CdsHook[];
  /** URL prefixes of FHIR servers the service may call (default: any http(s) server the request names). */
  readonly fhirServerAllow?: readonly string[];
  /** Timeout of each FHIR call, ms (default 10 000). */
  readonly fhirTimeoutMs?: number;
  /** Verifies the EHR's JWT; when set, `/cds-services*` require it instead of the API key. */
  readonly jwt?: CdsJwtVerifier;
  /** The service's public base URL, for JWT audiences and inspector links (default: the request's origin). */
  readonly publicBaseUrl?: string;
  /** Prediction time during an encounter in progress (default `start`). */
  readonly encounterTime?: EncounterTimePolicy;
  /** Dated events (at or before the prediction time, birth not counted) below which no card is returned (default 1). */
  readonly minEvents?: number;
  /** Clock (default Date.now). */
  readonly now?: () => number;
  /** Store of recent predictions for inspector links (default: a new 15-minute store). */
  readonly store?: CdsPredictionStore;
}

/** Extension key of ehr-embed's fields in CDS Hooks responses. */
export const CDS_EXTENSION_KEY = 'ehr-embed.prediction';

/** Mount the CDS Hooks routes. `apiKey` and `maxBodyBytes` are the app's. */
export function mountCdsHooks(app: Hono, service: ScoringService, o: CdsOptions, app_: { apiKey?: string; maxBodyBytes: number }): void {
  const hooks = o.hooks && o.hooks.length > 0 ? o.hooks : CDS_HOOKS;
  const thresholds = o.thresholds ?? DEFAULT_CDS_THRESHOLDS;
  const required = o.requiredPrefetch ?? ['patient'];
  const now = o.now ?? Date.now;
  const store = o.store ?? new CdsPredictionStore({ now });
  const baseOf = (c: Context): string => (o.publicBaseUrl ?? new URL(c.req.url).origin).replace(/\/+$/, '');
  const allow = o.fhirServerAllow && o.fhirServerAllow.length > 0 ? o.fhirServerAllow : null;

  const keyAuth: MiddlewareHandler | null = app_.apiKey !== undefined ? apiKeyAuth(app_.apiKey) : null;
  /** The refusal of a request that may not call CDS services, or null when it may. */
  const refuse = async (c: Context): Promise<Response | null> => {
    if (o.jwt) {
      const header = c.req.header('authorization');
      const token = header !== undefined && /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '').trim() : '';
      try {
        if (token === '') throw new CdsJwtError('this service requires the CDS Client\'s JWT: send "Authorization: Bearer <JWT>"');
        o.jwt.verify(token, `${baseOf(c)}${c.req.path}`, now());
        return null;
      } catch (err) {
        if (!(err instanceof CdsJwtError)) throw err;
        return c.json(errorBody(new ApiError(401, 'unauthorized', err.message, null)), 401, {
          'WWW-Authenticate': 'Bearer error="invalid_token"',
        });
      }
    }
    if (!keyAuth) return null;
    let passed = false;
    const r = await keyAuth(c, async () => {
      passed = true;
    });
    return passed ? null : (r ?? c.res);
  };
  const limit = payloadLimit(app_.maxBodyBytes);
  // `/cds-services/*` also matches `/cds-services` itself, once (a JWT is single-use).
  app.use('/cds-services/*', async (c, next) => {
    const refused = await refuse(c);
    if (refused) return refused;
    return limit(c, next);
  });

  app.get('/cds-services', (c) => {
    const services = service.probes.flatMap((p) => {
      const { phrase } = taskPhrase(p.task);
      const t = p.data.training;
      return hooks.map((hook) => ({
        hook,
        title: `ehr-embed risk: ${phrase}`.slice(0, 120),
        description: `Predicted probability of ${phrase} (task "${p.task}"), from an ehr-embed linear probe on ${p.data.model.spec} embeddings of the patient's coded record (trained on ${t.n} labelled records${t.validationAuroc === null ? '' : `, validation AUROC ${t.validationAuroc.toFixed(3)}`}; probe ${p.checksum}). A research model, not a validated clinical score.`,
        id: p.task,
        prefetch: prefetchObject(PREFETCH_TEMPLATES),
        usageRequirements: `Needs the "${required.join('", "')}" prefetch or a fhirServer (with fhirAuthorization) to read it; the other keys are optional but the score is made without what is not sent.`,
      }));
    });
    return c.json({ services });
  });

  const call = async (c: Context): Promise<Response> => {
    const id = c.req.param('id') as string;
    // The body is read first, also for a 404: a reply before the upload ends breaks keep-alive clients.
    const raw = await readJson(c);
    const probe = service.probe(id);
    if (!probe) throw new ApiError(404, 'unknown_service', `no CDS service "${id.slice(0, 80)}" (see GET /cds-services)`, null);
    const req = parseCdsRequest(raw, hooks);
    const collected = await collectCdsResources(req, PREFETCH_TEMPLATES, {
      ...(allow ? { allowFhirServer: (base: string) => allow.some((a) => underPrefix(base, a)) } : {}),
      ...(o.fhirTimeoutMs !== undefined ? { fhirTimeoutMs: o.fhirTimeoutMs } : {}),
    });
    const lacking = required.filter((k) => collected.missing.includes(k));
    if (lacking.length > 0) {
      // The problems of the lacking keys (or the general ones), not those of every optional key.
      const own = collected.problems.filter((p) => lacking.some((k) => p.includes(`"${k}"`)) || !p.startsWith('"'));
      const why =
        own.length > 0 ? ` (${own.join('; ')})` : req.fhirServer === null ? ' and the request names no fhirServer to read it from' : '';
      throw new ApiError(
        412,
        'prefetch_missing',
        `required prefetch ${lacking.map((k) => `"${k}"`).join(', ')} is missing${why}: send it as prefetch, or give fhirServer and fhirAuthorization`,
        `prefetch.${lacking[0]}`,
      );
    }
    const pt = cdsPredictionTime(collected.encounter, now(), o.encounterTime ?? 'start');
    const ext = {
      service: id,
      hookInstance: req.hookInstance,
      predictionTime: new Date(pt.time).toISOString(),
      predictionTimeSource: pt.source,
      prefetched: collected.prefetched,
      fetched: collected.fetched,
      missing: collected.missing,
      problems: collected.problems,
    };
    const patients = collected.resources.filter((r) => r.resourceType === 'Patient');
    if (patients.length === 0)
      return c.json({
        cards: [],
        extension: {
          [CDS_EXTENSION_KEY]: {
            ...ext,
            reason:
              'no Patient resource: the patient prefetch was null (or the FHIR server has no such patient), so there is nothing to score',
          },
        },
      });
    const other = patients.find((p) => p.id !== req.context.patientId);
    if (other)
      throw new ApiError(400, 'patient_mismatch', 'the Patient resource sent is not the patient of context.patientId', 'prefetch.patient');

    const bundle = { resourceType: 'Bundle', type: 'collection', entry: collected.resources.map((resource) => ({ resource })) };
    // The record and the score: the very calls of POST /v1/predict on { bundle, predictionTime }.
    const record = await parseRecordInput({ bundle, predictionTime: ext.predictionTime });
    // A risk card for a patient recorded as dead would be noise (and the model was not trained to say so).
    const died = record.subject.events.some((e) => e.code === 'MEDS_DEATH' && e.time !== null && e.time <= record.predictionTime);
    if (died || patients[0]?.deceasedBoolean === true) {
      return c.json({
        cards: [],
        extension: { [CDS_EXTENSION_KEY]: { ...ext, reason: 'the patient is recorded as deceased (Patient.deceased): no risk card' } },
      });
    }
    const dated = record.subject.events.filter((e) => e.time !== null && e.time <= record.predictionTime && e.code !== 'MEDS_BIRTH').length;
    const minEvents = o.minEvents ?? 1;
    if (dated < minEvents) {
      return c.json({
        cards: [],
        extension: {
          [CDS_EXTENSION_KEY]: {
            ...ext,
            reason: `too little data to score: ${dated} dated event(s) at or before the prediction time (at least ${minEvents} needed)`,
            eventsUsed: dated,
          },
        },
      });
    }
    const [prediction] = await service.predict(record, [probe.task]);
    const text = service.probeText(record, probe.task);
    if (!prediction || !text) throw new Error('the probe of a known service gave no prediction');
    const eventsUsed = record.subject.events.filter((e) => e.time === null || e.time <= record.predictionTime).length;
    const token = store.put({ serviceId: id, hook: req.hook, bundle, predictionTime: ext.predictionTime, response: null });
    const card = buildCdsCard({
      probe,
      probability: prediction.probability,
      predictionTime: record.predictionTime,
      predictionTimeNote: pt.note,
      text: text.text,
      tokenCount: text.tokenCount,
      eventsUsed,
      eventsTotal: record.subject.events.length,
      missing: collected.missing,
      thresholds,
      inspectorUrl: `${baseOf(c)}/?cds=${token}`,
    });
    const body = {
      cards: [card],
      extension: {
        [CDS_EXTENSION_KEY]: {
          ...ext,
          task: probe.task,
          probability: prediction.probability,
          probeChecksum: probe.checksum,
          model: service.embedder.spec,
          eventsUsed,
          inspectorToken: token,
        },
      },
    };
    const stored = store.get(token);
    if (stored) store.replace(token, { ...stored, response: body });
    return c.json(body);
  };
  app.post('/cds-services/:id', call);
  app.post('/v1/cds-services/:id', call);
  app.get('/v1/cds-predictions/:token', (c) => {
    const got = store.get(c.req.param('token'));
    if (!got)
      throw new ApiError(
        404,
        'unknown_prediction',
        'no such prediction: inspector links last 15 minutes after the call and are kept in this server process only',
        null,
      );
    return c.json(got);
  });
}

/** Whether a FHIR base URL is the allowed prefix or under it: same origin, path on a segment boundary. */
function underPrefix(base: string, prefix: string): boolean {
  try {
    const b = new URL(`${base.replace(/\/+$/, '')}/`);
    const p = new URL(`${prefix.replace(/\/+$/, '')}/`);
    return b.origin === p.origin && b.pathname.startsWith(p.pathname);
  } catch {
    return false;
  }
}

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '')
    throw new ApiError(400, 'invalid_json', 'the request body is empty: send a CDS Hooks request (a JSON object)', null);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'invalid_json', 'the request body is not valid JSON', null);
  }
}
