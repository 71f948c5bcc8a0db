import { offsetMinutes, utcTime } from './utcTime.ts';

/**
 * Parse a date or date-time as CSV exports write them into epoch milliseconds (UTC):
 * `2023-01-27`, `20230127`, `2023-01-27T16:17:47Z`, `2000-12-27 00:00:00`,
 * `2016-07-29T08:15:00.123456`, `2023-01-27T16:17:47-05:00`.
 *
 * A date without a time is midnight UTC; a time without an offset is read as UTC (OMOP and
 * EHRSHOT times are timezone-naive, and MEDS times are too). Returns null for an empty value or
 * anything else, including impossible dates (`2021-02-30`), so that the caller can skip the
 * record with a reason. `Date.parse` is not used: it accepts locale formats and guesses. Years
 * 0000-0099 stay as written; minutes or seconds of 60-99 and offsets like `+99:99` are rejected.
 */
export function csvTime(value: string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  let t = utcTime(Number(y), Number(mo), Number(d), h ? Number(h) : 0, mi ? Number(mi) : 0, s ? Number(s) : 0);
  if (t === null) return null;
  if (frac) t += Math.round(Number(frac) * 1e6) / 1e3;
  if (tz && tz !== 'Z') {
    const off = offsetMinutes(tz);
    if (off === null) return null;
    t -= off * 60_000;
  }
  return t;
}
