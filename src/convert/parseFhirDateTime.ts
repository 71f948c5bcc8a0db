/**
 * Parse a FHIR date, dateTime or instant into epoch milliseconds (UTC). Partial dates (`2010`,
 * `2010-05`) take the first day; a date without a time is midnight UTC; an offset is applied.
 * Returns null for anything else, so the caller can skip the record with a reason.
 */
export function parseFhirDateTime(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const month = mo ? Number(mo) : 1;
  const day = d ? Number(d) : 1;
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  let t = Date.UTC(Number(y), month - 1, day, h ? Number(h) : 0, mi ? Number(mi) : 0, s ? Number(s) : 0);
  if (new Date(t).getUTCDate() !== day) return null; // 2021-02-30
  if (frac) t += Math.round(Number(frac) * 1e6) / 1e3;
  if (tz && tz !== 'Z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  return t;
}
