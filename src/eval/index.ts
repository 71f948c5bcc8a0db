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
