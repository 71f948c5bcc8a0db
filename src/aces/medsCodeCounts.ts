import type { MedsDataset } from '../meds/MedsDataset.ts';
import type { CodeCountSource } from './countAcesPredicates.ts';

/** Code counts of an open MEDS dataset (one scan for codes, one per value-bounded predicate). */
export function medsCodeCounts(ds: MedsDataset): CodeCountSource {
  return {
    async codeCounts() {
      return new Map(await ds.codeCounts());
    },
    async countValues(codes, b) {
      return ds.countNumericValues(codes, b);
    },
  };
}
