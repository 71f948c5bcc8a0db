import { AGGREGATED_CONCEPTS, RECENT_SECTION_HEADINGS } from './aggregates.ts';
import type { RecentSection } from './aggregates.ts';
import { demographicFacts } from './demographicFacts.ts';
import { EVENT_GROUP_HEADINGS, EVENT_GROUPS } from './eventGroup.ts';
import { Role } from './PreparedSubject.ts';
import type { PreparedSubject, PreparedVisit } from './PreparedSubject.ts';
import { singleLineItem } from './SerializedDocument.ts';
import type { DocItem, DocLine, DocSection, SerializedDocument } from './SerializedDocument.ts';
import { calendarDaysBetween } from '../meds/visits.ts';

/** The date the prediction time is shown as (SPEC 2.1): all dates are relative to it. */
export const SHOWN_PREDICTION_DATE = '2024-01-01';

const SHOWN_PREDICTION_MS = Date.UTC(2024, 0, 1);
const DAY_MS = 86_400_000;
const NO_SOURCES: readonly number[] = Object.freeze([]);

const line = (text: string, sources: readonly number[] = NO_SOURCES, blankBefore = false): DocLine => ({ text, sources, blankBefore });

const TITLE = line('# Electronic Healthcare Record');
const CURRENT_TIME = line(`Current time: ${SHOWN_PREDICTION_DATE}`, NO_SOURCES, true);
const DEMOGRAPHICS = line('## Patient Demographics', NO_SOURCES, true);
const RECENT_HEADINGS: Readonly<Record<RecentSection, DocLine>> = {
  body: line(`## ${RECENT_SECTION_HEADINGS.body}`, NO_SOURCES, true),
  vitals: line(`## ${RECENT_SECTION_HEADINGS.vitals}`, NO_SOURCES, true),
  labs: line(`## ${RECENT_SECTION_HEADINGS.labs}`, NO_SOURCES, true),
};
const RECENT_ORDER: readonly RecentSection[] = ['body', 'vitals', 'labs'];
const SUMMARY_HEADING = line('## Past Medical Visits', NO_SOURCES, true);
const GENERAL_HEADING = line('## General Medical Events', NO_SOURCES, true);
const DETAILED_HEADING = line('## Detailed Past Medical Visits (most recent first)', NO_SOURCES, true);
const GROUP_HEADINGS: readonly DocLine[] = EVENT_GROUPS.map((g) => line(`#### ${EVENT_GROUP_HEADINGS[g]}`));
const NO_DATA: readonly DocLine[] = AGGREGATED_CONCEPTS.map((c) => line(`- ${c.name}: No recent data`));
// Recent value lines are counted as pieces: this prefix, then ` value (flag),` per value.
const VALUE_PREFIX: readonly string[] = AGGREGATED_CONCEPTS.map((c) => `- ${c.name} (${c.unit}):`);

const dates = new Map<number, string>();
/** The shown date `days` calendar days before the shown prediction date. */
function shownDate(days: number): string {
  let d = dates.get(days);
  if (d === undefined) {
    d = new Date(SHOWN_PREDICTION_MS - days * DAY_MS).toISOString().slice(0, 10);
    if (dates.size < 100_000) dates.set(days, d);
  }
  return d;
}

/** `" " + value` with its flag, and a trailing comma when more values follow; memoized per event. */
function recentPiece(p: PreparedSubject, i: number, comma: boolean): string {
  const memo = (p.recentPieces[comma ? 1 : 0] ??= []);
  let piece = memo[i];
  if (piece === undefined) {
    const flag = p.flag(i);
    piece = (flag === null ? ` ${p.value(i)}` : ` ${p.value(i)} (${flag})`) + (comma ? ',' : '');
    memo[i] = piece;
  }
  return piece;
}

/**
 * Memoized pieces, keyed by what they are made of (a shared label string, a number), so that
 * each piece is one string object whose hash is computed once.
 */
