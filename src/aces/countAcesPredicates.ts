import type { NumericBounds } from '../meds/MedsDataset.ts';
import type { AcesConfig, AcesPlainPredicate } from './AcesConfig.ts';
import { closestCodes, literalPrefix } from './closestCodes.ts';
import { codeMatcher } from './plainPredicateMatcher.ts';

/** What {@link countAcesPredicates} reads: distinct codes with row counts, and a count of rows with values in bounds. */
export interface CodeCountSource {
  /** Every distinct code with its number of rows (static rows included). */
  codeCounts(): Promise<ReadonlyMap<string, number>>;
  /** Rows with one of `codes` whose numeric value satisfies the bounds (exclusive unless inclusive). */
  countValues(codes: readonly string[], bounds: NumericBounds): Promise<number>;
}

/** One predicate's count over the dataset. */
export interface PredicateCount {
  readonly name: string;
  readonly kind: 'plain' | 'demographic' | 'derived';
  /** Matching rows (plain, demographic); derived: null (they count event times, known only per subject). */
  readonly rows: number | null;
  /** Distinct codes that match (plain, demographic). */
  readonly codes: number | null;
  /** A warning when nothing can match, naming the closest codes. */
  readonly warning: string | null;
}

/**
 * Count how many rows of the dataset each predicate of a config matches, before extraction: a
 * predicate that matches nothing (a typo, another dataset's code spelling) is a warning naming
 * the closest codes in the dataset. Derived predicates warn when their inputs make them empty
 * (`or` of empty inputs, `and` with an empty input).
 */
export async function countAcesPredicates(config: AcesConfig, source: CodeCountSource): Promise<PredicateCount[]> {
  const codeCounts = await source.codeCounts();
  const codes = [...codeCounts.keys()];
  const out: PredicateCount[] = [];
  const rowsOf = new Map<string, number>();
  const plainCount = async (p: AcesPlainPredicate, kind: 'plain' | 'demographic'): Promise<PredicateCount> => {
    const match = codeMatcher(p.code);
    const hits = codes.filter((c) => match(c));
    let rows = hits.reduce((n, c) => n + (codeCounts.get(c) ?? 0), 0);
    if (hits.length > 0 && (p.valueMin !== null || p.valueMax !== null)) {
      rows = await source.countValues(hits, {
        min: p.valueMin,
        minInclusive: p.valueMinInclusive,
        max: p.valueMax,
        maxInclusive: p.valueMaxInclusive,
      });
    }
    rowsOf.set(p.name, rows);
    let warning: string | null = null;
    if (rows === 0) {
      const target =
        p.code.kind === 'exact' ? p.code.code : p.code.kind === 'any' ? (p.code.codes[0] as string) : literalPrefix(p.code.source);
      const what =
        p.code.kind === 'exact'
          ? `code "${p.code.code}"`
          : p.code.kind === 'any'
            ? `codes ${p.code.codes.map((c) => `"${c}"`).join(', ')}`
            : `regex "${p.code.source}"`;
      const why = hits.length > 0 ? `${hits.length} codes match ${what} but no value is within the bounds` : `no code matches ${what}`;
      const near = hits.length > 0 ? [] : closestCodes(target, codes);
      warning = `predicate "${p.name}" matches no event: ${why}${near.length > 0 ? `; closest codes: ${near.join(', ')}` : ''}`;
    }
    return { name: p.name, kind, rows, codes: hits.length, warning };
  };
  for (const p of config.predicates) {
    if (p.type === 'plain') {
      out.push(await plainCount(p, 'plain'));
      continue;
    }
    const inputs = p.inputs.map((i) => rowsOf.get(i) ?? (i.startsWith('_') ? 1 : 0));
    const empty = p.op === 'or' ? inputs.every((n) => n === 0) : inputs.some((n) => n === 0);
    rowsOf.set(p.name, empty ? 0 : 1);
    out.push({
      name: p.name,
      kind: 'derived',
      rows: null,
      codes: null,
      warning: empty
        ? `predicate "${p.name}" (${p.op} of ${p.inputs.join(', ')}) can match no event: ${p.op === 'or' ? 'none of its inputs matches' : 'an input matches nothing'}`
        : null,
    });
  }
  for (const d of config.demographics) out.push(await plainCount(d, 'demographic'));
  return out;
}
