/**
 * Prediction-time arithmetic of SPEC 4. Times are epoch milliseconds read as UTC (MEDS times are
 * timezone-naive), so "the day" of an event is its UTC calendar day.
 */
import { DAY_MS, MINUTE_MS } from './durationMs.ts';

/** Floor a time to the whole minute (SPEC 4: prediction times are truncated to the minute). */
export function truncateToMinute(t: number): number {
  return Math.floor(t / MINUTE_MS) * MINUTE_MS;
}

/** Start (00:00 UTC) of the day that contains `t`. */
export function startOfDay(t: number): number {
  return Math.floor(t / DAY_MS) * DAY_MS;
}

/** 23:59:00 (UTC) on the day that contains `t`: the prediction time of day-end tasks. */
export function dayEnd(t: number): number {
  return startOfDay(t) + DAY_MS - MINUTE_MS;
}

/** True when two times fall on the same UTC calendar day. */
export function sameDay(a: number, b: number): boolean {
  return Math.floor(a / DAY_MS) === Math.floor(b / DAY_MS);
}
