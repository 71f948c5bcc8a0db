/** What a report is built from: the evaluation's results.json plus optional run artifacts. */
import type { EmbedReport } from '../artifacts/featuresManifest.ts';
import type { EvaluationFile } from '../artifacts/resultsFile.ts';
import type { DatasetStats } from '../meds/computeDatasetStats.ts';
import type { LabelRunSummary } from '../artifacts/labelsDir.ts';
import type { VocabularyAudit } from '../vocab/auditVocabulary.ts';

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
