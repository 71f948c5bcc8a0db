import type { Event } from '../types.ts';

/** The identity of a source event, as reported in the provenance of each output line. */
export interface EventRef {
  readonly subjectId: number;
  /** Epoch ms, or null for a static event. */
  readonly time: number | null;
  readonly code: string;
}

/**
 * The reference of `events[i]`, made on first use and kept in `refs`, so every line citing an
 * event shares one object (serializers keep provenance as indices until a caller reads it).
 */
export function eventRefAt(refs: (EventRef | undefined)[], events: readonly Event[], i: number): EventRef {
  let r = refs[i];
  if (r === undefined) {
    const e = events[i] as Event;
    r = { subjectId: e.subjectId, time: e.time, code: e.code };
    refs[i] = r;
  }
  return r;
}
