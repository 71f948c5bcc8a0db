/**
 * A number from source text as MEDS stores it: `numeric_value` is a 32-bit float, so a value
 * beyond its range would become Infinity and a tiny non-zero one (`1e-400`, `1e-50`) 0. Neither
 * may happen silently: the first is kept as text, the second stored as 0 with a note.
 */

/** Largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** Result of {@link numericValue}: the number to store (or null: keep the text) and a note for the summary. */
export interface NumericValue {
  readonly value: number | null;
  /** Set when the value could not be stored as written; counted as a fallback by the caller. */
  readonly note: string | null;
}

/**
 * Check a parsed number against float32 storage.
 *
 * @param x - the number as parsed (`Number(text)`)
 * @param text - the text it came from, to tell a written 0 from one that underflowed
 */
export function numericValue(x: number, text: string): NumericValue {
  if (!Number.isFinite(x) || Math.abs(x) > FLOAT32_MAX)
    return { value: null, note: 'number beyond the float32 range of numeric_value: kept as text' };
  if (x !== 0 && Math.fround(x) === 0) return { value: 0, note: 'number too small for the float32 numeric_value: stored as 0' };
  if (x === 0 && /[1-9]/.test(text.replace(/[eE].*$/, '')))
    return { value: 0, note: 'number too small for the float32 numeric_value: stored as 0' };
  return { value: x, note: null };
}
