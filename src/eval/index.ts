/** Evaluation metrics and tests (SPEC section 5). Re-exports only. */
export { auroc, weightedAuroc } from './auroc.ts';
export { averagePrecision, weightedAveragePrecision } from './averagePrecision.ts';
export { brier, weightedBrier } from './brier.ts';
export { bootstrapCI, pairedBootstrapTest } from './bootstrap.ts';
export type { BootstrapMetric, BootstrapOptions, BootstrapResult, Interval, PairedTestOptions, PairedTestResult } from './bootstrap.ts';
export { holm } from './holm.ts';
export { rankScores } from './rankScores.ts';
export type { RankedScores } from './rankScores.ts';
export { checkBinaryInputs, requireBothClasses } from './binaryInputs.ts';
export { selectC, C_GRID } from './selectC.ts';
export type { CScore, LabelledFeatures, SelectCOptions, SelectCResult } from './selectC.ts';
export { selectGbm, GBM_GRID, distinctGbmConfigs } from './selectGbm.ts';
export { gbmHead, availableGbmHead } from './gbmHead.ts';
export { lrHead, logisticHead } from './lrHead.ts';
export type { LogisticHeadOptions } from './lrHead.ts';
export { headFromSpec } from './headFromSpec.ts';
export { FitPool, defaultFitWorkers } from './FitPool.ts';
export type { FitJob, FitOutcome } from './FitPool.ts';
export { sharedLayout, sharedFloat32 } from './sharedLayout.ts';
export type { SharedLayout } from './sharedLayout.ts';
export { runEvaluation, summarize } from './runEvaluation.ts';
export type {
  FeatureSet,
  RowLayout,
  K,
  RunResult,
  SkippedRun,
  MacroSummary,
  Comparison,
  EvaluationResults,
  EvaluationOptions,
  FitWarning,
} from './runEvaluation.ts';
export type { FitCertificate, Head, HeadResult, HeadSpec } from './Head.ts';
export { calibration, recalibrate, CALIBRATION_BINS } from './calibration.ts';
export type { Calibration, ReliabilityBin } from './calibration.ts';
export { subgroupAuroc, ageBand, AGE_BANDS } from './subgroupAuroc.ts';
export type { SubgroupResult } from './subgroupAuroc.ts';
