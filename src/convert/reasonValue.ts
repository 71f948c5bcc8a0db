/**
 * A source value as it may appear in a skip reason or fallback note. Reasons are grouped and
 * counted, and land in rejects.ndjson, conversion.json and the console, so they must never carry
 * record content: a value that looks like a code (`AMB`, `LOINC/4548-4`) is quoted, anything else
 * (free text, which might be a name) is replaced by a placeholder.
 */
const CODE_LIKE = /^[A-Za-z0-9][A-Za-z0-9._:/|-]{0,59}$/;

/** `"AMB"` for a code-like value, `(a value that is not a code)` for anything else. */
export function reasonValue(value: string): string {
  return CODE_LIKE.test(value) ? `"${value}"` : '(a value that is not a code)';
}
