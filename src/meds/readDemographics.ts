import type { MedsDataset } from './MedsDataset.ts';

/** The demographic facts of one subject, as MEDS codes (the latest stated, by time). */
export interface SubjectDemographics {
  /** Epoch ms of `MEDS_BIRTH`, or null. */
  readonly birth: number | null;
  /** The sex code (`Gender/F`, `GENDER//F`, `Sex/...`), or null. */
  readonly sex: string | null;
  /** The race code (`Race/...`), or null. */
  readonly race: string | null;
  /** The ethnicity code (`Ethnicity/...`), or null. */
  readonly ethnicity: string | null;
}

/**
 * Birth time, sex, race and ethnicity of every subject of a MEDS dataset, from the same codes
 * the serializer's demographics read (`MEDS_BIRTH`, `Gender/`, `GENDER//`, `Sex/`, `Race/`,
 * `Ethnicity/`), in one SQL pass. Where a subject has several codes of a kind, the last by time
 * (static rows first) wins.
 */
export async function readDemographics(ds: MedsDataset): Promise<Map<number, SubjectDemographics>> {
  const rows = await ds.query(
    `SELECT subject_id::BIGINT AS s, code::VARCHAR AS code, epoch_ms(time::TIMESTAMP)::DOUBLE AS t FROM ${ds.dataRelation} ` +
      `WHERE code = 'MEDS_BIRTH' OR code LIKE 'Gender/%' OR code LIKE 'GENDER//%' OR code LIKE 'Sex/%' OR code LIKE 'Race/%' OR code LIKE 'Ethnicity/%' ` +
      'ORDER BY s, t NULLS FIRST',
  );
  const out = new Map<number, { birth: number | null; sex: string | null; race: string | null; ethnicity: string | null }>();
  for (const r of rows) {
    const s = Number(r.s);
    const code = String(r.code);
    let d = out.get(s);
    if (!d) out.set(s, (d = { birth: null, sex: null, race: null, ethnicity: null }));
    if (code === 'MEDS_BIRTH') d.birth = r.t === null || r.t === undefined ? null : Number(r.t);
    else if (code.startsWith('Race/')) d.race = code;
    else if (code.startsWith('Ethnicity/')) d.ethnicity = code;
    else d.sex = code;
  }
  return out;
}
