import { UsageError } from '../../errors.ts';
import { endOf, idOf } from '../../meds/visits.ts';
import type { Event, Subject } from '../../types.ts';
import { eventRefAt, type EventRef } from '../eventRef.ts';
import type { Vocabulary } from '../vocabulary.ts';
import { REFERENCE_CONCEPT_OF, resolveReferenceCode } from './referenceCodes.ts';

/** A value as the reference's femr events carry it: `numeric_value`, else `text_value`. */
export type ReferenceValue = number | string | null;

/** What an event is to the reference (see `assignReferenceVisits`). */
export const enum RefKind {
  /** An ordinary event. */
  Event = 0,
  /** A `Visit/<class>` row: a visit of its own with `end` and `visit_id` (ehr-embed's converters, EHRSHOT). */
  Visit = 1,
  /** MIMIC `HOSPITAL_ADMISSION//...`: becomes an `Inpatient Visit`. */
  Admission = 2,
  /** MIMIC `HOSPITAL_DISCHARGE//...`: the end of its admission, not an event. */
  Discharge = 3,
  /** MIMIC `ED_REGISTRATION`: becomes an `Emergency Room Visit`. */
  EdRegistration = 4,
  /** MIMIC `ED_OUT`: the end of the ED visit, not an event. */
  EdOut = 5,
}

const DAY_MS = 86_400_000;

function kindOf(code: string): RefKind {
  const c0 = code.charCodeAt(0);
  if (c0 === 86 /* V */ && code.startsWith('Visit/')) return RefKind.Visit;
  if (c0 === 72 /* H */) {
    if (code.startsWith('HOSPITAL_ADMISSION')) return RefKind.Admission;
    if (code.startsWith('HOSPITAL_DISCHARGE')) return RefKind.Discharge;
  } else if (c0 === 69 /* E */) {
    if (code === 'ED_REGISTRATION' || code.startsWith('ED_REGISTRATION//')) return RefKind.EdRegistration;
    if (code === 'ED_OUT' || code.startsWith('ED_OUT//')) return RefKind.EdOut;
  }
  return RefKind.Event;
}

/**
 * A subject laid out as the reference's femr `Patient` (the golden README's event mapping):
 * the birth row first, then the static rows at the birth time, then every other row in time
 * order (input order within a time, rows dated before the birth included). Values, units, visit
 * ids and descriptions are resolved once; {@link ReferenceSubject.at} picks what a prediction
 * time may use.
 */
export class ReferenceSubject {
  readonly subjectId: number;
  readonly events: readonly Event[];
  readonly vocabulary: Vocabulary;
  /** Event indices of the static (time-less) rows, in input order. */
  readonly statics: readonly number[];
  /** Event indices of the timed rows, by time (stable), the birth row included. */
  readonly timed: readonly number[];
  /** Times of {@link ReferenceSubject.timed}. */
  readonly times: Float64Array;
  /** Event index of the first `MEDS_BIRTH` row by time, or -1. */
  readonly birth: number;
  readonly kind: Uint8Array;
  /** Whether any MIMIC visit row (admission, ED registration) exists: time membership is needed. */
  readonly hasMimicVisits: boolean;
  /** Index into REFERENCE_CONCEPTS of each event's code (exact match), or -1. */
  readonly concept: Int8Array;
  /** The Markdown visit group of each event (filled by the renderer; -2: not yet known). */
  readonly category: Int8Array;
  private mdText: (string | null | undefined)[] | undefined;
  private visitRowsMemo: Int32Array | null | undefined;
  private listText: (string | null | undefined)[] | undefined;
  private readonly markdownDescriptions: Map<string, string | null>;
  private readonly listDescriptions: Map<string, string | null>;
  private refs: (EventRef | undefined)[] | undefined;

