/**
 * ACES time deltas (`24h`, `48 hours`, `1825d`, `2h30m`, `1 day 12h`): the forms of the
 * pytimeparse expressions ACES task configs use, as milliseconds.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  w: 604_800_000,
  wk: 604_800_000,
  wks: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
};

const PART = /(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)\s*,?\s*/gy;

/**
 * Parse an ACES duration into milliseconds, or return null when the text is not one. A sequence
 * of `<number><unit>` parts (units w, d, h, m, s and their spelled-out forms) adds up; years and
 * months are not durations in ACES (pytimeparse rejects them), so they are rejected here too.
 */
export function parseAcesDuration(text: string): number | null {
  const s = text.trim().toLowerCase();
  if (s === '') return null;
  let total = 0;
  let pos = 0;
  PART.lastIndex = 0;
  while (pos < s.length) {
    PART.lastIndex = pos;
    const m = PART.exec(s);
    if (m === null) return null;
    const unit = UNIT_MS[m[2] as string];
    if (unit === undefined) return null;
    total += Number(m[1]) * unit;
    pos = PART.lastIndex;
  }
  return total;
}
