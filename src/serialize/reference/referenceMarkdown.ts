import type { Event } from '../../types.ts';
import { pyFixed, pyFloat2, pyInt } from './pyFormat.ts';
import { AGE_PREFIX, REFERENCE_CONCEPTS, REFERENCE_RECENT_SECTIONS } from './referenceCodes.ts';
import type { ReferenceConcept } from './referenceCodes.ts';
import { categoryIn } from './ReferenceSubject.ts';
import type { ReferenceSubject, ReferenceValue } from './ReferenceSubject.ts';
import { hasBreak, ReferenceText } from './referenceText.ts';
import { AGE_EVENT, referenceVisits } from './referenceVisits.ts';
import type { ReferenceVisit } from './referenceVisits.ts';

const DAY_MS = 86_400_000;
/** The reference maps every prediction time to 2024-01-01 00:00 (`CONSTANT_LABEL_TIME`). */
const SHOWN_PREDICTION_MS = Date.UTC(2024, 0, 1);
const SHOWN_DATE = '[2024-01-01](2024-01-01)';
const NUMBER_OF_RECENT_VALUES = 3;
const NO_RECENT_DATA = REFERENCE_CONCEPTS.map((k) => `- ${k.name}: No recent data`);
/** The Recent sections with their concepts as indices into REFERENCE_CONCEPTS. */
const SECTIONS = REFERENCE_RECENT_SECTIONS.map((sec) => ({
  heading: sec.heading,
  concepts: sec.names.map((n) => REFERENCE_CONCEPTS.findIndex((k) => k.name === n)),
}));
const KEEP_LAST = 3;

const CATEGORY_HEADINGS = ['#### Conditions', '#### Medications', '#### Procedures'];

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** `YYYY-MM-DD` of an epoch-ms instant (UTC), without a Date object (proleptic Gregorian, years 0..9999). */
function isoDate(ms: number): string {
  // Howard Hinnant's civil_from_days.
  const z = Math.floor(ms / DAY_MS) + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y < 1000 ? String(y).padStart(4, '0') : y}-${pad2(m)}-${pad2(d)}`;
}

/** `[d](d)` of the shown start dates, by days before 2024-01-01 (a visit's shown date is at most that day). */
const LINKED_DATES: (string | undefined)[] = [];
const SHOWN_DAY = Math.floor(SHOWN_PREDICTION_MS / DAY_MS);

/** `[YYYY-MM-DD](YYYY-MM-DD)` of an epoch-ms instant (UTC). */
function linkedDate(ms: number): string {
  const back = SHOWN_DAY - Math.floor(ms / DAY_MS);
  if (back >= 0 && back < 100_000) {
    let s = LINKED_DATES[back];
    if (s === undefined) {
      const d = isoDate(ms);
      s = `[${d}](${d})`;
      LINKED_DATES[back] = s;
    }
    return s;
  }
  const d = isoDate(ms);
  return `[${d}](${d})`;
}

/** The heading text of a visit without `### ` (the reference's `visit_heading(...)[4:-2]`). */
function visitTitle(v: ReferenceVisit, t: number): string {
  const before = t - v.start;
  const days = Math.floor(before / DAY_MS);
  let s =
    v.description +
    ' on ' +
    linkedDate(SHOWN_PREDICTION_MS - before) +
    (days === 1 ? ' (1 day before prediction time' : ' (' + days + ' days before prediction time');
  if (v.endPending || (v.end !== null && v.end > t)) s += ', current visit';
  else if (v.end !== null) {
    const d = Math.floor((v.end - v.start) / DAY_MS);
    if (d === 1) s += ', duration: 1 day';
    else if (d > 1) s += ', duration: ' + d + ' days';
  }
  return s + ')';
}

function rate(k: ReferenceConcept, v: number): string {
  const n = k.normal as readonly [number, number];
  return v < n[0] ? ' (low)' : v > n[1] ? ' (high)' : ' (normal)';
}

function formatConcept(k: ReferenceConcept, v: number): string {
  const s = k.format === 'int' ? pyInt(v) : pyFixed(v, k.format);
  return k.normal === null ? s : s + rate(k, v);
}

/** The age pseudo-event of one text: its line, the value of the event it replaces, that event. */
interface Age {
  readonly text: string;
  /** The subject's description id of `text`. */
  readonly id: number;
  readonly value: ReferenceValue;
  readonly source: number;
}

/*
 * Scratch of uniqueList (module-level: serialization is synchronous). Lines are merged per
 * description through the subject's description ids: SLOT_OF[id] is the line of description
 * `id` when STAMP[id] is the current call's stamp; each line's items form a linked list through
 * NEXT (by position in `items`), from HEAD to TAIL.
 */
let SLOT_OF = new Int32Array(256);
let STAMP = new Int32Array(256);
let stamp = 0;
let NEXT = new Int32Array(1024);
let HEAD = new Int32Array(1024);
let TAIL = new Int32Array(1024);

