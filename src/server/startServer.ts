/**
 * Start the service: load and verify the probe bundles, create the embedder they were trained
 * with, open the embedding cache and the inspector's dataset, and listen.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createEmbedder } from '../embed/createEmbedder.ts';
import { MODEL_FAMILIES, type Embedder, type ModelFamily } from '../embed/Embedder.ts';
import { DEFAULT_CACHE_DIR, EmbeddingCache } from '../embed/EmbeddingCache.ts';
import { UsageError } from '../errors.ts';
import { ProbeBundle } from '../artifacts/ProbeBundle.ts';
import type { CdsOptions } from './cds/mountCdsHooks.ts';
import { createApp, type RequestLogEntry } from './createApp.ts';
import { InspectorDataset } from './InspectorDataset.ts';
import { isLoopbackHost } from './isLoopbackHost.ts';
import { ScoringService } from './ScoringService.ts';

/** Fewest characters of an API key when the server listens beyond loopback. */
export const MIN_API_KEY_LENGTH = 16;

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** Bind address (default `127.0.0.1`). Anything but loopback requires `apiKey`. */
  readonly host?: string;
  /** Port (default 8080; 0 picks a free one). */
  readonly port?: number;
  /** Probe directories or `probe.json` files (default none). */
  readonly probes?: readonly string[];
  /** Model spec (default: the probes' model, else `use-lite`); must match every probe's. */
  readonly model?: string;
  /** Required API key (default: none; then the host must be loopback). */
  readonly apiKey?: string;
  /** Largest request body in bytes (default 5 MiB). */
  readonly maxBodyBytes?: number;
  /** MEDS dataset for the inspector and `subjectId` inputs (default none). */
  readonly meds?: string;
  /** Labels directory of that dataset, for picking prediction times (default none). */
  readonly labels?: string;
  /** Embedding cache directory, or null for no cache (default `.ehr-embed-cache/embeddings`). */
  readonly cacheDir?: string | null;
  /** Request log sink (default: none). */
  readonly log?: (entry: RequestLogEntry) => void;
  /** CDS Hooks settings (default: those of {@link CdsOptions}). */
  readonly cds?: CdsOptions;
}

/** A running server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly port: number;
  readonly service: ScoringService;
  /** Stop listening and release the embedder, cache and dataset. */
  close(): Promise<void>;
}

/**
 * Start the server.
 *
 * @throws UsageError for a non-loopback host without an API key, an unreadable, tampered or
 *   mismatched probe bundle (another model than `model`, or probes of different models), two
 *   probes of one task, an unreadable dataset, or a port in use.
 */
export async function startServer(o: StartServerOptions = {}): Promise<RunningServer> {
  const host = o.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && (o.apiKey === undefined || o.apiKey === '')) {
    throw new UsageError(
      `refusing to listen on ${host} without an API key: anything but loopback (127.0.0.1, ::1) is reachable from other machines. Set the key in the environment variable named by --api-key-env, or bind to 127.0.0.1`,
      { field: 'host' },
    );
  }
  if (!isLoopbackHost(host) && (o.apiKey as string).length < MIN_API_KEY_LENGTH) {
    throw new UsageError(
      `the API key is ${(o.apiKey as string).length} characters long: off loopback it must have at least ${MIN_API_KEY_LENGTH} (a short key can be guessed). Generate one, e.g. with: openssl rand -hex 24`,
      { field: 'apiKey' },
    );
  }
  const loaded = (o.probes ?? []).map((p) => ProbeBundle.load(p));
  const tasks = new Map<string, string>();
  for (const [i, p] of loaded.entries()) {
    const prev = tasks.get(p.task);
    if (prev !== undefined)
      throw new UsageError(`two probes for task "${p.task}" (${prev} and ${o.probes?.[i]}): load one per task`, { field: 'probes' });
    tasks.set(p.task, o.probes?.[i] ?? '');
  }
  const specs = [...new Set(loaded.map((p) => p.data.model.spec))];
  if (specs.length > 1)
    throw new UsageError(`the probes were trained on different models (${specs.join(', ')}): one server embeds with one model`, {
      field: 'probes',
    });
  const families = [...new Set(loaded.map((p) => p.data.model.family))];
  const family = families[0];
  const spec = o.model ?? specs[0] ?? 'use-lite';
  const embedder: Embedder = createEmbedder(
    spec,
    family !== undefined && (MODEL_FAMILIES as readonly string[]).includes(family) ? { family: family as ModelFamily } : {},
  );
  let cache: EmbeddingCache | null = null;
  let dataset: InspectorDataset | undefined;
  try {
    // Verify every probe against the model actually built (canonical spec, family).
    const probes = loaded.map((p) => ProbeBundle.fromJSON(p.toJSON(), { modelSpec: embedder.spec, modelFamily: embedder.family }));
    cache = o.cacheDir === null ? null : EmbeddingCache.open(o.cacheDir ?? DEFAULT_CACHE_DIR);
    if (o.meds !== undefined) dataset = await InspectorDataset.open(o.meds, o.labels);
    else if (o.labels !== undefined)
      throw new UsageError('--labels needs --meds (the dataset the labels were made from)', { field: 'labels' });
    const service = new ScoringService({ embedder, cache, probes, ...(dataset ? { vocabulary: dataset.vocabulary } : {}) });
    const app = createApp({
      service,
      ...(dataset ? { dataset } : {}),
      ...(o.apiKey ? { apiKey: o.apiKey } : {}),
      ...(o.maxBodyBytes !== undefined ? { maxBodyBytes: o.maxBodyBytes } : {}),
      ...(o.log ? { log: o.log } : {}),
      ...(o.cds ? { cds: o.cds } : {}),
    });
    const { server, port } = await listen(app.fetch, host, o.port ?? 8080);
    const shown = host.includes(':') ? `[${host}]` : host;
    const heldCache = cache;
    const heldDataset = dataset;
    let closed: Promise<void> | undefined;
    return {
      url: `http://${shown}:${port}`,
      port,
      service,
      close: () =>
        (closed ??= (async () => {
          await new Promise<void>((resolve) => {
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close(() => resolve());
          });
          heldDataset?.close();
          await heldCache?.close();
          await embedder.close();
        })()),
    };
  } catch (err) {
    dataset?.close();
    await cache?.close();
    await embedder.close();
    throw err;
  }
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], host: string, port: number): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: host, port }, (info: AddressInfo) => resolve({ server, port: info.port }));
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new UsageError(`port ${port} on ${host} is in use (choose another with --port)`, { field: 'port' })
          : err.code === 'EADDRNOTAVAIL'
            ? new UsageError(`cannot bind to ${host}: not an address of this machine`, { field: 'host' })
            : err,
      );
    });
  });
}
