import { UsageError } from '../errors.ts';
import type { Event, Subject } from '../types.ts';
import { AGGREGATED_CONCEPTS, isPlausible, normalFlag, toConceptUnit } from './aggregates.ts';
import type { AggregatedConcept } from './aggregates.ts';
import { codeInfoLookup } from './codeInfo.ts';
import type { DemographicKind } from './codeInfo.ts';
import { displayUnit } from './displayUnit.ts';
import { eventRefAt, type EventRef } from './eventRef.ts';
import { EVENT_GROUPS, domainGroup } from './eventGroup.ts';
import { formatNumber } from './formatNumber.ts';
import { sanitizeText } from './sanitizeText.ts';
import { visitLabel } from './visitLabel.ts';
import { extractVisits, idOf } from '../meds/visits.ts';
import type { Visit } from '../meds/visits.ts';
import type { Vocabulary } from './vocabulary.ts';

/** Role of an event in the serialized record. */
export const Role = {
  /** Shown as a line in a visit or in General Medical Events. */
  Content: 0,
  /** Opens or closes a top-level visit: becomes the visit's heading. */
  Marker: 1,
  /** A plausible value of an aggregated concept: shown in a Recent section. */
  Aggregate: 2,
  /** Birth, sex, race, ethnicity. */
  Demographic: 3,
  /** An implausible value of an aggregated concept: never shown. */
  Dropped: 4,
} as const;

/** A top-level visit with what the serializer needs about it. */
export interface PreparedVisit extends Visit {
  /** Heading label, for example `Inpatient Visit`. */
  readonly label: string;
  /** Indices of the visit's content events, ascending. */
  readonly content: readonly number[];
  /** `[startIndex]`: the provenance of the visit's heading and summary lines (event indices). */
  readonly sources: readonly number[];
}

const NO_VALUES: readonly number[] = Object.freeze([]);
const NUMERIC = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const GROUP_INDEX = new Map(EVENT_GROUPS.map((g, i) => [g, i]));

function isSorted(events: readonly Event[]): boolean {
  let prev = -Infinity;
  for (const e of events) {
    const t = e.time ?? -Infinity;
    if (t < prev) return false;
    prev = t;
  }
  return true;
}

/**
 * A subject indexed once for serialization at many prediction times: events sorted, each
 * event's role, description, group, visit and value resolved, visits extracted, values of each
 * aggregated concept listed in time order. Formatted values, dedup keys and provenance
 * references are made on first use and kept.
 *
 * Everything here is a property of single events or of the visit structure, which (see
 * `serialize`) is read only through events at or before the prediction time. Build with
 * {@link prepareSubject}.
 */
export class PreparedSubject {
  readonly subjectId: number;
  readonly vocabulary: Vocabulary;
  /** Events ordered by time, static (null-time) events first; input order kept within a time. */
  readonly events: readonly Event[];
  /** `events[i].time`, with -Infinity for static events (so `time <= t` keeps them). */
  readonly times: Float64Array;
  readonly role: Uint8Array;
  /** Index into {@link PreparedSubject.visits} of each event's visit, or -1. */
  readonly visitOf: Int32Array;
  /** Index into EVENT_GROUPS of each content event's group. */
  readonly group: Uint8Array;
  /** One-line description of each event (visit label for visit start markers). */
  readonly description: readonly string[];
  /** Display unit of each event's value, or null. */
  readonly unit: readonly (string | null)[];
  /** Numeric value (aggregates: in the concept's unit), NaN when none. */
  readonly num: Float64Array;
  /** Whether the event has a value to show (a number or a non-empty text). */
  readonly valued: Uint8Array;
  /** Concept index of each Aggregate event, else -1. */
  readonly concept: Int16Array;
  /** Top-level visits by start (nested ICU stays are not listed; their events belong to the admission). */
  readonly visits: readonly PreparedVisit[];
  /** Per aggregated concept, indices of its plausible values, ascending. */
  readonly conceptValues: readonly (readonly number[])[];
  /** Indices of content events outside any visit, ascending. */
  readonly general: readonly number[];
  /** Indices of demographic events and of rows carrying MIMIC's free-text `extra.race`, ascending. */
  readonly demographics: readonly number[];
  /** Demographic kind of each demographic event. */
  readonly demographicKind: readonly (DemographicKind | null)[];
  /** Memo of rendered visit bodies (by visit), filled by the Markdown renderer for complete visits. @internal */
  readonly bodyCache: unknown[];
  /** Memo of the Markdown renderer's recent-value pieces (without and with a trailing comma). @internal */
  readonly recentPieces: (string | undefined)[][] = [];
  private readonly texts: (string | null)[];
  private readonly values: (string | null | undefined)[];
  private readonly keys: (string | undefined)[];
  /** Provenance references, made only when a caller reads a result's `lines`. */
  private refs: (EventRef | undefined)[] | null = null;

