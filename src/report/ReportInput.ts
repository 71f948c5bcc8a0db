/** What a report is built from: the evaluation's results.json plus optional run artifacts. */
import type { EmbedReport } from '../artifacts/featuresManifest.ts';
import type { EvaluationResults, K } from '../eval/runEvaluation.ts';
import type { DatasetStats } from '../meds/computeDatasetStats.ts';
import type { SplitCounts } from '../tasks/summarizeLabels.ts';
import type { LabelRunSummary } from '../tasks/writeLabelOutputs.ts';
import type { VocabularyAudit } from '../vocab/auditVocabulary.ts';

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
  readonly counts: { readonly enabled: boolean; readonly timeBins: boolean; readonly deciles: boolean };
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
};

/** Token counts and embedding statistics of one embedding run (one model and format). */
export interface ReportEmbedding {
  /** Feature-set name this run produced (as passed to `evaluate --features name=dir`). */
  readonly name: string;
  readonly report: EmbedReport;
  /** Token count of each serialized text, for the histogram (optional: the stats are in `report`). */
  readonly tokenCounts?: readonly number[];
}

/** One example serialization of a synthetic record. */
export interface ReportExample {
  readonly format: string;
  readonly title: string;
  readonly text: string;
}

/** Duration of one pipeline step. */
export interface ReportTiming {
  readonly step: string;
  readonly seconds: number;
  readonly detail?: string;
  /** Items processed in this step (for throughput; optional). */
  readonly count?: number;
  /** What `count` counts, plural (default "items"). */
  readonly unit?: string;
}

/** Everything {@link buildReport} turns into report.html and report.md. */
export interface ReportInput {
  readonly title: string;
  /** ISO 8601 time the report was generated. */
  readonly generatedAt: string;
  /** The results.json object. */
  readonly evaluation: EvaluationFile;
  /** `ehr-embed stats` of the MEDS dataset. */
  readonly dataset?: DatasetStats;
  /** summary.json of the labels directory. */
  readonly labels?: LabelRunSummary;
  /** `ehr-embed vocab-audit` of the dataset. */
  readonly vocabulary?: VocabularyAudit;
  readonly embeddings?: readonly ReportEmbedding[];
  /** One serialization per format from a synthetic record. */
  readonly examples?: readonly ReportExample[];
  readonly timings?: readonly ReportTiming[];
  /** Free-text notes shown near the top (plain text, escaped). */
  readonly notes?: readonly string[];
  /**
   * The few-shot k of the results table. Default: the largest numeric k with results for at
   * least half of the (task, model) pairs of the best-covered numeric k.
   */
  readonly fewShotK?: number;
}
