import type { Event } from '../../types.ts';
import { pyFloat2 } from './pyFormat.ts';
import { RefKind } from './ReferenceSubject.ts';
import type { ReferenceSubject, ReferenceValue } from './ReferenceSubject.ts';
import { ReferenceText } from './referenceText.ts';
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
  const { order, birthTime } = s.at(t, windowStart);
  const events = s.events;
  const n = order.length;
  const time = new Float64Array(n);
  const pos: number[] = [];
  for (let j = 0; j < n; j++) {
    const e = events[order[j] as number] as Event;
    time[j] = e.time ?? birthTime;
    pos.push(j);
  }
  pos.sort((a, b) => (time[b] as number) - (time[a] as number) || a - b);
  const seen = new Set<string>();
  const out = new ReferenceText();
  let first = true;
  for (const j of pos) {
    const i = order[j] as number;
    const k = s.kind[i] as RefKind;
    if (k === RefKind.Discharge || k === RefKind.EdOut) continue;
    let code = (events[i] as Event).code;
    let description: string | null;
    let value: ReferenceValue;
    if (k === RefKind.Admission || k === RefKind.EdRegistration) {
      code = k === RefKind.Admission ? 'Visit/IP' : 'Visit/ER';
      description = k === RefKind.Admission ? INPATIENT_VISIT : EMERGENCY_VISIT;
      value = null;
    } else {
      description = s.describe(code, false);
      value = s.value[i] as ReferenceValue;
    }
    if (description === null || code === '' || seen.has(code)) continue;
    seen.add(code);
    let line = description;
    if (typeof value === 'number') {
      const unit = s.unit[i];
      line += (unit !== null ? ` (${unit})` : '') + ': ' + pyFloat2(value);
    } else if (value !== null) line += ': ' + value;
    out.add(first ? line : '\n' + line, [i]);
    first = false;
  }
  return out;
}
