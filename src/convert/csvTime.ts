/**
 * Parse a date or date-time as CSV exports write them into epoch milliseconds (UTC):
 * `2023-01-27`, `20230127`, `2023-01-27T16:17:47Z`, `2000-12-27 00:00:00`,
 * `2016-07-29T08:15:00.123456`, `2023-01-27T16:17:47-05:00`.
 *
 * A date without a time is midnight UTC; a time without an offset is read as UTC (OMOP and
 * EHRSHOT times are timezone-naive, and MEDS times are too). Returns null for an empty value or
 * anything else, including impossible dates (`2021-02-30`), so that the caller can skip the
 * record with a reason. `Date.parse` is not used: it accepts locale formats and guesses.
 */
export function csvTime(value: string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = h ? Number(h) : 0;
  const minute = mi ? Number(mi) : 0;
  const second = s ? Number(s) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  let t = Date.UTC(Number(y), month - 1, day, hour, minute, second);
  if (new Date(t).getUTCDate() !== day) return null;
  if (frac) t += Math.round(Number(frac) * 1e6) / 1e3;
  if (tz && tz !== 'Z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0')) * 60_000;
  }
  return t;
}
