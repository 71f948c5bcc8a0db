import type { Event } from '../../types.ts';
import { REFERENCE_CONCEPTS } from './referenceCodes.ts';
import type { ReferenceConcept } from './referenceCodes.ts';
import { conceptIn, kindIn, RefKind } from './ReferenceSubject.ts';
import type { PointInTime, ReferenceSubject } from './ReferenceSubject.ts';

/** A visit as the reference's `EHRVisit`. */
export interface ReferenceVisit {
  /** Event index of the row that opened it. */
  readonly source: number;
  readonly start: number;
  /** End (epoch ms) or null: unknown (`Visit/` row without `end`) or not reached yet (MIMIC). */
  end: number | null;
  /** A MIMIC visit whose end row is still ahead: shown as the current visit. */
  endPending: boolean;
  readonly description: string;
  /** Event indices of its events, in the reference's order. */
  readonly members: number[];
  /** Position in the reference's visit dictionary (ties of start and end keep it). */
  order: number;
  /** Made from MIMIC rows: events without ids join it by time. */
  readonly mimic: boolean;
}

/** Visits and the events outside any visit, at one prediction time. */
export interface ReferenceVisits {
  readonly visits: readonly ReferenceVisit[];
  /** Events of no visit (the reference's `static_events`), in order, age pseudo-event first when `ageFirst`. */
  readonly outside: readonly number[];
}

/** Names of the visits made from MIMIC rows: EHRSHOT's femr `Visit/IP` and `Visit/ER`. */
export const INPATIENT_VISIT = 'Inpatient Visit';
export const EMERGENCY_VISIT = 'Emergency Room Visit';

/** Sentinel event index of the reference's `Patient age: N` pseudo-event (it replaces the first event). */
export const AGE_EVENT = -1;

/**
 * Build the reference's visits from the events usable at `t` (`pit.order`), and put every
 * other event either into its visit or outside (Markdown strategy; `is_visit_event` = `Visit/`).
 *
 * - `Visit/<class>` rows are visits with their own `end` and `visit_id`; an event joins the visit
 *   of its `visit_id` when that visit has started by `t` (whatever the event's own time, as femr
 *   does), else it stays outside.
 * - MIMIC rows: `HOSPITAL_ADMISSION//…` opens an Inpatient Visit closed by the
 *   `HOSPITAL_DISCHARGE//…` with the same `hadm_id` (without `hadm_id`: the next discharge);
 *   `ED_REGISTRATION` opens an Emergency Room Visit closed by the next `ED_OUT`. The closing rows
 *   are no events. ICU rows are ordinary events. An event with a `hadm_id` joins that admission
 *   once it has started (else it stays outside); an event with neither id joins the latest-started
 *   MIMIC visit whose span contains its time (open end: unbounded).
 *
 * Everything comes from rows at or before `t`; a MIMIC visit not closed by then is current.
 *
 * @param recent when given, the reference's aggregated concepts leave the event stream (whatever
 *   their visit) and their plausible numeric values go here, per concept, in event order
 */
