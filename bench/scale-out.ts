/**
 * Scale-out benchmark: one multi-server `openai:` spec over 4 test embedding servers on
 * 127.0.0.1, each its own process with a different capacity (parallel slots x inputs per batch /
 * service time). The client goes through the same path as `ehr-embed embed` (embedWithCache
 * with calls of 64 inputs, as many in flight as fill every server's slots twice, an LMDB cache).
 * (a) total throughput against the servers' summed capacity (target: at least 90%);
 * (b) the same inputs with one server killed (SIGKILL) mid-run: the run completes and its vectors
 *     equal run (a)'s bit for bit, each input taken from exactly one reply.
 *
 *   node --import tsx bench/scale-out.ts [--inputs 12000] [--dims 64] [--batch 32]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EmbeddingCache } from '../src/embed/EmbeddingCache.ts';
import { embedWithCache } from '../src/embed/embedWithCache.ts';
import { OpenAiEmbedder } from '../src/embed/OpenAiEmbedder.ts';
import { startServerProcess, type ServerProcess } from '../test/helpers/serverProcess.ts';
import { appendResult } from './appendResult.ts';

const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '12000' },
    dims: { type: 'string', default: '64' },
    batch: { type: 'string', default: '32' },
  },
});
const N = Number(values.inputs);
const dims = Number(values.dims);
const batch = Number(values.batch);
// Different capacities: slots x batch / service time. Service times of 0.5-1 s per batch are
// short for GPU servers (a batch of 32 texts of 4,096 tokens takes several seconds on an H100)
// and keep the client's and the servers' CPU work small against the time they measure.
const SERVERS = [
  { slots: 4, serviceMs: 500 },
  { slots: 2, serviceMs: 500 },
  { slots: 4, serviceMs: 1000 },
  { slots: 1, serviceMs: 500 },
];
const capacityOf = (s: { slots: number; serviceMs: number }): number => (s.slots * batch * 1000) / s.serviceMs;
const capacity = SERVERS.reduce((a, s) => a + capacityOf(s), 0);
const inputs = Array.from({ length: N }, (_, i) => ({
  text: `# Electronic Healthcare Record ${i}\n- Patient age: ${20 + (i % 70)}\n- Hemoglobin (g/dL): ${(8 + (i % 90) / 10).toFixed(1)}`,
  instruction: 'Given a patient record, retrieve passages that answer: mortality',
}));

interface RunResult {
  seconds: number;
  vectors: Float32Array[];
  perServer: ReturnType<OpenAiEmbedder['serverStats']>;
}

async function run(kill: number | undefined): Promise<RunResult> {
  const procs: ServerProcess[] = [];
  for (const s of SERVERS) procs.push(await startServerProcess({ dims, slots: s.slots, serviceMs: s.serviceMs }));
  const dir = mkdtempSync(join(tmpdir(), 'scale-out-'));
  const cache = EmbeddingCache.open(dir);
  // Each server's requests in flight = its slots: the spec a user writes for servers of known size.
  const e = new OpenAiEmbedder({
    baseUrl: procs.map((p, i) => `${p.url}*${SERVERS[i]?.slots}`).join(','),
    model: 'Qwen3-Embedding-bench',
    maxBatchInputs: batch,
    backoffMs: 200,
  });
  try {
    // Warm: connections and each server's measured latency.
    await e.embed(inputs.slice(0, batch * 12).map((x) => ({ ...x, text: `warm ${x.text}` })));
    let killed = false;
    const t0 = performance.now();
    const r = await embedWithCache(e, cache, inputs, {
      // As `ehr-embed embed` calls it (embedLabels): calls of 64, enough in flight to fill every slot twice.
      batchSize: 64,
      parallelCalls: Math.max(2, Math.ceil(e.callCapacity / 64)),
      onProgress: (done) => {
        if (kill !== undefined && !killed && done >= N / 3) {
          killed = true;
          procs[kill]?.signal('SIGKILL');
        }
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, vectors: r.vectors, perServer: e.serverStats() };
  } finally {
    await e.close();
    await cache.close();
    rmSync(dir, { recursive: true, force: true });
    await Promise.all(procs.map((p) => p.stop()));
  }
}

const load = loadavg()
  .map((x) => x.toFixed(2))
  .join(', ');
const a = await run(undefined);
const b = await run(0);
let identical = a.vectors.length === b.vectors.length;
for (let i = 0; identical && i < a.vectors.length; i++) {
  const x = a.vectors[i] as Float32Array;
  const y = b.vectors[i] as Float32Array;
  identical = x.length === y.length && x.every((v, k) => v === y[k]);
}
const throughput = N / a.seconds;
const rows: [string, string][] = [
  [
    'servers (slots x batch / service time)',
    SERVERS.map((s) => `${s.slots}x${batch}/${s.serviceMs}ms = ${capacityOf(s).toFixed(0)}/s`).join('; '),
  ],
  ['summed capacity (inputs/s)', capacity.toFixed(0)],
  [`(a) ${N} inputs, ${dims}-d: seconds`, a.seconds.toFixed(2)],
  ['(a) throughput (inputs/s)', throughput.toFixed(0)],
  ['(a) fraction of summed capacity', `${((100 * throughput) / capacity).toFixed(1)}%`],
  [
    '(a) inputs per server (share of capacity)',
    a.perServer
      .map((s, i) => `${s.inputs} (${((100 * capacityOf(SERVERS[i] as { slots: number; serviceMs: number })) / capacity).toFixed(0)}%)`)
      .join(', '),
  ],
  ['(b) server 1 (the largest) killed after 1/3 of the inputs: seconds', b.seconds.toFixed(2)],
  [
    '(b) seconds at full capacity before and the remaining capacity after the kill',
    (N / 3 / capacity + (2 * N) / 3 / (capacity - capacityOf(SERVERS[0] as { slots: number; serviceMs: number }))).toFixed(2),
  ],
  [
    '(b) inputs per server; failed requests',
    `${b.perServer.map((s) => s.inputs).join(', ')}; ${b.perServer.map((s) => s.failures).join(', ')}`,
  ],
  ['(b) inputs taken from replies (= inputs: none twice)', String(b.perServer.reduce((s, x) => s + x.inputs, 0) - batch * 12)],
  ['(b) vectors equal to (a), bit for bit', identical ? 'yes' : 'NO'],
  ['load average at start (1, 5, 15 min)', load],
];
console.table(Object.fromEntries(rows));
appendResult(
  'scale-out (4 embedding servers, one spec)',
  `node --import tsx bench/scale-out.ts --inputs ${N} --dims ${dims} --batch ${batch}`,
  rows,
  `Targets: throughput at least 90% of the summed capacity: ${throughput / capacity >= 0.9 ? 'met' : 'NOT met'}; run with a killed server completes with identical vectors: ${identical ? 'met' : 'NOT met'}. The servers and the client share this machine's cores with other agents' work (load above).`,
);
if (!identical) process.exitCode = 1;
