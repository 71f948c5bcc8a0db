/**
 * ICU stays from the events themselves, so tasks work on any MEDS dataset: MEDS promises only
 * subject_id, time, code and numeric_value, so an ICU stay is an `ICU_ADMISSION//<unit>` row and
 * its end the matching `ICU_DISCHARGE//<unit>` row, matched by `icustay_id` when both rows carry
 * one and otherwise by time (the earliest open stay closes at the next discharge); our
 * converters' `Visit/ICU` rows carry their end in `extra.end`.
 */
import { idOf, type Visit } from '../meds/visits.ts';
import type { Event } from '../types.ts';
import { codeMatcher } from './codeMatcher.ts';
import type { LabelVocabulary } from './LabelVocabulary.ts';
import type { CodeSet } from './taskSpec.ts';

const ADMISSION = 'ICU_ADMISSION';
const DISCHARGE = 'ICU_DISCHARGE';

/**
 * The ICU stays in a subject's events (sorted by time), ordered by start.
 * @param events the subject's events
 * @param visits the subject's visits from `extractVisits` (for `Visit/...` ICU visits with `extra.end`)
 * @param icu codes that start an ICU stay
 * @param vocab parent codes for the code set
 */
export function extractIcuStays(events: readonly Event[], visits: readonly Visit[], icu: CodeSet, vocab: LabelVocabulary): Visit[] {
  const match = codeMatcher(icu, vocab);
  // Visits that are not ICU_ADMISSION rows (Visit/ICU and other codes in the set) come with their end.
  const stays: Visit[] = visits.filter((v) => match(v.code) && !v.code.startsWith(ADMISSION));
  const open: { index: number; icuId: string | null }[] = [];
  const admissions: Visit[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as Event;
    if (e.time === null || e.code.charCodeAt(0) !== 73 /* I */) continue;
    if (e.code.startsWith(ADMISSION) && match(e.code)) {
      const icuId = idOf(e.extra?.icustay_id);
      open.push({ index: admissions.length, icuId });
      admissions.push({
        visitId: icuId === null ? `${e.code}@${e.time}` : `icu-${icuId}`,
        code: e.code,
        kind: 'other',
        start: e.time,
        end: null,
        startIndex: i,
        endIndex: -1,
        partOf: idOf(e.extra?.hadm_id),
        membership: 'explicit',
      });
    } else if (e.code.startsWith(DISCHARGE) && open.length > 0) {
      const icuId = idOf(e.extra?.icustay_id);
      // By id when both rows have one, else the earliest open stay (stays follow each other; a
      // transfer discharges one unit and admits to the next at the same time, in either row order).
      let k = icuId === null ? -1 : open.findIndex((o) => o.icuId === icuId);
      if (k < 0) k = open.findIndex((o) => o.icuId === null || icuId === null);
      if (k < 0) continue;
      const [o] = open.splice(k, 1);
      const a = admissions[(o as { index: number }).index] as Visit;
      admissions[(o as { index: number }).index] = { ...a, end: Math.max(e.time, a.start), endIndex: i };
    }
  }
  return [...stays, ...admissions].sort((a, b) => a.start - b.start || a.startIndex - b.startIndex);
}
