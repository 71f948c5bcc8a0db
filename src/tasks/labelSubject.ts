import type { Label, Subject } from '../types.ts';
import { labelIcuMortality } from './labelIcuMortality.ts';
import { labelLab } from './labelLab.ts';
import { labelNewDiagnosis } from './labelNewDiagnosis.ts';
import { labelOperational } from './labelOperational.ts';
import type { SkipReporter } from './Labeler.ts';
import type { LabelVocabulary } from './LabelVocabulary.ts';
import type { TaskSpec } from './taskSpec.ts';

/**
 * Label one subject for any task: dispatches on `spec.kind` to {@link labelOperational},
 * {@link labelLab}, {@link labelNewDiagnosis} or {@link labelIcuMortality}.
 */
export function labelSubject(subject: Subject, spec: TaskSpec, vocab: LabelVocabulary, onSkip?: SkipReporter): Label[] {
  switch (spec.kind) {
    case 'operational':
      return labelOperational(subject, spec, vocab, onSkip);
    case 'lab':
      return labelLab(subject, spec, vocab, onSkip);
    case 'new_diagnosis':
      return labelNewDiagnosis(subject, spec, vocab, onSkip);
    case 'icu_mortality_24h':
      return labelIcuMortality(subject, spec, vocab, onSkip);
  }
}

/**
 * What a task needs from a dataset beyond inpatient stays, or null. A dataset with no ICU stays
 * at all (Synthea) cannot say whether anyone was transferred to the ICU: its all-negative
 * labels would be noise, so {@link labelDataset} reports the task instead of writing them.
 */
export function taskRequirement(spec: TaskSpec): 'icu_stays' | null {
  if (spec.kind === 'icu_mortality_24h') return 'icu_stays';
  if (spec.kind === 'operational' && spec.outcome === 'icu_transfer') return 'icu_stays';
  return null;
}
