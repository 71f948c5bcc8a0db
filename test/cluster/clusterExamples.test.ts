// The SLURM scripts and Kubernetes manifests of docs/examples run here as they are: n embed
// processes at once, each told its shard by the scheduler's environment variables alone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { readFeatureFile } from '../../src/meds/featureFiles.ts';
import { startEmbeddingServer, type RunningServer } from '../helpers/embeddingServer.ts';
import { DATA, tempDir } from '../helpers/paths.ts';
import { runCli, runCliAsync } from '../helpers/runCli.ts';

const EXAMPLES = resolve(import.meta.dirname, '../../docs/examples');
const BIN = resolve(import.meta.dirname, '../../bin/ehr-embed.js');
const EHR_EMBED = `${process.execPath} ${BIN}`;
const TASKS = 'mortality_1y,readmission_30d';
const EVAL_ARGS = '--k all --replicates 1 --bootstrap 20 --paired-resamples 20';
// The scheduler variables of this test process must not leak into the children.
const BASE_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith('SLURM_') && k !== 'JOB_COMPLETION_INDEX' && !k.startsWith('EHR_EMBED_SHARD')),
);

function sh(command: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = spawn(command[0] as string, command.slice(1), { env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => done({ code: code ?? -1, out }));
  });
}

// The Kubernetes test compares with the SLURM test's features: run in order, not concurrently.
describe('cluster examples', { concurrency: 1 }, () => {
  const dir = tempDir();
  const meds = join(dir, 'meds');
  let server: RunningServer;
  before(async () => {
    assert.equal(
      runCli(['convert', '--from', 'fhir', '--input', join(DATA, 'synthea-fhir/r4-synthea-sample.bundles.ndjson.gz'), '--out', meds]).code,
      0,
    );
    server = await startEmbeddingServer({ dims: 16 });
  });
  const model = () => `openai:${server.url}#Qwen3-Embedding-test`;

  /** The features of one plain `embed` run, for comparison. */
  async function singleRun(labels: string): Promise<string> {
    const out = join(dir, `single-${Math.random().toString(36).slice(2)}`);
    const r = await runCliAsync(['embed', meds, '--labels', labels, '--model', model(), '--out', out, '--cache', join(out, 'cache')]);
    assert.equal(r.code, 0, r.stderr);
    return out;
  }
  async function assertSameFeatures(a: string, b: string): Promise<void> {
    for (const task of TASKS.split(',')) {
      const x = await readFeatureFile(join(a, `${task}.parquet`));
      const y = await readFeatureFile(join(b, `${task}.parquet`));
      assert.deepEqual(y.subjectIds, x.subjectIds);
      assert.deepEqual(y.predictionTimes, x.predictionTimes);
      assert.deepEqual(y.data, x.data, `${task}: identical vectors`);
    }
  }

  it('SLURM: label, a 3-task array selected by SLURM_ARRAY_* alone, merge and evaluate', async () => {
    const work = join(dir, 'slurm');
    const env = { ...BASE_ENV, MEDS: meds, WORK: work, MODEL: model(), TASKS, EHR_EMBED, EVAL_ARGS };
    const label = await sh(['bash', join(EXAMPLES, 'slurm/label.sbatch')], env);
    assert.equal(label.code, 0, label.out);
    const n = 3;
    const shards = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        sh(['bash', join(EXAMPLES, 'slurm/embed.sbatch')], {
          ...env,
          SLURM_ARRAY_JOB_ID: '77',
          SLURM_ARRAY_TASK_ID: String(i),
          SLURM_ARRAY_TASK_MIN: '0',
          SLURM_ARRAY_TASK_MAX: String(n - 1),
          SLURM_ARRAY_TASK_COUNT: String(n),
        }),
      ),
    );
    shards.forEach((s, i) => {
      assert.equal(s.code, 0, s.out);
      assert.match(s.out, new RegExp(`shard ${i}/${n} \\(from SLURM_ARRAY_TASK_ID`));
    });
    assert.equal(readdirSync(join(work, 'features')).filter((f) => f.endsWith('.parquet') && f.includes('.part-')).length, 2 * n);
    const finish = await sh(['bash', join(EXAMPLES, 'slurm/finish.sbatch')], env);
    assert.equal(finish.code, 0, finish.out);
    assert.ok(existsSync(join(work, 'results.json')));
    assert.ok(!readdirSync(join(work, 'features')).some((f) => f.includes('.part-')), 'parts merged');
    await assertSameFeatures(await singleRun(join(work, 'labels')), join(work, 'features'));
  });

  it("Kubernetes: the three Jobs' commands, the Indexed Job's pods selected by JOB_COMPLETION_INDEX and EHR_EMBED_SHARD_COUNT", async () => {
    const data = join(dir, 'k8s');
    const job = (name: string) =>
      parse(readFileSync(join(EXAMPLES, `kubernetes/${name}-job.yaml`), 'utf8')) as {
        spec: {
          completionMode?: string;
          completions?: number;
          template: { spec: { containers: { command: string[]; env?: { name: string; value: string }[] }[] } };
        };
      };
    // Run a container's command here: /data is a temp directory, `ehr-embed` this checkout's CLI.
    const runContainer = (name: string, extraEnv: Record<string, string>) => {
      const c = job(name).spec.template.spec.containers[0] as { command: string[]; env?: { name: string; value: string }[] };
      const env: NodeJS.ProcessEnv = { ...BASE_ENV, ...Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value])), ...extraEnv };
      const command = c.command.map((a) =>
        a
          .replaceAll('/data/', `${data}/`)
          .replaceAll(/\bexec ehr-embed |(?<=^|; ?|\n)ehr-embed /g, (m) => m.replace('ehr-embed', EHR_EMBED)),
      );
      return sh(command, env);
    };
    const { mkdirSync, symlinkSync } = await import('node:fs');
    mkdirSync(data);
    symlinkSync(meds, join(data, 'meds'));
    const label = await runContainer('label', { TASKS });
    assert.equal(label.code, 0, label.out);
    const embed = job('embed');
    assert.equal(embed.spec.completionMode, 'Indexed');
    const n = embed.spec.completions as number;
    const declared = embed.spec.template.spec.containers[0]?.env?.find((e) => e.name === 'EHR_EMBED_SHARD_COUNT')?.value;
    assert.equal(declared, String(n), 'EHR_EMBED_SHARD_COUNT equals completions');
    const pods = await Promise.all(
      Array.from({ length: n }, (_, i) => runContainer('embed', { JOB_COMPLETION_INDEX: String(i), MODEL: model(), EMBED_ARGS: '' })),
    );
    pods.forEach((p, i) => {
      assert.equal(p.code, 0, p.out);
      assert.match(p.out, new RegExp(`shard ${i}/${n} \\(from JOB_COMPLETION_INDEX`));
    });
    const finish = await runContainer('finish', { EVAL_ARGS });
    assert.equal(finish.code, 0, finish.out);
    assert.ok(existsSync(join(data, 'work/results.json')));
    assert.equal(readdirSync(join(data, 'work/cache')).filter((d) => d.startsWith('shard-')).length, n);
    // Same data and tasks as the SLURM run, which was checked against a single run.
    await assertSameFeatures(join(dir, 'slurm/features'), join(data, 'work/features'));
    await server.close();
  });
});
