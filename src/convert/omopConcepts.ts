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
import { csvReader } from './csvReader.ts';

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
export async function omopConcepts(
  concept: { readonly file: string; readonly delimiter: string; readonly gzip: boolean },
  uses: readonly OmopConceptUse[],
): Promise<Map<number, OmopConcept>> {
  const out = new Map<number, OmopConcept>();
  const used = uses.filter((u) => u.columns.length > 0);
  if (used.length === 0) return out;
  const duck = await openDuck();
  try {
    const c = duck.connection;
    await c.run('CREATE TEMP TABLE used (id BIGINT)');
    // One table at a time, so that a table DuckDB cannot read (its sniffer gives up on an
    // unbalanced quote) is blamed on itself and read by our own parser instead, rather than
    // failing the run with an error that names CONCEPT.csv.
    for (const u of used) {
      try {
        await c.run(
          `INSERT INTO used SELECT DISTINCT TRY_CAST(v AS BIGINT) FROM (SELECT UNNEST([${u.columns.map((col) => sqlIdent(col)).join(', ')}]) AS v FROM ${readCsv(u.file, u.delimiter, u.gzip)}) WHERE v IS NOT NULL`,
        );
      } catch {
        const ids = await conceptIdsOf(u);
        for (let i = 0; i < ids.length; i += 1000)
          await c.run(
            `INSERT INTO used VALUES ${ids
              .slice(i, i + 1000)
              .map((id) => `(${id})`)
              .join(', ')}`,
          );
      }
    }
    const sql = `
      SELECT TRY_CAST(concept_id AS BIGINT) AS id, vocabulary_id, concept_code, concept_name
      FROM ${readCsv(concept.file, concept.delimiter, concept.gzip)}
      WHERE TRY_CAST(concept_id AS BIGINT) IN (SELECT id FROM used WHERE id IS NOT NULL AND id <> 0)`;
    let rows;
    try {
      rows = (await c.runAndReadAll(sql)).getRowsJS();
    } catch (err) {
      throw new UsageError(`reading concepts failed: ${duckMessage(err)}`, { file: concept.file }, { cause: err });
    }
    for (const [id, vocabulary, code, name] of rows) {
      if (typeof id !== 'bigint' && typeof id !== 'number') continue;
      if (typeof vocabulary !== 'string' || typeof code !== 'string') continue;
      out.set(Number(id), { vocabulary, code, name: typeof name === 'string' ? name : code });
    }
  } finally {
    duck.close();
  }
  return out;
}

/** The distinct integer concept ids of a table's concept columns, read with the converter's own CSV parser. */
async function conceptIdsOf(use: OmopConceptUse): Promise<string[]> {
  const reader = await csvReader(use.file);
  const cols = use.columns.map((col) => reader.column(col)).filter((i) => i >= 0);
  const ids = new Set<string>();
  for await (const batch of reader.batches()) {
    for (const rec of batch) {
      for (const i of cols) {
        const v = rec.values[i]?.trim();
        if (v !== undefined && /^-?\d{1,18}$/.test(v)) ids.add(String(BigInt(v)));
      }
    }
  }
  return [...ids];
}

/** A lenient all-text `read_csv` of one file; tab-separated files are read without quoting, as the CSV reader does. */
function readCsv(file: string, delimiter: string, gzip: boolean): string {
  const compression = gzip ? 'gzip' : 'none';
  const quote = delimiter === '\t' ? `quote = '', escape = ''` : `quote = '"', escape = '"'`;
  return `read_csv(${sqlString(file)}, all_varchar = true, header = true, delim = ${sqlString(delimiter)}, ${quote}, ignore_errors = true, null_padding = true, compression = ${sqlString(compression)})`;
}
