import { createHash } from 'node:crypto';
import { InternalError } from '../errors.ts';

/**
 * Stable MEDS `subject_id`s for source identifiers. Integer source ids (OMOP `person_id`,
 * EHRSHOT `patient_id`) are kept as they are; other ids (FHIR UUIDs) map to the first 48 bits of
 * their SHA-256, so the same patient gets the same id in every run and from every input order.
 * Converters record the pair in `metadata/subject_ids.parquet`.
 */
export class SubjectIdMap {
  private readonly bySource = new Map<string, number>();
  private readonly byId = new Map<number, string>();

  /** The MEDS id of a source id (created on first use). */
  idFor(sourceId: string): number {
    const known = this.bySource.get(sourceId);
    if (known !== undefined) return known;
    const id = /^\d{1,15}$/.test(sourceId) ? Number(sourceId) : createHash('sha256').update(sourceId).digest().readUIntBE(0, 6);
    const clash = this.byId.get(id);
    if (clash !== undefined && clash !== sourceId) {
      throw new InternalError(`subject id collision: "${sourceId}" and "${clash}" both map to ${id}`);
    }
    this.bySource.set(sourceId, id);
    this.byId.set(id, sourceId);
    return id;
  }

  /** All (MEDS id, source id) pairs. */
  entries(): IterableIterator<[number, string]> {
    return this.byId.entries();
  }

  get size(): number {
    return this.byId.size;
  }
}
