import { offsetMinutes, utcTime } from './utcTime.ts';

/**
 * Parse a FHIR date, dateTime or instant into epoch milliseconds (UTC). Partial dates (`2010`,
 * `2010-05`) take the first day; a date without a time is midnight UTC; an offset is applied.
 * Years 0000-0099 stay as written. Returns null for anything else (minute or second 60-99, an
 * offset like `+99:99`, `2021-02-30`), so the caller can skip the record with a reason.
 */
export function parseFhirDateTime(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  let t = utcTime(Number(y), mo ? Number(mo) : 1, d ? Number(d) : 1, h ? Number(h) : 0, mi ? Number(mi) : 0, s ? Number(s) : 0);
  if (t === null) return null;
  if (frac) t += Math.round(Number(frac) * 1e6) / 1e3;
  if (tz && tz !== 'Z') {
    const off = offsetMinutes(tz);
    if (off === null) return null;
    t -= off * 60_000;
  }
  return t;
}
