import type { Event, ExtraValue } from '../types.ts';
import { lookupTable } from '../lookupTable.ts';

/** Broad class of a visit, the way EHRSHOT tasks need it. */
export type VisitKind = 'inpatient' | 'emergency' | 'outpatient' | 'other';

/** A visit (encounter, stay) found in a subject's events. */
export interface Visit {
  /** `extra.visit_id`, MIMIC's `hadm_id`, or a made-up `CODE@time` id when the source has none. */
  readonly visitId: string;
  /** Code of the event that opened it (`Visit/IP`, `HOSPITAL_ADMISSION//EW EMER.//EMERGENCY ROOM`, ...). */
  readonly code: string;
  readonly kind: VisitKind;
  /** Start, epoch ms. */
  readonly start: number;
  /** End, epoch ms, or null when open or unknown in the events given. */
  readonly end: number | null;
  /** Index (in the events given) of the event that opened the visit. */
  readonly startIndex: number;
  /** Index of the event that closed it (MIMIC discharge rows), or -1 when the end came with the start event or is unknown. */
  readonly endIndex: number;
  /** The enclosing visit of a nested stay (an ICU stay inside a hospital admission), else null. */
  readonly partOf: string | null;
  /**
   * How events without a visit id join the visit: `explicit` (only by `extra.visit_id`, our
   * converters' convention) or `time` (also any event inside [start, end], MIMIC's labs and
   * chart events carry no `hadm_id`).
   */
  readonly membership: 'explicit' | 'time';
}

const DAY_MS = 86_400_000;

/** `Visit/<class>` suffixes (upper-cased) → kind. Synthea classes follow OHDSI's ETL-Synthea mapping. */
const VISIT_CLASS_KINDS: Readonly<Record<string, VisitKind>> = lookupTable({
  IP: 'inpatient',
  ERIP: 'inpatient',
  IMP: 'inpatient',
  INPATIENT: 'inpatient',
  ACUTE: 'inpatient',
  'IP/ER': 'inpatient',
  '9201': 'inpatient',
  '262': 'inpatient',
  ER: 'emergency',
  ED: 'emergency',
  EMER: 'emergency',
  EMERGENCY: 'emergency',
  URGENTCARE: 'emergency',
  URGENT: 'emergency',
  '9203': 'emergency',
  OP: 'outpatient',
  AMB: 'outpatient',
  WELL: 'outpatient',
  OBS: 'outpatient',
  PRE: 'outpatient',
  AMBULATORY: 'outpatient',
  OUTPATIENT: 'outpatient',
  WELLNESS: 'outpatient',
  OFFICE: 'outpatient',
  VR: 'outpatient',
  VIRTUAL: 'outpatient',
  TELEHEALTH: 'outpatient',
  '9202': 'outpatient',
  '581477': 'outpatient',
});

/** The kind of a visit code: `Visit/IP` and `Visit/ERIP` inpatient, `Visit/ER` emergency, `Visit/OP` outpatient, MIMIC hospital admissions inpatient, ED registrations emergency. */
export function visitKind(code: string): VisitKind {
  let kind = kinds.get(code);
  if (kind === undefined) {
    kind = kindOf(code);
    // A dataset has few visit codes; the bound only guards against pathological input.
    if (kinds.size < 10_000) kinds.set(code, kind);
  }
  return kind;
}

const kinds = new Map<string, VisitKind>();

function kindOf(code: string): VisitKind {
  if (code.startsWith('Visit/')) return VISIT_CLASS_KINDS[code.slice(6).toUpperCase()] ?? 'other';
  if (code.startsWith('HOSPITAL_ADMISSION')) return 'inpatient';
  if (code === 'ED_REGISTRATION' || code.startsWith('ED_REGISTRATION//')) return 'emergency';
  return 'other';
}

/** Whether a code opens or closes a top-level visit (such rows become the visit heading, not content). */
export function isVisitMarker(code: string): boolean {
  return (
    code.startsWith('Visit/') ||
    code.startsWith('HOSPITAL_ADMISSION') ||
    code.startsWith('HOSPITAL_DISCHARGE') ||
    code === 'ED_REGISTRATION' ||
    code.startsWith('ED_REGISTRATION//') ||
    code === 'ED_OUT' ||
    code.startsWith('ED_OUT//')
  );
}

/** An id-like extra value as a string, or null. */
export function idOf(v: ExtraValue | undefined): string | null {
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/** A visit's `end` column as epoch ms: a number, or a parseable date-time string; else null. */
export function endOf(v: ExtraValue | undefined): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v !== '') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

/**
 * The visits in a subject's events (sorted by time, as in a {@link Subject}), ordered by start.
 *
 * Two conventions are read:
 * - ours (and EHRSHOT's): a `Visit/<class>` event at the start with `extra.end` (epoch ms; absent
 *   or null when open) and `extra.visit_id`, repeated on the visit's events;
 * - MIMIC-IV MEDS: `HOSPITAL_ADMISSION//<type>//<location>` and `HOSPITAL_DISCHARGE//<location>`
 *   rows sharing `extra.hadm_id` (without that column: an admission ends at the next discharge); `ED_REGISTRATION` / `ED_OUT` pairs (by `stay_id` when given,
 *   else the next `ED_OUT` before the next registration); `ICU_ADMISSION//<unit>` /
 *   `ICU_DISCHARGE//<unit>` with `icustay_id`, returned as nested visits (`partOf` = the `hadm_id`).
 *
 * Ends come only from the events given: pass events up to a prediction time and a stay that has
 * not ended by then has `end: null`.
 */
