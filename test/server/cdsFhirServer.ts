// A FHIR server stand-in on 127.0.0.1 for the CDS Hooks tests: the R4 sample's resources, read
// by id (`GET /Patient/123`) and searched by patient (`GET /Observation?patient=123`) with
// searchset Bundles paged by `_count` (default 40, so that big searches have `next` links).
// It can require a bearer token and records each request's path and Authorization header.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { r4PatientBundles } from './fixtures.ts';

export interface FhirStandIn {
  /** Base URL, e.g. http://127.0.0.1:1234/fhir */
  readonly base: string;
  readonly requests: { path: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

type R = Record<string, unknown>;

/** The patient id a resource belongs to (its subject or patient reference), or null. */
function patientOf(r: R): string | null {
  for (const f of ['subject', 'patient']) {
    const ref = (r[f] as { reference?: unknown } | undefined)?.reference;
    if (typeof ref === 'string') return ref.replace(/^urn:uuid:/, '').replace(/^Patient\//, '');
  }
  return null;
}

export async function startFhirStandIn(o: { token?: string; pageSize?: number } = {}): Promise<FhirStandIn> {
  const byId = new Map<string, R>();
  const byPatient = new Map<string, R[]>();
  for (const p of r4PatientBundles()) {
    for (const e of (p.bundle.entry as { resource: R }[]) ?? []) {
      const r = e.resource;
      byId.set(`${String(r.resourceType)}/${String(r.id)}`, r);
      const pid = r.resourceType === 'Patient' ? null : patientOf(r);
      if (pid !== null)
        byPatient.set(`${String(r.resourceType)}|${pid}`, [...(byPatient.get(`${String(r.resourceType)}|${pid}`) ?? []), r]);
    }
  }
  const requests: FhirStandIn['requests'] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ path: `${url.pathname}${url.search}`, authorization: req.headers.authorization });
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(body));
    };
    if (o.token !== undefined && req.headers.authorization !== `Bearer ${o.token}`)
      return send(401, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] });
    const path = url.pathname.replace(/^\/fhir\/?/, '');
    const [type, id] = path.split('/');
    if (id !== undefined) {
      const r = byId.get(`${type}/${id}`);
      return r ? send(200, r) : send(404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
    }
    const patient = url.searchParams.get('patient');
    if (!type || patient === null) return send(400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid' }] });
    const all = byPatient.get(`${type}|${patient}`) ?? [];
    const count = Number(url.searchParams.get('_count') ?? o.pageSize ?? 40);
    const offset = Number(url.searchParams.get('_offset') ?? 0);
    const page = all.slice(offset, offset + count);
    const link = [{ relation: 'self', url: `${base}/${type}${url.search}` }];
    if (offset + count < all.length)
      link.push({
        relation: 'next',
        url: `${base}/${type}?patient=${encodeURIComponent(patient)}&_count=${count}&_offset=${offset + count}`,
      });
    send(200, {
      resourceType: 'Bundle',
      type: 'searchset',
      total: all.length,
      link,
      entry: page.map((r) => ({ fullUrl: `${base}/${String(r.resourceType)}/${String(r.id)}`, resource: r, search: { mode: 'match' } })),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  return {
    base,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
