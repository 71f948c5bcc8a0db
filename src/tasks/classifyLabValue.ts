import type { LabTaskSpec } from './taskSpec.ts';

/** Lab classes as MEDS `integer_value`: 0 normal, 1 mild, 2 moderate, 3 severe. */
export const LAB_CLASSES = ['normal', 'mild', 'moderate', 'severe'] as const;

/** A lab class name. */
export type LabClass = (typeof LAB_CLASSES)[number];

/** Why a result could not be classified, or its class and value in the canonical unit. */
export type LabClassification = { readonly class: 0 | 1 | 2 | 3; readonly value: number } | { readonly error: string };

// Unit tables are looked up per result; build each spec's once.
const unitTables = new WeakMap<LabTaskSpec, Map<string, (v: number) => number>>();

/** Units compare without case and whitespace: `mmol/L`, `MMOL/L`, `mmol / l` are one unit. */
function unitKey(unit: string): string {
  return unit.toLowerCase().replace(/\s+/g, '');
}

function unitTable(spec: LabTaskSpec): Map<string, (v: number) => number> {
  let t = unitTables.get(spec);
  if (!t) {
    t = new Map();
    for (const [unit, f] of Object.entries(spec.units)) t.set(unitKey(unit), typeof f === 'number' ? (v) => v * f : (v) => v / f.divide);
    unitTables.set(spec, t);
  }
  return t;
}

/**
 * Convert a result to the task's canonical unit and classify it against the spec's thresholds
 * (severe checked first, then moderate, then mild; none matching is normal). A result without a
 * unit is taken as canonical only when the spec says `missingUnit: "assume_canonical"`.
 *
 * Conversions divide rather than multiply by a reciprocal when the spec says `{ "divide": n }`,
 * so `70 mg/dL` glucose is `70 / 18.016` mmol/L.
 */
export function classifyLabValue(value: number, unit: string | null, spec: LabTaskSpec): LabClassification {
  if (!Number.isFinite(value)) return { error: 'result is not a finite number' };
  // MEDS stores numeric_value as float32: 3.9 arrives as 3.9000000953674316 and would miss a
  // "<= 3.9" threshold. Seven significant digits undo that and lose nothing a lab reports.
  const raw = Number(value.toPrecision(7));
  let v: number;
  if (unit === null) {
    if (spec.missingUnit !== 'assume_canonical') return { error: 'result has no unit' };
    v = raw;
  } else {
    const convert = unitTable(spec).get(unitKey(unit));
    if (convert === undefined) return { error: `unit "${unit}" has no conversion to ${spec.unit}` };
    // Twelve digits drop binary noise of the conversion (11.6 * 10 = 115.99999999999999).
    v = Number(convert(raw).toPrecision(12));
  }
  const c = spec.classes;
  const cls = holds(v, c.severe) ? 3 : holds(v, c.moderate) ? 2 : holds(v, c.mild) ? 1 : 0;
  return { class: cls, value: v };
}

function holds(v: number, t: { op: '<' | '<=' | '>' | '>='; value: number }): boolean {
  switch (t.op) {
    case '<':
      return v < t.value;
    case '<=':
      return v <= t.value;
    case '>':
      return v > t.value;
    case '>=':
      return v >= t.value;
  }
}
