import { Command } from 'commander';
import { DEFAULT_CACHE_DIR } from '../../embed/EmbeddingCache.ts';
import { EMBEDDERS } from '../../embed/createEmbedder.ts';
import { UsageError } from '../../errors.ts';
import { cdsOptionsFromFlags } from '../../server/cds/cdsOptionsFromFlags.ts';
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
  cdsBaseUrl?: string;
  cdsThresholds?: string;
  cdsHooks?: string[];
  cdsRequirePrefetch?: string[];
  cdsFhirAllow?: string[];
  cdsEncounterTime?: string;
  cdsMinEvents?: string;
  cdsJwks?: string;
  cdsJwtKeyEnv?: string;
  cdsJwtIssuer?: string[];
}

/** `ehr-embed serve [--host 127.0.0.1] [--port 8080] [--probes <dir>...] [--model <spec>]`. */
export function serveCommand(): Command {
  return new Command('serve')
    .description(
      "Serve the HTTP API (POST /v1/serialize, /v1/embed, /v1/predict; GET /healthz, /v1/models, /openapi.json), CDS Hooks 2.0 services (GET /cds-services, POST /cds-services/{task}) and the inspector page at /. A FHIR bundle goes through the batch pipeline's own steps: convert → serialize → embed (through the cache) → probe. Logs name method, route, status and duration only.",
    )
    .option('--host <address>', 'bind address; anything but loopback requires an API key', '127.0.0.1')
    .option(
      '--port <n>',
      'port (0: any free port)',
      (v) => {
        const n = parseInteger(v, '--port');
        if (n < 0 || n > 65535) throw new UsageError(`--port expects 0-65535, got "${v}"`);
        return n;
      },
      8080,
    )
    .option('--probes <dir...>', 'probe directories from `ehr-embed train` (one per task)', [])
    .option('--model <spec>', `model spec (default: the probes' model, else use-lite): ${[...EMBEDDERS.keys()].join(' | ')}`)
    .option(
      '--api-key-env <name>',
      'environment variable holding the API key; when set, /v1/* requires it (Authorization: Bearer or x-api-key)',
      'EHR_EMBED_SERVER_KEY',
    )
    .option('--max-body <size>', 'largest request body (e.g. 5mb, 512kb); larger ones get 413', '5mb')
    .option('--meds <dir>', 'MEDS dataset for the inspector (list subjects, serialize them) and subjectId inputs')
    .option('--labels <dir>', 'labels directory of that dataset: the inspector offers its prediction times')
    .option('--cache <dir>', 'embedding cache directory', DEFAULT_CACHE_DIR)
    .option('--no-cache', 'embed every request anew')
    .option('--quiet', 'no request log', false)
    .option(
      '--cds-base-url <url>',
      "public base URL of this service, for CDS JWT audiences and inspector links on cards (default: the request's origin)",
    )
    .option('--cds-thresholds <w,c>', 'CDS card indicator: warning from the first probability, critical from the second', '0.2,0.5')
    .option('--cds-hooks <hook...>', 'hooks each CDS service is offered for: patient-view, encounter-start (default both)')
    .option(
      '--cds-require-prefetch <key...>',
      'prefetch keys without which a CDS call gets 412 when no fhirServer can supply them (default patient)',
    )
    .option('--cds-fhir-allow <url...>', 'URL prefixes of the FHIR servers CDS calls may name (default: any; set this in production)')
    .option(
      '--cds-encounter-time <policy>',
      'prediction time when the context names an encounter in progress: start (its start) or request (now)',
      'start',
    )
    .option(
      '--cds-min-events <n>',
      'fewest dated events (birth not counted) for a CDS card; fewer: no card, the reason in the response extension',
      '1',
    )
    .option('--cds-jwks <file>', 'JWK Set (public keys) of the EHR: /cds-services* then require its signed JWT (RS/PS/ES 256-512)')
    .option(
      '--cds-jwt-key-env <name>',
      'environment variable holding an HMAC key for HS256-512 JWTs (test setups; the spec asks for RS384/ES384)',
    )
    .option('--cds-jwt-issuer <iss...>', 'accepted JWT issuers (default: any, once the signature verifies)')
    .action(async (o: ServeCliOptions) => {
      const maxBodyBytes = parseByteSize(o.maxBody, '--max-body');
      const key = process.env[o.apiKeyEnv];
      const apiKey = key !== undefined && key.trim() !== '' ? key.trim() : undefined;
      if (apiKey === undefined && !isLoopbackHost(o.host)) {
        throw new UsageError(
          `refusing to listen on ${o.host} without an API key: set one in $${o.apiKeyEnv} (or name another variable with --api-key-env), or bind to 127.0.0.1`,
        );
      }
      const sharedKey = o.cdsJwtKeyEnv !== undefined ? process.env[o.cdsJwtKeyEnv] : undefined;
      if (o.cdsJwtKeyEnv !== undefined && (sharedKey === undefined || sharedKey.trim() === ''))
        throw new UsageError(`--cds-jwt-key-env names $${o.cdsJwtKeyEnv}, which is not set`);
      const cds = cdsOptionsFromFlags({
        ...(o.cdsBaseUrl !== undefined ? { cdsBaseUrl: o.cdsBaseUrl } : {}),
        ...(o.cdsThresholds !== undefined ? { cdsThresholds: o.cdsThresholds } : {}),
        ...(o.cdsHooks !== undefined ? { cdsHooks: o.cdsHooks } : {}),
        ...(o.cdsRequirePrefetch !== undefined ? { cdsRequirePrefetch: o.cdsRequirePrefetch } : {}),
        ...(o.cdsFhirAllow !== undefined ? { cdsFhirAllow: o.cdsFhirAllow } : {}),
        ...(o.cdsEncounterTime !== undefined ? { cdsEncounterTime: o.cdsEncounterTime } : {}),
        ...(o.cdsMinEvents !== undefined ? { cdsMinEvents: o.cdsMinEvents } : {}),
        ...(o.cdsJwks !== undefined ? { cdsJwks: o.cdsJwks } : {}),
        ...(sharedKey !== undefined ? { cdsJwtSharedKey: sharedKey.trim() } : {}),
        ...(o.cdsJwtIssuer !== undefined ? { cdsJwtIssuer: o.cdsJwtIssuer } : {}),
      });
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
        cds,
        ...(o.quiet ? {} : { log: (e) => process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`) }),
      });
      const probes = server.service.probes;
      process.stderr.write(
        `ehr-embed serve: listening on ${server.url} (model ${server.service.embedder.spec}; ${probes.length ? `probes: ${probes.map((p) => p.task).join(', ')}` : 'no probes'}; ${apiKey ? 'API key required' : 'no API key (loopback only)'}). Inspector: ${server.url}/ · CDS Hooks: ${server.url}/cds-services${cds.jwt ? ' (EHR JWT required)' : ''} · OpenAPI: ${server.url}/openapi.json\n`,
      );
      if (o.meds === undefined)
        process.stderr.write(
          "ehr-embed serve: no --meds: the inspector's Dataset tab is off; pass --meds <meds-dir> (e.g. --meds data/mimic-iv-demo-meds) to browse subjects\n",
        );
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
