/**
 * The `evaluate` pipeline: a labels directory, embedding feature directories and (optionally)
 * count features of the MEDS dataset → the few-shot evaluation (SPEC 5) as a results.json object.
 */
import { SOLVER_MEMORY_MAX_BYTES, solverMemoryBytes } from '../probe/solverMemory.ts';
import { loadTasks, readLabelsDir, tasksWithLabels, type LabelsDir } from '../artifacts/labelsDir.ts';
import { buildResultsFile, type EvaluationFile } from '../artifacts/resultsFile.ts';
import { UsageError } from '../errors.ts';
import { countFeatureSet } from './countFeatureSet.ts';
import { COMBINED_SUFFIX, concatFeatureSets, loadEmbeddingFeatureSet } from '../eval/featureSets.ts';
import type { Head } from '../eval/Head.ts';
import { runEvaluation, type FeatureSet, type K } from '../eval/runEvaluation.ts';
import { buildCountFeatures, type CountPassProgress } from '../features/buildCountFeatures.ts';
import { defaults as countDefaults } from '../features/CountFeaturizer.ts';
import { evaluationMemoryNeeds, type CountMatrixSize, type EvaluationSize } from '../eval/evaluationMemory.ts';
import { countedCountSize, projectedCountSize } from './countMemory.ts';
import { defaultFitWorkers } from '../eval/FitPool.ts';
import { taskFeatureShape } from '../meds/featureFiles.ts';
import { openMedsDataset } from '../meds/MedsDataset.ts';
import { checkMemory } from '../memoryBudget.ts';
import { readDemographics } from '../meds/readDemographics.ts';
import { subjectSplitResolver } from '../tasks/subjectSplitResolver.ts';
import { subgroupAttributes } from './subgroupAttributes.ts';