  constructor(subject: Subject, vocabulary: Vocabulary) {
    this.subjectId = subject.subjectId;
    this.events = subject.events;
    this.vocabulary = vocabulary;
    // Descriptions depend only on the vocabulary: one cache per vocabulary, shared by its subjects.
    let shared = descriptionCaches.get(vocabulary);
    if (shared === undefined || shared[0].size + shared[1].size > 1_000_000) {
      shared = [new Map(), new Map()];
      descriptionCaches.set(vocabulary, shared);
    }
    this.markdownDescriptions = shared[0];
    this.listDescriptions = shared[1];
    const events = subject.events;
    const n = events.length;
    const statics: number[] = [];
    const timed: number[] = [];
    const kind = new Uint8Array(n);
    const concept = new Int8Array(n);
    let mimic = false;
    let birth = -1;
    let birthTime = Infinity;
    let sorted = true;
    let prev = -Infinity;
    for (let i = 0; i < n; i++) {
      const e = events[i] as Event;
      if (e.time === null) statics.push(i);
      else {
        if (typeof e.time !== 'number' || !Number.isFinite(e.time)) {
          throw new UsageError(`event time must be epoch milliseconds or null, got ${String(e.time)}`, { record: `subject ${subject.subjectId}, event ${i}`, field: 'time' });
        }
        if (e.time < prev) sorted = false;
        prev = e.time;
        timed.push(i);
      }
      const code = e.code;
      // Aggregated codes are LOINC/ or SNOMED/ codes: one character test spares most lookups.
      const c0 = code.charCodeAt(0);
      concept[i] = c0 === 76 || c0 === 83 ? (REFERENCE_CONCEPT_OF.get(code) ?? -1) : -1;
      // The birth: the first MEDS_BIRTH row by time (input order among equal times).
      if (c0 === 77 && e.time !== null && code === 'MEDS_BIRTH' && (birth < 0 || e.time < birthTime)) {
        birth = i;
        birthTime = e.time;
      }
      const k = kindOf(code);
      kind[i] = k;
      if (k === RefKind.Admission || k === RefKind.EdRegistration) mimic = true;
    }
    if (!sorted) timed.sort((a, b) => (events[a] as Event).time! - (events[b] as Event).time! || a - b);
    const times = new Float64Array(timed.length);
    for (let j = 0; j < timed.length; j++) times[j] = (events[timed[j] as number] as Event).time as number;
    this.statics = statics;
    this.timed = timed;
    this.times = times;
    this.birth = birth;
    this.kind = kind;
    this.hasMimicVisits = mimic;
    this.concept = concept;
    this.category = new Int8Array(n).fill(-2);
  }

  /** Event `i`'s value as femr carries it: `numeric_value`, else `text_value`. */
  value(i: number): ReferenceValue {
    const e = this.events[i] as Event;
    const num = e.numericValue;
    return num !== null && !Number.isNaN(num) ? num : e.textValue;
  }

  /**
   * Per event, the index of the `Visit/` row with the event's `visit_id` (-1: no `visit_id`,
   * -2: no such row), so that visit membership costs no string lookups; null when two `Visit/`
   * rows share a `visit_id` (callers then look ids up).
   */
  visitRows(): Int32Array | null {
    if (this.visitRowsMemo !== undefined) return this.visitRowsMemo;
    const n = this.events.length;
    const rowOf = new Map<string, number>();
    const ids = new Array<string | null>(n);
    let shared = false;
    for (let i = 0; i < n; i++) {
      const id = this.visitId(i);
      ids[i] = id;
      if (id === null || this.kind[i] !== RefKind.Visit) continue;
      if (rowOf.has(id)) shared = true;
      rowOf.set(id, i);
    }
    let rows: Int32Array | null = null;
    if (!shared) {
      rows = new Int32Array(n);
      // Events of one visit usually follow each other: remember the last id looked up.
      let lastId: string | null = null;
      let lastRow = -1;
      for (let i = 0; i < n; i++) {
        const id = ids[i] as string | null;
        if (id === null) rows[i] = -1;
        else if (id === lastId) rows[i] = lastRow;
        else {
          lastId = id;
          lastRow = rowOf.get(id) ?? -2;
          rows[i] = lastRow;
        }
      }
    }
    this.visitRowsMemo = rows;
    return rows;
  }

  /** Event `i`'s `unit` column, or null. */
  unit(i: number): string | null {
    const u = (this.events[i] as Event).extra?.unit;
    return u === undefined || u === null ? null : String(u);
  }

