export type { Vocabulary, DescriptionSource } from './Vocabulary.ts';
export { buildVocabulary, VocabularyChain, type BuildVocabularyOptions } from './VocabularyChain.ts';
export { auditVocabulary, type VocabularyAudit, type PrefixCoverage, type AuditOptions } from './auditVocabulary.ts';
export { vocabularyPrefix } from './vocabularyPrefix.ts';
export { normalizeIcd } from './normalizeIcd.ts';
