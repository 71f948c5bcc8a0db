/**
 * Typed views of DuckDB result vectors. `@duckdb/node-api` (pinned exactly in package.json) keeps
 * a vector's values in a typed array and its validity bitmap in a BigUint64Array; reading those
 * directly is what makes event decoding fast. They are not public API, so every reader here has a
 * per-row `getItem` fallback, and counts which path it took: a dependency update that changes the
 * layout then shows up as a failing test (test/meds/vectorViews.test.ts), not as a silent slowdown.
 */
import type { DuckDBVector } from '@duckdb/node-api';

const paths = { typed: 0, fallback: 0 };

/** How many vectors were read through their typed array (`typed`) or value by value (`fallback`) since start. */
export function vectorViewPaths(): { readonly typed: number; readonly fallback: number } {
  return { ...paths };
}

/**
 * The validity bitmap of a vector as bytes (bit i set = row i not null), or null when every row
 * is valid or the layout is unknown. Testing a byte is far cheaper than the BigInt test that
 * `getItem` does per row, and most extra-column values are null.
 */
export function validityBytes(vec: DuckDBVector): Uint8Array | null {
  const v = (vec as unknown as { validity?: { data?: unknown; offset?: unknown } }).validity;
  const data = v?.data;
  if (!(data instanceof BigUint64Array) || v?.offset !== 0) return null;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Typed view of a DOUBLE vector's values (nulls were coalesced to NaN in SQL). */
export function floatItems(vec: DuckDBVector): Float64Array {
  const items = (vec as unknown as { items?: unknown }).items;
  if (items instanceof Float64Array) {
    paths.typed++;
    return items;
  }
  paths.fallback++;
  return Float64Array.from({ length: vec.itemCount }, (_, i) => Number(vec.getItem(i) ?? NaN));
}

/** Typed view of an INTEGER vector's values. */
export function intItems(vec: DuckDBVector): Int32Array {
  const items = (vec as unknown as { items?: unknown }).items;
  if (items instanceof Int32Array) {
    paths.typed++;
    return items;
  }
  paths.fallback++;
  return Int32Array.from({ length: vec.itemCount }, (_, i) => Number(vec.getItem(i) ?? -1));
}

/** Typed view of the first `count` values of a FLOAT vector. */
export function float32Items(vec: DuckDBVector, count: number): Float32Array {
  const items = (vec as unknown as { items?: unknown }).items;
  if (items instanceof Float32Array) {
    paths.typed++;
    return items.subarray(0, count);
  }
  paths.fallback++;
  return Float32Array.from({ length: count }, (_, i) => Number(vec.getItem(i)));
}
