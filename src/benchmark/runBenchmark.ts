/**
 * Run a benchmark end to end: convert → label → embed (per model and serialization) → evaluate →
 * report. Every step records a key (a hash of everything it depends on) in `<out>/.steps/` when it
 * finishes; a rerun skips steps whose key and outputs are unchanged, so an interrupted run
 * resumes where it stopped (and embeddings come from the cache even inside an unfinished step).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertToMeds } from '../convert/convertToMeds.ts';
import { createEmbedder } from '../embed/createEmbedder.ts';
import { EmbeddingCache } from '../embed/EmbeddingCache.ts';
import { readResultsFile, RESULTS_FILE, writeResultsFile } from '../artifacts/resultsFile.ts';
import { evaluateFeatureSets } from '../pipeline/evaluateFeatureSets.ts';
import { FEATURES_MANIFEST_FILE, readFeaturesManifest, type EmbedReport } from '../artifacts/featuresManifest.ts';
import { embedLabels } from '../pipeline/embedLabels.ts';
import { readEmbedTasks } from '../pipeline/readEmbedTasks.ts';
import type { Head } from '../eval/Head.ts';
import { readLabelsDir, tasksWithLabels, writeLabelOutputs } from '../artifacts/labelsDir.ts';
import { lrHead } from '../eval/lrHead.ts';
import type { EvaluationResults } from '../eval/runEvaluation.ts';
import { computeDatasetStats } from '../meds/computeDatasetStats.ts';
import { openMedsDataset } from '../meds/MedsDataset.ts';
import { capLabels } from '../tasks/capLabels.ts';
import { labelDataset } from '../tasks/labelDataset.ts';
import { loadTaskSpecs } from '../tasks/loadTaskSpecs.ts';
import { selectTasks } from '../tasks/selectTasks.ts';
import { auditVocabulary } from '../vocab/auditVocabulary.ts';
import { PACKAGE_VERSION } from '../version.ts';
import type { BenchmarkConfig } from './BenchmarkConfig.ts';
import { exampleSerializations } from './exampleSerializations.ts';
import { writeReport } from '../report/writeReport.ts';

/** Progress events of a benchmark run. */
export interface BenchmarkProgress {
  step(name: string, status: 'start' | 'reused' | 'done', seconds?: number): void;
  /** Fine-grained progress within a step. */
  tick(label: string, done: number, total: number): void;
}

/** Timing of one step. */
export interface StepTiming {
  readonly step: string;
  readonly seconds: number;
  readonly reused: boolean;
  readonly detail?: string;
}

/** What {@link runBenchmark} returns. */
export interface BenchmarkOutcome {
  readonly out: string;
  readonly results: EvaluationResults;
  readonly timings: readonly StepTiming[];
  /** Path of report.html. */
  readonly reportHtml: string;
}

/** Extra heads (e.g. gradient-boosted trees) registered by name. */
export type HeadFactory = () => Head;

/** Options of {@link runBenchmark}. */
export interface RunBenchmarkOptions {
  readonly progress?: BenchmarkProgress;
  /** Heads for the count GBM baseline, when available (XGBoost); absent: GBM is skipped with a note. */
  readonly gbmHead?: Head;
  /** Worker threads for the evaluation's dense fits (default `defaultFitWorkers()`; results do not depend on it). */
  readonly workers?: number;
}

const hash = (x: unknown): string => createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);

