/**
 * The prediction time of a CDS Hooks call. By default the request time (now): the model reads
 * everything the EHR sent up to now. When the context names an encounter that is in progress
 * (FHIR status `arrived`, `triaged`, `in-progress` or `onleave`, with a `period.start` not after
 * now), the prediction time is that encounter's start under the `start` policy: every clinician who
 * opens the chart during the stay sees the same score, made from what was known at admission,
 * rather than one that moves with each result; the inpatient tasks' prediction times (admission
 * day, discharge day) are also anchored to the stay. The `request` policy always uses now.
 */
import { parseFhirDateTime } from '../../convert/parseFhirDateTime.ts';

/** How an encounter in progress sets the prediction time. */
export type EncounterTimePolicy = 'start' | 'request';

/** Encounter statuses of a stay that has started and not ended (FHIR R4; STU3 has no `triaged`/`onleave` difference that matters here). */
export const ONGOING_ENCOUNTER_STATUSES: readonly string[] = ['arrived', 'triaged', 'in-progress', 'onleave'];

/** The chosen prediction time. */
export interface CdsPredictionTime {
  /** Epoch ms. */
  readonly time: number;
  readonly source: 'request-time' | 'encounter-start';
  /** In words, for the card. */
  readonly note: string;
}

/** Choose the prediction time. */
export function cdsPredictionTime(
  encounter: Readonly<Record<string, unknown>> | null,
  now: number,
  policy: EncounterTimePolicy,
): CdsPredictionTime {
  if (policy === 'start' && encounter && typeof encounter.status === 'string' && ONGOING_ENCOUNTER_STATUSES.includes(encounter.status)) {
    const period = encounter.period as Record<string, unknown> | undefined;
    const start = period && typeof period === 'object' ? parseFhirDateTime(period.start) : null;
    if (start !== null && Number.isFinite(start) && start <= now)
      return { time: start, source: 'encounter-start', note: 'the start of the encounter in progress' };
  }
  return { time: now, source: 'request-time', note: 'the time of the request' };
}
