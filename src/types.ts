/**
 * The MEDS data model in TypeScript terms (camelCase; on-disk snake_case names live only in `meds/`).
 *
 * Times are numbers: milliseconds since the Unix epoch, read as UTC from MEDS' timezone-naive
 * `timestamp[us]` column. Microseconds survive as the fractional part (`Math.round(t * 1000)`
 * recovers the stored value exactly for every date before year 2255). Numbers rather than `Date`
 * objects because a dataset holds tens of millions of events and comparisons are the hot path.
 */

/** A value of an extra (non-standard) MEDS column, converted to a plain JS value. */
export type ExtraValue = string | number | boolean | null;

/** One MEDS measurement: a row of `data/**\/*.parquet`. */
export interface Event {
  /** MEDS `subject_id` (int64 on disk; must be a safe integer here). */
  readonly subjectId: number;
  /** Epoch milliseconds (UTC), or `null` for a static fact that holds at all times. */
  readonly time: number | null;
  /** `VOCABULARY/code`, for example `LOINC/4548-4`, or a special code such as `MEDS_BIRTH`. */
  readonly code: string;
  /** MEDS `numeric_value` (float32 on disk), or `null`. */
  readonly numericValue: number | null;
  /** MEDS `text_value`, or `null`. */
  readonly textValue: string | null;
  /**
   * Extra columns that are not null on this row (for example `unit`, `visit_id`, `end`,
   * `hadm_id`). Absent when all extra columns are null, to keep large datasets light.
   */
  readonly extra?: Readonly<Record<string, ExtraValue>>;
}

/** All events of one subject, ordered by time with static (null-time) events first. */
export interface Subject {
  readonly subjectId: number;
  readonly events: readonly Event[];
}

/** The three MEDS splits. */
export type Split = 'train' | 'tuning' | 'held_out';

/** All MEDS split names, in canonical order. */
export const SPLITS: readonly Split[] = ['train', 'tuning', 'held_out'];

/** A row of `metadata/codes.parquet`. */
export interface CodeMetadata {
  readonly code: string;
  /** Human-readable description, or `null` when the source has none. */
  readonly description: string | null;
  /** Parent codes in other vocabularies (for example `LOINC/5803-2`). */
  readonly parentCodes: readonly string[];
}

/** A MEDS label: the value of a task for one subject at one prediction time. */
export interface Label {
  readonly subjectId: number;
  /** Epoch milliseconds; events with `time <= predictionTime` may be used to predict. */
  readonly predictionTime: number;
  readonly booleanValue?: boolean | null;
  readonly integerValue?: number | null;
  readonly floatValue?: number | null;
  readonly categoricalValue?: string | null;
}

/** Type of an extra column as stored on disk (a DuckDB/parquet logical type name). */
export type ColumnType = 'VARCHAR' | 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'FLOAT' | 'BOOLEAN' | 'TIMESTAMP';

/** An extra column of a MEDS dataset beyond the standard five. */
export interface ExtraColumn {
  readonly name: string;
  readonly type: ColumnType;
}

/** Contents of `metadata/dataset.json` (MEDS `DatasetMetadata`; unknown keys are kept). */
export interface DatasetMetadata {
  readonly datasetName?: string;
  readonly datasetVersion?: string;
  readonly etlName?: string;
  readonly etlVersion?: string;
  readonly medsVersion?: string;
  readonly createdAt?: string;
  /** Every key of the file as written, snake_case included. */
  readonly raw: Readonly<Record<string, unknown>>;
}
