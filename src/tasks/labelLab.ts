/**
 * Lab tasks of SPEC 4: one label per result of the lab test, predicted `offset` (1 minute) before
 * the result, valued by the result's class (integer_value 0-3) and abnormal or not
 * (boolean_value, the binarized task that SPEC 5 evaluates).
 */
import type { Event, Label, Subject } from '../types.ts';
import { classifyLabValue } from './classifyLabValue.ts';
import { codeMatcher } from './codeMatcher.ts';
import { durationMs } from './durationMs.ts';
import { finalizeLabels } from './finalizeLabels.ts';
import type { Labeler, SkipReporter } from './Labeler.ts';
import type { LabelVocabulary } from './LabelVocabulary.ts';
import { labResultUnit } from './labResultUnit.ts';
import { truncateToMinute } from './predictionTime.ts';
import { subjectFacts } from './subjectFacts.ts';
import type { LabTaskSpec } from './taskSpec.ts';

/** Label one subject for a lab task. Results without a usable value or unit are skipped (and reported). */
export const labelLab: Labeler<LabTaskSpec> = (
  subject: Subject,
  spec: LabTaskSpec,
  vocab: LabelVocabulary,
  onSkip?: SkipReporter,
): Label[] => {
  const match = codeMatcher(spec.lab, vocab);
  const skip = onSkip ?? (() => {});
  const offset = durationMs(spec.predictionTime.offset);
  const ex = new Set(spec.exclusions);
  const facts = subjectFacts(subject);
  const out: Label[] = [];
  for (const e of subject.events) {
    if (e.time === null || !match(e.code)) continue;
    const value = resultValue(e);
    if (value === null) {
      skip('result has no numeric value');
      continue;
    }
    const c = classifyLabValue(value, labResultUnit(e), spec);
    if ('error' in c) {
      skip(c.error);
      continue;
    }
    const pred = truncateToMinute(e.time - offset);
    // Nothing of the record is visible yet: EHRSHOT drops results at the first event.
    if (ex.has('first_event') && facts.firstTime !== null && pred < facts.firstTime) {
      skip('prediction time before the first event');
      continue;
    }
    if (ex.has('dead_before_prediction') && facts.deathTime !== null && facts.deathTime <= pred) {
      skip('died before the prediction time');
      continue;
    }
    out.push({ subjectId: subject.subjectId, predictionTime: pred, integerValue: c.class, booleanValue: c.class > 0 });
  }
  return finalizeLabels(out);
};

/** The numeric result: `numeric_value`, else a `text_value` that is a plain number. */
function resultValue(e: Event): number | null {
  if (e.numericValue !== null && Number.isFinite(e.numericValue)) return e.numericValue;
  const t = e.textValue?.trim();
  if (t && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  return null;
}