/** Options of {@link evaluateFeatureSets}. */
export interface EvaluateFeatureSetsOptions {
  /** Labels directory (from `ehr-embed label`). */
  readonly labels: string;
  /** Embedding feature sets: a name and a features directory each. */
  readonly features: readonly { readonly name: string; readonly dir: string }[];
  /** Add the count-feature baseline (default false). */
  readonly counts?: boolean;
  /** Count features per time bin (default false). */
  readonly timeBins?: boolean;
  /** Count features per numeric-value decile (default false). */
  readonly deciles?: boolean;
  /** Also evaluate each embedding set concatenated with the count features (default false). */
  readonly combine?: boolean;
  /** Count features also for every ancestor of a code (parent_codes in codes.parquet; default false). */
  readonly ontology?: boolean;
  /** Add the extended count set "counts-ext": time bins, deciles and ontology ancestors (default false). */
  readonly countsExt?: boolean;
  /** Heads run on "counts-ext" (default: all of `heads`). */
  readonly countsExtHeads?: readonly string[];
  /** MEDS dataset (default: the one recorded in the labels' summary.json). */
  readonly meds?: string;
  readonly heads: readonly Head[];
  readonly ks: readonly K[];
  readonly replicates: number;
  /** Tasks to evaluate (default: every task with labels). */
  readonly tasks?: readonly string[];
  readonly bootstrap: number;
  readonly pairedResamples: number;
  readonly seed: number;
  /** Heads run on the count features (default: all of `heads`). */
  readonly countHeads?: readonly string[];
  /** Heads run on the embedding sets and their combinations (default: all of `heads`). */
  readonly embeddingHeads?: readonly string[];
  /** AUROC by sex, age band, race and ethnicity at k = all (default true). */
  readonly subgroups?: boolean;
  /** Added to `settings.counts` in results.json (the benchmark records its `baselines` there). */
  readonly countSettings?: Readonly<Record<string, boolean>>;
  /** Notes for results.json (default: no `notes` field). */
  readonly notes?: readonly string[];
  /**
   * Worker threads for the dense fits (default `defaultFitWorkers()`: min(2, cores); 1 fits in
   * this thread). Results do not depend on it, apart from timings.
   */
  readonly workers?: number;
  /** Memory this run may use in bytes (default: physical memory or the container limit). */
  readonly maxMemory?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Run the few-shot evaluation of feature sets on a labels directory, with AUROC by sex, age band,
 * race and ethnicity at k = all.
 *
 * @throws UsageError when there is nothing to evaluate, or a task or directory is unknown
 */
export async function evaluateFeatureSets(o: EvaluateFeatureSetsOptions): Promise<EvaluationFile> {
  if (o.features.length === 0 && !o.counts && !o.countsExt)
    throw new UsageError('nothing to evaluate: give --features name=dir, --counts and/or --counts-ext');
  const ld = readLabelsDir(o.labels);
  const names = o.tasks ?? tasksWithLabels(ld);
  const medsDir = o.meds ?? ld.summary.dataset;
  const workers = o.workers ?? defaultFitWorkers();
  const guard = await evaluationMemoryGuard(ld, names, o, workers);
  guard.check({});
  const ds = await openMedsDataset(medsDir);
  try {
    const splits = subjectSplitResolver(ds.splits, ld.summary.seed);
    const tasks = await loadTasks(ld, names, splits);
    const sets: FeatureSet[] = [];
    for (const s of o.features) sets.push(await loadEmbeddingFeatureSet(s.name, s.dir, tasks));
    const parents = (code: string): readonly string[] => ds.codes.get(code)?.parentCodes ?? [];
    const allHeads = o.heads.map((h) => h.name);
    // --combine joins every embedding set with "counts": dense, each set's columns plus the counts'.
    const combinedOf = (countDims: number): EvaluationSize['combined'] =>
      o.combine
        ? sets
            .filter((s) => !s.baseline)
            .map((s) => ({ name: `${s.name}${COMBINED_SUFFIX}`, dims: s.dims + countDims, embeddingDims: s.dims }))
        : [];
    const built: CountMatrixSize[] = [];
    let combined: EvaluationSize['combined'] = [];
    const watchPass = (name: string, heads: readonly string[], joined: boolean) =>
      countPassGuard((p) => {
        const c = projectedCountSize(name, p, tasks, heads, countDefaults({}).maxFeatures + 1);
        guard.check({ counts: [...built, c], combined: joined ? combinedOf(c.dims) : combined });
      });
    let counts: FeatureSet | undefined;
    if (o.counts || o.combine) {
      const heads = o.countHeads ?? allHeads;
      const cf = await buildCountFeatures(
        ds,
        tasks,
        { timeBins: o.timeBins ?? false, numericDeciles: o.deciles ?? false },
        { ...(o.ontology ? { parents } : {}), onRows: watchPass('counts', heads, Boolean(o.combine)) },
      );
      built.push(countedCountSize('counts', cf, tasks, heads));
      combined = combinedOf(cf.dims);
      guard.check({ counts: built, combined });
      counts = countFeatureSet('counts', cf, o.countHeads);
      if (o.counts) sets.push(counts);
    }
    if (o.countsExt) {
      const heads = o.countsExtHeads ?? allHeads;
      const cf = await buildCountFeatures(
        ds,
        tasks,
        { timeBins: true, numericDeciles: true },
        { parents, onRows: watchPass('counts-ext', heads, false) },
      );
      built.push(countedCountSize('counts-ext', cf, tasks, heads));
      guard.check({ counts: built, combined });
      sets.push(countFeatureSet('counts-ext', cf, o.countsExtHeads));
    }
    if (o.combine && counts)
      for (const s of sets.filter((x) => !x.baseline)) sets.push(concatFeatureSets(`${s.name}${COMBINED_SUFFIX}`, s, counts));
    const embeddingHeads = o.embeddingHeads;
    const allSets = embeddingHeads === undefined ? sets : sets.map((s) => (s.baseline ? s : { ...s, heads: embeddingHeads }));
    // Group names from the dataset's own code descriptions (codes.parquet), as the serializer shows them.
    const subgroups =
      o.subgroups === false
        ? undefined
        : subgroupAttributes(await readDemographics(ds), {
            describe: (code) => ds.codes.get(code)?.description ?? null,
            parents: () => [],
          });
    const res = await runEvaluation(tasks, allSets, o.heads, {
      ks: o.ks,
      replicates: o.replicates,
      bootstrap: o.bootstrap,
      pairedResamples: o.pairedResamples,
      seed: o.seed,
      workers,
      ...(subgroups ? { subgroups } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    return buildResultsFile({
      settings: {
        labels: o.labels,
        meds: medsDir,
        ks: [...o.ks],
        replicates: o.replicates,
        heads: o.heads.map((h) => h.name),
        bootstrap: o.bootstrap,
        pairedResamples: o.pairedResamples,
        seed: o.seed,
        counts: {
          enabled: Boolean(o.counts || o.combine),
          timeBins: o.timeBins ?? false,
          deciles: o.deciles ?? false,
          ontology: o.ontology ?? false,
          ext: o.countsExt ?? false,
          ...o.countSettings,
        },
      },
      tasks,
      labels: ld.summary,
      featureSets: allSets,
      heads: o.heads.map((h) => h.name),
      evaluation: res,
      ...(o.notes ? { notes: o.notes } : {}),
    });
  } finally {
    ds.close();
  }
}

/** Share of a count pass's rows after which its entries are projected (then again every further 2%). */
const PROJECT_FROM = 0.05;

/** A `buildCountFeatures` progress callback that runs `check` at 5% of the rows, then every 2% more. */
function countPassGuard(check: (p: CountPassProgress) => void): (p: CountPassProgress) => void {
  let next = 0;
  return (p) => {
    if (p.rows < p.totalRows * PROJECT_FROM || p.rows < next) return;
    next = p.rows + p.totalRows * 0.02;
    check(p);
  };
}

/**
 * The memory guard of one evaluation: the sizes known before loading anything (label counts from
 * summary.json, dimensions from the feature files' schemas); `check` adds what is learned later
 * (count matrices, `--combine` sets) and stops with a UsageError when the estimate does not fit.
 */
async function evaluationMemoryGuard(
  ld: LabelsDir,
  names: readonly string[],
  o: EvaluateFeatureSetsOptions,
  workers: number,
): Promise<{ check(extra: Pick<EvaluationSize, 'counts' | 'combined'>): void }> {
  const tasks = names.map((name) => {
    const t = ld.summary.tasks[name];
    return { name, labels: t?.total.labels ?? 0, train: t?.splits?.train?.labels ?? 0, tuning: t?.splits?.tuning?.labels ?? 0 };
  });
  const sets = [];
  for (const s of o.features) {
    let dims = 0;
    for (const t of tasks) if (t.labels > 0) dims = Math.max(dims, (await taskFeatureShape(s.dir, t.name)).dims);
    sets.push({ name: s.name, dims });
  }
  const base: EvaluationSize = { tasks, sets, heads: o.heads.map((h) => h.name), workers };
  // One logistic fit holds its training rows in one WebAssembly memory (4 GiB): say so before
  // loading anything, not when the k = all fit starts.
  if (o.ks.includes('all') && base.heads.includes('lr'))
    for (const t of tasks)
      for (const set of sets) {
        const bytes = solverMemoryBytes(t.train, set.dims);
        if (set.dims > 0 && bytes > SOLVER_MEMORY_MAX_BYTES)
          throw new UsageError(
            `task ${t.name}: the k = all logistic fit on "${set.name}" would hold ${t.train.toLocaleString('en-US')} training rows × ${set.dims.toLocaleString('en-US')} float32 (${(bytes / 2 ** 30).toFixed(1)} GiB), more than the 4 GiB one WebAssembly memory holds (about 1e9 values); stopped before loading. Leave k = all out (--k), evaluate this task with fewer training labels, or use a smaller embedding.`,
            { field: 'k' },
          );
      }
  const counting = Boolean(o.counts || o.combine || o.countsExt);
  const advice = [
    'Evaluate fewer tasks per run (--tasks; each run loads only its tasks), fewer feature sets at once',
    ...(counting
      ? [
          'fewer count variants (--time-bins, --deciles, --ontology and --counts-ext each add features; --combine adds a dense copy per embedding set)',
        ]
      : []),
    'or run on a machine with more memory; --max-memory sets the bound when the default is wrong.',
  ].join(', ');
  return {
    check(extra) {
      checkMemory('evaluate', evaluationMemoryNeeds({ ...base, ...extra }), {
        ...(o.maxMemory !== undefined ? { maxMemory: o.maxMemory } : {}),
        advice,
      });
    },
  };
}
