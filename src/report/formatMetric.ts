/** Number formatting shared by the HTML and Markdown reports, so both show the same text. */

/** A value of results.json that may be missing: NaN is written to JSON as `null`. */
export type MaybeNumber = number | null | undefined;

/** True for a finite number (not null, undefined or NaN). */
export function isFiniteNumber(x: MaybeNumber): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** A metric with `digits` decimals (default 3), or "n/a". */
export function formatMetric(x: MaybeNumber, digits = 3): string {
  return isFiniteNumber(x) ? x.toFixed(digits) : 'n/a';
}

/** A signed difference ("+0.041", "−0.012"), or "n/a". */
export function formatDiff(x: MaybeNumber, digits = 3): string {
  if (!isFiniteNumber(x)) return 'n/a';
  const s = Math.abs(x).toFixed(digits);
  // A difference that rounds to zero gets no sign: "+0.000" would suggest a direction.
  if (Number(s) === 0) return s;
  return (x > 0 ? '+' : '\u2212') + s;
}

/** "0.812 (0.780–0.841)": estimate and 95% interval. */
export function formatInterval(estimate: MaybeNumber, lower: MaybeNumber, upper: MaybeNumber, digits = 3): string {
  return `${formatMetric(estimate, digits)} (${formatMetric(lower, digits)}\u2013${formatMetric(upper, digits)})`;
}

/** A p-value: "<0.001", or three decimals ("0.042", "1.000"). */
export function formatP(p: MaybeNumber): string {
  if (!isFiniteNumber(p)) return 'n/a';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** An integer with thousands separators ("12,345"). */
export function formatCount(n: MaybeNumber): string {
  return isFiniteNumber(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';
}

/** A share in percent ("87.5%"). */
export function formatPercent(share: MaybeNumber, digits = 1): string {
  return isFiniteNumber(share) ? `${(share * 100).toFixed(digits)}%` : 'n/a';
}

/** A duration: "850 ms", "12.3 s", "4 min 05 s", "1 h 02 min". */
export function formatSeconds(s: MaybeNumber): string {
  if (!isFiniteNumber(s)) return 'n/a';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.round(s - m * 60)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** A rate: "12.4 texts/s" (three significant digits, at least one decimal below 10). */
export function formatRate(count: number, seconds: number, unit: string): string {
  if (!(seconds > 0) || !Number.isFinite(count)) return 'n/a';
  const r = count / seconds;
  return `${r >= 100 ? Math.round(r).toLocaleString('en-US') : r >= 10 ? r.toFixed(1) : r.toPrecision(2)} ${unit}/s`;
}
