/**
 * The per-subject facts every labeler needs, computed once per subject and shared by all tasks:
 * visits (through the serializer's {@link extractVisits}, so labels and serialized text agree on
 * what a visit is), death time, and the span of the record.
 */
import { extractVisits, type Visit } from '../meds/visits.ts';
import type { Event, Subject } from '../types.ts';
import { codeMatcher } from './codeMatcher.ts';
import { extractIcuStays } from './icuStays.ts';
import type { LabelVocabulary } from './LabelVocabulary.ts';
import type { CodeSet } from './taskSpec.ts';

/** Facts of one subject that labelers share. */
export interface SubjectFacts {
  /** The subject's events (sorted by time), for facts computed per task (ICU stays). */
  readonly events: readonly Event[];
  /** Every visit, ordered by start (see {@link extractVisits}). */
  readonly visits: readonly Visit[];
  /** Earliest `MEDS_DEATH` time, or null. */
  readonly deathTime: number | null;
  /** Time of the first timed event, or null when there is none. */
  readonly firstTime: number | null;
  /**
   * The last time the record observes the subject: the latest event time or recorded end
   * (`extra.end`, for example a visit's discharge). Negatives need follow-up up to here.
   */
  readonly lastTime: number | null;
}

// The last subject's facts, held strongly: labeling runs every task over one subject before the
// next. (A WeakMap keyed by subject would keep every subject's facts through young-generation
// collections until a full one; see prepareSubject.)
let lastSubject: Subject | null = null;
let lastFacts: SubjectFacts | null = null;

/** Facts of a subject, memoized for the most recent subject object. */
export function subjectFacts(subject: Subject): SubjectFacts {
  if (subject === lastSubject && lastFacts !== null) return lastFacts;
  let deathTime: number | null = null;
  let firstTime: number | null = null;
  let lastTime: number | null = null;
  for (const e of subject.events) {
    if (e.time === null) continue;
    if (firstTime === null || e.time < firstTime) firstTime = e.time;
    if (lastTime === null || e.time > lastTime) lastTime = e.time;
    const end = e.extra?.end;
    if (typeof end === 'number' && Number.isFinite(end) && end > lastTime) lastTime = end;
    if (e.code === 'MEDS_DEATH' && (deathTime === null || e.time < deathTime)) deathTime = e.time;
  }
  const facts: SubjectFacts = { events: subject.events, visits: extractVisits(subject.events), deathTime, firstTime, lastTime };
  lastSubject = subject;
  lastFacts = facts;
  return facts;
}

/** A visit with a known end. */
export type ClosedVisit = Visit & { readonly end: number };

/**
 * The subject's inpatient visits (SPEC 4), open ones included: top-level visits of the inpatient
 * kind (`Visit/IP`, `Visit/ERIP`, MIMIC `HOSPITAL_ADMISSION//...`), or, when the task gives its
 * own `inpatient` code set, top-level visits whose code is in it.
 */
export function inpatientVisits(facts: SubjectFacts, inpatient: CodeSet | undefined, vocab: LabelVocabulary): Visit[] {
  const match = inpatient ? codeMatcher(inpatient, vocab) : null;
  return facts.visits.filter((v) => v.partOf === null && (match ? match(v.code) : v.kind === 'inpatient'));
}

/** The inpatient stays that prediction times come from: {@link inpatientVisits} with a start and an end. */
export function closedStays(visits: readonly Visit[]): ClosedVisit[] {
  return visits.filter((v): v is ClosedVisit => v.end !== null);
}

// ICU stays of the most recent facts, per code set (tasks share the default set object).
let icuFacts: SubjectFacts | null = null;
const icuMemo = new Map<CodeSet, Visit[]>();

/**
 * The subject's ICU stays (open ones included), from codes and times (see
 * {@link extractIcuStays}): `ICU_ADMISSION//...` .. `ICU_DISCHARGE//...` pairs, by `icustay_id`
 * only when present, and visits whose code is in the ICU code set.
 */
export function icuStays(facts: SubjectFacts, icu: CodeSet, vocab: LabelVocabulary): Visit[] {
  if (facts !== icuFacts) {
    icuFacts = facts;
    icuMemo.clear();
  }
  let stays = icuMemo.get(icu);
  if (!stays) {
    stays = extractIcuStays(facts.events, facts.visits, icu, vocab);
    icuMemo.set(icu, stays);
  }
  return stays;
}
