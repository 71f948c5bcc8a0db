export {
  TaskSpecSchema,
  OperationalTaskSchema,
  LabTaskSchema,
  NewDiagnosisTaskSchema,
  IcuMortalityTaskSchema,
  CodeSetSchema,
  DurationSchema,
  taskSpecJsonSchema,
  type TaskSpec,
  type TaskSpecInput,
  type OperationalTaskSpec,
  type LabTaskSpec,
  type NewDiagnosisTaskSpec,
  type IcuMortalityTaskSpec,
  type TaskGroup,
  type CodeSet,
  type Duration,
} from './taskSpec.ts';
export { loadTaskSpecs, readTaskSpec, BUILTIN_TASKS_DIR } from './loadTaskSpecs.ts';
export { selectTasks } from './selectTasks.ts';
export { durationMs, MINUTE_MS, HOUR_MS, DAY_MS } from './durationMs.ts';
export { truncateToMinute, startOfDay, dayEnd, sameDay } from './predictionTime.ts';
export { codeMatcher, type CodeMatcher } from './codeMatcher.ts';
export { NO_PARENTS, type LabelVocabulary } from './LabelVocabulary.ts';
export { subjectFacts, inpatientVisits, closedStays, icuStays, type SubjectFacts, type ClosedVisit } from './subjectFacts.ts';
export { extractIcuStays } from './icuStays.ts';
export type { Labeler, SkipReporter } from './Labeler.ts';
export { labelOperational } from './labelOperational.ts';
export { labelLab } from './labelLab.ts';
export { labelNewDiagnosis } from './labelNewDiagnosis.ts';
export { labelIcuMortality } from './labelIcuMortality.ts';
export { labelSubject, taskRequirement } from './labelSubject.ts';
export { classifyLabValue, LAB_CLASSES, type LabClass, type LabClassification } from './classifyLabValue.ts';
export { labResultUnit } from './labResultUnit.ts';
export { finalizeLabels } from './finalizeLabels.ts';
export { binaryOutcome } from './binaryOutcome.ts';
export { subjectSplitResolver, type SplitResolver, type SplitSource } from './subjectSplitResolver.ts';
export { summarizeLabels, type TaskSummary, type SplitCounts, type TaskInfo } from './summarizeLabels.ts';
export {
  labelDataset,
  type LabelSource,
  type LabelDatasetOptions,
  type LabeledDataset,
  type LabelPassProgress,
  type TaskLabels,
} from './labelDataset.ts';
export {
  sampleShots,
  SHOT_KS,
  SHOT_REPLICATES,
  SHOT_SPLITS,
  type ShotSet,
  type TaskShots,
  type ShotOptions,
  type ShotAvailability,
} from './sampleShots.ts';
export { importLabels, type ImportedLabels, type LabelValueType } from './importLabels.ts';
export { taskLabelsFromImport } from './taskLabelsFromImport.ts';