export function extractVisits(events: readonly Event[]): Visit[] {
  const visits: Visit[] = [];
  // MIMIC's id maps, made on first use: most datasets have only `Visit/` rows.
  let openHadm: Map<string, number> | null = null; // hadm_id → index in visits, awaiting discharge
  let openIcu: Map<string, number> | null = null;
  let openEd: number | null = null;
  let openNoHadm: number[] | null = null; // admissions without hadm_id: the next discharge ends them
  let edByStay: Map<string, number> | null = null;

  const setEnd = (vi: number, end: number, endIndex: number): void => {
    const v = visits[vi];
    if (v === undefined) return;
    visits[vi] = {
      visitId: v.visitId,
      code: v.code,
      kind: v.kind,
      start: v.start,
      end: Math.max(end, v.start),
      startIndex: v.startIndex,
      endIndex,
      partOf: v.partOf,
      membership: v.membership,
    };
  };

  for (let i = 0; i < events.length; i++) {
    const e = events[i] as Event;
    if (e.time === null) continue;
    const code = e.code;
    // Every visit code starts with V(isit/), H(OSPITAL_), E(D_) or I(CU_): one character test
    // skips the string comparisons for the other events, most of a record.
    const c0 = code.charCodeAt(0);
    if (c0 !== 86 && c0 !== 72 && c0 !== 69 && c0 !== 73) continue;
    const extra = e.extra;
    if (code.startsWith('Visit/')) {
      const end = endOf(extra?.end);
      visits.push({
        visitId: idOf(extra?.visit_id) ?? `${code}@${e.time}`,
        code,
        kind: visitKind(code),
        start: e.time,
        end: end === null ? null : Math.max(end, e.time),
        startIndex: i,
        endIndex: -1,
        partOf: null,
        membership: 'explicit',
      });
    } else if (code.startsWith('HOSPITAL_ADMISSION')) {
      const hadm = idOf(extra?.hadm_id);
      const id = hadm ?? `${code}@${e.time}`;
      if (hadm === null) (openNoHadm ??= []).push(visits.length);
      else (openHadm ??= new Map()).set(id, visits.length);
      visits.push({
        visitId: id,
        code,
        kind: 'inpatient',
        start: e.time,
        end: null,
        startIndex: i,
        endIndex: -1,
        partOf: null,
        membership: 'time',
      });
    } else if (code.startsWith('HOSPITAL_DISCHARGE')) {
      const id = idOf(extra?.hadm_id);
      const vi = id === null ? undefined : openHadm?.get(id);
      if (vi !== undefined && id !== null) {
        setEnd(vi, e.time, i);
        openHadm?.delete(id);
      } else if (id === null && openNoHadm !== null) {
        // MEDS with only the standard columns: a discharge ends the admissions open before it.
        for (const open of openNoHadm) setEnd(open, e.time, i);
        openNoHadm = null;
      }
    } else if (code === 'ED_REGISTRATION' || code.startsWith('ED_REGISTRATION//')) {
      const stay = idOf(extra?.stay_id);
      const id = stay === null ? `${code}@${e.time}` : `ed-${stay}`;
      if (stay !== null) (edByStay ??= new Map()).set(stay, visits.length);
      openEd = visits.length;
      visits.push({
        visitId: id,
        code,
        kind: 'emergency',
        start: e.time,
        end: null,
        startIndex: i,
        endIndex: -1,
        partOf: null,
        membership: 'time',
      });
    } else if (code === 'ED_OUT' || code.startsWith('ED_OUT//')) {
      const stay = idOf(extra?.stay_id);
      const vi: number | null | undefined = stay !== null ? (edByStay as Map<string, number> | null)?.get(stay) : openEd;
      if (vi !== undefined && vi !== null && visits[vi]?.end === null) setEnd(vi, e.time, i);
      if (vi === openEd) openEd = null;
    } else if (code.startsWith('ICU_ADMISSION')) {
      const icu = idOf(extra?.icustay_id);
      const id = icu === null ? `${code}@${e.time}` : `icu-${icu}`;
      if (icu !== null) (openIcu ??= new Map()).set(icu, visits.length);
      visits.push({
        visitId: id,
        code,
        kind: 'other',
        start: e.time,
        end: null,
        startIndex: i,
        endIndex: -1,
        partOf: idOf(extra?.hadm_id),
        membership: 'explicit',
      });
    } else if (code.startsWith('ICU_DISCHARGE')) {
      const icu = idOf(extra?.icustay_id);
      const vi = icu === null ? undefined : openIcu?.get(icu);
      if (vi !== undefined && icu !== null) {
        setEnd(vi, e.time, i);
        openIcu?.delete(icu);
      }
    }
  }
  // Events are sorted, so visits are already in start order; keep it explicit for unsorted input.
  return visits.sort((a, b) => a.start - b.start || a.startIndex - b.startIndex);
}

/**
 * Whether a visit is still open at the prediction time: it started at or before it and has no
 * end, or ends after it. Its end and length must never be shown (they leak length of stay).
 */
export function isCurrentVisit(visit: Visit, predictionTime: number): boolean {
  return visit.start <= predictionTime && (visit.end === null || visit.end > predictionTime);
}

/** Whole UTC calendar days from `from` to `to` (both epoch ms): 23:00 to 01:00 next day is 1. */
export function calendarDaysBetween(from: number, to: number): number {
  return Math.floor(to / DAY_MS) - Math.floor(from / DAY_MS);
}
