import type { Label, Subject } from '../types.ts';
import type { LabelVocabulary } from './LabelVocabulary.ts';
import type { TaskSpec } from './taskSpec.ts';

/**
 * Told why a candidate label was dropped (for example `"discharged on the admission day"`), so
 * callers can count and report exclusions; labelers stay pure functions of their inputs.
 */
export type SkipReporter = (reason: string) => void;

/**
 * A labeler: a pure function from one subject's events (sorted, as in a {@link Subject}) to its
 * labels for one task, ordered by prediction time, at most one per prediction time. No label
 * uses an outcome at or before its prediction time.
 */
export type Labeler<S extends TaskSpec = TaskSpec> = (subject: Subject, spec: S, vocab: LabelVocabulary, onSkip?: SkipReporter) => Label[];
