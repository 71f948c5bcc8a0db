/**
 * results.json, the one owner of the evaluation's output file: built by {@link buildResultsFile}
 * (for `ehr-embed evaluate` and the benchmark alike), written by {@link writeResultsFile}, read
 * and checked by {@link readResultsFile} (the report is built from it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import type { TaskData } from '../eval/TaskData.ts';
import type { EvaluationResults, FeatureSet, K } from '../eval/runEvaluation.ts';
import type { SplitCounts } from '../tasks/summarizeLabels.ts';
import { PACKAGE_VERSION } from '../version.ts';
import type { LabelRunSummary } from './labelsDir.ts';

/** File name of the evaluation's results in a benchmark directory. */
export const RESULTS_FILE = 'results.json';

/** Settings of the run as `ehr-embed evaluate` records them in results.json. */
export interface EvaluationSettings {
  readonly labels: string;
  readonly meds: string;
  readonly ks: readonly K[];
  readonly replicates: number;
  readonly heads: readonly string[];
  readonly bootstrap: number;
  readonly pairedResamples: number;
  readonly seed: number;
  /** Count features: whether built, and how (the benchmark adds its `baselines` settings). */
  readonly counts: { readonly enabled: boolean; readonly timeBins: boolean; readonly deciles: boolean } & Readonly<Record<string, boolean>>;
}

/** One task as results.json describes it: group, label rows and counts per split. */
export interface EvaluationTaskInfo {
  readonly group: string;
  readonly labels: number;
  readonly train?: SplitCounts;
  readonly tuning?: SplitCounts;
  readonly held_out?: SplitCounts;
}

/** One feature set as results.json describes it. */
export interface EvaluationFeatureSetInfo {
  readonly name: string;
  readonly dims: number;
  /** Count-based baseline (paired tests compare against the best of these). */
  readonly baseline: boolean;
  /** Heads run on it (absent in files written before 0.2). */
  readonly heads?: readonly string[];
}

/**
 * The results.json object written by `ehr-embed evaluate`: {@link EvaluationResults} plus what
 * the command adds. The extra fields are optional so that a report can also be built straight
 * from `runEvaluation`'s return value; the report then derives what it can from the results.
 *
 * Interval bounds may be `null` in a parsed file: `JSON.stringify` writes the NaN of an interval
 * the bootstrap could not compute (one class in every resample) as `null`. The report shows
 * such a bound as "n/a".
 */
export type EvaluationFile = EvaluationResults & {
  readonly version?: string;
  readonly createdAt?: string;
  readonly settings?: EvaluationSettings;
  readonly tasks?: Readonly<Record<string, EvaluationTaskInfo>>;
  readonly featureSets?: readonly EvaluationFeatureSetInfo[];
  /** What was left out and why (for example a head this machine cannot run). */
  readonly notes?: readonly string[];
};

/** What {@link buildResultsFile} puts around the evaluation's results. */
export interface ResultsFileInput {
  readonly settings: EvaluationSettings;
  /** The evaluated tasks and the summary.json of their labels directory (for the split counts). */
  readonly tasks: readonly TaskData[];
  readonly labels: LabelRunSummary;
  readonly featureSets: readonly FeatureSet[];
  /** Names of the heads of the run (a feature set without its own `heads` ran all of them). */
  readonly heads: readonly string[];
  readonly evaluation: EvaluationResults;
  /** Notes to record (absent: no `notes` field). */
  readonly notes?: readonly string[];
}

/** The results.json object of an evaluation: version, time, settings, tasks, feature sets, results. */
export function buildResultsFile(input: ResultsFileInput): EvaluationFile {
  return {
    version: PACKAGE_VERSION,
    createdAt: new Date().toISOString(),
    settings: input.settings,
    tasks: Object.fromEntries(
      input.tasks.map((t) => [t.name, { group: t.group, labels: t.labels.length, ...input.labels.tasks[t.name]?.splits }]),
    ),
    featureSets: input.featureSets.map((s) => ({ name: s.name, dims: s.dims, baseline: s.baseline, heads: s.heads ?? input.heads })),
    ...input.evaluation,
    ...(input.notes ? { notes: input.notes } : {}),
  };
}

/** Write results.json (pretty-printed; NaN interval bounds become null). */
export function writeResultsFile(file: string, results: EvaluationFile): void {
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
}

/** What readers of results.json rely on; other fields are kept as written. */
const ResultsSchema = z.looseObject({
  results: z.array(z.looseObject({ task: z.string(), featureSet: z.string(), head: z.string() })),
  skipped: z.array(z.looseObject({})),
  macro: z.array(z.looseObject({ featureSet: z.string(), head: z.string(), macroAuroc: z.number().nullable() })),
  comparisons: z.array(z.looseObject({})),
  bestBaseline: z.string().nullable(),
});

/**
 * Read and check results.json.
 *
 * @throws UsageError naming the file and field when it is not valid JSON or lacks what a report needs
 */
export function readResultsFile(file: string): EvaluationFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read the evaluation results: ${(err as Error).message}`, { file });
  }
  const r = ResultsSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0] as z.core.$ZodIssue;
    const field = issue.path.join('.');
    throw new UsageError(`evaluation results: ${issue.message}`, { file, ...(field ? { field } : {}) });
  }
  // The file's own object (key order kept): the schema checks, it does not transform.
  return json as EvaluationFile;
}