  /** @internal use {@link prepareSubject} */
  constructor(subject: Subject, vocabulary: Vocabulary) {
    const input = subject.events;
    for (let i = 0; i < input.length; i++) {
      const t = (input[i] as Event).time;
      if (t !== null && (typeof t !== 'number' || !Number.isFinite(t))) {
        throw new UsageError(`event time must be epoch milliseconds or null, got ${String(t)}`, {
          record: `subject ${subject.subjectId}, event ${i}`,
          field: 'time',
        });
      }
    }
    const events = isSorted(input) ? input : [...input].sort((a, b) => (a.time ?? -Infinity) - (b.time ?? -Infinity));
    const n = events.length;
    this.subjectId = subject.subjectId;
    this.vocabulary = vocabulary;
    this.events = events;
    // One buffer for all per-event numeric columns: a subject is prepared for a handful of
    // serializations, and each separate typed array is an off-heap allocation the garbage
    // collector has to track and free.
    const buffer = new ArrayBuffer(n * 25);
    this.times = new Float64Array(buffer, 0, n);
    this.num = new Float64Array(buffer, n * 8, n).fill(Number.NaN);
    this.visitOf = new Int32Array(buffer, n * 16, n).fill(-1);
    this.concept = new Int16Array(buffer, n * 20, n).fill(-1);
    this.role = new Uint8Array(buffer, n * 22, n);
    this.group = new Uint8Array(buffer, n * 23, n);
    this.valued = new Uint8Array(buffer, n * 24, n);
    const description: string[] = new Array<string>(n);
    const unit: (string | null)[] = new Array<string | null>(n).fill(null);
    const texts: (string | null)[] = new Array<string | null>(n).fill(null);
    const demographicKind: (DemographicKind | null)[] = new Array<DemographicKind | null>(n).fill(null);
    // Most subjects have values of a few of the 24 concepts: lists are made on the first value.
    const conceptValues: number[][] = new Array<number[]>(AGGREGATED_CONCEPTS.length).fill(NO_VALUES as number[]);
    const demographics: number[] = [];

    const codeInfo = codeInfoLookup(vocabulary);
    for (let i = 0; i < n; i++) {
      const e = events[i] as Event;
      this.times[i] = e.time ?? -Infinity;
      const info = codeInfo(e.code);
      description[i] = info.description;
      const extra = e.extra;
      // Only MIMIC's admission rows carry race; reading a missing key of varied extra objects is slow.
      if (info.carriesRace && extra !== undefined && typeof extra.race === 'string') demographics.push(i);
      if (info.demographic !== null) {
        this.role[i] = Role.Demographic;
        demographicKind[i] = info.demographic;
        if (demographics[demographics.length - 1] !== i) demographics.push(i);
        continue;
      }
      if (info.marker) {
        this.role[i] = Role.Marker;
        continue;
      }
      let num = e.numericValue !== null && Number.isFinite(e.numericValue) ? e.numericValue : null;
      if (num === null && e.textValue !== null && NUMERIC.test(e.textValue)) num = Number(e.textValue);
      let rawUnit: string | null = null;
      if (num !== null) {
        const u = extra === undefined ? undefined : extra.unit;
        rawUnit = typeof u === 'string' && u !== '' && u !== 'UNK' ? u : info.codeUnit;
      }
      if (info.concept >= 0 && num !== null) {
        const concept = AGGREGATED_CONCEPTS[info.concept] as AggregatedConcept;
        const converted = toConceptUnit(concept, num, rawUnit);
        if (converted !== null) {
          if (!isPlausible(concept, converted)) {
            this.role[i] = Role.Dropped;
            continue;
          }
          this.role[i] = Role.Aggregate;
          this.concept[i] = info.concept;
          this.num[i] = converted;
          this.valued[i] = 1;
          unit[i] = concept.unit;
          // A code known only by its number (a MIMIC chart item) reads better as its concept.
          if (!info.described) description[i] = concept.name;
          const list = conceptValues[info.concept] as number[];
          if (list === NO_VALUES) conceptValues[info.concept] = [i];
          else list.push(i);
          continue;
        }
      }
      // Content: a line of its own, possibly with a value.
      this.role[i] = Role.Content;
      this.group[i] = GROUP_INDEX.get(domainGroup(e) ?? info.group) ?? 0;
      if (num !== null) {
        this.num[i] = num;
        this.valued[i] = 1;
        unit[i] = rawUnit === null ? null : displayUnit(rawUnit) || null;
      } else if (e.textValue !== null) {
        const text = sanitizeText(e.textValue);
        if (text !== '') {
          texts[i] = text;
          this.valued[i] = 1;
        }
      }
    }

    // Visits and membership.
    const all = extractVisits(events);
    const top = all.filter((v) => v.partOf === null);
    const byId = new Map<string, number>();
    top.forEach((v, vi) => {
      if (!byId.has(v.visitId)) byId.set(v.visitId, vi);
      description[v.startIndex] = visitLabel(v.code, v.kind, vocabulary);
    });
    const timeVisits = top.map((v, vi) => [v, vi] as const).filter(([v]) => v.membership === 'time');
    const content: number[][] = top.map(() => []);
    const general: number[] = [];
    for (let i = 0; i < n; i++) {
      if (this.role[i] !== Role.Content) continue;
      const e = events[i] as Event;
      const t = e.time;
      let vi = -1;
      if (t !== null) {
        const id = e.extra === undefined ? null : (idOf(e.extra.visit_id) ?? idOf(e.extra.hadm_id));
        const byIdIndex = id === null ? undefined : byId.get(id);
        // An event before its visit's start stays outside it: the visit is not yet visible
        // at prediction times before its start, and membership must not depend on later events.
        if (byIdIndex !== undefined && (top[byIdIndex] as Visit).start <= t) vi = byIdIndex;
        else if (timeVisits.length > 0) vi = containingTimeVisit(timeVisits, t);
      }
      this.visitOf[i] = vi;
      if (vi >= 0) (content[vi] as number[]).push(i);
      else general.push(i);
    }
    this.visits = top.map((v, vi): PreparedVisit => ({
      visitId: v.visitId,
      code: v.code,
      kind: v.kind,
      start: v.start,
      end: v.end,
      startIndex: v.startIndex,
      endIndex: v.endIndex,
      partOf: v.partOf,
      membership: v.membership,
      label: description[v.startIndex] as string,
      content: content[vi] as number[],
      sources: [v.startIndex],
    }));
    this.description = description;
    this.unit = unit;
    this.texts = texts;
    this.values = new Array<string | null | undefined>(n);
    this.keys = new Array<string | undefined>(n);
    this.conceptValues = conceptValues;
    this.general = general;
    this.demographics = demographics;
    this.demographicKind = demographicKind;
    this.bodyCache = new Array<unknown>(top.length);
  }

