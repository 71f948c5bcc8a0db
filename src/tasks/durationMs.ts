import type { Duration } from './taskSpec.ts';

/** Milliseconds in a minute. */
export const MINUTE_MS = 60_000;
/** Milliseconds in an hour. */
export const HOUR_MS = 3_600_000;
/** Milliseconds in a (UTC, leap-second-free) day. */
export const DAY_MS = 86_400_000;

/** A {@link Duration} in milliseconds (missing fields count as 0). */
export function durationMs(d: Duration): number {
  return (d.days ?? 0) * DAY_MS + (d.hours ?? 0) * HOUR_MS + (d.minutes ?? 0) * MINUTE_MS;
}
