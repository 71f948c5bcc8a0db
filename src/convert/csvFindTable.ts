/**
 * Find a table's file in a directory whatever its case and extension: `PERSON.csv`,
 * `person.csv`, `person.csv.gz`, `Person.tsv`. OMOP exports differ in both.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const EXTENSIONS = ['.csv', '.csv.gz', '.tsv', '.tsv.gz', '.txt', '.txt.gz'];

/** Path of the file holding `table` in `dir`, or null when there is none. */
export function csvFindTable(dir: string, table: string): string | null {
  const wanted = new Set(EXTENSIONS.map((e) => `${table}${e}`.toLowerCase()));
  // Sorted so that the pick is stable when a directory holds both `x.csv` and `X.csv`.
  const hit = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && wanted.has(e.name.toLowerCase()))
    .map((e) => e.name)
    .sort();
  const first = hit[0];
  return first === undefined ? null : join(dir, first);
}
