/** ehr-embed public library API: re-exports only. */
export * from './types.ts';
export { UsageError, InternalError, isUsageError, type ErrorLocation } from './errors.ts';
export * from './meds/index.ts';
export { FeatureFileWriter, readFeatureFile, type FeatureMatrix } from './meds/featureFiles.ts';
export { convertToMeds, type ConvertOptions, type ConvertResult } from './convert/convertToMeds.ts';
export { CONVERTERS, getConverter } from './convert/registry.ts';
export type { Converter, ConvertContext } from './convert/Converter.ts';
export type { ConversionSummary } from './convert/ConversionReport.ts';
export * from './vocab/index.ts';
export { createEmbedder, EMBEDDERS, type CreateEmbedderOptions } from './embed/createEmbedder.ts';
export { formatInput, l2normalize, MODEL_FAMILIES, type Embedder, type EmbedInput, type ModelFamily } from './embed/Embedder.ts';
export { EmbeddingCache, DEFAULT_CACHE_DIR } from './embed/EmbeddingCache.ts';
export { embedWithCache, type EmbedStats } from './embed/embedWithCache.ts';
export { instructionFor, resolveInstruction, GENERIC_QUERY, type InstructionMode, type TextFormat } from './embed/instructions.ts';
export { OpenAiEmbedder, guessFamily, type OpenAiOptions } from './embed/OpenAiEmbedder.ts';
export { UseLiteEmbedder, type UseLiteOptions } from './embed/UseLiteEmbedder.ts';
export { PACKAGE_VERSION } from './version.ts';
export * from './tasks/index.ts';