  /** Number of events with `time <= predictionTime` (static events included): the usable prefix. */
  usableCount(predictionTime: number): number {
    // Upper bound by binary search over the sorted times.
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.times[mid] as number) <= predictionTime) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The value of event `i` as shown: aggregates in the concept's unit and decimals, other numbers
   * with at most 2 decimals, text as one line; null when it has none.
   */
  value(i: number): string | null {
    let v = this.values[i];
    if (v === undefined) {
      const x = this.num[i] as number;
      if (!Number.isNaN(x)) {
        const c = this.concept[i] as number;
        v = formatNumber(x, c >= 0 ? (AGGREGATED_CONCEPTS[c] as AggregatedConcept).decimals : 2);
      } else {
        v = this.texts[i] ?? null;
      }
      this.values[i] = v;
    }
    return v;
  }

  /** Normal-range flag of an aggregate's value as shown (so "100.4 (normal)" never contradicts its rounding), else null. */
  flag(i: number): 'low' | 'normal' | 'high' | null {
    const c = this.concept[i] as number;
    return c < 0 ? null : normalFlag(AGGREGATED_CONCEPTS[c] as AggregatedConcept, Number(this.value(i)));
  }

  /** Dedup key of a content event within a section: its description and unit. */
  key(i: number): string {
    let k = this.keys[i];
    if (k === undefined) {
      const u = this.unit[i];
      k = u === null || u === undefined ? (this.description[i] as string) : `${this.description[i]}\u0000${u}`;
      this.keys[i] = k;
    }
    return k;
  }

  /** Provenance reference of event `i` (shared object). */
  ref(i: number): EventRef {
    return eventRefAt((this.refs ??= new Array<EventRef | undefined>(this.events.length)), this.events, i);
  }
}