export function referenceVisits(s: ReferenceSubject, pit: PointInTime, recent: (number[] | undefined)[] | null): ReferenceVisits {
  const order = pit.order;
  const visits: ReferenceVisit[] = [];
  // Made on first use: most records need few of them.
  let byVisitId: Map<string, number> | null = null;
  let byHadm: Map<string, number> | null = null;
  let openNoHadm: number[] = [];
  // A discharge read before its admission (same time, earlier row) still ends it.
  let earlyDischarge: Map<string, number> | null = null;
  let openEd: number[] = [];
  const events = s.events;
  const rows = s.visitRowsUnique();
  // With `rows`, the visit made from `Visit/` row i is visits[slot[i]].
  // A module-level scratch array (serialization is synchronous): the entries the last call set
  // are reset first (also after an exception).
  for (let d = 0; d < dirtyCount; d++) SLOT[DIRTY[d] as number] = -1;
  dirtyCount = 0;
  if (rows && SLOT.length < events.length) SLOT = new Int32Array(Math.max(events.length, SLOT.length * 2)).fill(-1);
  const slot = rows ? SLOT : null;
  // Pass 1: visits (in time order, so that a closing row finds its opener). The first event is
  // replaced by the age pseudo-event, so it opens nothing.
  for (let j = 1; j < order.length; j++) {
    const i = order[j] as number;
    const k = kindIn(s.info[i] as number);
    if (k === RefKind.Event) continue;
    const time = (events[i] as Event).time;
    if (time === null) continue;
    if (k === RefKind.Visit) {
      const description = s.describeEvent(i, true);
      if (description === null) continue;
      if (slot !== null) {
        slot[i] = visits.length;
        DIRTY[dirtyCount++] = i;
        visits.push({
          source: i,
          start: time,
          end: s.end(i),
          endPending: false,
          description,
          members: [],
          order: visits.length,
          mimic: false,
        });
        continue;
      }
      const id = s.visitId(i) ?? `\u0000row${i}`;
      const at = (byVisitId ??= new Map()).get(id);
      const v: ReferenceVisit = {
        source: i,
        start: time,
        end: s.end(i) ?? null,
        endPending: false,
        description,
        members: [],
        order: at ?? visits.length,
        mimic: false,
      };
      // A repeated visit_id replaces the visit but keeps its dictionary position (Python dict).
      if (at === undefined) {
        byVisitId.set(id, visits.length);
        visits.push(v);
      } else visits[at] = v;
    } else if (k === RefKind.Admission) {
      const hadm = s.hadmId(i) ?? null;
      const vi = visits.length;
      visits.push({
        source: i,
        start: time,
        end: null,
        endPending: true,
        description: INPATIENT_VISIT,
        members: [],
        order: vi,
        mimic: true,
      });
      if (hadm !== null) {
        byHadm ??= new Map();
        if (!byHadm.has(hadm)) byHadm.set(hadm, vi);
        const early = earlyDischarge?.get(hadm);
        if (early !== undefined) close(visits, vi, early);
      } else openNoHadm.push(vi);
    } else if (k === RefKind.Discharge) {
      const hadm = s.hadmId(i) ?? null;
      if (hadm !== null) {
        const vi = byHadm?.get(hadm);
        if (vi !== undefined) close(visits, vi, time);
        else if (!(earlyDischarge ??= new Map()).has(hadm)) earlyDischarge.set(hadm, time);
      } else {
        for (const vi of openNoHadm) close(visits, vi, time);
        if (openNoHadm.length > 0) openNoHadm = [];
      }
    } else if (k === RefKind.EdRegistration) {
      openEd.push(visits.length);
      visits.push({
        source: i,
        start: time,
        end: null,
        endPending: true,
        description: EMERGENCY_VISIT,
        members: [],
        order: visits.length,
        mimic: true,
      });
    } else {
      for (const vi of openEd) close(visits, vi, time);
      if (openEd.length > 0) openEd = [];
    }
  }
  // Pass 2: membership.
  const outside: number[] = [];
  const mimic = s.hasMimicVisits;
  for (let j = 0; j < order.length; j++) {
    if (j === 0) {
      // The age pseudo-event replaces the first event: no visit.
      outside.push(AGE_EVENT);
      continue;
    }
    const i = order[j] as number;
    const x = s.info[i] as number;
    if (kindIn(x) !== RefKind.Event) continue;
    const ki = conceptIn(x);
    if (recent !== null && ki >= 0) {
      const v = s.value(i);
      const k = REFERENCE_CONCEPTS[ki] as ReferenceConcept;
      if (typeof v === 'number' && v >= k.min && v <= k.max) (recent[ki] ??= []).push(i);
      continue;
    }
    if (s.describeEvent(i, true) === null) continue;
    let vi: number | undefined;
    let hasVisitId: boolean;
    if (rows) {
      const r = s.visitRow(i);
      hasVisitId = r !== -1;
      if (r >= 0) {
        const v = (slot as Int32Array)[r] as number;
        if (v >= 0) vi = v;
      }
    } else {
      const vid = s.visitId(i);
      hasVisitId = vid !== null;
      if (vid !== null) vi = byVisitId?.get(vid);
    }
    if (!hasVisitId && mimic) {
      const hadm = s.hadmId(i) ?? null;
      if (hadm !== null) vi = byHadm?.get(hadm);
      else vi = containing(visits, (events[i] as Event).time);
    }
    if (vi === undefined) outside.push(i);
    else (visits[vi] as ReferenceVisit).members.push(i);
  }
  return { visits, outside };
}

/** Per `Visit/` row, the index of its visit in the current call (-1: none); see `referenceVisits`. */
let SLOT = new Int32Array(1024).fill(-1);
/** The SLOT entries set by the last call: DIRTY[0 .. dirtyCount). */
const DIRTY: number[] = [];
let dirtyCount = 0;

function close(visits: ReferenceVisit[], vi: number, time: number): void {
  const v = visits[vi] as ReferenceVisit;
  if (v.endPending && v.end === null) {
    v.end = time;
    v.endPending = false;
  }
}

/** The latest-started MIMIC visit whose [start, end] contains `time` (open end: unbounded). */
function containing(visits: readonly ReferenceVisit[], time: number | null): number | undefined {
  if (time === null) return undefined;
  let best: number | undefined;
  let bestStart = -Infinity;
  for (let vi = 0; vi < visits.length; vi++) {
    const v = visits[vi] as ReferenceVisit;
    if (v.start > time || (v.end !== null && v.end < time)) continue;
    if (!v.mimic) continue;
    if (v.start >= bestStart) {
      bestStart = v.start;
      best = vi;
    }
  }
  return best;
}
