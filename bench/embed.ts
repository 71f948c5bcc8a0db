/**
 * Benchmark of the embedding layer.
 * (a) use-lite: texts/s, chunks/s and tokens/s on this machine's cores, on Markdown-like texts.
 * (b) the OpenAI-compatible client against a local server with a fixed service time per batch
 *     and N parallel slots: achieved throughput as a fraction of the server's capacity.
 *
 *   node --import tsx bench/embed.ts [--texts 64] [--requests 200]
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { UseLiteEmbedder } from '../src/embed/UseLiteEmbedder.ts';
import { OpenAiEmbedder } from '../src/embed/OpenAiEmbedder.ts';
import { getTokenizer } from '../src/tokenize/getTokenizer.ts';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { appendResult } from './appendResult.ts';

const { values } = parseArgs({ options: { texts: { type: 'string', default: '64' }, requests: { type: 'string', default: '200' } } });
const rows: [string, string][] = [];

// (a) use-lite on realistic serializations: ~40 lines each.
const lines = [
  '# Electronic Healthcare Record',
  'Current time: 2024-01-01',
  '## Patient Demographics',
  '- Patient age: 67',
  '- Female',
  '## Recent Vital Signs',
  '- Heart rate (bpm): 88 (normal), 92 (normal), 101 (high)',
  '- Systolic blood pressure (mmHg): 142 (high), 138 (normal)',
  '## Recent Lab Results',
  '- Hemoglobin (g/dL): 10.2 (low)',
  '- Glucose (mg/dL): 210 (high), 95 (normal), 142 (high)',
  '## Past Medical Visits',
  '- Inpatient Visit on 2023-12-29 (3 days before prediction time, current visit)',
  '- Outpatient Visit on 2021-09-20 (833 days before prediction time, duration: 1 day)',
  '## General Medical Events',
  '- Type 2 diabetes mellitus',
  '- Essential hypertension',
  '### Inpatient Visit on 2023-12-29',
  '#### Conditions',
  '- Hypertensive disorder',
  '#### Medications',
  '- amlodipine 5 MG Oral Tablet',
];
const n = Number(values.texts);
const texts = Array.from({ length: n }, (_, i) => [...lines, ...lines.slice(9, 22).map((l) => `${l} (${i})`)].join('\n'));
const useLiteTokens = getTokenizer('use-lite');
const tokens = texts.reduce((s, t) => s + useLiteTokens.count(t), 0);
for (const threads of [1, availableParallelism()]) {
  const e = new UseLiteEmbedder({ threads });
  // Warm every worker (its first inference compiles the graph), not just the first.
  await e.embed(texts.slice(0, 16 * threads).map((text) => ({ text: text.slice(0, 200), instruction: null })));
  e.chunks = 0;
  const t0 = performance.now();
  await e.embed(texts.map((text) => ({ text, instruction: null })));
  const s = (performance.now() - t0) / 1000;
  rows.push([`use-lite, ${threads} thread(s): texts/s`, (n / s).toFixed(2)]);
  rows.push([`use-lite, ${threads} thread(s): chunks/s`, (e.chunks / s).toFixed(1)]);
  rows.push([`use-lite, ${threads} thread(s): tokens/s (USE tokenizer, whole texts)`, Math.round(tokens / s).toString()]);
  await e.close();
}
rows.push(['use-lite: texts, mean USE tokens per text', `${n}, ${Math.round(tokens / n)}`]);

// (b) HTTP client vs server capacity.
const serviceMs = 50;
const slots = 4;
const batch = 16;
// The server runs in its own process, as a real one would.
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    resolve(import.meta.dirname, '../test/helpers/embeddingServerMain.ts'),
    JSON.stringify({ dims: 256, serviceMs, slots }),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const url = await new Promise<string>((ok) => child.stdout.once('data', (d: Buffer) => ok(d.toString().trim())));
const capacity = (slots * batch * 1000) / serviceMs; // inputs/s
const inputs = Array.from({ length: Number(values.requests) * batch }, (_, i) => ({ text: `text ${i} `.repeat(20), instruction: 'q' }));
const client = new OpenAiEmbedder({ baseUrl: url, model: 'bench', maxBatchInputs: batch, concurrency: slots * 2 });
await client.embed(inputs.slice(0, batch));
const t1 = performance.now();
await client.embed(inputs);
const s1 = (performance.now() - t1) / 1000;
child.kill('SIGTERM');
const achieved = inputs.length / s1;
rows.push([`HTTP client: server capacity (inputs/s; ${slots} slots, ${serviceMs} ms per batch of ${batch}, 256-d)`, capacity.toFixed(0)]);
rows.push(['HTTP client: achieved inputs/s', achieved.toFixed(0)]);
rows.push(['HTTP client: fraction of capacity', `${((100 * achieved) / capacity).toFixed(1)}%`]);
console.table(Object.fromEntries(rows));
appendResult(
  'embed',
  `node --import tsx bench/embed.ts --texts ${n} --requests ${values.requests}`,
  rows,
  `Target for (b): at least 90% of capacity: ${achieved / capacity >= 0.9 ? 'met' : 'NOT met'}.`,
);
