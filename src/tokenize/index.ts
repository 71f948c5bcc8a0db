export type { Tokenizer } from './tokenizer.ts';
export { charsTokenizer } from './charsTokenizer.ts';
export { createHuggingFaceTokenizer, isNewlineAdditive, loadHuggingFaceTokenizer } from './huggingFaceTokenizer.ts';
export type { HuggingFaceTokenizer } from './huggingFaceTokenizer.ts';
export { getTokenizer, TOKENIZER_NAMES } from './getTokenizer.ts';
export { createUseLiteTokenizer, loadUseLiteTokenizer } from './useLiteTokenizer.ts';
export { LineTokenCounter, lineTokenCounter, pieceCuts } from './LineTokenCounter.ts';
export type { LineEnd } from './LineTokenCounter.ts';
