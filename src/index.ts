/**
 * ehr-embed public library API: re-exports only (`import { serialize } from 'ehr-embed'`).
 *
 * Everything exported here is covered by the version policy (docs/versioning.md) and listed in
 * test/package/exports.test.ts; anything else under dist/ is internal and may change in any
 * release. The HTTP service's building blocks (auth, error bodies, request parsing, the
 * inspector) are internal: use {@link startServer} or {@link createApp}.
 */

// MEDS data model and errors
export * from './types.ts';
export { UsageError, InternalError, isUsageError, type ErrorLocation } from './errors.ts';
export { PACKAGE_VERSION } from './version.ts';
export { hashUnit } from './hashUnit.ts';

// MEDS datasets, label files and feature files
export * from './meds/index.ts';
export {
  FeatureFileWriter,
  readFeatureFile,
  readTaskFeatures,
  readTaskFeaturesInto,
  taskFeatureShape,
  taskFeatureFiles,
  mergeFeatureParts,
  listFeatureParts,
  type FeatureMatrix,
  type FeatureKeys,
  type FeatureTarget,
  type FeaturePart,
  type MergedTask,
} from './meds/featureFiles.ts';

// Conversion to MEDS
export { convertToMeds, type ConvertOptions, type ConvertResult } from './convert/convertToMeds.ts';
export { CONVERTERS, getConverter } from './convert/registry.ts';
export type { Converter, ConvertContext } from './convert/Converter.ts';
export type { ConversionSummary } from './convert/ConversionReport.ts';

// Code descriptions
export * from './vocab/index.ts';

// Serialization (one subject at a prediction time → text)
export {
  serialize,
  SERIALIZE_FORMATS,
  type SerializeFormat,
  type SerializeOptions,
  type SerializeResult,
  type SerializedLine,
  type Truncation,
} from './serialize/serialize.ts';
export { PreparedSubject, prepareSubject, type PreparedVisit } from './serialize/PreparedSubject.ts';
export { EMPTY_VOCABULARY, vocabularyFromCodes } from './serialize/vocabulary.ts';
export { extractVisits, type Visit, type VisitKind } from './meds/visits.ts';

// Tokenizers (budgets and counts)
export { getTokenizer, TOKENIZER_NAMES } from './tokenize/getTokenizer.ts';
export type { Tokenizer } from './tokenize/tokenizer.ts';
export { charsTokenizer } from './tokenize/charsTokenizer.ts';
export { loadHuggingFaceTokenizer, type HuggingFaceTokenizer } from './tokenize/huggingFaceTokenizer.ts';

// Tasks and labels
export * from './tasks/index.ts';

// ACES task configs (MEDS-DEV's task language)
export {
  loadAcesConfig,
  parseAcesConfig,
  labelWithAces,
  countAcesPredicates,
  exportAces,
  acesInexpressible,
  type AcesConfig,
  type AcesTask,
  type LabelWithAcesOptions,
  type PredicateCount,
} from './aces/index.ts';

// Count features (the baselines)
export {
  buildCountFeatures,
  taskCountMatrix,
  type CountBuildOptions,
  type CountFeatures,
  type CountPassProgress,
  type CountTaskInput,
} from './features/buildCountFeatures.ts';
export {
  fitCountFeatures,
  countRow,
  featureIndex,
  type CountFeatureOptions,
  type CountFeatureSpace,
  type SparseRow,
} from './features/CountFeaturizer.ts';