function grow(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  if (a.length >= n) return a;
  const b = new Int32Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/**
 * The reference's `serialize_unique_event_list` of `items[from, to)` (only those in Markdown
 * visit group `group` when it is >= 0): one line per description in first-seen order, with the
 * last `keepLast` non-null values of all its events and the unit of its last event.
 */
function uniqueList(
  out: ReferenceText,
  s: ReferenceSubject,
  items: readonly number[],
  from: number,
  to: number,
  group: number,
  numeric: boolean,
  keepLast: number | null,
  age: Age,
): void {
  // Pass 1: a line per description, its items chained in order.
  let lines = 0;
  if (++stamp === 0x7fffffff) {
    STAMP.fill(0);
    stamp = 1;
  }
  if (NEXT.length < to) NEXT = grow(NEXT, to);
  for (let j = from; j < to; j++) {
    const i = items[j] as number;
    let id: number;
    if (i === AGE_EVENT) id = age.id;
    else {
      if (group >= 0 && categoryIn(s.info[i] as number) !== group) continue;
      id = s.descriptionId(i);
    }
    if (id >= STAMP.length) {
      STAMP = grow(STAMP, id + 1);
      SLOT_OF = grow(SLOT_OF, id + 1);
    }
    NEXT[j] = -1;
    if (STAMP[id] === stamp) {
      const line = SLOT_OF[id] as number;
      NEXT[TAIL[line] as number] = j;
      TAIL[line] = j;
    } else {
      STAMP[id] = stamp;
      if (HEAD.length <= lines) {
        HEAD = grow(HEAD, lines + 1);
        TAIL = grow(TAIL, lines + 1);
      }
      SLOT_OF[id] = lines;
      HEAD[lines] = j;
      TAIL[lines] = j;
      lines++;
    }
  }
  // Pass 2: the lines. HEAD and TAIL are read before uniqueList could run again.
  for (let line = 0; line < lines; line++) {
    const head = HEAD[line] as number;
    const hi = items[head] as number;
    const id = hi === AGE_EVENT ? age.id : s.descriptionId(hi);
    let text = '- ' + s.textOf(id);
    let mayBreak = s.breakIn(id);
    let count = 0;
    for (let j = head; j >= 0; j = NEXT[j] as number) {
      const i = items[j] as number;
      const src = i === AGE_EVENT ? age.source : i;
      if (src >= 0) out.source(src);
      if (numeric && (i === AGE_EVENT ? age.value : s.value(i)) !== null) count++;
    }
    if (count > 0) {
      // The last keepLast values, oldest first.
      let skip = keepLast !== null && count > keepLast ? count - keepLast : 0;
      let valuesText = '';
      let shown = 0;
      for (let j = head; j >= 0; j = NEXT[j] as number) {
        const i = items[j] as number;
        const v = i === AGE_EVENT ? age.value : s.value(i);
        if (v === null || skip-- > 0) continue;
        if (shown++ > 0) valuesText += ', ';
        if (typeof v === 'number') valuesText += pyFloat2(v);
        else {
          valuesText += v;
          mayBreak ||= hasBreak(v);
        }
      }
      // An empty text value alone shows nothing, as the reference's `if values:` on the joined text.
      if (valuesText !== '') {
        const ti = items[TAIL[line] as number] as number;
        const unit = ti === AGE_EVENT ? null : s.unit(ti);
        if (unit !== null) {
          text += ' (' + unit + ')';
          mayBreak ||= hasBreak(unit);
        }
        text += ': ' + valuesText;
      }
    }
    if (line > 0) out.sep(1);
    out.endLine(text, mayBreak);
  }
}

/**
 * `UniqueThenListVisitsWOAllCondsWithValuesStrategy(num_aggregated_events=3)` of the reference
 * (the paper's Markdown), on the events usable at `t`.
 */
export function referenceMarkdown(s: ReferenceSubject, t: number, windowStart = -Infinity): ReferenceText {
  const pit = s.at(t, windowStart);
  const out = new ReferenceText(true);
  const events = s.events;
  // Aggregated concepts leave the event stream whatever their visit (filter_aggregated_events).
  const recent: (number[] | undefined)[] = new Array<number[] | undefined>(REFERENCE_CONCEPTS.length);
  const { visits, outside } = referenceVisits(s, pit, recent);
  // The age pseudo-event keeps the value of the event it replaces (femr `Event(start, code, value)`); its source is that event.
  const first = pit.order.length > 0 ? (pit.order[0] as number) : -1;
  const ageText = `${AGE_PREFIX}${pit.ageYears}`;
  const age: Age = { text: ageText, id: s.textId(ageText), value: first >= 0 ? s.value(first) : null, source: first };

  out.sep(2);
  out.line('# Electronic Healthcare Record');
  out.sep(2);
  out.line(`Current time: ${SHOWN_DATE}`);
  out.sep(2);

  // Demographics: the first 4 events outside visits (3 when the third is an ethnicity).
  let nDemo = 4;
  if (outside.length >= 3 && outside[2] !== AGE_EVENT && (events[outside[2] as number] as Event).code.startsWith('Ethnicity')) nDemo = 3;
  if (outside.length <= nDemo) nDemo = outside.length;
  out.line('## Patient Demographics');
  out.sep(2);
  uniqueList(out, s, outside, 0, nDemo, -1, false, null, age);
  out.sep(2);

  // Recent sections: newest first (ties in event order), at most 3 values.
  for (const section of SECTIONS) {
    out.line(section.heading);
    out.sep(2);
    for (const ki of section.concepts) {
      const k = REFERENCE_CONCEPTS[ki] as ReferenceConcept;
      const name = k.name;
      const list = recent[ki];
      if (list === undefined) {
        out.line(NO_RECENT_DATA[ki] as string);
        out.sep(1);
        continue;
      }
      const shown = newestFirst(s, list, NUMBER_OF_RECENT_VALUES);
      let values = '';
      for (let j = 0; j < shown.length; j++) values += (j > 0 ? ', ' : '') + formatConcept(k, s.value(shown[j] as number) as number);
      out.line(`- ${name} (${k.unit}): ${values}`, shown);
      out.sep(1);
    }
    out.sep(1);
  }

  const sorted = newestVisitsFirst(visits);
  const titles: string[] = [];
  for (const v of sorted) {
    titles.push(visitTitle(v, t));
  }
  out.line('## Past Medical Visits');
  out.sep(2);
  for (let j = 0; j < sorted.length; j++) {
    if (j > 0) out.sep(1);
    out.source((sorted[j] as ReferenceVisit).source);
    out.endLine('- ' + (titles[j] as string), hasBreak((sorted[j] as ReferenceVisit).description));
  }
  out.sep(2);

  out.line('## General Medical Events');
  out.sep(2);
  uniqueList(out, s, outside, nDemo, outside.length, -1, true, KEEP_LAST, age);
  out.sep(2);

  out.line('## Detailed Past Medical Visits (most recent first)');
  out.sep(2);
  for (let j = 0; j < sorted.length; j++) {
    const v = sorted[j] as ReferenceVisit;
    if (j > 0) out.sep(2);
    out.source(v.source);
    out.endLine('### ' + (titles[j] as string), hasBreak(v.description));
    out.sep(2);
    // Members per Markdown group (Conditions, Medications, Procedures); other codes none.
    let n0 = 0;
    let n1 = 0;
    let n2 = 0;
    for (const i of v.members) {
      const c = categoryIn(s.info[i] as number);
      if (c === 0) n0++;
      else if (c === 1) n1++;
      else if (c === 2) n2++;
    }
    let firstGroup = true;
    for (let c = 0; c < 3; c++) {
      if ((c === 0 ? n0 : c === 1 ? n1 : n2) === 0) continue;
      if (!firstGroup) out.sep(2);
      out.line(CATEGORY_HEADINGS[c] as string);
      out.sep(2);
      uniqueList(out, s, v.members, 0, v.members.length, c, true, KEEP_LAST, age);
      firstGroup = false;
    }
  }
  return out;
}

/** Visit end for ordering: an unknown end sorts after every known one (the reference's `__lt__`). */
function endKey(v: ReferenceVisit): number {
  return v.end === null ? Number.MAX_VALUE : v.end;
}

/** The reference's `sorted(visits, reverse=True)`: latest start first, then latest end; ties in dictionary order. */
function newestVisitFirst(a: ReferenceVisit, b: ReferenceVisit): number {
  return b.start - a.start || endKey(b) - endKey(a) || a.order - b.order;
}

/** The visits sorted by {@link newestVisitFirst}: they usually come oldest first, so reversed they need no sort. */
function newestVisitsFirst(visits: readonly ReferenceVisit[]): ReferenceVisit[] {
  const out = new Array<ReferenceVisit>(visits.length);
  for (let j = 0; j < visits.length; j++) out[j] = visits[visits.length - 1 - j] as ReferenceVisit;
  for (let j = 1; j < out.length; j++) {
    if (newestVisitFirst(out[j - 1] as ReferenceVisit, out[j] as ReferenceVisit) > 0) return out.sort(newestVisitFirst);
  }
  return out;
}

/**
 * The first `n` of time-ascending events in the order of Python's stable reverse sort by time:
 * newest first, equal times in their original order.
 */
function newestFirst(s: ReferenceSubject, list: readonly number[], n: number): number[] {
  const out: number[] = [];
  let end = list.length;
  while (end > 0 && out.length < n) {
    const t = (s.events[list[end - 1] as number] as Event).time;
    let start = end - 1;
    while (start > 0 && (s.events[list[start - 1] as number] as Event).time === t) start--;
    for (let j = start; j < end && out.length < n; j++) out.push(list[j] as number);
    end = start;
  }
  return out;
}
