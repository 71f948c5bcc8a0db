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

const MEDICATIONS = new Set(['RxNorm', 'RxNorm Extension']);
const PROCEDURES = new Set(['CPT4', 'ICD10PCS', 'ICD9Proc']);

/** The Markdown visit group of a code: 0 Conditions, 1 Medications, 2 Procedures, -1 none (a `Visit` code). */
function categoryOf(code: string): number {
  const slash = code.indexOf('/');
  const o = slash < 0 ? code : code.slice(0, slash);
  if (MEDICATIONS.has(o)) return 1;
  if (PROCEDURES.has(o)) return 2;
  return o === 'Visit' ? -1 : 0;
}

/**
 * An array to fill from index 0 up, sized once when small: V8 gives `new Array(n)` dictionary
 * (slow) elements for large n, where filling an empty array in order stays fast.
 */
function sized(n: number): number[] {
  return n <= 50_000 ? new Array<number>(n) : [];
}

/** `n` copies of `v` (see {@link sized}). */
function filled(n: number, v: number): number[] {
  const a = sized(n);
  for (let i = 0; i < n; i++) a[i] = v;
  return a;
}

/** Description ids stay below this (the packed info of a code must stay a small integer). */
const MAX_TEXTS = (1 << 19) - 2;

/**
 * What the reference makes of codes under one vocabulary, shared by that vocabulary's subjects:
 * per code one small integer (one lookup per event; codes come interned from the MEDS reader,
 * so the lookups hit strings whose hash is already known): bits 0-2 the {@link RefKind}, bits
 * 3-8 the index into REFERENCE_CONCEPTS plus 1 (0: none), bits 9-10 the Markdown visit group
 * plus 1, bits 11-29 the id of its Markdown description plus 1 (0: left out). Description ids
 * number the distinct description texts, so that lines merge per description without maps.
 */
class CodeTable {
  private readonly infos = new Map<string, number>();
  readonly texts: string[] = [];
  /** Whether each text holds a line break. */
  readonly breaks: boolean[] = [];
  private readonly byText = new Map<string, number>();
  /** List-strategy descriptions (no Birth rule). */
  readonly list = new Map<string, string | null>();

  constructor(private readonly vocabulary: Vocabulary) {}

  /** Bounded: a stream of made-up codes gets a fresh table (subjects keep the one they started with). */
  get full(): boolean {
    return this.infos.size + this.list.size > 1_000_000 || this.texts.length >= MAX_TEXTS;
  }

  info(code: string): number {
    let x = this.infos.get(code);
    if (x === undefined) {
      const d = resolveReferenceCode(this.vocabulary, code, true);
      x =
        kindOf(code) |
        (((REFERENCE_CONCEPT_OF.get(code) ?? -1) + 1) << 3) |
        ((categoryOf(code) + 1) << 9) |
        ((d === null ? 0 : this.textId(d) + 1) << 11);
      this.infos.set(code, x);
    }
    return x;
  }

  /** The id of a description text (a new one for a text not seen yet). */
  textId(d: string): number {
    let id = this.byText.get(d);
    if (id === undefined) {
      id = this.texts.length;
      this.byText.set(d, id);
      this.texts.push(d);
      this.breaks.push(d.indexOf('\n') >= 0);
    }
    return id;
  }
}

const codeTables = new WeakMap<Vocabulary, CodeTable>();

function codeTable(vocabulary: Vocabulary): CodeTable {
  let t = codeTables.get(vocabulary);
  if (t === undefined || t.full) {
    t = new CodeTable(vocabulary);
    codeTables.set(vocabulary, t);
  }
  return t;
}

