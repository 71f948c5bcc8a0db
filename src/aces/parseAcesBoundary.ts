import { UsageError } from '../errors.ts';
import type { AcesBoundary } from './AcesConfig.ts';
import { parseAcesDuration } from './parseAcesDuration.ts';

const REF = /^(\w+)(?:\.(start|end))?$/;

/**
 * Parse one window end as ACES writes it: `trigger`, `input.end`, `trigger + 24h`, `end - 1825d`,
 * `start -> discharge`, `end <- admission`, or null (`start: null` is the start of the record,
 * `end: null` its end).
 * @param value the YAML value
 * @param side which end this is (a null start means `end <- _RECORD_START`)
 * @param where `file` and key path for messages, e.g. `windows.input.end`
 */
export function parseAcesBoundary(value: unknown, side: 'start' | 'end', where: { file: string; field: string }): AcesBoundary {
  if (value === null || value === undefined) {
    return side === 'start'
      ? { kind: 'event', ref: 'end', predicate: '_RECORD_START', forward: false }
      : { kind: 'event', ref: 'start', predicate: '_RECORD_END', forward: true };
  }
  if (typeof value !== 'string')
    throw new UsageError(
      `expected a window boundary such as "trigger + 24h", "start -> death" or null, got ${JSON.stringify(value)}`,
      where,
    );
  const text = value.trim();
  const fwd = text.includes('->');
  const back = text.includes('<-');
  if (fwd && back) throw new UsageError(`"${text}" has both "->" and "<-"; use one`, where);
  if (fwd || back) {
    const [refText, predText, ...rest] = text.split(fwd ? '->' : '<-').map((s) => s.trim());
    if (rest.length > 0 || !predText || !/^\w+$/.test(predText))
      throw new UsageError(`"${text}": expected "<reference> ${fwd ? '->' : '<-'} <predicate>"`, where);
    return { kind: 'event', ref: checkRef(refText ?? '', text, where), predicate: predText, forward: fwd };
  }
  const plus = text.indexOf('+');
  const minus = text.indexOf('-');
  if (plus >= 0 && minus >= 0) throw new UsageError(`"${text}" has both "+" and "-"; use one`, where);
  const op = plus >= 0 ? plus : minus;
  if (op >= 0) {
    const refText = text.slice(0, op).trim();
    const deltaText = text.slice(op + 1).trim();
    const ms = parseAcesDuration(deltaText);
    if (ms === null)
      throw new UsageError(`"${deltaText}" is not a time delta (expected for example 24h, 30d, 1825d, 2h30m, 90 minutes)`, where);
    const ref = checkRef(refText, text, where);
    // ACES treats a zero offset as the reference itself.
    if (ms === 0) return { kind: 'alias', ref };
    return { kind: 'offset', ref, ms: plus >= 0 ? ms : -ms };
  }
  return { kind: 'alias', ref: checkRef(text, text, where) };
}

function checkRef(ref: string, text: string, where: { file: string; field: string }): string {
  if (!REF.test(ref)) {
    throw new UsageError(`"${text}": the reference "${ref}" must be "trigger", "start", "end" or "<window>.start" / "<window>.end"`, where);
  }
  return ref;
}
