/**
 * New-diagnosis tasks of SPEC 4: at 23:59 on each inpatient discharge day before the first
 * diagnosis, will the first diagnosis fall within the horizon ((1 day, 365 days])?
 *
 * Prediction times at or after the first diagnosis are dropped (`prior_diagnosis`): the task is
 * about a *new* diagnosis, and the diagnosis would be in the input. A diagnosis recorded as a
 * static fact (no time) counts as known at every time.
 */
import type { Label, Subject } from '../types.ts';
import { codeMatcher } from './codeMatcher.ts';
import { durationMs } from './durationMs.ts';
import { finalizeLabels } from './finalizeLabels.ts';
import type { Labeler, SkipReporter } from './Labeler.ts';
import type { LabelVocabulary } from './LabelVocabulary.ts';
import { dayEnd } from './predictionTime.ts';
import { closedStays, inpatientVisits, subjectFacts } from './subjectFacts.ts';
import type { NewDiagnosisTaskSpec } from './taskSpec.ts';

/** Label one subject for a new-diagnosis task. */
export const labelNewDiagnosis: Labeler<NewDiagnosisTaskSpec> = (
  subject: Subject,
  spec: NewDiagnosisTaskSpec,
  vocab: LabelVocabulary,
  onSkip?: SkipReporter,
): Label[] => {
  const facts = subjectFacts(subject);
  const stays = closedStays(inpatientVisits(facts, spec.inpatient, vocab));
  if (stays.length === 0) return [];
  const match = codeMatcher(spec.outcome, vocab);
  let first = Infinity;
  for (const e of subject.events) {
    if (!match(e.code)) continue;
    const t = e.time ?? -Infinity;
    if (t < first) first = t;
  }
  const skip = onSkip ?? (() => {});
  const ex = new Set(spec.exclusions);
  const lo = durationMs(spec.horizon.start);
  const hi = durationMs(spec.horizon.end);
  const out: Label[] = [];
  for (const stay of stays) {
    const pred = dayEnd(spec.predictionTime.rule === 'admission_day_end' ? stay.start : stay.end);
    // Never a label whose outcome is already in the input, whatever the exclusions say.
    if (first <= pred) {
      skip('diagnosed before the prediction time');
      continue;
    }
    if (ex.has('dead_before_prediction') && facts.deathTime !== null && facts.deathTime <= pred) {
      skip('died before the prediction time');
      continue;
    }
    const positive = first > pred + lo && first <= pred + hi;
    if (!positive) {
      if (ex.has('diagnosis_before_horizon') && first <= pred + lo) {
        skip('diagnosed before the horizon starts');
        continue;
      }
      if (ex.has('censored') && (facts.lastTime === null || facts.lastTime < pred + hi)) {
        skip('censored: record ends inside the horizon');
        continue;
      }
    }
    out.push({ subjectId: subject.subjectId, predictionTime: pred, booleanValue: positive });
  }
  return finalizeLabels(out);
};
