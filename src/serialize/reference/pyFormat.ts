/**
 * Python's number formatting, as the reference serializer (CPython) prints values: `f"{x:.Nf}"`
 * rounds the exact binary value half to even, where `Number.prototype.toFixed` rounds ties
 * away from zero; `int(x)` truncates toward zero.
 */

/** Exact powers of ten 10^0 .. 10^22. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Python `f"{x:.{digits}f}"` for a finite double (`digits` 0..20). */
export function pyFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x !== x ? 'nan' : x > 0 ? 'inf' : '-inf';
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  if (a >= 1e21) return (neg ? '-' : '') + BigInt(a).toString() + (digits > 0 ? '.' + '0'.repeat(digits) : '');
  let s = a.toFixed(digits);
  // A tie is a value whose exact expansion stops at a 5 right after the kept digits; its product
  // with 10^(digits+1) is then an integer ending in 5, exactly (no rounding in the product).
  // Anything else cannot be a tie, which spares the long expansion below for almost all values.
  const scaled = a * (POW10[digits + 1] as number);
  if (scaled !== Math.floor(scaled) || scaled % 10 !== 5) return neg ? '-' + s : s;
  // Doubles below 1e21 have at most 1074 fraction digits, but a tie has few: 40 more digits decide it.
  const extra = Math.min(100, digits + 40);
  const long = a.toFixed(extra);
  const cut = long.length - (extra - digits);
  if (long[cut] === '5' && /^0*$/.test(long.slice(cut + 1))) {
    const truncated = long.slice(0, digits === 0 ? cut - 1 : cut);
    const last = truncated.charCodeAt(truncated.length - 1) - 48;
    // Half to even: keep the truncated digits when their last digit is even.
    if (last % 2 === 0) s = truncated;
  }
  return neg ? '-' + s : s;
}

/** Python `str(int(x))`: truncation toward zero. */
export function pyInt(x: number): string {
  const t = Math.trunc(x);
  return Math.abs(t) < 1e21 ? String(t === 0 ? 0 : t) : BigInt(t).toString();
}

/**
 * The reference's `format_float(value, 2)`: two decimals, then trailing zeros and a trailing
 * point removed (`30.85`, `4.9`, `100`, `-0`).
 */
export function pyFloat2(x: number): string {
  // Measured values recur (vital signs, lab results): remembered, bounded.
  // A Map key does not tell -0 from 0.
  if (Object.is(x, -0)) return '-0';
  let s = FLOAT2.get(x);
  if (s !== undefined) return s;
  s = float2(x);
  if (FLOAT2.size >= 100_000) FLOAT2.clear();
  FLOAT2.set(x, s);
  return s;
}

/** pyFloat2 results by value (never -0). */
const FLOAT2 = new Map<number, string>();

function float2(x: number): string {
  // Fast path: when the shortest representation has at most 2 decimals and |x| < 1e13, rounding
  // the exact value to 2 decimals gives those digits (x is within half an ulp, far below 0.005,
  // of that decimal), and trimming leaves the shortest representation itself.
  if (x > -1e13 && x < 1e13) {
    const t = String(x);
    const dot = t.indexOf('.');
    if (dot < 0 ? t.indexOf('e') < 0 : t.length - dot <= 3) return t;
  }
  let s = pyFixed(x, 2);
  if (s.includes('.')) {
    let end = s.length;
    while (end > 0 && s.charCodeAt(end - 1) === 48) end--;
    if (s.charCodeAt(end - 1) === 46) end--;
    s = s.slice(0, end);
  }
  return s;
}
