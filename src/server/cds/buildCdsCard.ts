/**
 * The CDS Hooks card of one prediction: a summary with the risk and the task in plain words, an
 * indicator from the thresholds, a Markdown detail (the score, what the model is and is not, the
 * top of the text it read), the source (model and probe checksum) and a link to the inspector.
 */
import { randomUUID } from 'node:crypto';
import type { ProbeBundle } from '../../artifacts/ProbeBundle.ts';
import { taskPhrase } from './taskPhrase.ts';

/** A CDS Hooks 2.0 card (the fields ehr-embed fills). */
export interface CdsCard {
  readonly uuid: string;
  /** One sentence, under 140 characters. */
  readonly summary: string;
  readonly detail: string;
  readonly indicator: 'info' | 'warning' | 'critical';
  readonly source: { readonly label: string; readonly topic: { readonly system: string; readonly code: string; readonly display: string } };
  readonly links?: readonly { readonly label: string; readonly url: string; readonly type: 'absolute' }[];
}

/** Probability thresholds of the card indicator: `warning` from the first, `critical` from the second. */
export interface CdsThresholds {
  readonly warning: number;
  readonly critical: number;
}

/** Default thresholds: warning from 0.2, critical from 0.5. */
export const DEFAULT_CDS_THRESHOLDS: CdsThresholds = { warning: 0.2, critical: 0.5 };

/** Inputs of {@link buildCdsCard}. */
export interface CdsCardInput {
  readonly probe: ProbeBundle;
  readonly probability: number;
  /** Epoch ms. */
  readonly predictionTime: number;
  /** How the prediction time was chosen, in words. */
  readonly predictionTimeNote: string;
  /** The text the probe's model read. */
  readonly text: string;
  readonly tokenCount: number;
  /** Events at or before the prediction time / all events of the record. */
  readonly eventsUsed: number;
  readonly eventsTotal: number;
  /** Prefetch keys the service had no data for. */
  readonly missing: readonly string[];
  readonly thresholds: CdsThresholds;
  /** Absolute URL of the inspector page for this prediction, or null. */
  readonly inspectorUrl: string | null;
  /** Lines of the text shown in the detail (default 15). */
  readonly textLines?: number;
}

/** Build the card. */
export function buildCdsCard(i: CdsCardInput): CdsCard {
  const { phrase, description } = taskPhrase(i.probe.task);
  const pct = formatPct(i.probability);
  const indicator = i.probability >= i.thresholds.critical ? 'critical' : i.probability >= i.thresholds.warning ? 'warning' : 'info';
  const t = i.probe.data.training;
  const model = i.probe.data.model.spec;
  const checksum = i.probe.checksum;
  const lines = i.text.split('\n');
  const shown = lines.slice(0, i.textLines ?? 15);
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(i.text) + 1));
  const s = i.probe.data.serializer;
  const detail = [
    `**Predicted probability: ${pct}** (${i.probe.task}: ${description ?? phrase}). Prediction time ${isoMinute(i.predictionTime)} (${i.predictionTimeNote}).`,
    '',
    `**What this is.** A logistic-regression probe (C ${t.C}) trained with ehr-embed on ${t.n} labelled records (${t.positives} positive${t.validationAuroc === null ? '; no validation AUROC' : `; validation AUROC ${t.validationAuroc.toFixed(3)}`}), reading an embedding from \`${model}\` of the patient's coded record written out as text: ${i.eventsUsed} of ${i.eventsTotal} events (those at or before the prediction time), ${i.tokenCount} tokens${s.maxTokens === null ? '' : ` of a ${s.maxTokens}-token budget`}.`,
    '',
    `**What this is not.** Not a diagnosis and not a validated clinical score: it has not been evaluated at this site or on this population, its probability is only as calibrated as its training data (${t.n > 0 ? formatPct(t.positives / t.n) : 'n/a'} positive), and it sees only the coded FHIR resources the EHR sent (no notes, images or outside records).`,
    ...(i.missing.length > 0
      ? ['', `**Not available to the model:** ${i.missing.join(', ')} (neither prefetched nor fetched; scored without them).`]
      : []),
    '',
    `**What the model read** (first ${shown.length} of ${lines.length} lines):`,
    '',
    `${fence}text`,
    ...shown,
    fence,
    '',
    `Probe \`${checksum}\`.`,
  ].join('\n');
  const source = `ehr-embed · ${model} · probe ${checksum.replace(/^sha256:/, '').slice(0, 12)}`;
  return {
    uuid: randomUUID(),
    summary: summaryOf(pct, phrase),
    detail,
    indicator,
    source: { label: source, topic: { system: 'urn:ehr-embed:task', code: i.probe.task, display: phrase } },
    ...(i.inspectorUrl
      ? { links: [{ label: 'Open this prediction in the ehr-embed inspector', url: i.inspectorUrl, type: 'absolute' as const }] }
      : {}),
  };
}

/** "12.3% predicted probability: <phrase> (ehr-embed)", cut to under 140 characters. */
function summaryOf(pct: string, phrase: string): string {
  const head = `${pct} predicted probability: `;
  const tail = ' (ehr-embed)';
  const room = 139 - head.length - tail.length;
  return `${head}${phrase.length <= room ? phrase : `${phrase.slice(0, room - 1).trimEnd()}…`}${tail}`;
}

function formatPct(p: number): string {
  return `${(p * 100).toFixed(p < 0.001 || p > 0.999 ? 2 : 1)}%`;
}

function isoMinute(t: number): string {
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function longestBacktickRun(s: string): number {
  let best = 0;
  for (const m of s.matchAll(/`+/g)) best = Math.max(best, m[0].length);
  return best;
}
