export { openMedsDataset, MedsDataset, sortEvents, type OpenMedsOptions, type ShardInfo } from './MedsDataset.ts';
export { MedsWriter, type MedsWriterOptions, type WriteSummary } from './MedsWriter.ts';
export { readLabels, writeLabels } from './labels.ts';
export { hashSplit, DEFAULT_FRACTIONS, type SplitFractions } from './hashSplit.ts';
export { computeDatasetStats, type DatasetStats, type SplitStats } from './computeDatasetStats.ts';
