import type { Event, ExtraColumn } from '../types.ts';
import type { ConversionReport } from './ConversionReport.ts';

/** Extra columns every ehr-embed converter writes (null where a source has no such value). */
export const CONVERTED_EXTRA_COLUMNS: readonly ExtraColumn[] = [
  /** The visit (encounter) an event belongs to; on `Visit/...` events, the visit itself. */
  { name: 'visit_id', type: 'VARCHAR' },
  /** End of a visit or of an interval event. */
  { name: 'end', type: 'TIMESTAMP' },
  /** Unit of `numeric_value` (UCUM where the source uses it). */
  { name: 'unit', type: 'VARCHAR' },
  /** Clinical domain: visit, condition, medication, procedure, measurement, observation, immunization, allergy, device, careplan, diagnostic_report, demographics, death, note. */
  { name: 'domain', type: 'VARCHAR' },
  /** The source's own value for the code or the record (OMOP `*_source_value`, FHIR resource id). */
  { name: 'source_value', type: 'VARCHAR' },
];

/** What a converter may do while it runs. */
export interface ConvertContext {
  /** Write one event; `kind` (resource type, table) is counted in the summary. */
  emit(event: Event, kind: string): void;
  /** Record a code's description and parent codes for codes.parquet. */
  describeCode(code: string, description: string | null, parentCodes?: readonly string[]): void;
  /** The MEDS subject id of a source patient id (stable across runs). */
  subjectId(sourceId: string): number;
  /** Read/skip/fallback counters and the rejects file. */
  readonly report: ConversionReport;
  /** Progress in input units (bytes or rows): set the total once when known, then advance. */
  progress(done: number, total?: number): void;
}

/** A source format that converts to MEDS. One file per converter under `src/convert/`. */
export interface Converter {
  /** Registry key, used by `ehr-embed convert --from <name>`. */
  readonly name: string;
  /** One line for `--help`. */
  readonly description: string;
  /** Read `input` (a file or directory) and emit events. Throws UsageError for unusable input. */
  convert(input: string, ctx: ConvertContext): Promise<void>;
}
