/**
 * Study scale on one machine (issue: EHRSHOT-size data). Generates an EHRSHOT-shaped MEDS dataset
 * by replicating the bundled MIMIC-IV demo subjects (data/mimic-iv-demo-meds, 20 subjects) with
 * new ids and shifted times, then runs the pipeline's steps as separate processes and records the
 * wall time, peak RSS (GNU time's maximum resident set size) and exit code of each:
 *
 *   label (all tasks) → embed --dry-run against an unreachable server → embed one task with the
 *   test embedding server on 127.0.0.1 (cheap hash vectors, `--dims`) → evaluate counts (LR + GBM)
 *   → evaluate the embedding features.
 *
 *   node --import tsx bench/scale.ts [--subjects 6800] [--shards 16] [--dims 4096]
 *     [--embed-task hyponatremia] [--eval-k all] [--steps generate,label,dry-run,embed,evaluate-counts,evaluate-embeddings]
 *     [--out bench/out/scale] [--no-record]
 *
 * Replica r of subject s gets subject_id s + r * 10^9 (ids stay unique; hadm_id, icustay_id and
 * other *_id columns move by the same offset), and every time moves by r days, so labels of one
 * replica do not share prediction times with another's. Shards are written with DuckDB (COPY ...
 * TO parquet), sorted by subject and time as MEDS requires; every replica of an original subject
 * shares its split, assigned train / tuning / held_out 3 : 1 : 1 over the original ids (the
 * bundled subjects are the demo's tuning and held_out ones, so their own splits have no train).
 * Needs /usr/bin/time (Debian's `time`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { appendResult } from './appendResult.ts';

const ALL_STEPS = ['generate', 'label', 'dry-run', 'embed', 'evaluate-counts', 'evaluate-embeddings'] as const;
type Step = (typeof ALL_STEPS)[number];

const { values } = parseArgs({
  options: {
    subjects: { type: 'string', default: '6800' },
    shards: { type: 'string', default: '16' },
    dims: { type: 'string', default: '4096' },
    'embed-task': { type: 'string', default: 'hyponatremia' },
    'count-tasks': { type: 'string', default: 'hyponatremia,long_los' },
    // k = all is where memory peaks (whole splits); the few-shot ks add hours of fits at this size.
    'eval-k': { type: 'string', default: 'all' },
    steps: { type: 'string', default: ALL_STEPS.join(',') },
    out: { type: 'string', default: 'bench/out/scale' },
    'no-record': { type: 'boolean', default: false },
  },
});
const ROOT = resolve(import.meta.dirname, '..');
const SOURCE = join(ROOT, 'data/mimic-iv-demo-meds');
const BIN = join(ROOT, 'bin/ehr-embed.js');
const OUT = resolve(values.out);
const MEDS = join(OUT, 'meds');
const LABELS = join(OUT, 'labels');
const FEATURES = join(OUT, 'features');
const subjects = Number(values.subjects);
const shards = Number(values.shards);
const dims = Number(values.dims);
const steps = new Set(values.steps.split(',').map((s) => s.trim()) as Step[]);
for (const s of steps)
  if (!(ALL_STEPS as readonly string[]).includes(s)) throw new Error(`unknown step "${s}"; steps: ${ALL_STEPS.join(', ')}`);
if (!existsSync('/usr/bin/time')) throw new Error('/usr/bin/time is missing: apt-get install -y time');

/** Write the replicated dataset; returns its event count. */
async function generate(): Promise<number> {
  rmSync(MEDS, { recursive: true, force: true });
  mkdirSync(join(MEDS, 'metadata'), { recursive: true });
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con = await db.connect();
  const q = async (sql: string): Promise<Record<string, unknown>[]> =>
    (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  const src = `read_parquet('${SOURCE}/data/**/*.parquet', union_by_name = true)`;
  const base = Number((await q(`SELECT count(DISTINCT subject_id)::INTEGER AS n FROM ${src}`))[0]?.n);
  const replicas = Math.ceil(subjects / base);
  const described = await q(`DESCRIBE SELECT * FROM ${src}`);
  const cols = described.map((r) => String(r.column_name));
  const ids = cols.filter((c) => c !== 'subject_id' && /_id$/.test(c));
  const numeric = new Set(
    described.filter((r) => /INT|DOUBLE|FLOAT|DECIMAL/.test(String(r.column_type))).map((r) => String(r.column_name)),
  );
  // Numeric ids move by the replica offset; text ids get the replica as a suffix.
  const idExpr = (c: string): string =>
    numeric.has(c) ? `o.${c} + k.r * 1000000000 AS ${c}` : `CASE WHEN k.r = 0 THEN o.${c} ELSE o.${c} || '-r' || k.r END AS ${c}`;
  const shift = [`o.subject_id + k.r * 1000000000 AS subject_id`, `o.time + k.r * INTERVAL 1 DAY AS time`, ...ids.map(idExpr)];
  const rest = cols.filter((c) => c !== 'subject_id' && c !== 'time' && !ids.includes(c)).map((c) => `o.${c}`);
  await q(`CREATE TABLE orig AS SELECT * FROM ${src}`);
  await q(`CREATE TABLE rep AS SELECT range AS r FROM range(${replicas})`);
  // Keep exactly `subjects` subjects: whole replicas, then the first subjects of the last one.
  await q(
    `CREATE TABLE keep AS SELECT o.subject_id + r.r * 1000000000 AS subject_id, o.subject_id AS orig_id, r.r AS r FROM (SELECT DISTINCT subject_id FROM orig) o, rep r ORDER BY r.r, o.subject_id LIMIT ${subjects}`,
  );
  // The bundled subjects are the demo's tuning and held_out ones (no train subject), so their
  // splits would leave nothing to train on. Each original subject, with all its replicas (no
  // copy of a test patient in train), gets train / tuning / held_out in turn 3 : 1 : 1 by id.
  await q(
    `CREATE TABLE orig_split AS SELECT subject_id, CASE (row_number() OVER (ORDER BY subject_id) - 1) % 5 WHEN 3 THEN 'tuning' WHEN 4 THEN 'held_out' ELSE 'train' END AS split FROM (SELECT DISTINCT subject_id FROM orig)`,
  );
  await q(
    `COPY (SELECT k.subject_id, s.split FROM keep k JOIN orig_split s ON s.subject_id = k.orig_id ORDER BY k.subject_id) TO '${MEDS}/metadata/subject_splits.parquet' (FORMAT parquet)`,
  );
  for (const f of ['codes.parquet', 'dataset.json']) cpSync(join(SOURCE, 'metadata', f), join(MEDS, 'metadata', f));
  for (let i = 0; i < shards; i++) {
    const dir = join(MEDS, 'data', 'train');
    mkdirSync(dir, { recursive: true });
    await q(`COPY (
      SELECT ${[...shift, ...rest].join(', ')} FROM orig o JOIN keep k ON k.orig_id = o.subject_id
      WHERE k.r % ${shards} = ${i}
      ORDER BY 1, 2 NULLS FIRST
    ) TO '${dir}/${i}.parquet' (FORMAT parquet, ROW_GROUP_SIZE 122880)`);
  }
  const events = Number((await q(`SELECT count(*)::BIGINT AS n FROM read_parquet('${MEDS}/data/**/*.parquet')`))[0]?.n);
  con.closeSync();
  return events;
}

interface Measured {
  step: string;
  command: string;
  seconds: number;
  /** User + system CPU seconds of the step's process (all its threads). */
  cpuSeconds?: number;
  peakRssMb: number;
  code: number;
  tail: string;
}

/**
 * Run one CLI step under GNU time; its output's last 3 lines are kept, and the lines matching
 * `keep` before them (never patient content: CLI output, such as the dry run's count table).
 */
function measure(step: string, args: string[], env: NodeJS.ProcessEnv = {}, keep?: RegExp): Measured {
  const timeFile = join(OUT, `${step}.time`);
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', '-o', timeFile, process.execPath, BIN, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, EHR_EMBED_PROGRESS_SECONDS: '60', ...env },
  });
  const [secs, kb, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()?.split(' ').map(Number) ?? [NaN, NaN, NaN, NaN];
  const lines = `${r.stdout}\n${r.stderr}`.trim().split('\n').filter(Boolean);
  const kept = keep ? lines.slice(0, -3).filter((l) => keep.test(l)) : [];
  const tail = [...kept, ...lines.slice(-3)].map((l) => l.replace(/\s*│\s*/g, ' │ ').trim()).join(' / ');
  const m = {
    step,
    command: `ehr-embed ${args.join(' ').replaceAll(OUT, '<out>')}`,
    seconds: secs ?? NaN,
    cpuSeconds: (user ?? NaN) + (sys ?? NaN),
    peakRssMb: (kb ?? NaN) / 1024,
    code: r.status ?? -1,
    tail,
  };
  process.stderr.write(
    `[scale] ${step}: exit ${m.code}, ${m.seconds.toFixed(1)} s (CPU ${m.cpuSeconds.toFixed(0)} s), peak RSS ${m.peakRssMb.toFixed(0)} MB — ${tail.slice(0, 300)}\n`,
  );
  return m;
}

