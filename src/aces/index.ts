export {
  ANY_EVENT,
  RECORD_START,
  RECORD_END,
  SPECIAL_PREDICATES,
  type AcesConfig,
  type AcesPredicate,
  type AcesPlainPredicate,
  type AcesDerivedPredicate,
  type AcesWindow,
  type AcesBoundary,
  type AcesCodeMatch,
} from './AcesConfig.ts';
export { parseAcesConfig, loadAcesConfig, editDistance, type AcesSource } from './parseAcesConfig.ts';
export { parseAcesBoundary } from './parseAcesBoundary.ts';
export { parseAcesDuration } from './parseAcesDuration.ts';
export { plainPredicateMatcher, codeMatcher as acesCodeMatcher, type EventMatcher } from './plainPredicateMatcher.ts';
export { timelineBuilder, type SubjectTimeline, type TimelineBuilder } from './subjectTimeline.ts';
export { planAces, extractAcesSubject, type AcesPlan, type AcesSkipReporter } from './extractAcesSubject.ts';
export { labelWithAces, type AcesTask, type LabelWithAcesOptions } from './labelWithAces.ts';
export { countAcesPredicates, type CodeCountSource, type PredicateCount } from './countAcesPredicates.ts';
export { closestCodes, literalPrefix } from './closestCodes.ts';
export { medsCodeCounts } from './medsCodeCounts.ts';
export { exportAces, acesInexpressible } from './exportAces.ts';
