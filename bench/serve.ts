/**
 * Load test of the service: autocannon against POST /v1/serialize and POST /v1/predict on
 * 127.0.0.1 with the Synthea R4 sample's patient bundles (40 patients, 70 KB to 1.4 MB of
 * minified JSON each, two prediction times each: 80 distinct requests cycled by every
 * connection). Reports requests/s, p50/p99 latency, errors (non-2xx, socket errors and timeouts:
 * must be 0) and the server's RSS, sampled through the run: at start, before and after each run
 * (after a warm-up), and the median of the run's first and last 5 s, whose growth must stay under
 * 20% (the criterion this benchmark checks).
 *
 * The probe is trained here on the test embedding server (test/helpers/embeddingServerMain.ts,
 * deterministic 1024-d vectors from a hash, its own process): it measures the service, not a
 * model. Three runs: serialize; predict with the embedding cache (after the warm-up every
 * request is a cache hit: serialize + cache read + probe); predict without the cache (every
 * request also goes over HTTP to the embedding server).
 *
 *   node --import tsx bench/serve.ts [--duration 30] [--connections 50] [--warmup 10] [--no-record]
 *
 * (--no-record: print only, do not append to bench/RESULTS.md.)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { appendResult } from './appendResult.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '30' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '10' },
    'no-record': { type: 'boolean', default: false },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const warmupSeconds = Number(values.warmup);
const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/ehr-embed.js');
const SAMPLE = resolve(ROOT, 'data/synthea-fhir/r4-synthea-sample.bundles.ndjson.gz');
const PREDICTION_TIMES = ['2016-01-01T00:00:00Z', '2020-06-01T00:00:00Z'];
const DIMS = 1024;

/** The slice of autocannon's result this benchmark reads. */
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; average: number; max: number };
  throughput: { average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}
interface CannonRequest {
  method: string;
  path: string;
  body: string;
  headers: Record<string, string>;
}
// autocannon ships no types and is CommonJS: load it through require with the shape used here.
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  requests: CannonRequest[];
}) => Promise<CannonResult>;

