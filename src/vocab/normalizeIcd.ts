/**
 * ICD codes are written with or without the dot (`ICD10CM/E78.5`, `ICD10CM/E785`) and MIMIC's
 * MEDS ETL spells them `DIAGNOSIS//ICD//10//E785`. This gives the canonical undotted form and
 * the ICD version, or null for other codes.
 */
export function normalizeIcd(code: string): { version: 9 | 10; code: string } | null {
  let m = /^ICD(9|10)CM\/([A-Z0-9.]+)$/i.exec(code);
  if (m) return { version: m[1] === '9' ? 9 : 10, code: (m[2] as string).replace('.', '').toUpperCase() };
  m = /^DIAGNOSIS\/\/ICD\/\/(9|10)\/\/([A-Z0-9.]+)$/i.exec(code);
  if (m) return { version: m[1] === '9' ? 9 : 10, code: (m[2] as string).replace('.', '').toUpperCase() };
  return null;
}
