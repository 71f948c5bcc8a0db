/** Description coverage of a MEDS dataset, per vocabulary prefix (`ehr-embed vocab-audit`). */
import type { MedsDataset } from '../meds/MedsDataset.ts';
import { buildVocabulary, type VocabularyChain } from './VocabularyChain.ts';
import type { DescriptionSource } from './Vocabulary.ts';
import { vocabularyPrefix } from './vocabularyPrefix.ts';

/** Coverage of one vocabulary prefix. */
export interface PrefixCoverage {
  readonly prefix: string;
  readonly events: number;
  readonly codes: number;
  readonly describedEvents: number;
  readonly describedCodes: number;
  /** Share of events whose code has a description (0-1). */
  readonly eventShare: number;
  /** Share of distinct codes with a description (0-1). */
  readonly codeShare: number;
}

/** Result of {@link auditVocabulary}. */
export interface VocabularyAudit {
  readonly dir: string;
  readonly events: number;
  readonly codes: number;
  readonly eventShare: number;
  readonly codeShare: number;
  /** Distinct codes described by each link of the chain. */
  readonly bySource: Readonly<Record<DescriptionSource, number>>;
  readonly prefixes: readonly PrefixCoverage[];
  /** The most frequent codes without a description. */
  readonly undescribed: readonly { readonly code: string; readonly events: number }[];
}

/** Options of {@link auditVocabulary}. */
export interface AuditOptions {
  /** Extra vocabulary paths (OMOP folders, CONCEPT.csv, ICD-10-CM titles). */
  readonly vocabPaths?: readonly string[];
  /** How many undescribed codes to list (default 30). */
  readonly top?: number;
}

/** Audit description coverage with the full lookup chain. Also returns the chain for reuse. */
export async function auditVocabulary(
  ds: MedsDataset,
  options: AuditOptions = {},
): Promise<{ audit: VocabularyAudit; vocabulary: VocabularyChain }> {
  const counts = [...(await ds.codeCounts())].map(([code, n]) => ({ code, n }));
  const vocabulary = await buildVocabulary({ codes: counts.map((c) => c.code), datasetCodes: ds.codes, paths: options.vocabPaths ?? [] });
  const per = new Map<string, { events: number; codes: number; describedEvents: number; describedCodes: number }>();
  const bySource: Record<DescriptionSource, number> = { 'codes.parquet': 0, 'omop-concept': 0, 'icd10cm-titles': 0, parent: 0, none: 0 };
  let events = 0;
  let describedEvents = 0;
  const undescribed: { code: string; events: number }[] = [];
  for (const { code, n } of counts) {
    const prefix = vocabularyPrefix(code);
    let p = per.get(prefix);
    if (!p) per.set(prefix, (p = { events: 0, codes: 0, describedEvents: 0, describedCodes: 0 }));
    const src = vocabulary.sourceOf(code);
    bySource[src]++;
    p.events += n;
    p.codes++;
    events += n;
    if (src !== 'none') {
      p.describedEvents += n;
      p.describedCodes++;
      describedEvents += n;
    } else {
      undescribed.push({ code, events: n });
    }
  }
  const prefixes = [...per]
    .map(([prefix, p]) => ({ prefix, ...p, eventShare: p.describedEvents / p.events, codeShare: p.describedCodes / p.codes }))
    .sort((a, b) => b.events - a.events || a.prefix.localeCompare(b.prefix));
  undescribed.sort((a, b) => b.events - a.events || a.code.localeCompare(b.code));
  const describedCodes = counts.length - bySource.none;
  return {
    vocabulary,
    audit: {
      dir: ds.dir,
      events,
      codes: counts.length,
      eventShare: events > 0 ? describedEvents / events : 0,
      codeShare: counts.length > 0 ? describedCodes / counts.length : 0,
      bySource,
      prefixes,
      undescribed: undescribed.slice(0, options.top ?? 30),
    },
  };
}