function memo<K>(make: (key: K) => string): (key: K) => string {
  const m = new Map<K, string>();
  return (key) => {
    let v = m.get(key);
    if (v === undefined) {
      v = make(key);
      if (m.size < 100_000) m.set(key, v);
    }
    return v;
  };
}
const labelOn = memo((label: string) => ` ${label} on`);
const datePiece = memo((days: number) => ` ${shownDate(days)}`);
const countPiece = memo((n: number) => String(n));
const spacedCountPiece = memo((n: number) => ` ${n}`);

const TAIL_CURRENT = [' day before prediction time, current visit)', ' days before prediction time, current visit)'] as const;
const TAIL_ENDED = [' day before prediction time, duration:', ' days before prediction time, duration:'] as const;
const DURATION_UNIT = [' day)', ' days)'] as const;

/**
 * `{label} on {date} ({days} days before prediction time, current visit)` or `..., duration: {n} days)`
 * as pieces cut at piece boundaries (after the label, before the date, before `(`, between `(`
 * and the day count, after it, before and after the duration), each a shared string.
 */
function visitPieces(label: string, days: number, duration: number | null): readonly string[] {
  const head = [labelOn(label), datePiece(days), ' (', countPiece(days)];
  if (duration === null) head.push(TAIL_CURRENT[days === 1 ? 0 : 1]);
  else head.push(TAIL_ENDED[days === 1 ? 0 : 1], spacedCountPiece(duration), DURATION_UNIT[duration === 1 ? 0 : 1]);
  return head;
}

/** A line `{marker}{pieces...}`; counted by pieces unless the label could hold an added token (`<`). */
function piecesLine(marker: string, desc: readonly string[], descText: string, sources: readonly number[], label: string): DocLine {
  const text = marker + descText;
  return label.includes('<') ? { text, sources, blankBefore: false } : { text, sources, blankBefore: false, pieces: desc, prefix: marker };
}

