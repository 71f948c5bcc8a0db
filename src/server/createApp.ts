/**
 * The HTTP API and the inspector page as a hono app (no listening socket: see `startServer`).
 * JSON in and out; every error is `{ "error": { "code", "message", "path" } }`, 4xx for what the
 * caller can fix. Logs name the method, the route pattern (never ids or bodies), the status and
 * the duration: no patient content.
 */
import { Hono, type Context } from 'hono';
import { routePath } from 'hono/route';
import { resolveInstruction } from '../serialize/instructions.ts';
import { isUsageError } from '../errors.ts';
import { jsonErrorReason } from '../jsonErrorReason.ts';
import { SERIALIZE_FORMATS } from '../serialize/serialize.ts';
import { TOKENIZER_NAMES } from '../tokenize/getTokenizer.ts';
import { PACKAGE_VERSION } from '../version.ts';
import { ApiError } from './ApiError.ts';
import { apiKeyAuth } from './apiKeyAuth.ts';
import { errorBody } from './errorBody.ts';
import { payloadLimit } from './payloadLimit.ts';
import { inspectRecord } from './inspectRecord.ts';
import type { InspectorDataset } from './InspectorDataset.ts';
import { INSPECTOR_HTML } from './inspectorHtml.ts';
import { openApiDocument } from './openApiDocument.ts';
import { mountCdsHooks, type CdsOptions } from './cds/mountCdsHooks.ts';
import { asObject, parseRecordInput, parseSerializerSettings, type RecordInput, type SerializerSettings } from './parseRecordInput.ts';
import { checkBody, EmbedFieldsSchema, PredictFieldsSchema } from './requestSchemas.ts';
import type { ScoringService } from './ScoringService.ts';

/** One request log line. */
export interface RequestLogEntry {
  readonly method: string;
  /** The route pattern (`/v1/subjects/:id`), not the concrete path. */
  readonly route: string;
  readonly status: number;
  readonly ms: number;
}

/** Options of {@link createApp}. */
export interface AppOptions {
  readonly service: ScoringService;
  /** MEDS dataset for the inspector and `subjectId` inputs (default: none). */
  readonly dataset?: InspectorDataset;
  /** Required API key for `/v1/*` (default: none required). */
  readonly apiKey?: string;
  /** Largest accepted request body in bytes (default 5 MiB); larger ones get 413. */
  readonly maxBodyBytes?: number;
  /** Request log sink (default: none). */
  readonly log?: (entry: RequestLogEntry) => void;
  /** CDS Hooks settings (`/cds-services`; default: the defaults of {@link CdsOptions}). */
  readonly cds?: CdsOptions;
  /** Internal-error sink: error name and stack frames, without the message (default: stderr). */
  readonly logError?: (text: string) => void;
}

const SUBJECT_PAGE_MAX = 500;

