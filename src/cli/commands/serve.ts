import { Command } from 'commander';
import { DEFAULT_CACHE_DIR } from '../../embed/EmbeddingCache.ts';
import { EMBEDDERS } from '../../embed/createEmbedder.ts';
import { UsageError } from '../../errors.ts';
import { isLoopbackHost } from '../../server/isLoopbackHost.ts';
import { parseByteSize } from '../../server/parseByteSize.ts';
import { startServer } from '../../server/startServer.ts';
import { parseInteger } from '../parseOptions.ts';

interface ServeCliOptions {
  host: string;
  port: number;
  probes: string[];
  model?: string;
  apiKeyEnv: string;
  maxBody: string;
  meds?: string;
  labels?: string;
  cache: string | false;
  quiet: boolean;
}

/** `ehr-embed serve [--host 127.0.0.1] [--port 8080] [--probes <dir>...] [--model <spec>]`. */
export function serveCommand(): Command {
  return new Command('serve')
    .description(
      'Serve the HTTP API (POST /v1/serialize, /v1/embed, /v1/predict; GET /healthz, /v1/models, /openapi.json) and the inspector page at /. A FHIR bundle goes through the batch pipeline\'s own steps: convert → serialize → embed (through the cache) → probe. Logs name method, route, status and duration only.',
    )
    .option('--host <address>', 'bind address; anything but loopback requires an API key', '127.0.0.1')
    .option('--port <n>', 'port (0: any free port)', (v) => {
      const n = parseInteger(v, '--port');
      if (n < 0 || n > 65535) throw new UsageError(`--port expects 0-65535, got "${v}"`);
      return n;
    }, 8080)
    .option('--probes <dir...>', 'probe directories from `ehr-embed train` (one per task)', [])
    .option('--model <spec>', `model spec (default: the probes' model, else use-lite): ${[...EMBEDDERS.keys()].join(' | ')}`)
    .option('--api-key-env <name>', 'environment variable holding the API key; when set, /v1/* requires it (Authorization: Bearer or x-api-key)', 'EHR_EMBED_SERVER_KEY')
    .option('--max-body <size>', 'largest request body (e.g. 5mb, 512kb); larger ones get 413', '5mb')
    .option('--meds <dir>', 'MEDS dataset for the inspector (list subjects, serialize them) and subjectId inputs')
    .option('--labels <dir>', 'labels directory of that dataset: the inspector offers its prediction times')
    .option('--cache <dir>', 'embedding cache directory', DEFAULT_CACHE_DIR)
    .option('--no-cache', 'embed every request anew')
    .option('--quiet', 'no request log', false)
    .action(async (o: ServeCliOptions) => {
      const maxBodyBytes = parseByteSize(o.maxBody, '--max-body');
      const key = process.env[o.apiKeyEnv];
      const apiKey = key !== undefined && key.trim() !== '' ? key.trim() : undefined;
      if (apiKey === undefined && !isLoopbackHost(o.host)) {
        throw new UsageError(`refusing to listen on ${o.host} without an API key: set one in $${o.apiKeyEnv} (or name another variable with --api-key-env), or bind to 127.0.0.1`);
      }
      const server = await startServer({
        host: o.host,
        port: o.port,
        probes: o.probes,
        ...(o.model !== undefined ? { model: o.model } : {}),
        ...(apiKey !== undefined ? { apiKey } : {}),
        maxBodyBytes,
        ...(o.meds !== undefined ? { meds: o.meds } : {}),
        ...(o.labels !== undefined ? { labels: o.labels } : {}),
        cacheDir: o.cache === false ? null : o.cache,
        ...(o.quiet ? {} : { log: (e) => process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`) }),
      });
      const probes = server.service.probes;
      process.stderr.write(
        `ehr-embed serve: listening on ${server.url} (model ${server.service.embedder.spec}; ${probes.length ? `probes: ${probes.map((p) => p.task).join(', ')}` : 'no probes'}; ${apiKey ? 'API key required' : 'no API key (loopback only)'}). Inspector: ${server.url}/ · OpenAPI: ${server.url}/openapi.json\n`,
      );
      if (o.meds === undefined) process.stderr.write('ehr-embed serve: no --meds: the inspector\'s Dataset tab is off; pass --meds <meds-dir> (e.g. --meds data/mimic-iv-demo-meds) to browse subjects\n');
      // Serve until interrupted, then close cleanly (the cache commits, workers exit).
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
