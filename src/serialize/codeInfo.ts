import { conceptIndexOf } from './aggregates.ts';
import { codeGroup, stripSnomedTag } from './eventGroup.ts';
import type { EventGroup } from './eventGroup.ts';
import { readableCode } from './readableCode.ts';
import { sanitizeText } from './sanitizeText.ts';
import type { Vocabulary } from './vocabulary.ts';
import { isVisitMarker } from '../meds/visits.ts';

/** Which demographic fact a code states, if any. */
export type DemographicKind = 'birth' | 'sex' | 'race' | 'ethnicity';

/** What the serializer needs to know about a code; depends only on the code and the vocabulary. */
export interface CodeInfo {
  /** One-line description (vocabulary, else readable code), SNOMED semantic tag removed. */
  readonly description: string;
  /** Whether the description came from the vocabulary (else it is the readable code). */
  readonly described: boolean;
  /** Group when the event names no domain. */
  readonly group: EventGroup;
  /** Index into AGGREGATED_CONCEPTS, or -1. */
  readonly concept: number;
  /** Unit carried in the code itself (MIMIC `LAB//51265//K/uL`), or null. */
  readonly codeUnit: string | null;
  readonly demographic: DemographicKind | null;
  /** Whether the code opens or closes a top-level visit. */
  readonly marker: boolean;
  /** Whether rows of this code may carry MIMIC's free-text `extra.race` (hospital admissions). */
  readonly carriesRace: boolean;
}

/** Code prefixes whose last `//` part is a unit (MIMIC-IV MEDS). */
const UNIT_IN_CODE = ['LAB//', 'SUBJECT_WEIGHT_AT_INFUSION//', 'SUBJECT_FLUID_OUTPUT//'];

function unitFromCode(code: string): string | null {
  if (!UNIT_IN_CODE.some((p) => code.startsWith(p))) return null;
  const parts = code.split('//');
  const last = parts[parts.length - 1] ?? '';
  // LAB//51265 (two parts) ends with the item id, not a unit.
  if (parts.length < 3 && !code.startsWith('SUBJECT_WEIGHT_AT_INFUSION//')) return null;
  return last === '' || last === 'UNK' ? null : last;
}

function demographicKind(code: string): DemographicKind | null {
  if (code === 'MEDS_BIRTH') return 'birth';
  if (code.startsWith('Gender/') || code.startsWith('GENDER//') || code.startsWith('Sex/')) return 'sex';
  if (code.startsWith('Race/')) return 'race';
  if (code.startsWith('Ethnicity/')) return 'ethnicity';
  return null;
}

// Codes recur across all subjects of a dataset: resolve each once per vocabulary.
const caches = new WeakMap<Vocabulary, Map<string, CodeInfo>>();

/** Facts about `code` under `vocabulary`, computed once per (vocabulary, code) and shared. */
export function codeInfo(code: string, vocabulary: Vocabulary): CodeInfo {
  return codeInfoLookup(vocabulary)(code);
}

/** A lookup of {@link codeInfo} bound to one vocabulary (saves the per-vocabulary lookup in loops over events). */
export function codeInfoLookup(vocabulary: Vocabulary): (code: string) => CodeInfo {
  let cache = caches.get(vocabulary);
  if (cache === undefined) {
    cache = new Map();
    caches.set(vocabulary, cache);
  }
  const c = cache;
  return (code) => c.get(code) ?? resolve(code, vocabulary, c);
}

function resolve(code: string, vocabulary: Vocabulary, cache: Map<string, CodeInfo>): CodeInfo {
  let info = cache.get(code);
  if (info === undefined) {
    const raw = vocabulary.describe(code);
    const described = raw === null ? '' : sanitizeText(stripSnomedTag(raw));
    const parents = vocabulary.parents(code);
    info = {
      description: described !== '' ? described : sanitizeText(readableCode(code)) || 'Unknown event',
      described: described !== '',
      group: codeGroup(code, raw, parents),
      concept: conceptIndexOf(code, (c) => vocabulary.parents(c)),
      codeUnit: unitFromCode(code),
      demographic: demographicKind(code),
      marker: isVisitMarker(code),
      carriesRace: code.startsWith('HOSPITAL_ADMISSION'),
    };
    cache.set(code, info);
  }
  return info;
}