const work = mkdtempSync(join(tmpdir(), 'ehr-embed-bench-serve-'));
const children: ChildProcess[] = [];
// Child processes keep the event loop alive: stop them explicitly when done (or on a failure).
function cleanUp(): void {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
process.on('uncaughtException', (err) => {
  cleanUp();
  throw err;
});

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`ehr-embed ${args[0]} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** Start a child process and resolve with the first stdout/stderr line matching `re`. */
function startChild(args: string[], re: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((ok, fail) => {
    let seen = '';
    const onData = (d: Buffer): void => {
      seen += d.toString();
      const m = re.exec(seen);
      if (m) ok({ child, match: m });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => fail(new Error(`child exited (${code}) before it was ready:\n${seen}`)));
  });
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

// 1. The embedding server and a probe trained through the batch pipeline.
const emb = await startChild(
  ['--import', 'tsx', join(ROOT, 'test/helpers/embeddingServerMain.ts'), JSON.stringify({ dims: DIMS })],
  /^(http:\/\/\S+)\n/m,
);
const model = `openai:${emb.match[1]}#bench-embedder`;
const meds = join(work, 'meds');
const labels = join(work, 'labels');
const features = join(work, 'features');
const probe = join(work, 'probe');
cli(['convert', '--from', 'fhir', '--input', SAMPLE, '--out', meds]);
cli(['label', meds, '--tasks', 'mortality_1y,readmission_30d', '--out', labels]);
cli(['embed', meds, '--labels', labels, '--model', model, '--out', features, '--cache', join(work, 'batch-cache')]);
// The sample's tuning split has no positives to choose C on: fix it.
cli(['train', '--labels', labels, '--features', features, '--task', 'mortality_1y', '--out', probe, '--c', '1']);

// 2. Request bodies: every patient bundle at two prediction times.
const bundles = gunzipSync(readFileSync(SAMPLE))
  .toString('utf8')
  .split('\n')
  .filter((l) => l.includes('"resourceType":"Patient"'));
const bodies = bundles.flatMap((b) => PREDICTION_TIMES.map((t) => `{"predictionTime":"${t}","bundle":${b}}`));
const sizes = bodies.map((b) => b.length).sort((a, b) => a - b);
const bodyNote = `${bundles.length} R4 patient bundles x ${PREDICTION_TIMES.length} prediction times = ${bodies.length} distinct requests; body size median ${(sizes[sizes.length >> 1]! / 1024).toFixed(0)} KiB, max ${(sizes[sizes.length - 1]! / 1024).toFixed(0)} KiB`;

async function startService(extra: string[]): Promise<{ url: string; pid: number; child: ChildProcess }> {
  const { child, match } = await startChild(
    [BIN, 'serve', '--port', '0', '--quiet', '--probes', probe, ...extra],
    /listening on (http:\/\/[^\s]+) /,
  );
  return { url: match[1] as string, pid: child.pid as number, child };
}

const requests = (path: string): CannonRequest[] =>
  bodies.map((body) => ({ method: 'POST', path, body, headers: { 'content-type': 'application/json' } }));

/**
 * One request of each body (all must answer 200; fills the tokenizer and embedding caches),
 * then a short run at the measured concurrency, so that "before" is the server's working set
 * under this load and the measured growth is what the run itself adds.
 */
async function warmUp(url: string, path: string): Promise<void> {
  for (const body of bodies) {
    const r = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    if (r.status !== 200) throw new Error(`warm-up ${path}: HTTP ${r.status} ${await r.text()}`);
  }
  if (warmupSeconds > 0) await autocannon({ url, connections, duration: warmupSeconds, timeout: 60, requests: requests(path) });
}

interface RunRow {
  readonly name: string;
  readonly result: CannonResult;
  readonly rssStart: number;
  /** RSS right before and right after the measured run. */
  readonly rssBefore: number;
  readonly rssAfter: number;
  /** Medians of the RSS samples (every 500 ms) of the run's first and last 5 seconds, and the peak. */
  readonly rssFirst5s: number;
  readonly rssLast5s: number;
  readonly rssPeak: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? NaN
    : s.length % 2
      ? (s[s.length >> 1] as number)
      : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

async function run(name: string, url: string, pid: number, path: string, rssStart: number): Promise<RunRow> {
  await warmUp(url, path);
  const rssBefore = rssMiB(pid);
  process.stderr.write(`${name}: ${connections} connections for ${duration} s...\n`);
  // RSS moves by +-15% with garbage-collection timing under this load: sample it through the
  // run and compare the first and last seconds, so a leak shows as a trend, not as noise.
  const samples: [number, number][] = [];
  const t0 = performance.now();
  const sampler = setInterval(() => samples.push([(performance.now() - t0) / 1000, rssMiB(pid)]), 500);
  const result = await autocannon({
    url,
    connections,
    duration,
    timeout: 60,
    requests: requests(path),
  });
  clearInterval(sampler);
  if (samples.length < 4) throw new Error(`${name}: too few RSS samples (${samples.length}) to compare the start and end of the run`);
  // The load generator shares this event loop, so samples are irregular: take the first and
  // last 5 seconds of what was sampled.
  const first = (samples[0] as [number, number])[0];
  const end = (samples[samples.length - 1] as [number, number])[0];
  return {
    name,
    result,
    rssStart,
    rssBefore,
    rssAfter: rssMiB(pid),
    rssFirst5s: median(samples.filter(([t]) => t <= first + 5).map(([, r]) => r)),
    rssLast5s: median(samples.filter(([t]) => t >= end - 5).map(([, r]) => r)),
    rssPeak: Math.max(...samples.map(([, r]) => r)),
  };
}

const rows: RunRow[] = [];
{
  const s = await startService(['--cache', join(work, 'serve-cache')]);
  const rssStart = rssMiB(s.pid);
  rows.push(await run('POST /v1/serialize', s.url, s.pid, '/v1/serialize', rssStart));
  rows.push(await run('POST /v1/predict (embedding cache: hits)', s.url, s.pid, '/v1/predict', rssStart));
  s.child.kill('SIGTERM');
}
{
  const s = await startService(['--no-cache']);
  rows.push(await run('POST /v1/predict (no cache: embeds every request over HTTP)', s.url, s.pid, '/v1/predict', rssMiB(s.pid)));
  s.child.kill('SIGTERM');
}

const table: [string, string][] = [['requests', bodyNote]];
let failed = false;
for (const r of rows) {
  const errors = r.result.errors + r.result.timeouts + r.result.non2xx;
  const growth = (r.rssLast5s / r.rssFirst5s - 1) * 100;
  const pointGrowth = (r.rssAfter / r.rssBefore - 1) * 100;
  if (errors > 0 || !(growth < 20)) failed = true;
  const pct = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
  table.push([`${r.name}: requests/s`, r.result.requests.average.toFixed(1)]);
  table.push([
    `${r.name}: latency p50 / p90 / p99 / max (ms)`,
    `${r.result.latency.p50} / ${r.result.latency.p90} / ${r.result.latency.p99} / ${r.result.latency.max}`,
  ]);
  table.push([`${r.name}: requests (2xx) / errors (non-2xx + socket + timeouts)`, `${r.result['2xx']} / ${errors}`]);
  table.push([
    `${r.name}: server RSS (MiB): at start / before / after the run (growth)`,
    `${r.rssStart.toFixed(0)} / ${r.rssBefore.toFixed(0)} / ${r.rssAfter.toFixed(0)} (${pct(pointGrowth)})`,
  ]);
  table.push([
    `${r.name}: server RSS (MiB): median of first 5 s / last 5 s of the run (growth), peak`,
    `${r.rssFirst5s.toFixed(0)} / ${r.rssLast5s.toFixed(0)} (${pct(growth)}), ${r.rssPeak.toFixed(0)}`,
  ]);
}
cleanUp();
console.table(Object.fromEntries(table));
mkdirSync(join(ROOT, 'bench/out'), { recursive: true });
writeFileSync(join(ROOT, 'bench/out/serve.json'), JSON.stringify({ duration, connections, bodies: bodyNote, runs: rows }, null, 2) + '\n');
const load = loadavg()
  .map((x) => x.toFixed(1))
  .join(', ');
if (!values['no-record'])
  appendResult(
    'serve',
    `node --import tsx bench/serve.ts --duration ${duration} --connections ${connections} --warmup ${warmupSeconds}`,
    table,
    `Server: \`ehr-embed serve\` in its own process on 127.0.0.1 (--quiet); load generator: autocannon in the benchmark process; embedder: the test embedding server (${DIMS}-d hash vectors, its own process), so predict measures the service, not a model. Probe: mortality_1y trained on the sample with \`ehr-embed train --c 1\`. RSS "before" is after a warm-up: one pass over all ${bodies.length} requests (tokenizer loaded, caches filled), then ${warmupSeconds} s at ${connections} connections (the working set at this concurrency). All three processes share this machine's cores; load average at the end: ${load}. Targets: 0 errors and RSS growth under 20% (first vs last 5 s of the run): ${failed ? 'NOT met' : 'met'}.`,
  );
process.exitCode = failed ? 1 : 0;
