/**
 * The CDS Hooks settings of `ehr-embed serve` from its command-line flags, checked: thresholds,
 * hooks, required prefetch keys, FHIR server allow list, encounter-time policy, public base URL,
 * and the EHR's JWT (a JWK Set file and/or a shared key, accepted issuers).
 */
import { UsageError } from '../../errors.ts';
import type { CdsThresholds } from './buildCdsCard.ts';
import { PREFETCH_TEMPLATES } from './cdsPrefetch.ts';
import { CdsJwtVerifier } from './CdsJwtVerifier.ts';
import type { CdsOptions } from './mountCdsHooks.ts';
import { CDS_HOOKS, type CdsHook } from './parseCdsRequest.ts';

/** The raw flag values (strings as typed; absent flags undefined). */
export interface CdsFlags {
  readonly cdsBaseUrl?: string;
  /** `warning,critical`, e.g. `0.2,0.5`. */
  readonly cdsThresholds?: string;
  readonly cdsHooks?: readonly string[];
  readonly cdsRequirePrefetch?: readonly string[];
  readonly cdsFhirAllow?: readonly string[];
  readonly cdsEncounterTime?: string;
  readonly cdsMinEvents?: string;
  readonly cdsJwks?: string;
  /** The HMAC shared key itself (read from the environment by the CLI). */
  readonly cdsJwtSharedKey?: string;
  readonly cdsJwtIssuer?: readonly string[];
}

/**
 * Build {@link CdsOptions}.
 *
 * @throws UsageError naming the flag and what was expected.
 */
export function cdsOptionsFromFlags(f: CdsFlags): CdsOptions {
  let thresholds: CdsThresholds | undefined;
  if (f.cdsThresholds !== undefined) {
    const parts = f.cdsThresholds.split(',').map((s) => Number(s.trim()));
    const [w, c] = parts;
    if (parts.length !== 2 || w === undefined || c === undefined || !(w > 0 && w <= c && c <= 1))
      throw new UsageError(
        `--cds-thresholds expects "warning,critical" probabilities with 0 < warning <= critical <= 1, e.g. 0.2,0.5; got "${f.cdsThresholds}"`,
      );
    thresholds = { warning: w, critical: c };
  }
  const hooks = f.cdsHooks?.map((h) => {
    if (!(CDS_HOOKS as readonly string[]).includes(h))
      throw new UsageError(`--cds-hooks expects ${CDS_HOOKS.join(' and/or ')}, got "${h}"`);
    return h as CdsHook;
  });
  const keys = PREFETCH_TEMPLATES.map((t) => t.key);
  for (const k of f.cdsRequirePrefetch ?? [])
    if (!keys.includes(k)) throw new UsageError(`--cds-require-prefetch expects prefetch keys (${keys.join(', ')}), got "${k}"`);
  for (const u of f.cdsFhirAllow ?? [])
    if (!/^https?:\/\/[^/]+/.test(u)) throw new UsageError(`--cds-fhir-allow expects http(s) URL prefixes of FHIR servers, got "${u}"`);
  if (f.cdsEncounterTime !== undefined && f.cdsEncounterTime !== 'start' && f.cdsEncounterTime !== 'request')
    throw new UsageError(`--cds-encounter-time expects start or request, got "${f.cdsEncounterTime}"`);
  let minEvents: number | undefined;
  if (f.cdsMinEvents !== undefined) {
    minEvents = Number(f.cdsMinEvents);
    if (!Number.isInteger(minEvents) || minEvents < 0)
      throw new UsageError(`--cds-min-events expects a non-negative integer, got "${f.cdsMinEvents}"`);
  }
  if (f.cdsBaseUrl !== undefined && !/^https?:\/\/[^/]+/.test(f.cdsBaseUrl))
    throw new UsageError(`--cds-base-url expects the service's public http(s) base URL, got "${f.cdsBaseUrl}"`);
  const jwt =
    f.cdsJwks !== undefined || (f.cdsJwtSharedKey !== undefined && f.cdsJwtSharedKey !== '')
      ? CdsJwtVerifier.fromFiles({
          ...(f.cdsJwks !== undefined ? { jwksFile: f.cdsJwks } : {}),
          ...(f.cdsJwtSharedKey ? { sharedKey: f.cdsJwtSharedKey } : {}),
          ...(f.cdsJwtIssuer && f.cdsJwtIssuer.length > 0 ? { issuers: f.cdsJwtIssuer } : {}),
        })
      : undefined;
  if (!jwt && f.cdsJwtIssuer && f.cdsJwtIssuer.length > 0)
    throw new UsageError('--cds-jwt-issuer needs --cds-jwks or --cds-jwt-key-env (the keys to verify the JWT with)');
  return {
    ...(thresholds ? { thresholds } : {}),
    ...(hooks ? { hooks } : {}),
    ...(f.cdsRequirePrefetch ? { requiredPrefetch: f.cdsRequirePrefetch } : {}),
    ...(f.cdsFhirAllow && f.cdsFhirAllow.length > 0 ? { fhirServerAllow: f.cdsFhirAllow } : {}),
    ...(f.cdsEncounterTime ? { encounterTime: f.cdsEncounterTime as 'start' | 'request' } : {}),
    ...(minEvents !== undefined ? { minEvents } : {}),
    ...(f.cdsBaseUrl ? { publicBaseUrl: f.cdsBaseUrl.replace(/\/+$/, '') } : {}),
    ...(jwt ? { jwt } : {}),
  };
}
