/** Prediction heads on embeddings: scaling, logistic regression, C selection. Re-exports only. */
export { lbfgs } from './lbfgs.ts';
export type { LbfgsOptions, LbfgsResult, LbfgsStop, Objective } from './lbfgs.ts';
export { newtonCg } from './newtonCg.ts';
export type { NewtonCgOptions, NewtonProblem, NewtonResult, NewtonStop } from './newtonCg.ts';
export { fitLogistic, fitLogisticPath, FittedLogistic, linearScores } from './logistic.ts';
export type { FeatureMatrix, LogisticJSON, LogisticParams, LogisticStop } from './logistic.ts';
export { fitMaxAbsScaler, FittedMaxAbsScaler } from './maxAbsScaler.ts';
export type { MaxAbsScalerJSON } from './maxAbsScaler.ts';
export { fitGbm, fitGbmPath, FittedGbm, GBM_DEFAULTS } from './gbm.ts';
export { loadXGBoost, XGBOOST_LIB_ENV } from './xgboostLib.ts';
