/**
 * Constant lookup tables keyed by values that come from input data (codes, genders, code
 * systems, resource types). A plain object literal inherits `constructor`, `toString`,
 * `hasOwnProperty` and `__proto__` from `Object.prototype`, so `TABLE[value]` with such a value
 * returns a function or an object instead of `undefined`, which crashed conversions and the
 * server. A table made here has no prototype: only its own keys are found.
 */

/**
 * A frozen, prototype-free copy of `entries` for safe lookups by untrusted keys.
 *
 * @param entries - the table's keys and values (own enumerable properties are copied).
 * @returns an object whose lookups find only those keys; every other key reads `undefined`.
 */
export function lookupTable<V>(entries: Readonly<Record<string, V>>): Readonly<Record<string, V>> {
  const table = Object.create(null) as Record<string, V>;
  for (const [k, v] of Object.entries(entries)) table[k] = v;
  return Object.freeze(table);
}
