/** Prediction heads on embeddings: scaling, logistic regression, C selection. Re-exports only. */
export { lbfgs } from './lbfgs.ts';
export type { LbfgsOptions, LbfgsResult, LbfgsStop, Objective } from './lbfgs.ts';
export { newtonCg } from './newtonCg.ts';
export type { NewtonCgOptions, NewtonProblem, NewtonResult, NewtonStop } from './newtonCg.ts';
export { fitLogistic, fitLogisticPath, LOGISTIC_DEFAULTS } from './logistic.ts';
export type { LogisticParams, LogisticPathParams } from './logistic.ts';
export { FittedLogistic } from './FittedLogistic.ts';
export type { LogisticJSON, LogisticStop } from './FittedLogistic.ts';
export type { FeatureMatrix } from './FeatureMatrix.ts';
export { linearScores } from './linearScores.ts';
export { fitMaxAbsScaler, FittedMaxAbsScaler } from './maxAbsScaler.ts';
export type { MaxAbsScalerJSON } from './maxAbsScaler.ts';
export { fitGbm, fitGbmPath, FittedGbm, GBM_DEFAULTS } from './gbm.ts';
export { loadXGBoost, XGBOOST_LIB_ENV } from './xgboostLib.ts';
