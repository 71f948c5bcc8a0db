/**
 * The description lookup chain: the dataset's own codes.parquet, then OMOP vocabulary folders
 * (CONCEPT.csv, e.g. an Athena download), then the ICD-10-CM titles file, then a parent code's
 * description. Codes none of them describe get `null` (callers show a readable fallback).
 *
 * The chain is built for a known set of codes (a dataset's), so even a multi-million-row Athena
 * CONCEPT.csv is filtered inside DuckDB and never held whole in memory.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { duckMessage, openDuck, sqlString } from '../meds/duckdb.ts';
import type { CodeMetadata } from '../types.ts';
import { normalizeIcd } from './normalizeIcd.ts';
import type { DescriptionSource, Vocabulary } from './Vocabulary.ts';

/** Options of {@link buildVocabulary}. */
export interface BuildVocabularyOptions {
  /** The codes to resolve (for example every distinct code of a dataset). */
  readonly codes: Iterable<string>;
  /** The dataset's own codes.parquet rows (first link of the chain). */
  readonly datasetCodes?: ReadonlyMap<string, CodeMetadata>;
  /**
   * Extra vocabulary paths: an OMOP vocabulary folder or CONCEPT.csv file (comma or tab), or an
   * ICD-10-CM order file (`code,billable,short,long`, optionally .gz).
   */
  readonly paths?: readonly string[];
}

/** A resolved chain: a {@link Vocabulary} that also says which link described each code. */
export class VocabularyChain implements Vocabulary {
  private readonly descriptions = new Map<string, { text: string; source: DescriptionSource }>();
  private readonly parentMap: ReadonlyMap<string, CodeMetadata>;

  /** @internal use {@link buildVocabulary}. */
  constructor(parentMap: ReadonlyMap<string, CodeMetadata>) {
    this.parentMap = parentMap;
  }

  /** @internal */
  set(code: string, text: string, source: DescriptionSource): void {
    if (!this.descriptions.has(code) && text.trim() !== '') this.descriptions.set(code, { text, source });
  }

  describe(code: string): string | null {
    return this.descriptions.get(code)?.text ?? null;
  }

  parents(code: string): readonly string[] {
    return this.parentMap.get(code)?.parentCodes ?? [];
  }

  /** Which link described a code (`none` when none did). */
  sourceOf(code: string): DescriptionSource {
    return this.descriptions.get(code)?.source ?? 'none';
  }
}

/** Build the chain for a set of codes. Throws {@link UsageError} for an unreadable vocabulary path. */
export async function buildVocabulary(options: BuildVocabularyOptions): Promise<VocabularyChain> {
  const codes = [...new Set(options.codes)];
  const datasetCodes = options.datasetCodes ?? new Map<string, CodeMetadata>();
  const chain = new VocabularyChain(datasetCodes);
  for (const code of codes) {
    const d = datasetCodes.get(code)?.description;
    if (d) chain.set(code, d, 'codes.parquet');
  }
  const missing = (): string[] => codes.filter((c) => chain.describe(c) === null);
  for (const path of options.paths ?? []) {
    if (!existsSync(path)) throw new UsageError('vocabulary path does not exist', { file: path });
    const kind = classify(path);
    if (kind === 'concept') await addOmopConcepts(chain, conceptFile(path), missing());
    else await addIcd10Titles(chain, path, missing());
  }
  // Last link: a described parent code (for example a MIMIC lab item whose LOINC parent is known).
  for (const code of missing()) {
    for (const p of chain.parents(code)) {
      const d = chain.describe(p) ?? datasetCodes.get(p)?.description ?? null;
      if (d) {
        chain.set(code, d, 'parent');
        break;
      }
    }
  }
  return chain;
}

function classify(path: string): 'concept' | 'icd10cm' {
  if (statSync(path).isDirectory()) return 'concept';
  return /concept/i.test(path) ? 'concept' : 'icd10cm';
}

function conceptFile(path: string): string {
  if (!statSync(path).isDirectory()) return path;
  const f = readdirSync(path).find((n) => /^concept\.(csv|tsv|txt)(\.gz)?$/i.test(n));
  if (!f) throw new UsageError('no CONCEPT.csv in this vocabulary folder', { file: path });
  return join(path, f);
}

/** OMOP CONCEPT: `VOCABULARY/concept_code` → concept_name, for the wanted codes only. */
async function addOmopConcepts(chain: VocabularyChain, file: string, wanted: readonly string[]): Promise<void> {
  if (wanted.length === 0) return;
  const duck = await openDuck('1GB');
  try {
    const c = duck.connection;
    await c.run('CREATE TEMP TABLE wanted (code VARCHAR)');
    const app = await c.createAppender('wanted');
    for (const w of wanted) {
      app.appendVarchar(w);
      app.endRow();
    }
    app.closeSync();
    // Athena files are tab-separated with no quoting; Eunomia's are comma-separated and quoted.
    const rows = (
      await c.runAndReadAll(`SELECT w.code AS code, v.concept_name::VARCHAR AS name
        FROM read_csv(${sqlString(file)}, header = true, all_varchar = true, auto_detect = true) v
        JOIN wanted w ON w.code = v.vocabulary_id || '/' || v.concept_code`)
    ).getRowObjectsJS();
    for (const r of rows) if (typeof r.name === 'string') chain.set(String(r.code), r.name, 'omop-concept');
  } catch (err) {
    throw new UsageError(
      `cannot read OMOP CONCEPT file (expected columns vocabulary_id, concept_code, concept_name): ${duckMessage(err)}`,
      { file },
      { cause: err },
    );
  } finally {
    duck.close();
  }
}

/** ICD-10-CM order file (`code,billable,short,long`): long titles for ICD10CM codes. */
async function addIcd10Titles(chain: VocabularyChain, file: string, wanted: readonly string[]): Promise<void> {
  const byIcd = new Map<string, string[]>();
  for (const w of wanted) {
    const n = normalizeIcd(w);
    if (n?.version === 10) byIcd.set(n.code, [...(byIcd.get(n.code) ?? []), w]);
  }
  if (byIcd.size === 0) return;
  const duck = await openDuck('512MB');
  try {
    const rows = (
      await duck.connection.runAndReadAll(
        `SELECT upper(code::VARCHAR) AS code, long::VARCHAR AS title FROM read_csv(${sqlString(file)}, header = true, all_varchar = true)`,
      )
    ).getRowObjectsJS();
    for (const r of rows) for (const code of byIcd.get(String(r.code)) ?? []) chain.set(code, String(r.title), 'icd10cm-titles');
  } catch (err) {
    throw new UsageError(`cannot read ICD-10-CM titles (expected columns code, long): ${duckMessage(err)}`, { file }, { cause: err });
  } finally {
    duck.close();
  }
}
