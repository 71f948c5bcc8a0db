/**
 * Checked calendar arithmetic shared by the date parsers of every converter and the server.
 * `Date.UTC` maps years 0-99 to 1900-1999 and rolls minute 99 over into the next hour; a
 * clinical time must not silently move, so every field is range-checked here instead.
 */

/**
 * Epoch milliseconds (UTC) of a calendar date and time, or null when a field is out of range
 * (month 1-12, a day the month has, hour 0-23, minute and second 0-59). Years 0-9999 are taken
 * as written: `0019` is the year 19, not 1919.
 */
export function utcTime(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number | null {
  if (![year, month, day, hour, minute, second].every(Number.isInteger)) return null;
  if (year < 0 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) return null;
  if (hour > 23 || minute > 59 || second > 59 || hour < 0 || minute < 0 || second < 0) return null;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  if (d.getUTCDate() !== day) return null; // 2021-02-30
  return d.getTime();
}

/**
 * Minutes east of UTC of an ISO 8601 offset (`+05:30`, `-0800`, `+05`), or null when it is not
 * a real offset (hours beyond 14, minutes beyond 59: `+99:99`).
 */
export function offsetMinutes(tz: string): number | null {
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(tz);
  if (!m) return null;
  const h = Number(m[2]);
  const mi = Number(m[3] ?? '0');
  if (h > 14 || mi > 59 || (h === 14 && mi > 0)) return null;
  return (m[1] === '-' ? -1 : 1) * (h * 60 + mi);
}