/** The {@link RefKind} of a packed code info. */
export const kindIn = (info: number): RefKind => (info & 7) as RefKind;
/** The Markdown description id of a packed code info, or -1 (left out). */
export const descriptionIn = (info: number): number => (info >> 11) - 1;
/** The REFERENCE_CONCEPTS index of a packed code info, or -1. */
export const conceptIn = (info: number): number => ((info >> 3) & 63) - 1;
/** The Markdown visit group of a packed code info (0 Conditions, 1 Medications, 2 Procedures, -1 none). */
export const categoryIn = (info: number): number => ((info >> 9) & 3) - 1;

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
  readonly times: readonly number[];
  /** Event index of the first `MEDS_BIRTH` row by time, or -1. */
  readonly birth: number;
  /** Per event, its code's packed info (read with {@link kindIn}, {@link conceptIn}, {@link categoryIn}). */
  readonly info: readonly number[];
  /** Whether any MIMIC visit row (admission, ED registration) exists: time membership is needed. */
  readonly hasMimicVisits: boolean;
  /** `Visit/` row per `visit_id` (null: some `visit_id` has two rows); see {@link ReferenceSubject.visitRowsUnique}. */
  private rowOf: Map<string, number> | null | undefined;
  private rows: number[] | undefined;
  private lastId: string | null = null;
  private lastRow = -1;
  private listText: (string | null | undefined)[] | undefined;
  private readonly table: CodeTable;
  private refs: (EventRef | undefined)[] | undefined;

  constructor(subject: Subject, vocabulary: Vocabulary) {
    this.subjectId = subject.subjectId;
    this.events = subject.events;
    this.vocabulary = vocabulary;
    // Descriptions depend only on the vocabulary: one table per vocabulary, shared by its subjects.
    const table = codeTable(vocabulary);
    this.table = table;
    const events = subject.events;
    const n = events.length;
    const statics: number[] = [];
    // Plain arrays sized once (small typed arrays cost more to allocate than they save here).
    const timed = sized(n);
    const times = sized(n);
    const info = sized(n);
    let m = 0;
    let mimic = false;
    let birth = -1;
    let birthTime = Infinity;
    let sorted = true;
    let prev = -Infinity;
    for (let i = 0; i < n; i++) {
      const e = events[i] as Event;
      const time = e.time;
      const code = e.code;
      if (time === null) statics.push(i);
      else {
        if (typeof time !== 'number' || !Number.isFinite(time)) {
          throw new UsageError(`event time must be epoch milliseconds or null, got ${String(time)}`, {
            record: `subject ${subject.subjectId}, event ${i}`,
            field: 'time',
          });
        }
        if (time < prev) sorted = false;
        prev = time;
        timed[m] = i;
        times[m++] = time;
        // The birth: the first MEDS_BIRTH row by time (input order among equal times).
        if (code === 'MEDS_BIRTH' && (birth < 0 || time < birthTime)) {
          birth = i;
          birthTime = time;
        }
      }
      const x = table.info(code);
      info[i] = x;
      const k = x & 7;
      if (k === RefKind.Admission || k === RefKind.EdRegistration) mimic = true;
    }
    timed.length = m;
    times.length = m;
    if (!sorted) {
      timed.sort((a, b) => (events[a] as Event).time! - (events[b] as Event).time! || a - b);
      for (let j = 0; j < timed.length; j++) times[j] = (events[timed[j] as number] as Event).time as number;
    }
    this.statics = statics;
    this.timed = timed;
    this.times = times;
    this.birth = birth;
    this.info = info;
    this.hasMimicVisits = mimic;
  }

  /** Event `i`'s value as femr carries it: `numeric_value`, else `text_value`. */
  value(i: number): ReferenceValue {
    const e = this.events[i] as Event;
    const num = e.numericValue;
    return num !== null && !Number.isNaN(num) ? num : e.textValue;
  }

  /**
   * Whether event `i`'s `visit_id` can be resolved with {@link ReferenceSubject.visitRow}: false
   * when two `Visit/` rows share a `visit_id` (callers then look ids up).
   */
  visitRowsUnique(): boolean {
    if (this.rowOf === undefined) {
      const rowOf = new Map<string, number>();
      let shared = false;
      for (let i = 0; i < this.events.length; i++) {
        if (((this.info[i] as number) & 7) !== RefKind.Visit) continue;
        const id = this.visitId(i);
        if (id === null) continue;
        if (rowOf.has(id)) shared = true;
        rowOf.set(id, i);
      }
      this.rowOf = shared ? null : rowOf;
    }
    return this.rowOf !== null;
  }

  /**
   * The index of the `Visit/` row with event `i`'s `visit_id` (-1: no `visit_id`, -2: no such
   * row), remembered per event, so that visit membership costs no string lookups at later
   * prediction times. Only when {@link ReferenceSubject.visitRowsUnique}.
   */
  visitRow(i: number): number {
    const rows = (this.rows ??= filled(this.events.length, -3));
    let r = rows[i] as number;
    if (r === -3) {
      const id = this.visitId(i);
      // Events of one visit usually follow each other: remember the last id looked up.
      if (id === null) r = -1;
      else if (id === this.lastId) r = this.lastRow;
      else {
        r = (this.rowOf as Map<string, number>).get(id) ?? -2;
        this.lastId = id;
        this.lastRow = r;
      }
      rows[i] = r;
    }
    return r;
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
    if (markdown) {
      const id = descriptionIn(this.info[i] as number);
      return id < 0 ? null : (this.table.texts[id] as string);
    }
    // Made on first use: a subject is usually serialized in one format.
    const texts = (this.listText ??= new Array<string | null | undefined>(this.events.length));
    let d = texts[i];
    if (d === undefined) {
      d = this.describe((this.events[i] as Event).code, false);
      texts[i] = d;
    }
    return d;
  }

  /**
   * The id of event `i`'s Markdown description: equal texts have equal ids, so that lines can be
   * merged per description without a map per line list. Event `i` must have a description
   * (`describeEvent(i, true) !== null`).
   */
  descriptionId(i: number): number {
    return descriptionIn(this.info[i] as number);
  }

  /** The {@link ReferenceSubject.descriptionId} a line of text `d` has (a new one when no description is `d`). */
  textId(d: string): number {
    return this.table.textId(d);
  }

  /** The text of description id `id`. */
  textOf(id: number): string {
    return this.table.texts[id] as string;
  }

  /** Whether the text of description id `id` holds a line break. */
  breakIn(id: number): boolean {
    return this.table.breaks[id] as boolean;
  }

  /** The reference's description of a code (null: left out), per strategy. */
  describe(code: string, markdown: boolean): string | null {
    if (markdown) {
      const id = descriptionIn(this.table.info(code));
      return id < 0 ? null : (this.table.texts[id] as string);
    }
    const cache = this.table.list;
    let d = cache.get(code);
    if (d === undefined) {
      d = resolveReferenceCode(this.vocabulary, code, false);
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
    const birthUsable = this.birth >= 0 && ((this.events[this.birth] as Event).time as number) <= t;
    // Sized once: the birth, the static rows, the timed rows up to t.
    const order = sized(1 + this.statics.length + k);
    let m = 0;
    if (birthUsable) order[m++] = this.birth;
    for (const i of this.statics) order[m++] = i;
    for (let j = 0; j < k; j++) {
      const i = this.timed[j] as number;
      if (i !== this.birth && (this.times[j] as number) >= windowStart) order[m++] = i;
    }
    order.length = m;
    // femr's birth date is the patient's first event: the birth row, else the first usable row.
    const birthTime = birthUsable ? ((this.events[this.birth] as Event).time as number) : k > 0 ? (this.times[0] as number) : t;
    return {
      order,
      head: (birthUsable ? 1 : 0) + this.statics.length,
      birthTime,
      ageYears: Math.trunc(Math.floor((t - birthTime) / DAY_MS) / 365),
    };
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

/** The {@link ReferenceSubject} of a subject, cached per subject object (and rebuilt for another vocabulary). */
export function referenceSubject(subject: Subject, vocabulary: Vocabulary): ReferenceSubject {
  const hit = cache.get(subject);
  if (hit !== undefined && hit.vocabulary === vocabulary && hit.events === subject.events) return hit;
  const r = new ReferenceSubject(subject, vocabulary);
  cache.set(subject, r);
  return r;
}
