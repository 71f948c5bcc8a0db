// Builds CDS Hooks requests from the R4 sample's patients, in the spec's request shape, with the
// prefetch of ehr-embed's discovery answered in several shapes (searchset Bundles, bare
// resources, collection Bundles), and writes probes for the CDS tests.
import { randomUUID } from 'node:crypto';
import { PREFETCH_TEMPLATES } from '../../src/server/cds/cdsPrefetch.ts';
import type { SampleBundle } from './fixtures.ts';

type R = Record<string, unknown>;

/** The sample patient's resources of one type. */
export function resourcesOf(p: SampleBundle, type: string): R[] {
  return ((p.bundle.entry as { resource: R }[]) ?? []).map((e) => e.resource).filter((r) => r.resourceType === type);
}

export type PrefetchShape = 'searchset' | 'bare' | 'collection';

/**
 * The prefetch of every template for a sample patient. `searchset`: each search as a searchset
 * Bundle with fullUrl, search.mode and total (what a FHIR server returns); `bare`: a search with
 * one result as that resource, with none as null, else a Bundle without type or fullUrl;
 * `collection`: collection Bundles. `omit` leaves keys out.
 */
export function prefetchFor(p: SampleBundle, shape: PrefetchShape, omit: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const t of PREFETCH_TEMPLATES) {
    if (omit.includes(t.key)) continue;
    const list = resourcesOf(p, t.resourceType);
    if (t.read) {
      out[t.key] = list[0] ?? null;
      continue;
    }
    if (shape === 'searchset') {
      out[t.key] = {
        resourceType: 'Bundle',
        type: 'searchset',
        total: list.length,
        link: [{ relation: 'self', url: `https://ehr.example.org/fhir/${t.resourceType}?patient=${p.patientId}` }],
        entry: list.map((r) => ({
          fullUrl: `https://ehr.example.org/fhir/${t.resourceType}/${String(r.id)}`,
          resource: r,
          search: { mode: 'match' },
        })),
      };
    } else if (shape === 'bare') {
      out[t.key] =
        list.length === 0 ? null : list.length === 1 ? list[0] : { resourceType: 'Bundle', entry: list.map((r) => ({ resource: r })) };
    } else {
      out[t.key] = { resourceType: 'Bundle', type: 'collection', entry: list.map((r) => ({ resource: r })) };
    }
  }
  return out;
}

/** A patient-view request shaped like the spec's example (hookInstance, hook, context, prefetch). */
export function patientView(
  p: SampleBundle,
  prefetch?: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    hookInstance: randomUUID(),
    hook: 'patient-view',
    context: { userId: 'Practitioner/example', patientId: p.patientId },
    ...(prefetch ? { prefetch } : {}),
    ...extra,
  };
}

/** The sample patient's resources of the prefetched types, as one Bundle in template order (what /v1/predict is given for parity). */
export function prefetchedTypesBundle(p: SampleBundle): R {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: PREFETCH_TEMPLATES.flatMap((t) => resourcesOf(p, t.resourceType).map((resource) => ({ resource }))),
  };
}