/** Build the app. */
export function createApp(o: AppOptions): Hono {
  const { service, dataset } = o;
  const maxBody = o.maxBodyBytes ?? 5 * 1024 * 1024;
  const logError = o.logError ?? ((t: string) => process.stderr.write(`${t}\n`));
  const started = Date.now();
  const app = new Hono();

  if (o.log) {
    const log = o.log;
    app.use('*', async (c, next) => {
      const t0 = performance.now();
      await next();
      // The route pattern, never the concrete path (which may hold a subject id); only
      // middleware matched (a wildcard) when no endpoint did.
      let route = routePath(c, -1);
      if (route.endsWith('*')) route = '(no route)';
      log({ method: c.req.method, route, status: c.res.status, ms: Math.round((performance.now() - t0) * 10) / 10 });
    });
  }

  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(errorBody(err), err.status as 400);
    if (isUsageError(err)) return c.json(errorBody(new ApiError(400, 'invalid_request', err.message, err.location.field ?? null)), 400);
    // The message may quote input; the log gets the error's name and where it came from.
    const frames = err instanceof Error && err.stack ? err.stack.split('\n').slice(1).join('\n') : '';
    logError(`internal error (${err instanceof Error ? err.name : typeof err})\n${frames}`);
    return c.json(errorBody(new ApiError(500, 'internal', 'internal server error (the server log has the details)', null)), 500);
  });
  app.notFound((c) => {
    // A known path with another method is a 405 naming the methods it has, not a 404.
    const allowed = allowedMethods(app, c.req.path);
    if (allowed.length > 0) {
      return c.json(
        errorBody(
          new ApiError(
            405,
            'method_not_allowed',
            `${c.req.method.length <= 10 ? c.req.method : 'this method'} is not allowed here: use ${allowed.join(' or ')} (see GET /openapi.json)`,
            null,
          ),
        ),
        405,
        { Allow: allowed.join(', ') },
      );
    }
    return c.json(
      errorBody(
        new ApiError(
          404,
          'not_found',
          `no such endpoint: ${c.req.method} ${c.req.path.length <= 60 ? c.req.path : `${c.req.path.slice(0, 60)}...`} (see GET /openapi.json)`,
          null,
        ),
      ),
      404,
    );
  });

  app.get('/', (c) => {
    c.header(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'",
    );
    c.header('X-Content-Type-Options', 'nosniff');
    return c.html(INSPECTOR_HTML);
  });
  app.get('/healthz', (c) => c.json({ status: 'ok', version: PACKAGE_VERSION, uptimeSeconds: Math.round((Date.now() - started) / 1000) }));
  app.get('/openapi.json', (c) => c.json(openApiDocument(PACKAGE_VERSION)));

  if (o.apiKey !== undefined) app.use('/v1/*', apiKeyAuth(o.apiKey));
  app.use('/v1/*', payloadLimit(maxBody));

  const lookup = dataset?.lookup;
  const record = (body: Record<string, unknown>): Promise<RecordInput> => parseRecordInput(body, lookup);

  app.get('/v1/models', (c) =>
    c.json({
      model: {
        spec: service.embedder.spec,
        family: service.embedder.family,
        dims: service.embedder.dims ?? null,
        description: service.embedder.description,
      },
      defaults: service.defaults,
      cache: service.cache !== null,
      probes: service.probes.map((p) => {
        const { vocabulary, ...serializer } = p.data.serializer;
        return {
          task: p.task,
          checksum: p.checksum,
          createdAt: p.data.createdAt,
          model: p.data.model,
          serializer: { ...serializer, vocabularyCodes: vocabulary.length },
          instruction: p.data.instruction,
          training: p.data.training,
        };
      }),
      dataset: dataset ? { subjects: dataset.subjectCount, labels: dataset.labelsDir !== null } : null,
      // The inspector builds its menus from these, so a new format or tokenizer appears there too.
      choices: { formats: SERIALIZE_FORMATS, tokenizers: TOKENIZER_NAMES },
    }),
  );

  app.post('/v1/serialize', async (c) => {
    const body = asObject(await readJson(c));
    const settings = parseSerializerSettings(body, service.defaults);
    const rec = await record(body);
    const r = service.serialize(rec, settings);
    return c.json({
      subjectId: rec.subject.subjectId,
      predictionTime: new Date(rec.predictionTime).toISOString(),
      settings,
      text: r.text,
      tokenCount: r.tokenCount,
      truncation: r.truncation,
      lines: r.lines.map((l) => ({
        text: l.text,
        sources: l.sources.map((s) => ({ time: s.time === null ? null : new Date(s.time).toISOString(), code: s.code })),
      })),
    });
  });

  app.post('/v1/embed', async (c) => {
    const body = asObject(await readJson(c));
    if (body.model !== undefined && body.model !== service.embedder.spec) {
      throw new ApiError(400, 'unknown_model', `this server embeds with "${service.embedder.spec}" only (see GET /v1/models)`, 'model');
    }
    checkBody(EmbedFieldsSchema, body);
    const settings = parseSerializerSettings(body, service.defaults);
    const rec = await record(body);
    const r = service.serialize(rec, settings);
    // Default: the study's generic instruction (what `embed --instruction generic` uses).
    const instruction =
      body.instruction === undefined ? resolveInstruction('generic', settings.format) : (body.instruction as string | null);
    const [vector] = await service.embed([{ text: r.text, instruction }]);
    const embedding = Array.from(vector ?? []);
    return c.json({
      embedding,
      model: service.embedder.spec,
      family: service.embedder.family,
      dims: embedding.length,
      instruction,
      tokenCount: r.tokenCount,
    });
  });

  app.post('/v1/predict', async (c) => {
    const body = asObject(await readJson(c));
    const { tasks } = checkBody(PredictFieldsSchema, body);
    const rec = await record(body);
    checkSettingsMatch(body, tasks ?? service.probes.map((p) => p.task), service);
    const predictions = await service.predict(rec, tasks);
    return c.json({
      subjectId: rec.subject.subjectId,
      predictionTime: new Date(rec.predictionTime).toISOString(),
      model: service.embedder.spec,
      predictions,
    });
  });

  app.post('/v1/inspect', async (c) => {
    const body = asObject(await readJson(c));
    const settings = parseSerializerSettings(body, service.defaults);
    const rec = await record(body);
    return c.json(inspectRecord(service, rec, settings));
  });

  app.get('/v1/subjects', (c) => {
    const ds = requireDataset(dataset);
    const offset = intParam(c.req.query('offset'), 0, 'offset');
    const limit = Math.min(intParam(c.req.query('limit'), 100, 'limit'), SUBJECT_PAGE_MAX);
    return c.json({ ...ds.listSubjects(offset, limit, c.req.query('q') ?? ''), offset, limit });
  });

  mountCdsHooks(app, service, o.cds ?? {}, { ...(o.apiKey !== undefined ? { apiKey: o.apiKey } : {}), maxBodyBytes: maxBody });

  app.get('/v1/subjects/:id', async (c) => c.json(await requireDataset(dataset).subjectDetail(c.req.param('id'))));

  return app;
}

