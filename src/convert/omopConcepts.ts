/**
 * The OMOP concepts a conversion needs, read from CONCEPT.csv.
 *
 * A full Athena CONCEPT.csv has millions of rows; keeping them all in JS would cost about a
 * gigabyte. DuckDB instead scans the clinical tables for the concept ids they use (fast and
 * parallel) and reads only those rows of CONCEPT.csv. The scan is lenient (`ignore_errors`): a
 * row DuckDB cannot read is skipped with a reason by the converter's own row loop later, and at
 * worst an id it missed here becomes a counted `OMOP_CONCEPT/<id>` fallback.
 */
import { UsageError } from '../errors.ts';
import { duckMessage, openDuck, sqlIdent, sqlString } from '../meds/duckdb.ts';

/** One row of CONCEPT.csv, as far as a converter needs it. */
export interface OmopConcept {
  /** `vocabulary_id`: `SNOMED`, `LOINC`, `RxNorm`, `RxNorm Extension`, `Visit`, `UCUM`, ... */
  readonly vocabulary: string;
  /** `concept_code` in that vocabulary. */
  readonly code: string;
  /** `concept_name`. */
  readonly name: string;
}

/** Concept-id columns of one table file. */
export interface OmopConceptUse {
  readonly file: string;
  /** `','` or `'\t'`, as detected by the CSV reader. */
  readonly delimiter: string;
  /** Gzip-compressed, whatever the file name says. */
  readonly gzip: boolean;
  /** Concept-id columns present in the file's header. */
  readonly columns: readonly string[];
}

/**
 * Read the concepts that `uses` refer to from CONCEPT.csv (comma or tab separated, any case of
 * column names). Returns them by concept id. Throws a UsageError naming the file when
 * CONCEPT.csv lacks a required column or cannot be read at all.
 */
export async function omopConcepts(concept: { readonly file: string; readonly delimiter: string; readonly gzip: boolean }, uses: readonly OmopConceptUse[]): Promise<Map<number, OmopConcept>> {
  const out = new Map<number, OmopConcept>();
  const parts = uses
    .filter((u) => u.columns.length > 0)
    .map((u) => `SELECT UNNEST([${u.columns.map((c) => sqlIdent(c)).join(', ')}]) AS v FROM ${readCsv(u.file, u.delimiter, u.gzip)}`);
  if (parts.length === 0) return out;
  const sql = `
    WITH used AS (SELECT DISTINCT TRY_CAST(v AS BIGINT) AS id FROM (${parts.join(' UNION ALL ')}) WHERE v IS NOT NULL)
    SELECT TRY_CAST(concept_id AS BIGINT) AS id, vocabulary_id, concept_code, concept_name
    FROM ${readCsv(concept.file, concept.delimiter, concept.gzip)}
    WHERE TRY_CAST(concept_id AS BIGINT) IN (SELECT id FROM used WHERE id IS NOT NULL AND id <> 0)`;
  const duck = await openDuck();
  try {
    const rows = (await duck.connection.runAndReadAll(sql)).getRowsJS();
    for (const [id, vocabulary, code, name] of rows) {
      if (typeof id !== 'bigint' && typeof id !== 'number') continue;
      if (typeof vocabulary !== 'string' || typeof code !== 'string') continue;
      out.set(Number(id), { vocabulary, code, name: typeof name === 'string' ? name : code });
    }
  } catch (err) {
    throw new UsageError(`reading concepts failed: ${duckMessage(err)}`, { file: concept.file }, { cause: err });
  } finally {
    duck.close();
  }
  return out;
}

/** A lenient all-text `read_csv` of one file; tab-separated files are read without quoting, as the CSV reader does. */
function readCsv(file: string, delimiter: string, gzip: boolean): string {
  const compression = gzip ? 'gzip' : 'none';
  const quote = delimiter === '\t' ? `quote = '', escape = ''` : `quote = '"', escape = '"'`;
  return `read_csv(${sqlString(file)}, all_varchar = true, header = true, delim = ${sqlString(delimiter)}, ${quote}, ignore_errors = true, null_padding = true, compression = ${sqlString(compression)})`;
}
