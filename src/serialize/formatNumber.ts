/**
 * A number with at most `decimals` decimals and no trailing zeros: `2401.0` → `2401`,
 * `2.9000000953674316` → `2.9`, `-0.001` → `0`.
 *
 * Rounding is that of `toFixed` (on the binary value). Never uses exponent notation.
 *
 * @param value a finite number
 * @param decimals decimals kept (default 2, the serializer's maximum)
 */
export function formatNumber(value: number, decimals = 2): string {
  let s = value.toFixed(decimals);
  if (decimals > 0) {
    // Drop trailing zeros, then a bare decimal point.
    let end = s.length;
    while (s.charCodeAt(end - 1) === 48) end--;
    if (s.charCodeAt(end - 1) === 46) end--;
    s = s.slice(0, end);
  }
  return s === '-0' ? '0' : s;
}
