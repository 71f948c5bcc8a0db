/** Tiny inline subjects for labeler tests: events from ISO times, sorted like a MEDS subject. */
import type { Event, ExtraValue, Subject } from '../../src/types.ts';

/** Epoch ms of an ISO time read as UTC (`'2020-01-01 10:00'`). */
export function t(iso: string): number {
  const ms = Date.parse(iso.replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? '' : 'Z'));
  if (Number.isNaN(ms)) throw new Error(`bad time ${iso}`);
  return ms;
}

/** One event; `time` null for static facts. */
export function ev(
  code: string,
  time: string | null,
  opts: { value?: number; text?: string; extra?: Record<string, ExtraValue> } = {},
): Event {
  return {
    subjectId: 1,
    time: time === null ? null : t(time),
    code,
    numericValue: opts.value ?? null,
    textValue: opts.text ?? null,
    ...(opts.extra ? { extra: opts.extra } : {}),
  };
}

/** A `Visit/<cls>` event in our converters' convention (end in `extra.end`, a visit id). */
export function visit(cls: string, start: string, end: string | null, id = `${cls}-${start}`): Event {
  return ev(`Visit/${cls}`, start, { extra: { visit_id: id, ...(end === null ? {} : { end: t(end) }) } });
}

/** A subject (id 1 unless given) with its events sorted by time, static first. */
export function subject(events: Event[], subjectId = 1): Subject {
  const sorted = [...events].map((e) => ({ ...e, subjectId })).sort((a, b) => (a.time ?? -Infinity) - (b.time ?? -Infinity));
  return { subjectId, events: sorted };
}

/** ISO form of a prediction time, for readable assertions. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(':00.000Z', '');
}
