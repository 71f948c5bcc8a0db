/**
 * The FHIR reads and searches a CDS service makes on the EHR's FHIR server when prefetch is
 * missing: the CDS Hooks request's `fhirServer` with its bearer `access_token`. The token is
 * sent to that server only: a `next` page link elsewhere is not followed.
 */

/** Options of {@link FhirClient}. */
export interface FhirClientOptions {
  /** FHIR base URL without a trailing slash. */
  readonly base: string;
  /** Bearer access token, or null to send none. */
  readonly accessToken: string | null;
  /** Per-request timeout in ms (default 10 000). */
  readonly timeoutMs?: number;
  /** Most bytes read from the server per CDS request, all pages together (default 50 MiB). */
  readonly maxBytes?: number;
  /** Most pages followed per search (default 50). */
  readonly maxPages?: number;
}

/** A failed FHIR call, with a message that names the query but no patient content. */
export class FhirFetchError extends Error {
  override readonly name = 'FhirFetchError';
}

/** Reads and searches on one FHIR server with one token. */
export class FhirClient {
  private bytes = 0;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly maxPages: number;

  constructor(private readonly o: FhirClientOptions) {
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.maxBytes = o.maxBytes ?? 50 * 1024 * 1024;
    this.maxPages = o.maxPages ?? 50;
  }

  /** The resource at a relative URL (`Patient/123`), or null when the server answers 404 or 410. */
  async read(relative: string): Promise<Record<string, unknown> | null> {
    return this.get(`${this.o.base}/${relative}`, true);
  }

  /**
   * The resources of a search (`Observation?patient=123`), every page followed, and of the
   * continuation of a searchset Bundle given as `first` (its own entries are not repeated).
   */
  async search(relative: string): Promise<Record<string, unknown>[]> {
    const first = await this.get(`${this.o.base}/${relative}`, false);
    return first ? [...bundleResources(first), ...(await this.rest(first))] : [];
  }

  /** The resources of the pages after `bundle` (its `next` links), when they are on this server. */
  async rest(bundle: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let page = bundle;
    for (let n = 1; ; n++) {
      const next = nextLink(page);
      if (next === null) return out;
      if (!this.owns(next))
        throw new FhirFetchError(
          `a next-page link points outside the FHIR server ${this.o.base}: not followed (the access token is for that server only)`,
        );
      if (n >= this.maxPages) throw new FhirFetchError(`more than ${this.maxPages} pages: stopped`);
      const got = await this.get(next, false);
      if (!got) return out;
      out.push(...bundleResources(got));
      page = got;
    }
  }

  /** Whether a URL is on this server (same origin, under its base path). */
  owns(url: string): boolean {
    try {
      const u = new URL(url);
      const b = new URL(`${this.o.base}/`);
      return u.origin === b.origin && u.pathname.startsWith(b.pathname);
    } catch {
      return false;
    }
  }

  private async get(url: string, allowMissing: boolean): Promise<Record<string, unknown> | null> {
    const what = describeUrl(url, this.o.base);
    let res: Response;
    try {
      res = await fetch(url, {
        headers: {
          accept: 'application/fhir+json, application/json',
          ...(this.o.accessToken ? { authorization: `Bearer ${this.o.accessToken}` } : {}),
        },
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      const reason =
        err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : 'the server cannot be reached';
      throw new FhirFetchError(`GET ${what}: ${reason}`);
    }
    if (allowMissing && (res.status === 404 || res.status === 410)) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new FhirFetchError(
        `GET ${what}: HTTP ${res.status}${res.status === 401 || res.status === 403 ? ' (the access token was refused)' : ''}`,
      );
    }
    const text = await res.text();
    this.bytes += Buffer.byteLength(text);
    if (this.bytes > this.maxBytes)
      throw new FhirFetchError(`the FHIR server sent more than ${this.maxBytes} bytes for one CDS request: stopped`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new FhirFetchError(`GET ${what}: the answer is not JSON`);
    }
    if (
      typeof json !== 'object' ||
      json === null ||
      Array.isArray(json) ||
      typeof (json as Record<string, unknown>).resourceType !== 'string'
    )
      throw new FhirFetchError(`GET ${what}: the answer is not a FHIR resource`);
    const r = json as Record<string, unknown>;
    if (r.resourceType === 'OperationOutcome') throw new FhirFetchError(`GET ${what}: the server answered with an OperationOutcome`);
    return r;
  }
}

/** The resources of a Bundle's entries, OperationOutcome entries left out. */
export function bundleResources(bundle: Record<string, unknown>): Record<string, unknown>[] {
  if (bundle.resourceType !== 'Bundle') return [bundle];
  const out: Record<string, unknown>[] = [];
  for (const e of Array.isArray(bundle.entry) ? bundle.entry : []) {
    const r = typeof e === 'object' && e !== null ? (e as Record<string, unknown>).resource : undefined;
    if (typeof r === 'object' && r !== null && !Array.isArray(r) && (r as Record<string, unknown>).resourceType !== 'OperationOutcome')
      out.push(r as Record<string, unknown>);
  }
  return out;
}

/** The URL of a Bundle's `next` link, or null. */
export function nextLink(bundle: Record<string, unknown>): string | null {
  if (!Array.isArray(bundle.link)) return null;
  for (const l of bundle.link) {
    if (
      typeof l === 'object' &&
      l !== null &&
      (l as Record<string, unknown>).relation === 'next' &&
      typeof (l as Record<string, unknown>).url === 'string'
    )
      return (l as Record<string, unknown>).url as string;
  }
  return null;
}

/** The path and the query's parameter names of a URL, never its values (they hold patient ids). */
function describeUrl(url: string, base: string): string {
  try {
    const u = new URL(url);
    const rel = u.href.startsWith(base) ? u.pathname.slice(new URL(`${base}/`).pathname.length) : u.pathname;
    const type = rel.split('/')[0] ?? '';
    const params = [...new Set([...u.searchParams.keys()])];
    return `${type}${rel.includes('/') ? '/{id}' : ''}${params.length ? `?${params.join('&')}` : ''}`;
  } catch {
    return '(invalid URL)';
  }
}
