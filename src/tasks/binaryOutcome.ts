import type { Label } from '../types.ts';

/** Categorical values read as the negative class when binarizing. */
const NEGATIVE_WORDS = new Set(['normal', 'false', '0', 'negative', 'no', 'absent']);

/**
 * The binary outcome of a label (SPEC 5: lab tasks are binarized, abnormal vs normal, before
 * sampling and evaluation): `boolean_value` when set, else `integer_value > 0` (lab class above
 * normal), else a categorical value other than "normal"/"false"/"0"/"negative"/"no"/"absent".
 * Null when the label has no value that binarizes (a float regression target, or nothing).
 */
export function binaryOutcome(label: Label): boolean | null {
  if (typeof label.booleanValue === 'boolean') return label.booleanValue;
  if (typeof label.integerValue === 'number') return label.integerValue > 0;
  if (typeof label.categoricalValue === 'string' && label.categoricalValue.trim() !== '')
    return !NEGATIVE_WORDS.has(label.categoricalValue.trim().toLowerCase());
  return null;
}