/** Number of entries of an ascending index list below `k`. */
function countBelow(indices: readonly number[], k: number): number {
  let lo = 0;
  let hi = indices.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((indices[mid] as number) < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One deduplicated line under construction: all occurrences and the ones with a value. */
interface Entry {
  readonly first: number;
  readonly all: number[];
  readonly valued: number[];
}

/** Add event `i` to the entry of its description (and unit), making the entry on first sight. */
function addToEntry(entries: Map<string, Entry>, p: PreparedSubject, i: number): void {
  const key = p.key(i);
  let e = entries.get(key);
  if (e === undefined) {
    e = { first: i, all: [], valued: [] };
    entries.set(key, e);
  }
  e.all.push(i);
  if (p.valued[i] === 1) e.valued.push(i);
}

/** `- Description (unit): v1, v2, v3` with the last three values oldest to newest, or `- Description`. */
function entryLine(p: PreparedSubject, e: Entry, valuedNewestFirst: boolean): DocLine {
  const i = e.first;
  const desc = p.description[i] as string;
  if (e.valued.length === 0) return line(`- ${desc}`, e.all);
  const shown = valuedNewestFirst ? e.valued.slice(0, 3).reverse() : e.valued.slice(-3);
  const unit = p.unit[shown[shown.length - 1] as number];
  const values = shown.map((j) => p.value(j) as string).join(', ');
  return line(unit === null ? `- ${desc}: ${values}` : `- ${desc} (${unit}): ${values}`, shown);
}

/** Lines of a visit's content events (the first `count` of `indices`), grouped under `####` headings, deduplicated by description. */
function visitBody(p: PreparedSubject, indices: readonly number[], count: number): DocLine[] {
  const groups: (Map<string, Entry> | undefined)[] = new Array<Map<string, Entry> | undefined>(EVENT_GROUPS.length);
  for (let j = 0; j < count; j++) {
    const i = indices[j] as number;
    addToEntry((groups[p.group[i] as number] ??= new Map<string, Entry>()), p, i);
  }
  const out: DocLine[] = [];
  groups.forEach((m, g) => {
    if (m === undefined) return;
    out.push(GROUP_HEADINGS[g] as DocLine);
    for (const e of m.values()) out.push(entryLine(p, e, false));
  });
  return out;
}

/**
 * The Markdown record of SPEC 2.1 as a budgetable document.
 *
 * @param p the prepared subject
 * @param k number of usable events (those with `time <= predictionTime`): nothing at or after index `k` is read
 * @param predictionTime epoch ms, for relative dates and current visits
 * @param windowStart epoch ms before which non-static events and finished visits are left out (-Infinity for none)
 */
export function markdownDocument(p: PreparedSubject, k: number, predictionTime: number, windowStart: number): SerializedDocument {
  const fixed: DocLine[] = [TITLE, CURRENT_TIME];
  const inWindow = (i: number): boolean => (p.times[i] as number) >= windowStart || p.times[i] === -Infinity;

  const demo = demographicFacts(p, k, predictionTime);
  if (demo.length > 0) fixed.push(DEMOGRAPHICS, ...demo.map((f) => line(`- ${f.text}`, [f.source])));

  // Recent sections: the last three plausible values of each concept, newest first.
  for (const section of RECENT_ORDER) {
    fixed.push(RECENT_HEADINGS[section]);
    AGGREGATED_CONCEPTS.forEach((concept, c) => {
      if (concept.section !== section) return;
      const values = p.conceptValues[c] as readonly number[];
      const shown: number[] = [];
      for (let j = countBelow(values, k) - 1; j >= 0 && shown.length < 3; j--) {
        const i = values[j] as number;
        if (!inWindow(i)) break;
        shown.push(i);
      }
      if (shown.length === 0) {
        fixed.push(NO_DATA[c] as DocLine);
        return;
      }
      const pieces = [VALUE_PREFIX[c] as string];
      for (let j = 0; j < shown.length; j++) pieces.push(recentPiece(p, shown[j] as number, j < shown.length - 1));
      fixed.push({ text: pieces.join(''), sources: shown, blankBefore: false, pieces });
    });
  }

  // Visits that started by the prediction time, newest first.
  // One pass builds both the summary line and the detailed block of each visit (they share the
  // heading pieces): this runs for every visit at every prediction time.
  const summary: DocItem[] = [];
  const detailed: DocItem[] = [];
  for (let vi = p.visits.length - 1; vi >= 0; vi--) {
    const v = p.visits[vi] as PreparedVisit;
    if (v.startIndex >= k) continue;
    // An end recorded by a later row (MIMIC discharge) is unknown until that row is usable.
    const end = v.endIndex >= 0 && v.endIndex >= k ? null : v.end;
    const current = end === null || end > predictionTime;
    if (!current && (end as number) < windowStart) continue;
    const desc = visitPieces(
      v.label,
      calendarDaysBetween(v.start, predictionTime),
      current ? null : Math.max(1, calendarDaysBetween(v.start, end as number)),
    );
    const descText = desc.join('');
    summary.push(singleLineItem(piecesLine('-', desc, descText, v.sources, v.label), v.visitId));
    const count = countBelow(v.content, k);
    let body: DocLine[];
    if (count === v.content.length) {
      // Complete by now: the same body at every later prediction time.
      body = (p.bodyCache[vi] as DocLine[] | undefined) ?? visitBody(p, v.content, count);
      p.bodyCache[vi] = body;
    } else {
      body = visitBody(p, v.content, count);
    }
    detailed.push({ id: v.visitId, first: piecesLine('###', desc, descText, v.sources, v.label), rest: body });
  }

  // Events outside visits, newest first, deduplicated.
  const entries = new Map<string, Entry>();
  for (let j = countBelow(p.general, k) - 1; j >= 0; j--) {
    const i = p.general[j] as number;
    if (p.role[i] !== Role.Content || !inWindow(i)) continue;
    addToEntry(entries, p, i);
  }
  const general: DocItem[] = [];
  for (const e of entries.values()) general.push(singleLineItem(entryLine(p, e, true)));

  const sections: DocSection[] = [
    { name: 'Past Medical Visits', kind: 'visitSummaries', heading: SUMMARY_HEADING, items: summary },
    { name: 'General Medical Events', kind: 'general', heading: GENERAL_HEADING, items: general },
    { name: 'Detailed Past Medical Visits', kind: 'detailedVisits', heading: DETAILED_HEADING, items: detailed },
  ];
  // Budget: oldest detailed visits go first, then oldest summary lines, then the oldest general events.
  return { fixed, sections, dropOrder: [2, 0, 1] };
}
