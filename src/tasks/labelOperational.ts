/**
 * Operational tasks of SPEC 4 (EHRSHOT definitions), all anchored on inpatient stays with a start
 * and an end:
 * - long_los: at 23:59 on the admission day, will the stay last at least `minStay` (7 days)?
 * - readmission: at 23:59 on the discharge day, will a new inpatient admission start within the
 *   horizon ((1 minute, 30 days])?
 * - icu_transfer: at 23:59 on the admission day, will an ICU stay start later in this visit?
 * - mortality: at 23:59 on the discharge day, will the subject die within the horizon?
 */
import type { Label, Subject } from '../types.ts';
import type { Visit } from '../meds/visits.ts';
import { durationMs } from './durationMs.ts';
import { finalizeLabels } from './finalizeLabels.ts';
import type { Labeler, SkipReporter } from './Labeler.ts';
import type { LabelVocabulary } from './LabelVocabulary.ts';
import { dayEnd, sameDay } from './predictionTime.ts';
import { closedStays, icuStays, inpatientVisits, subjectFacts, type ClosedVisit, type SubjectFacts } from './subjectFacts.ts';
import type { OperationalTaskSpec } from './taskSpec.ts';

/** Label one subject for an operational task (see the module comment for each outcome). */
export const labelOperational: Labeler<OperationalTaskSpec> = (
  subject: Subject,
  spec: OperationalTaskSpec,
  vocab: LabelVocabulary,
  onSkip?: SkipReporter,
): Label[] => {
  const facts = subjectFacts(subject);
  const visits = inpatientVisits(facts, spec.inpatient, vocab);
  const stays = closedStays(visits);
  if (stays.length === 0) return [];
  const skip = onSkip ?? (() => {});
  const ex = new Set(spec.exclusions);
  const out: Label[] = [];
  const push = (predictionTime: number, value: boolean): void => {
    out.push({ subjectId: subject.subjectId, predictionTime, booleanValue: value });
  };
  const deadBy = (t: number): boolean => facts.deathTime !== null && facts.deathTime <= t;

  for (const stay of stays) {
    const anchor = spec.predictionTime.rule === 'admission_day_end' ? stay.start : stay.end;
    const pred = dayEnd(anchor);
    switch (spec.outcome) {
      case 'long_los': {
        // The discharge would be visible at the prediction time: the outcome is known, never a label.
        if (stay.end <= pred) {
          skip('discharged before the prediction time');
          continue;
        }
        if (ex.has('same_day_discharge') && sameDay(stay.start, stay.end)) {
          skip('discharged on the admission day');
          continue;
        }
        if (ex.has('dead_before_prediction') && deadBy(pred)) {
          skip('died before the prediction time');
          continue;
        }
        push(pred, stay.end - stay.start >= durationMs(spec.minStay ?? { days: 7 }));
        break;
      }
      case 'icu_transfer': {
        if (stay.end <= pred) {
          skip('discharged before the prediction time');
          continue;
        }
        if (ex.has('same_day_discharge') && sameDay(stay.start, stay.end)) {
          skip('discharged on the admission day');
          continue;
        }
        if (ex.has('dead_before_prediction') && deadBy(pred)) {
          skip('died before the prediction time');
          continue;
        }
        const icu = icuStays(facts, spec.icu, vocab).filter((i) => belongsTo(i, stay));
        if (ex.has('icu_on_admission_day') && icu.some((i) => i.start <= pred)) {
          skip('ICU stay on the admission day');
          continue;
        }
        push(
          pred,
          icu.some((i) => i.start > pred && i.start <= stay.end),
        );
        break;
      }
      case 'readmission': {
        if (ex.has('dead_before_prediction') && deadBy(pred)) {
          skip('died before the prediction time');
          continue;
        }
        // A readmission on the discharge day itself is before (or at) the prediction time: the
        // outcome would leak into the input (EHRSHOT skips these discharges).
        if (ex.has('same_day_readmission') && visits.some((v) => v !== stay && v.start >= stay.start && sameDay(v.start, stay.end))) {
          skip('readmitted on the discharge day');
          continue;
        }
        const h = spec.horizon ?? { start: { minutes: 1 }, end: { days: 30 } };
        const lo = pred + durationMs(h.start);
        const hi = pred + durationMs(h.end);
        const readmitted = visits.some((v) => v !== stay && v.start > lo && v.start <= hi);
        if (!readmitted && ex.has('censored') && censored(facts, hi)) {
          skip('censored: record ends inside the horizon');
          continue;
        }
        push(pred, readmitted);
        break;
      }
      case 'mortality': {
        // Death at or before the prediction time makes the outcome known: never a label.
        if (deadBy(pred)) {
          skip('died before the prediction time');
          continue;
        }
        const h = spec.horizon ?? { start: { minutes: 0 }, end: { days: 365 } };
        const lo = pred + durationMs(h.start);
        const hi = pred + durationMs(h.end);
        const died = facts.deathTime !== null && facts.deathTime > lo && facts.deathTime <= hi;
        if (!died && ex.has('censored') && censored(facts, hi)) {
          skip('censored: record ends inside the horizon');
          continue;
        }
        push(pred, died);
        break;
      }
    }
  }
  return finalizeLabels(out);
};

/** An ICU stay is part of a hospital stay when the source says so (MIMIC `hadm_id`) or it starts inside it. */
function belongsTo(icu: Visit, stay: ClosedVisit): boolean {
  if (icu.partOf !== null) return icu.partOf === stay.visitId;
  return icu.start >= stay.start && icu.start <= stay.end;
}

/** No outcome seen and the record ends before the horizon does: the negative is not known. */
function censored(facts: SubjectFacts, horizonEnd: number): boolean {
  return facts.lastTime === null || facts.lastTime < horizonEnd;
}
