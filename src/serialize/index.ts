export { isMarkdownFormat, serialize, SERIALIZE_FORMATS } from './serialize.ts';
export type { SerializeFormat, SerializeOptions, SerializeResult, SerializedLine, Truncation } from './serialize.ts';
export { PreparedSubject, prepareSubject } from './PreparedSubject.ts';
export type { PreparedVisit } from './PreparedSubject.ts';
export type { EventRef } from './eventRef.ts';
export type { Vocabulary } from './vocabulary.ts';
export { EMPTY_VOCABULARY, vocabularyFromCodes } from './vocabulary.ts';
export { extractVisits, isCurrentVisit, visitKind } from '../meds/visits.ts';
export type { Visit, VisitKind } from '../meds/visits.ts';
export {
  AGGREGATED_CONCEPTS,
  RECENT_SECTION_HEADINGS,
  conceptIndexOf,
  isPlausible,
  normalFlag,
  normalizeUnit,
  toConceptUnit,
} from './aggregates.ts';
export type { AggregatedConcept, RecentSection, UnitConversion } from './aggregates.ts';
export { EVENT_GROUPS, EVENT_GROUP_HEADINGS, codeGroup } from './eventGroup.ts';
export type { EventGroup } from './eventGroup.ts';
export { formatNumber } from './formatNumber.ts';
export { readableCode } from './readableCode.ts';
export { SHOWN_PREDICTION_DATE } from './markdown.ts';
