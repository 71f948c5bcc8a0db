/**
 * A batch of serialization requests as columns, for {@link SerializePool}'s messages. Structured
 * cloning a batch of subjects as event objects cost the main thread 7.7 s of a 44 s dry run (1,000
 * subjects, 2 workers) and each worker about as much to rebuild them, so two worker threads were no
 * faster than one thread. As columns, the numbers travel in transferred typed arrays (no copy),
 * and codes, text values and extra-column values as arrays of primitives, each distinct code or
 * text once per batch.
 */
import type { Event, ExtraValue } from '../types.ts';
import type { PairRequest } from './serializePairs.ts';

/** {@link packRequests}' output: plain data whose typed arrays can be transferred. */
export interface PackedRequests {
  /** Per request: subject id, prediction times and slots (small: cloned as they are). */
  readonly heads: readonly {
    readonly subjectId: number;
    readonly times: readonly number[];
    readonly slots: readonly (readonly number[])[];
  }[];
  /** Per request: index of its first event in the event columns (one more entry at the end). */
  readonly starts: Uint32Array;
  readonly subjectIds: Float64Array;
  /** Epoch milliseconds; NaN for a null time. */
  readonly times: Float64Array;
  /** Index into `codes`. */
  readonly code: Uint32Array;
  readonly codes: readonly string[];
  /** The numeric value; `numericNull` 1 where it is null (a NaN value stays NaN). */
  readonly numeric: Float64Array;
  readonly numericNull: Uint8Array;
  /** Index into `texts`, -1 for a null text value. */
  readonly text: Int32Array;
  readonly texts: readonly string[];
  /** Index into `shapes` (the ordered keys of the event's `extra`), -1 without one. */
  readonly shape: Int32Array;
  readonly shapes: readonly (readonly string[])[];
  /** The extra values of every event with one, in event order, each in its shape's key order. */
  readonly extraValues: readonly ExtraValue[];
}

/** Columns of a batch of requests (see the module comment). */
export function packRequests(requests: readonly PairRequest[]): PackedRequests {
  const n = requests.reduce((a, r) => a + r.subject.events.length, 0);
  const starts = new Uint32Array(requests.length + 1);
  const subjectIds = new Float64Array(n);
  const times = new Float64Array(n);
  const code = new Uint32Array(n);
  const numeric = new Float64Array(n);
  const numericNull = new Uint8Array(n);
  const text = new Int32Array(n);
  const shape = new Int32Array(n);
  const codes: string[] = [];
  const texts: string[] = [];
  const shapes: string[][] = [];
  const extraValues: ExtraValue[] = [];
  const codeOf = new Map<string, number>();
  const textOf = new Map<string, number>();
  const shapeOf = new Map<string, number>();
  let e = 0;
  let lastShape = -1;
  requests.forEach((r, q) => {
    starts[q] = e;
    for (const ev of r.subject.events) {
      subjectIds[e] = ev.subjectId;
      times[e] = ev.time ?? NaN;
      let c = codeOf.get(ev.code);
      if (c === undefined) codeOf.set(ev.code, (c = codes.push(ev.code) - 1));
      code[e] = c;
      if (ev.numericValue === null) numericNull[e] = 1;
      else numeric[e] = ev.numericValue;
      if (ev.textValue === null) text[e] = -1;
      else {
        let t = textOf.get(ev.textValue);
        if (t === undefined) textOf.set(ev.textValue, (t = texts.push(ev.textValue) - 1));
        text[e] = t;
      }
      const extra = ev.extra;
      if (extra === undefined) shape[e] = -1;
      else {
        // Events of a shard share their extra columns: try the last shape before building a key.
        let s = lastShape >= 0 && sameKeys(extra, shapes[lastShape] as string[]) ? lastShape : -1;
        if (s < 0) {
          const keys = Object.keys(extra);
          const id = keys.join('\u0000');
          s = shapeOf.get(id) ?? -1;
          if (s < 0) shapeOf.set(id, (s = shapes.push(keys) - 1));
          lastShape = s;
        }
        shape[e] = s;
        for (const k of shapes[s] as string[]) extraValues.push(extra[k] as ExtraValue);
      }
      e++;
    }
  });
  starts[requests.length] = e;
  const heads = requests.map((r) => ({ subjectId: r.subject.subjectId, times: r.times, slots: r.slots }));
  return { heads, starts, subjectIds, times, code, codes, numeric, numericNull, text, texts, shape, shapes, extraValues };
}

/** True when `o`'s own keys are `keys`, in that order. */
function sameKeys(o: object, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in o) {
    if (!Object.hasOwn(o, k) || k !== keys[i]) return false;
    i++;
  }
  return i === keys.length;
}

/** The buffers of a packed batch, to transfer with it. */
export function packedTransfer(p: PackedRequests): ArrayBuffer[] {
  return [p.starts, p.subjectIds, p.times, p.code, p.numeric, p.numericNull, p.text, p.shape].map((a) => a.buffer as ArrayBuffer);
}

/** The requests of a packed batch, equal to those packed (events with the same fields, in the same key order). */
export function unpackRequests(p: PackedRequests): PairRequest[] {
  let v = 0;
  return p.heads.map((h, q) => {
    const events: Event[] = [];
    for (let e = p.starts[q] as number; e < (p.starts[q + 1] as number); e++) {
      const t = p.times[e] as number;
      const ti = p.text[e] as number;
      const s = p.shape[e] as number;
      const ev: { -readonly [K in keyof Event]: Event[K] } = {
        subjectId: p.subjectIds[e] as number,
        time: Number.isNaN(t) ? null : t,
        code: p.codes[p.code[e] as number] as string,
        numericValue: p.numericNull[e] ? null : (p.numeric[e] as number),
        textValue: ti < 0 ? null : (p.texts[ti] as string),
      };
      if (s >= 0) {
        const extra: Record<string, ExtraValue> = {};
        for (const k of p.shapes[s] as string[]) extra[k] = p.extraValues[v++] as ExtraValue;
        ev.extra = extra;
      }
      events.push(ev);
    }
    return { subject: { subjectId: h.subjectId, events }, times: h.times, slots: h.slots };
  });
}
