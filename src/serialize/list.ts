import { demographicFacts } from './demographicFacts.ts';
import { Role } from './PreparedSubject.ts';
import type { PreparedSubject } from './PreparedSubject.ts';
import { singleLineItem } from './SerializedDocument.ts';
import type { DocItem, SerializedDocument } from './SerializedDocument.ts';

/** `Description`, or `Description (unit): value` / `Description: value` for events with a value. */
function eventLine(p: PreparedSubject, i: number): string {
  const desc = p.description[i] as string;
  const value = p.value(i);
  if (value === null) return desc;
  const unit = p.unit[i];
  return unit === null || unit === undefined ? `${desc}: ${value}` : `${desc} (${unit}): ${value}`;
}

/**
 * The list record of SPEC 2.2 as a budgetable document: demographics as plain lines, then every
 * usable event newest first, only the most recent occurrence of each code (and of each line
 * text), no headings, no dates. The budget keeps lines from the top.
 *
 * Aggregated-concept values appear in the concept's unit (as in the Markdown format) and
 * implausible ones are left out.
 *
 * @param p the prepared subject
 * @param k number of usable events (`time <= predictionTime`): nothing at or after index `k` is read
 * @param predictionTime epoch ms, for the age
 * @param windowStart epoch ms before which non-static events are left out (-Infinity for none)
 */
export function listDocument(p: PreparedSubject, k: number, predictionTime: number, windowStart: number): SerializedDocument {
  const items: DocItem[] = [];
  const push = (text: string, i: number): void => {
    items.push(singleLineItem({ text, sources: [i], blankBefore: false }));
  };

  for (const f of demographicFacts(p, k, predictionTime)) push(f.text, f.source);

  const seenCodes = new Set<string>();
  const seenLines = new Set<string>();
  for (let i = k - 1; i >= 0; i--) {
    const role = p.role[i];
    if (role === Role.Demographic || role === Role.Dropped) continue;
    const t = p.times[i] as number;
    if (t < windowStart && t !== -Infinity) continue;
    const c = p.events[i]?.code ?? '';
    if (seenCodes.has(c)) continue;
    seenCodes.add(c);
    const text = eventLine(p, i);
    if (seenLines.has(text)) continue;
    seenLines.add(text);
    push(text, i);
  }
  return { fixed: [], sections: [{ name: 'Events', kind: 'events', heading: null, items }], dropOrder: [0] };
}
