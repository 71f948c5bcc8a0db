/**
 * Read and check the body of a CDS Hooks 2.0 service call (`POST /cds-services/{id}`): `hook`,
 * `hookInstance`, `context` (the `patient-view` and `encounter-start` fields), `prefetch`,
 * `fhirServer` and `fhirAuthorization`. Anything the caller can fix is a 400 naming the field.
 */
import { ApiError } from '../ApiError.ts';

/** The CDS hooks ehr-embed services answer. */
export const CDS_HOOKS = ['patient-view', 'encounter-start'] as const;

/** One of {@link CDS_HOOKS}. */
export type CdsHook = (typeof CDS_HOOKS)[number];

/** A checked CDS Hooks request. */
export interface CdsRequest {
  readonly hook: CdsHook;
  readonly hookInstance: string;
  readonly context: {
    readonly patientId: string;
    readonly encounterId: string | null;
    readonly userId: string | null;
    /** The whole context object, for filling prefetch tokens. */
    readonly fields: Readonly<Record<string, unknown>>;
  };
  /** Prefetch key → value as sent (a resource, a Bundle, or null); absent keys were not sent. */
  readonly prefetch: Readonly<Record<string, unknown>>;
  /** FHIR base URL without a trailing slash, or null. */
  readonly fhirServer: string | null;
  /** The bearer access token for `fhirServer`, or null. */
  readonly accessToken: string | null;
}

/**
 * Check a request body.
 *
 * @param hooks - the hooks this service answers.
 * @throws ApiError 400 `invalid_request` naming the field and what was expected.
 */
export function parseCdsRequest(body: unknown, hooks: readonly CdsHook[]): CdsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw bad('the request body must be a JSON object (a CDS Hooks request)', null);
  const b = body as Record<string, unknown>;
  if (typeof b.hook !== 'string' || b.hook.trim() === '') throw bad(`hook is required: one of ${hooks.join(', ')}`, 'hook');
  if (!(hooks as readonly string[]).includes(b.hook))
    throw bad(`this service answers the hooks ${hooks.join(', ')}, not ${JSON.stringify(b.hook.slice(0, 60))}`, 'hook');
  const hook = b.hook as CdsHook;
  if (typeof b.hookInstance !== 'string' || b.hookInstance.trim() === '')
    throw bad('hookInstance is required: a UUID for this hook call', 'hookInstance');

  if (typeof b.context !== 'object' || b.context === null || Array.isArray(b.context))
    throw bad("context is required: an object with the hook's fields (patientId, ...)", 'context');
  const ctx = b.context as Record<string, unknown>;
  const patientId = ctx.patientId;
  if (typeof patientId !== 'string' || !/^[A-Za-z0-9\-.]{1,64}$/.test(patientId))
    throw bad('context.patientId is required: the FHIR id of the patient (letters, digits, "-" and ".", at most 64)', 'context.patientId');
  const encounterId = ctx.encounterId;
  if (encounterId !== undefined && (typeof encounterId !== 'string' || !/^[A-Za-z0-9\-.]{1,64}$/.test(encounterId)))
    throw bad('context.encounterId must be the FHIR id of an Encounter', 'context.encounterId');
  if (hook === 'encounter-start' && encounterId === undefined)
    throw bad('context.encounterId is required for encounter-start: the FHIR id of the Encounter being started', 'context.encounterId');
  const userId = typeof ctx.userId === 'string' ? ctx.userId : null;

  let prefetch: Record<string, unknown> = {};
  if (b.prefetch !== undefined) {
    if (typeof b.prefetch !== 'object' || b.prefetch === null || Array.isArray(b.prefetch))
      throw bad('prefetch must be an object of prefetch key → FHIR resource (or null)', 'prefetch');
    prefetch = b.prefetch as Record<string, unknown>;
    for (const [k, v] of Object.entries(prefetch)) {
      if (v === null) continue;
      if (typeof v !== 'object' || Array.isArray(v) || typeof (v as Record<string, unknown>).resourceType !== 'string')
        throw bad('a prefetch value must be a FHIR resource (an object with resourceType), a Bundle, or null', `prefetch.${k}`);
    }
  }

  let fhirServer: string | null = null;
  if (b.fhirServer !== undefined) {
    if (typeof b.fhirServer !== 'string' || !isHttpUrl(b.fhirServer))
      throw bad('fhirServer must be the http(s) base URL of the FHIR server', 'fhirServer');
    fhirServer = b.fhirServer.replace(/\/+$/, '');
  }
  let accessToken: string | null = null;
  if (b.fhirAuthorization !== undefined && b.fhirAuthorization !== null) {
    if (fhirServer === null) throw bad('fhirAuthorization needs fhirServer (the FHIR server the token is for)', 'fhirServer');
    const a = b.fhirAuthorization;
    if (typeof a !== 'object' || Array.isArray(a))
      throw bad('fhirAuthorization must be an object with access_token, token_type, expires_in, scope and subject', 'fhirAuthorization');
    const auth = a as Record<string, unknown>;
    if (typeof auth.access_token !== 'string' || auth.access_token === '')
      throw bad('fhirAuthorization.access_token is required: the OAuth 2.0 access token', 'fhirAuthorization.access_token');
    if (auth.token_type !== 'Bearer') throw bad('fhirAuthorization.token_type must be "Bearer"', 'fhirAuthorization.token_type');
    accessToken = auth.access_token;
  }
  return {
    hook,
    hookInstance: b.hookInstance,
    context: { patientId, encounterId: typeof encounterId === 'string' ? encounterId : null, userId, fields: ctx },
    prefetch,
    fhirServer,
    accessToken,
  };
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

function bad(message: string, path: string | null): ApiError {
  return new ApiError(400, 'invalid_request', message, path);
}