/** SHA-256 of a file or of every file under a directory (path, size, content). */
export async function checksum(path: string): Promise<string> {
  const h = createHash('sha256');
  const files: string[] = [];
  const walk = (p: string): void => {
    if (statSync(p).isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
    else files.push(p);
  };
  walk(path);
  for (const f of files) {
    h.update(f.slice(path.length));
    await new Promise<void>((ok, fail) => {
      createReadStream(f)
        .on('data', (c) => h.update(c))
        .on('end', () => ok())
        .on('error', fail);
    });
  }
  return h.digest('hex');
}

/** Run the benchmark described by `config` into `out`. */
export async function runBenchmark(config: BenchmarkConfig, out: string, options: RunBenchmarkOptions = {}): Promise<BenchmarkOutcome> {
  mkdirSync(join(out, '.steps'), { recursive: true });
  const progress = options.progress;
  const timings: StepTiming[] = [];
  const marker = (step: string): string => join(out, '.steps', `${step}.json`);
  /** Run `fn` unless the step's key matches its marker and `outputs` exist. */
  const step = async <T>(
    name: string,
    key: string,
    outputs: string[],
    fn: () => Promise<T>,
    detail?: (r: T) => string,
  ): Promise<boolean> => {
    const m = marker(name);
    if (existsSync(m) && outputs.every((o) => existsSync(o))) {
      const prev = JSON.parse(readFileSync(m, 'utf8')) as { key: string; seconds: number; detail?: string };
      if (prev.key === key) {
        timings.push({ step: name, seconds: prev.seconds, reused: true, ...(prev.detail ? { detail: prev.detail } : {}) });
        progress?.step(name, 'reused', prev.seconds);
        return false;
      }
    }
    rmSync(m, { force: true });
    progress?.step(name, 'start');
    const t0 = performance.now();
    const r = await fn();
    const seconds = (performance.now() - t0) / 1000;
    const d = detail?.(r);
    writeFileSync(m, JSON.stringify({ key, seconds, finishedAt: new Date().toISOString(), ...(d ? { detail: d } : {}) }, null, 2) + '\n');
    timings.push({ step: name, seconds, reused: false, ...(d ? { detail: d } : {}) });
    progress?.step(name, 'done', seconds);
    return true;
  };

  // 1. Data.
  const inputChecksum = config.data.convert ? await checksum(config.data.convert.input) : null;
  const medsDir = config.data.meds ?? join(out, 'meds');
  const dataKey = config.data.meds
    ? hash({ meds: config.data.meds, sum: await checksum(join(config.data.meds, 'metadata')) })
    : hash({ v: PACKAGE_VERSION, convert: config.data.convert, inputChecksum, seed: config.seed });
  if (config.data.convert) {
    const conv = config.data.convert;
    await step(
      'convert',
      dataKey,
      [join(medsDir, 'metadata', 'dataset.json')],
      () =>
        convertToMeds({
          from: conv.from,
          input: conv.input,
          out: medsDir,
          overwrite: true,
          seed: config.seed,
          ...(conv.split ? { fractions: conv.split } : {}),
          onProgress: (d, t) => progress?.tick('convert', d, t ?? d),
        }),
      (r) => `${r.dataset.subjects} subjects, ${r.dataset.events} events, ${r.conversion.totals.skipped} skipped`,
    );
  }

  // 2. Labels.
  const labelsDir = join(out, 'labels');
  const labelsKey = hash({ dataKey, tasks: config.tasks, seed: config.seed, labels: config.labels, v: PACKAGE_VERSION });
  await step(
    'label',
    labelsKey,
    [join(labelsDir, 'summary.json')],
    async () => {
      const ds = await openMedsDataset(medsDir);
      try {
        const specs = selectTasks(loadTaskSpecs(), config.tasks === 'all' ? 'all' : config.tasks);
        const r = await labelDataset(ds, specs, { seed: config.seed, onProgress: (d, t) => progress?.tick('label', d, t) });
        const tasks = config.labels.maxPerSplit
          ? capLabels(r.tasks, config.labels.maxPerSplit, config.seed, r.splits, new Set(Object.keys(r.subjectsPerSplit)))
          : r.tasks;
        rmSync(labelsDir, { recursive: true, force: true });
        await writeLabelOutputs(labelsDir, tasks, { ...r, dataset: medsDir, seed: config.seed });
        return tasks.reduce((n, t) => n + t.labels.length, 0);
      } finally {
        ds.close();
      }
    },
    (n) => `${n} labels`,
  );
  const ld = readLabelsDir(labelsDir);
  const taskNames = tasksWithLabels(ld);

  // 3. Embeddings, per model and serialization.
  const embedReports: { name: string; report: EmbedReport }[] = [];
  const featureDirs: { name: string; dir: string }[] = [];
  for (const model of config.models) {
    for (const ser of config.serializations) {
      const name = `${model.name}__${ser.name}`;
      const dir = join(out, 'features', name);
      const key = hash({ labelsKey, model, ser, vocab: config.data.vocab, v: PACKAGE_VERSION });
      await step(
        `embed ${name}`,
        key,
        [join(dir, FEATURES_MANIFEST_FILE)],
        async () => {
          const ds = await openMedsDataset(medsDir);
          const embedder = createEmbedder(model.spec, { ...(model.family ? { family: model.family } : {}) });
          const cache = EmbeddingCache.open(config.cache);
          try {
            const { vocabulary } = await auditVocabulary(ds, { vocabPaths: config.data.vocab });
            const tasks = await readEmbedTasks(ld, taskNames);
            rmSync(dir, { recursive: true, force: true });
            return await embedLabels(ds, tasks, embedder, cache, {
              format: ser.format,
              ...(ser.maxTokens !== undefined ? { maxTokens: ser.maxTokens } : {}),
              tokenizer: ser.tokenizer,
              instruction: ser.instruction,
              vocabulary,
              out: dir,
              onProgress: (stage, d, t) => progress?.tick(`${stage} ${name}`, d, t),
            });
          } finally {
            await cache.close();
            await embedder.close();
            ds.close();
          }
        },
        (r) =>
          `${r.distinctInputs} inputs, ${r.cacheHits} from cache, ${r.toEmbed} embedded${r.toEmbed > 0 && r.seconds.embed > 0 ? ` (${(r.toEmbed / r.seconds.embed).toFixed(1)}/s)` : ''}`,
      );
      embedReports.push({ name, report: readFeaturesManifest(dir) });
      featureDirs.push({ name, dir });
    }
  }

  // 4. Evaluation.
  const resultsFile = join(out, RESULTS_FILE);
  const heads: Head[] = [lrHead];
  const evalKey = hash({
    labelsKey,
    features: featureDirs.map((f) => f.name),
    embedKeys: embedReports.map((e) => [e.name, e.report.model, e.report.distinctInputs]),
    baselines: config.baselines,
    evaluation: config.evaluation,
    gbm: options.gbmHead !== undefined,
    v: PACKAGE_VERSION,
  });
  await step(
    'evaluate',
    evalKey,
    [resultsFile],
    async () => {
      const wantCounts = config.baselines.countLr || config.baselines.countGbm;
      const evalHeads = [...heads];
      if ((config.baselines.countGbm || config.baselines.countGbmExt) && options.gbmHead) evalHeads.push(options.gbmHead);
      const countHeads = [...(config.baselines.countLr ? ['lr'] : []), ...(config.baselines.countGbm && options.gbmHead ? ['gbm'] : [])];
      const evaluation = await evaluateFeatureSets({
        labels: ld.dir,
        features: featureDirs,
        counts: wantCounts && countHeads.length > 0,
        timeBins: config.baselines.timeBins,
        deciles: config.baselines.deciles,
        // Embeddings ⊕ counts: the kind of combination that was best in the paper (0.788 vs 0.777).
        combine: config.baselines.combine && featureDirs.length > 0,
        meds: medsDir,
        heads: evalHeads,
        countHeads,
        ontology: config.baselines.ontology,
        // The paper's count-GBM ext: time bins, deciles and ontology ancestors, trees only.
        countsExt: Boolean(config.baselines.countGbmExt && options.gbmHead),
        countsExtHeads: ['gbm'],
        // Embeddings get the linear head (the study's probe); trees run on the counts only, as in EHRSHOT.
        embeddingHeads: ['lr'],
        subgroups: false,
        ks: config.evaluation.ks,
        replicates: config.evaluation.replicates,
        bootstrap: config.evaluation.bootstrap,
        pairedResamples: config.evaluation.pairedResamples,
        seed: config.seed,
        ...(options.workers !== undefined ? { workers: options.workers } : {}),
        countSettings: config.baselines,
        notes:
          config.baselines.countGbm && !options.gbmHead
            ? ['count GBM skipped: XGBoost is not available on this machine (install libxgboost0)']
            : [],
        onProgress: (d, t) => progress?.tick('evaluate', d, t),
      });
      writeResultsFile(resultsFile, evaluation);
      return evaluation.results.length;
    },
    (n) => `${n} results`,
  );
  const evaluation = readResultsFile(resultsFile);

  // 5. Report (always rebuilt: cheap, and picks up report improvements).
  const t5 = performance.now();
  const ds = await openMedsDataset(medsDir);
  let reportHtml: string;
  try {
    const dataset = await computeDatasetStats(ds);
    const { audit } = await auditVocabulary(ds, { vocabPaths: config.data.vocab });
    const examples = exampleSerializations(config.serializations.map((x) => x.format));
    timings.push({ step: 'report', seconds: 0, reused: false });
    const written = await writeReport(out, {
      title: config.title,
      generatedAt: new Date().toISOString(),
      evaluation,
      dataset,
      labels: ld.summary,
      vocabulary: audit,
      embeddings: embedReports.map((e) => ({
        name: e.name,
        report: e.report,
        ...(e.report.tokenCounts ? { tokenCounts: [...e.report.tokenCounts] } : {}),
      })),
      examples,
      timings: timings.map((t) => ({
        step: t.step + (t.reused ? ' (reused)' : ''),
        seconds: t.seconds,
        ...(t.detail ? { detail: t.detail } : {}),
      })),
      notes: evaluation.notes ?? [],
    });
    reportHtml = written.html;
    timings[timings.length - 1] = { step: 'report', seconds: (performance.now() - t5) / 1000, reused: false };
  } finally {
    ds.close();
  }

  writeFileSync(
    join(out, 'manifest.json'),
    JSON.stringify(
      {
        ehrEmbed: PACKAGE_VERSION,
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        createdAt: new Date().toISOString(),
        config,
        inputs: { ...(config.data.convert ? { [config.data.convert.input]: inputChecksum } : {}), medsDir },
        timings,
      },
      null,
      2,
    ) + '\n',
  );
  return { out, results: evaluation, timings, reportHtml };
}