/** Methods of the app's endpoints (not middleware) whose pattern matches `path`; HEAD with GET. */
function allowedMethods(app: Hono, path: string): string[] {
  const out = new Set<string>();
  for (const r of app.routes) {
    if (r.method === 'ALL' || r.path.includes('*')) continue;
    const re = new RegExp(
      `^${r.path
        .split('/')
        .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/')}/?$`,
    );
    if (re.test(path)) {
      out.add(r.method);
      if (r.method === 'GET') out.add('HEAD');
    }
  }
  return [...out].sort();
}

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') throw new ApiError(400, 'invalid_json', 'the request body is empty: send a JSON object', null);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    // V8's message quotes the input; report only the kind of error and where parsing stopped.
    throw new ApiError(
      400,
      'invalid_json',
      `the request body is not valid JSON ${jsonErrorReason(err, text).replace(/^invalid JSON /, '')}`,
      null,
    );
  }
}

/** A predict request may restate the serializer settings, but not change them: the probe was trained on its own. */
function checkSettingsMatch(body: Record<string, unknown>, tasks: readonly string[], service: ScoringService): void {
  for (const field of ['format', 'maxTokens', 'tokenizer'] as const) {
    if (body[field] === undefined) continue;
    for (const t of tasks) {
      const p = service.probe(t);
      if (!p) continue;
      const s: SerializerSettings = p.data.serializer;
      if (body[field] !== s[field]) {
        throw new ApiError(
          400,
          'settings_mismatch',
          `the probe for "${t}" was trained on texts with ${field} ${JSON.stringify(s[field])}; leave ${field} out of predict requests`,
          field,
        );
      }
    }
  }
}

function requireDataset(ds: InspectorDataset | undefined): InspectorDataset {
  if (!ds) throw new ApiError(404, 'no_dataset', 'no MEDS dataset is loaded: start the server with --meds <dir>', null);
  return ds;
}

function intParam(v: string | undefined, dflt: number, name: string): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ApiError(400, 'invalid_request', `${name} must be a non-negative integer`, name);
  return n;
}