/** The latest-started time-membership visit containing `t` (start <= t <= end, or no end), or -1. */
function containingTimeVisit(visits: readonly (readonly [Visit, number])[], t: number): number {
  let lo = 0;
  let hi = visits.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((visits[mid] as readonly [Visit, number])[0].start <= t) lo = mid + 1;
    else hi = mid;
  }
  for (let j = lo - 1; j >= 0; j--) {
    const [v, vi] = visits[j] as readonly [Visit, number];
    if (v.end === null || t <= v.end) return vi;
  }
  return -1;
}

/**
 * The last few subjects prepared, held strongly. Serializing one subject at its prediction times
 * in a row (what every caller does) hits it. Not a WeakMap keyed by subject: V8's young-generation
 * collector keeps a WeakMap's values alive until a full collection, so every prepared subject of
 * a streaming run was copied and promoted instead of dying young, which made serialization 2-3
 * times slower (measured on Synthea STU3: 5,500 vs 15,600 serializations/s). The price: the
 * last four subjects stay in memory until others replace them (in `serve`, the last requests').
 */
const RECENT = 4;
const recentSubjects: (Subject | undefined)[] = new Array<Subject | undefined>(RECENT);
const recentPrepared: (PreparedSubject | undefined)[] = new Array<PreparedSubject | undefined>(RECENT);
let nextSlot = 0;

/**
 * Index a subject once for serialization at many prediction times. The last few results are
 * kept per subject object (and vocabulary), so `serialize(subject, ...)` in a loop over prediction
 * times prepares it only once.
 *
 * @throws UsageError when an event's time is neither null nor a finite number
 */
export function prepareSubject(subject: Subject, vocabulary: Vocabulary): PreparedSubject {
  for (let i = 0; i < RECENT; i++) {
    const hit = recentPrepared[i];
    if (recentSubjects[i] === subject && hit !== undefined && hit.vocabulary === vocabulary) return hit;
  }
  const p = new PreparedSubject(subject, vocabulary);
  recentSubjects[nextSlot] = subject;
  recentPrepared[nextSlot] = p;
  nextSlot = (nextSlot + 1) % RECENT;
  return p;
}