// Embedding
export { createEmbedder, validateModelSpec, EMBEDDERS, type CreateEmbedderOptions } from './embed/createEmbedder.ts';
export { formatInput, l2normalize, MODEL_FAMILIES, type Embedder, type EmbedInput, type ModelFamily } from './embed/Embedder.ts';
export { EmbeddingCache, DEFAULT_CACHE_DIR, type CacheMergeStats } from './embed/EmbeddingCache.ts';
export {
  inShard,
  parseShard,
  partFileName,
  partManifestName,
  shardFromEnv,
  subjectShard,
  type Shard,
  type ShardSource,
} from './embed/Shard.ts';
export { combinePartManifests, readFeaturesManifest, type FeaturesManifest } from './artifacts/featuresManifest.ts';
export { estimateGpuHours, gpuProfile, GPU_PROFILES, secondsPerText, type GpuEstimate, type GpuProfile } from './embed/gpuProfiles.ts';
export { embedWithCache, type EmbedStats } from './embed/embedWithCache.ts';
export {
  instructionFor,
  resolveInstruction,
  GENERIC_QUERY,
  INSTRUCTION_MODES,
  type InstructionMode,
  type TextFormat,
} from './serialize/instructions.ts';
export { GgufEmbedder, ggufFingerprint, parseGgufSpec, GGUF_DEVICES, type GgufDevice, type GgufOptions } from './embed/GgufEmbedder.ts';
export { OnnxEmbedder, parseOnnxSpec, ONNX_POOLINGS, type OnnxOptions, type OnnxPooling } from './embed/OnnxEmbedder.ts';
export {
  OpenAiEmbedder,
  guessFamily,
  parseServerList,
  type OpenAiOptions,
  type ServerEntry,
  type ServerStats,
} from './embed/OpenAiEmbedder.ts';
export { UseLiteEmbedder, type UseLiteOptions } from './embed/UseLiteEmbedder.ts';

// Evaluation and probes (the probe's own Float32Array | Float64Array alias stays internal: one FeatureMatrix)
export * from './eval/index.ts';
export { lbfgs, type LbfgsOptions, type LbfgsResult, type LbfgsStop, type Objective } from './probe/lbfgs.ts';
export { fitLogistic, fitLogisticPath, LOGISTIC_DEFAULTS, type LogisticParams, type LogisticPathParams } from './probe/logistic.ts';
export { FittedLogistic, type LogisticJSON } from './probe/FittedLogistic.ts';
export { linearScores } from './probe/linearScores.ts';
export { fitMaxAbsScaler, FittedMaxAbsScaler, type MaxAbsScalerJSON } from './probe/maxAbsScaler.ts';
export { fitSparseLogisticPath } from './probe/sparseLogistic.ts';
export { csrSelectRows, type CsrMatrix } from './probe/csrMatrix.ts';
export { fitGbm, fitGbmPath, FittedGbm, GBM_DEFAULTS } from './probe/gbm.ts';
export { loadXGBoost, XGBOOST_LIB_ENV } from './probe/xgboostLib.ts';

// Files one step writes and a later step reads
export { writeLabelOutputs, type LabelRunSummary, type ShotsFile, type WriteLabelOutputsOptions } from './artifacts/labelsDir.ts';
export { ProbeBundle } from './artifacts/ProbeBundle.ts';
export {
  buildResultsFile,
  readResultsFile,
  writeResultsFile,
  type EvaluationFeatureSetInfo,
  type EvaluationFile,
  type EvaluationSettings,
  type EvaluationTaskInfo,
  type ResultsFileInput,
} from './artifacts/resultsFile.ts';

// Reports and the benchmark
export * from './report/index.ts';
export {
  loadBenchmarkConfig,
  validateBenchmarkConfig,
  benchmarkConfigJsonSchema,
  BenchmarkConfigSchema,
  type BenchmarkConfig,
} from './benchmark/BenchmarkConfig.ts';
export { runBenchmark, type BenchmarkOutcome, type StepTiming } from './benchmark/runBenchmark.ts';

// The HTTP service
export { startServer, type StartServerOptions, type RunningServer } from './server/startServer.ts';
export { createApp, type AppOptions, type RequestLogEntry } from './server/createApp.ts';
export { ScoringService, type Prediction, type ScoringServiceOptions } from './server/ScoringService.ts';
export { openApiDocument } from './server/openApiDocument.ts';
