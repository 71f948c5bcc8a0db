/**
 * ICU mortality (the MIMIC-IV MEDS task `icu_mortality_first_24h`): for each ICU stay, predict at
 * ICU admission + 24 hours whether the subject dies before leaving the ICU. Stays that end
 * (discharge or death) within the first 48 hours, or with another ICU admission in them, are
 * excluded. This reproduces, row for row and to the microsecond, the labels ACES made from MEDS-DEV's
 * `mortality/in_icu/first_24h` config and shipped with the MIMIC-IV demo: the prediction time is
 * admission + offset exactly (not cut to the minute), and a stay without a discharge row ends at
 * a death after it (as ACES's "next discharge or death").
 */
import type { Label, Subject } from '../types.ts';
import { durationMs } from './durationMs.ts';
import { finalizeLabels } from './finalizeLabels.ts';
import type { Labeler, SkipReporter } from './Labeler.ts';
import type { LabelVocabulary } from './LabelVocabulary.ts';
import { icuStays, subjectFacts } from './subjectFacts.ts';
import type { IcuMortalityTaskSpec } from './taskSpec.ts';

/** Label one subject for an ICU mortality task. */
export const labelIcuMortality: Labeler<IcuMortalityTaskSpec> = (
  subject: Subject,
  spec: IcuMortalityTaskSpec,
  vocab: LabelVocabulary,
  onSkip?: SkipReporter,
): Label[] => {
  const facts = subjectFacts(subject);
  const stays = icuStays(facts, spec.icu, vocab);
  if (stays.length === 0) return [];
  const skip = onSkip ?? (() => {});
  const ex = new Set(spec.exclusions);
  const offset = durationMs(spec.predictionTime.offset);
  const gap = durationMs(spec.gap);
  const death = facts.deathTime;
  const out: Label[] = [];
  for (const stay of stays) {
    const end = stay.end ?? (death !== null && death >= stay.start ? death : null);
    if (end === null) {
      skip('ICU stay without a discharge');
      continue;
    }
    const pred = stay.start + offset;
    const gapEnd = stay.start + gap;
    if (end <= pred || (death !== null && death <= pred)) {
      skip('left the ICU or died before the prediction time');
      continue;
    }
    if (ex.has('discharge_or_death_in_gap') && (end <= gapEnd || (death !== null && death <= gapEnd))) {
      skip('ICU discharge or death within the gap');
      continue;
    }
    if (ex.has('icu_admission_in_gap') && stays.some((o) => o !== stay && o.start > stay.start && o.start <= gapEnd)) {
      skip('another ICU admission within the gap');
      continue;
    }
    out.push({ subjectId: subject.subjectId, predictionTime: pred, booleanValue: death !== null && death > pred && death <= end });
  }
  return finalizeLabels(out);
};
