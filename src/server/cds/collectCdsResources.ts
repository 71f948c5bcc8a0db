/**
 * The patient's resources for a CDS Hooks call: each prefetch template answered from the
 * request's `prefetch` (one resource, a Bundle, a searchset Bundle, or null) or, when the key was
 * not sent and the request names a FHIR server, fetched from that server with the request's
 * bearer token.
 */
import type { CdsRequest } from './parseCdsRequest.ts';
import { bundleResources, FhirClient, FhirFetchError, nextLink } from './FhirClient.ts';
import { fillPrefetchTemplate, type PrefetchTemplate } from './cdsPrefetch.ts';

/** Where each prefetch key's data came from. */
export interface CollectedResources {
  /** The resources, each `resourceType/id` once (the first copy kept). */
  readonly resources: readonly Record<string, unknown>[];
  /** Keys answered by the request's prefetch (null values included). */
  readonly prefetched: readonly string[];
  /** Keys fetched from the FHIR server. */
  readonly fetched: readonly string[];
  /** Keys with no data: not sent and not fetched. */
  readonly missing: readonly string[];
  /** Why a key is missing or incomplete (no patient content). */
  readonly problems: readonly string[];
  /** The Encounter named by `context.encounterId`, when found. */
  readonly encounter: Record<string, unknown> | null;
}

/** Options of {@link collectCdsResources}. */
export interface CollectOptions {
  /** Whether the service may call this FHIR base URL (default: any http(s) URL). */
  readonly allowFhirServer?: (base: string) => boolean;
  /** Per-request timeout for FHIR calls, ms (default 10 000). */
  readonly fhirTimeoutMs?: number;
}

/** Collect the resources of every template. */
export async function collectCdsResources(
  req: CdsRequest,
  templates: readonly PrefetchTemplate[],
  o: CollectOptions = {},
): Promise<CollectedResources> {
  const problems: string[] = [];
  let client: FhirClient | null = null;
  if (req.fhirServer !== null) {
    if (o.allowFhirServer && !o.allowFhirServer(req.fhirServer))
      problems.push("the request's fhirServer is not on this service's allow list (--cds-fhir-allow): nothing was fetched from it");
    else
      client = new FhirClient({
        base: req.fhirServer,
        accessToken: req.accessToken,
        ...(o.fhirTimeoutMs !== undefined ? { timeoutMs: o.fhirTimeoutMs } : {}),
      });
  }
  const seen = new Set<string>();
  const resources: Record<string, unknown>[] = [];
  const add = (list: readonly Record<string, unknown>[]): void => {
    for (const r of list) {
      const key = typeof r.id === 'string' ? `${String(r.resourceType)}/${r.id}` : null;
      if (key !== null) {
        if (seen.has(key)) continue;
        seen.add(key);
      }
      resources.push(r);
    }
  };
  const prefetched: string[] = [];
  const fetched: string[] = [];
  const missing: string[] = [];

  // Templates are answered concurrently; results are added in template order.
  const results = await Promise.all(
    templates.map(async (t): Promise<{ key: string; how: 'prefetch' | 'fetch' | 'missing'; list: Record<string, unknown>[] }> => {
      const value = Object.hasOwn(req.prefetch, t.key) ? req.prefetch[t.key] : undefined;
      if (value === null) return { key: t.key, how: 'prefetch', list: [] };
      if (value !== undefined) {
        const v = value as Record<string, unknown>;
        if (v.resourceType === 'OperationOutcome') problems.push(`prefetch "${t.key}" is an OperationOutcome (the EHR could not get it)`);
        else {
          const list = bundleResources(v);
          if (v.resourceType === 'Bundle' && nextLink(v) !== null) {
            if (client && client.owns(nextLink(v) as string)) {
              try {
                list.push(...(await client.rest(v)));
              } catch (err) {
                problems.push(`prefetch "${t.key}": later pages not read: ${messageOf(err)}`);
              }
            } else
              problems.push(
                `prefetch "${t.key}" has more pages than were sent, and no FHIR server to read them from: only the first page was used`,
              );
          }
          return { key: t.key, how: 'prefetch', list };
        }
      }
      if (!client) return { key: t.key, how: 'missing', list: [] };
      const query = fillPrefetchTemplate(t.query, req.context.fields);
      if (query === null) return { key: t.key, how: 'missing', list: [] };
      try {
        if (t.read) {
          const r = await client.read(query);
          return { key: t.key, how: 'fetch', list: r ? [r] : [] };
        }
        return { key: t.key, how: 'fetch', list: await client.search(query) };
      } catch (err) {
        problems.push(`"${t.key}" could not be fetched: ${messageOf(err)}`);
        return { key: t.key, how: 'missing', list: [] };
      }
    }),
  );
  for (const r of results) {
    add(r.list);
    (r.how === 'prefetch' ? prefetched : r.how === 'fetch' ? fetched : missing).push(r.key);
  }

  let encounter: Record<string, unknown> | null = null;
  const encounterId = req.context.encounterId;
  if (encounterId !== null) {
    encounter = resources.find((r) => r.resourceType === 'Encounter' && r.id === encounterId) ?? null;
    if (!encounter && client) {
      try {
        encounter = await client.read(`Encounter/${encodeURIComponent(encounterId)}`);
        if (encounter) add([encounter]);
      } catch (err) {
        problems.push(`the context's Encounter could not be fetched: ${messageOf(err)}`);
      }
    }
  }
  return { resources, prefetched, fetched, missing, problems, encounter };
}

function messageOf(err: unknown): string {
  if (err instanceof FhirFetchError) return err.message;
  return 'unexpected error';
}
