/**
 * Synthea's race and ethnicity words (`white`, `hawaiian`, `nonhispanic`, ...) as the OMB
 * category names a reader expects. Used by the Synthea converter, and by the OMOP converter for
 * Synthea-derived OMOP data whose race concept is 0 and whose source value is Synthea's word.
 */
import { lookupTable } from '../lookupTable.ts';

const READABLE: Readonly<Record<string, string>> = lookupTable({
  white: 'White',
  black: 'Black or African American',
  asian: 'Asian',
  native: 'American Indian or Alaska Native',
  hawaiian: 'Native Hawaiian or Other Pacific Islander',
  other: 'Other',
  hispanic: 'Hispanic or Latino',
  nonhispanic: 'Not Hispanic or Latino',
});

/** The readable name of a Synthea race or ethnicity word, or undefined for any other value. */
export function syntheaReadable(value: string): string | undefined {
  return READABLE[value.trim().toLowerCase()];
}