  /** Event `i`'s `visit_id`, or null. */
  visitId(i: number): string | null {
    return idOf((this.events[i] as Event).extra?.visit_id);
  }

  /** Event `i`'s `hadm_id`, or null. */
  hadmId(i: number): string | null {
    return idOf((this.events[i] as Event).extra?.hadm_id);
  }

  /** The `end` of a `Visit/` row (epoch ms), or null. */
  end(i: number): number | null {
    return endOf((this.events[i] as Event).extra?.end);
  }

  /** {@link ReferenceSubject.describe} of event `i`'s code, cached per event. */
  describeEvent(i: number, markdown: boolean): string | null {
    // Made on first use: a subject is usually serialized in one format.
    const texts = markdown ? (this.mdText ??= new Array<string | null | undefined>(this.events.length)) : (this.listText ??= new Array<string | null | undefined>(this.events.length));
    let d = texts[i];
    if (d === undefined) {
      d = this.describe((this.events[i] as Event).code, markdown);
      texts[i] = d;
    }
    return d;
  }

  /** The reference's description of a code (null: left out), per strategy. */
  describe(code: string, markdown: boolean): string | null {
    const cache = markdown ? this.markdownDescriptions : this.listDescriptions;
    let d = cache.get(code);
    if (d === undefined) {
      d = resolveReferenceCode(this.vocabulary, code, markdown);
      cache.set(code, d);
    }
    return d;
  }

  /** Provenance reference of event `i`. */
  ref(i: number): EventRef {
    return eventRefAt((this.refs ??= new Array<EventRef | undefined>(this.events.length)), this.events, i);
  }

  /** Number of timed rows at or before `t` (they are a prefix of {@link ReferenceSubject.timed}). */
  usableCount(t: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.times[mid] as number) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The events the reference reads at prediction time `t`, in femr order: the birth row (when
   * at or before `t`), the static rows, then the timed rows at or before `t` other than the birth.
   * Only rows at or before `t` are read, so nothing later can change the text (static rows hold
   * at all times; the reference dates them at the birth). With a window, timed rows before
   * `windowStart` are left out (the birth row stays: it carries the age).
   */
  at(t: number, windowStart = -Infinity): PointInTime {
    const k = this.usableCount(t);
    const order: number[] = [];
    const birthUsable = this.birth >= 0 && ((this.events[this.birth] as Event).time as number) <= t;
    if (birthUsable) order.push(this.birth);
    for (const i of this.statics) order.push(i);
    for (let j = 0; j < k; j++) {
      const i = this.timed[j] as number;
      if (i !== this.birth && (this.times[j] as number) >= windowStart) order.push(i);
    }
    // femr's birth date is the patient's first event: the birth row, else the first usable row.
    const birthTime = birthUsable ? ((this.events[this.birth] as Event).time as number) : k > 0 ? (this.times[0] as number) : t;
    return { order, head: (birthUsable ? 1 : 0) + this.statics.length, birthTime, ageYears: Math.trunc(Math.floor((t - birthTime) / DAY_MS) / 365) };
  }
}

/** What {@link ReferenceSubject.at} returns. */
export interface PointInTime {
  /** Event indices in the reference's order. */
  readonly order: readonly number[];
  /** How many of them are dated at the birth before the timed ones (the birth row, the static rows). */
  readonly head: number;
  /** The time the reference dates the birth and the static rows at. */
  readonly birthTime: number;
  /** The reference's `int((t - birth).days / 365)`. */
  readonly ageYears: number;
}

const cache = new WeakMap<object, ReferenceSubject>();
const descriptionCaches = new WeakMap<Vocabulary, [Map<string, string | null>, Map<string, string | null>]>();

/** The {@link ReferenceSubject} of a subject, cached per subject object (and rebuilt for another vocabulary). */
export function referenceSubject(subject: Subject, vocabulary: Vocabulary): ReferenceSubject {
  const hit = cache.get(subject);
  if (hit !== undefined && hit.vocabulary === vocabulary && hit.events === subject.events) return hit;
  const r = new ReferenceSubject(subject, vocabulary);
  cache.set(subject, r);
  return r;
}
