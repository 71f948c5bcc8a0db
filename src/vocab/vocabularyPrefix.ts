/**
 * The vocabulary part of a code: `LOINC/4548-4` → `LOINC`; `RxNorm Extension/123` →
 * `RxNorm Extension`; MIMIC's `LAB//51265//K/uL` → `LAB`; special codes (`MEDS_BIRTH`) are their
 * own prefix; free-text codes without a vocabulary (`BMI (kg/m2)`, `Blood Pressure`) → `OTHER`.
 */
export function vocabularyPrefix(code: string): string {
  const dbl = code.indexOf('//');
  if (dbl > 0) return code.slice(0, dbl);
  if (/^MEDS_[A-Z_]+$/.test(code)) return code;
  const m = /^([A-Za-z][A-Za-z0-9_.-]*(?: [A-Za-z][A-Za-z0-9_.-]*)?)\/[^/]/.exec(code);
  return m ? (m[1] as string) : 'OTHER';
}
