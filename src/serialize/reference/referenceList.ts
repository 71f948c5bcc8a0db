import type { Event } from '../../types.ts';
import { pyFloat2 } from './pyFormat.ts';
import { kindIn, RefKind } from './ReferenceSubject.ts';
import type { ReferenceSubject, ReferenceValue } from './ReferenceSubject.ts';
import { hasBreak, ReferenceText } from './referenceText.ts';
import { EMERGENCY_VISIT, INPATIENT_VISIT } from './referenceVisits.ts';

/**
 * `UniqueCodesListRecentStrategy` of the reference (the npj version's list,
 * `unique_codes_list_recent_8k`) on the events usable at `t`: every event newest first (equal
 * times in event order), the first occurrence of each code, one line
 * `description (unit): value` / `description: value` / `description` each. The birth and the
 * static rows are ordinary events dated at the birth; visit rows are events too (MIMIC
 * admissions and ED registrations as `Visit/IP` and `Visit/ER` without a value; discharge and
 * `ED_OUT` rows are visit ends, not events).
 */
export function referenceList(s: ReferenceSubject, t: number, windowStart = -Infinity): ReferenceText {
  const { order, head, birthTime } = s.at(t, windowStart);
  const events = s.events;
  const seen = new Set<string>();
  const out = new ReferenceText(false);
  let first = true;
  for (const i of newestFirstAll(events, order, head, birthTime)) {
    const k = kindIn(s.info[i] as number);
    if (k === RefKind.Discharge || k === RefKind.EdOut) continue;
    let code = (events[i] as Event).code;
    let description: string | null;
    let value: ReferenceValue;
    if (k === RefKind.Admission || k === RefKind.EdRegistration) {
      code = k === RefKind.Admission ? 'Visit/IP' : 'Visit/ER';
      description = k === RefKind.Admission ? INPATIENT_VISIT : EMERGENCY_VISIT;
      value = null;
    } else {
      description = s.describeEvent(i, false);
      value = s.value(i) as ReferenceValue;
    }
    if (description === null || code === '' || seen.has(code)) continue;
    seen.add(code);
    let line = description;
    let mayBreak = hasBreak(description);
    if (typeof value === 'number') {
      const unit = s.unit(i);
      line += (unit !== null ? ` (${unit})` : '') + ': ' + pyFloat2(value);
      mayBreak ||= hasBreak(unit);
    } else if (value !== null) {
      line += ': ' + value;
      mayBreak ||= hasBreak(value);
    }
    if (!first) out.sep(1);
    out.source(i);
    out.endLine(line, mayBreak);
    first = false;
  }
  return out;
}

/**
 * Python's stable reverse sort by time of the reference's events: `order` is `head` events dated
 * at the birth (the birth row, the static rows) followed by timed events in ascending time, so
 * equal-time groups are walked from the end, each in its own order, the head joining (first) the
 * group at the birth time.
 */
function newestFirstAll(events: readonly Event[], order: readonly number[], head: number, birthTime: number): number[] {
  const out: number[] = [];
  let headDone = head === 0;
  let end = order.length;
  while (end > head) {
    const t = (events[order[end - 1] as number] as Event).time as number;
    let start = end - 1;
    while (start > head && (events[order[start - 1] as number] as Event).time === t) start--;
    if (!headDone && t <= birthTime) {
      // The head is newer than this group, or as old and earlier in the order.
      for (let j = 0; j < head; j++) out.push(order[j] as number);
      headDone = true;
    }
    for (let j = start; j < end; j++) out.push(order[j] as number);
    end = start;
  }
  if (!headDone) for (let j = 0; j < head; j++) out.push(order[j] as number);
  return out;
}