mkdirSync(OUT, { recursive: true });
const results: Measured[] = [];
let events = NaN;
if (steps.has('generate')) {
  const t0 = performance.now();
  events = await generate();
  results.push({
    step: 'generate',
    command: `bench/scale.ts (DuckDB)`,
    seconds: (performance.now() - t0) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    code: 0,
    tail: `${subjects} subjects, ${events} events, ${shards} shards`,
  });
  process.stderr.write(`[scale] generated ${subjects} subjects, ${events.toLocaleString('en-US')} events\n`);
}
if (steps.has('label')) results.push(measure('label', ['label', MEDS, '--out', LABELS, '--tasks', 'all']));
/** The embed step's arguments (list format, 8,192 qwen3 tokens, the embed task), dry or real. */
function embedArgs(model: string, out: string): string[] {
  return [
    'embed',
    MEDS,
    '--labels',
    LABELS,
    '--model',
    model,
    '--format',
    'list',
    '--max-tokens',
    '8192',
    '--tokenizer',
    'qwen3',
    '--tasks',
    values['embed-task'],
    '--out',
    out,
  ];
}
if (steps.has('dry-run')) {
  // Port 9 (discard) on loopback: nothing listens, so the server is unreachable.
  results.push(
    measure(
      'embed --dry-run (unreachable server)',
      [...embedArgs('openai:http://127.0.0.1:9/v1#Qwen/Qwen3-Embedding-8B', join(FEATURES, 'dry')), '--dry-run'],
      {},
      // The counts the issue asks the dry run to print, kept for RESULTS.md.
      /label rows|distinct inputs|cache hits|tokens|cut to the budget/,
    ),
  );
}
if (steps.has('embed')) {
  const server = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/helpers/embeddingServerMain.ts'), JSON.stringify({ dims })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((ok) => server.stdout.once('data', (d: Buffer) => ok(d.toString().trim())));
  try {
    results.push(
      measure(`embed ${values['embed-task']} (${dims}-d, test server)`, [
        ...embedArgs(`openai:${url}#scale-test`, join(FEATURES, 'emb')),
        '--cache',
        join(OUT, 'cache'),
      ]),
    );
  } finally {
    server.kill('SIGTERM');
  }
}
if (steps.has('evaluate-counts')) {
  results.push(
    measure('evaluate --counts --heads lr,gbm', [
      'evaluate',
      '--labels',
      LABELS,
      '--counts',
      '--heads',
      'lr,gbm',
      '--tasks',
      values['count-tasks'],
      '--k',
      values['eval-k'],
      '--out',
      join(OUT, 'results-counts.json'),
    ]),
  );
}
if (steps.has('evaluate-embeddings')) {
  results.push(
    measure(`evaluate ${dims}-d embeddings`, [
      'evaluate',
      '--labels',
      LABELS,
      '--features',
      `emb=${join(FEATURES, 'emb')}`,
      '--tasks',
      values['embed-task'],
      '--k',
      values['eval-k'],
      '--out',
      join(OUT, 'results-embeddings.json'),
    ]),
  );
}

