/**
 * Find a table's file in a directory whatever its case and extension: `PERSON.csv`,
 * `person.csv`, `person.csv.gz`, `Person.tsv`. OMOP exports differ in both.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';

const EXTENSIONS = ['.csv', '.csv.gz', '.tsv', '.tsv.gz', '.txt', '.txt.gz'];

/** Path of the file holding `table` in `dir`, or null when there is none. */
export function csvFindTable(dir: string, table: string): string | null {
  const wanted = new Set(EXTENSIONS.map((e) => `${table}${e}`.toLowerCase()));
  // Sorted so that the pick is stable when a directory holds both `x.csv` and `X.csv`.
  const hit = readdirSync(dir, { withFileTypes: true })
    .filter((e) => wanted.has(e.name.toLowerCase()) && isFileOrLinkToFile(dir, e))
    .map((e) => e.name)
    .sort();
  const first = hit[0];
  return first === undefined ? null : join(dir, first);
}

/** A regular file, or a symbolic link to one (exports are often linked into a working directory). */
export function isFileOrLinkToFile(dir: string, e: Dirent): boolean {
  if (e.isFile()) return true;
  if (!e.isSymbolicLink()) return false;
  try {
    return statSync(join(dir, e.name)).isFile();
  } catch {
    return false; // a broken link
  }
}

/** Table names (file names without the CSV extensions, lower case) of the CSV files in `dir`. */
export function csvTableNames(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const ext = EXTENSIONS.find((x) => e.name.toLowerCase().endsWith(x));
    if (ext !== undefined && isFileOrLinkToFile(dir, e)) out.push(e.name.slice(0, -ext.length).toLowerCase());
  }
  return [...new Set(out)].sort();
}