const table: [string, string][] = results.map((r) => [
  r.step,
  `exit ${r.code}, ${r.seconds.toFixed(1)} s${r.cpuSeconds !== undefined ? ` (CPU ${r.cpuSeconds.toFixed(0)} s)` : ''}, peak RSS ${r.peakRssMb.toFixed(0)} MB`,
]);
console.table(Object.fromEntries(table));
writeFileSync(join(OUT, 'scale.json'), JSON.stringify({ subjects, events, shards, dims, results }, null, 2) + '\n');
if (!values['no-record']) {
  appendResult(
    'scale',
    `node --import tsx bench/scale.ts --subjects ${subjects} --shards ${shards} --dims ${dims} --embed-task ${values['embed-task']} --eval-k ${values['eval-k']} --steps ${[...steps].join(',')}`,
    table,
    [
      `Dataset: the ${subjects.toLocaleString('en-US')} subjects are replicas of the bundled MIMIC-IV demo subjects (new ids, times shifted by whole days), ${Number.isFinite(events) ? `${events.toLocaleString('en-US')} events` : 'events not regenerated in this run'}, ${shards} shards. Peak RSS: GNU time's maximum resident set size of the step's process. Load average at the end: ${loadavg()
        .map((x) => x.toFixed(1))
        .join(', ')}.`,
      ...results
        .filter((r) => r.step !== 'generate')
        .map((r) => `- ${r.step}: \`${r.command}\` → ${r.tail.replaceAll('|', '\\|').slice(0, 1200)}`),
    ].join('\n'),
  );
}
