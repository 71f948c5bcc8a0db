/**
 * FHIR code system URIs → MEDS vocabulary prefixes (the prefixes OMOP and EHRSHOT use).
 * Unknown systems keep a readable prefix derived from the URI.
 */
import { lookupTable } from '../lookupTable.ts';
const SYSTEMS: Readonly<Record<string, string>> = lookupTable({
  'http://snomed.info/sct': 'SNOMED',
  'http://loinc.org': 'LOINC',
  'http://www.nlm.nih.gov/research/umls/rxnorm': 'RxNorm',
  'http://hl7.org/fhir/sid/cvx': 'CVX',
  'http://hl7.org/fhir/sid/icd-10-cm': 'ICD10CM',
  'http://hl7.org/fhir/sid/icd-10': 'ICD10',
  'http://hl7.org/fhir/sid/icd-9-cm': 'ICD9CM',
  'http://hl7.org/fhir/sid/icd-9-cm/procedure': 'ICD9Proc',
  'http://www.cms.gov/Medicare/Coding/ICD10': 'ICD10PCS',
  'http://hl7.org/fhir/sid/icd-10-pcs': 'ICD10PCS',
  'http://www.ama-assn.org/go/cpt': 'CPT4',
  'urn:oid:2.16.840.1.113883.6.12': 'CPT4',
  'urn:oid:2.16.840.1.113883.6.285': 'HCPCS',
  'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets': 'HCPCS',
  'http://hl7.org/fhir/sid/ndc': 'NDC',
  'http://www.whocc.no/atc': 'ATC',
  'http://unitsofmeasure.org': 'UCUM',
  'http://unitsofmeasure.org/': 'UCUM',
  'urn:oid:2.16.840.1.113883.6.238': 'CDCREC',
  'http://hl7.org/fhir/v3/Race': 'CDCREC',
  'http://hl7.org/fhir/v3/Ethnicity': 'CDCREC',
  'http://dicom.nema.org/resources/ontology/DCM': 'DICOM',
  'http://nucc.org/provider-taxonomy': 'NUCC',
});

/** Preference when a CodeableConcept has several codings: standard clinical vocabularies first. */
const PREFERENCE = [
  'SNOMED',
  'LOINC',
  'RxNorm',
  'CVX',
  'ICD10CM',
  'ICD9CM',
  'ICD10PCS',
  'ICD9Proc',
  'CPT4',
  'HCPCS',
  'NDC',
  'ATC',
  'ICD10',
];

/** The MEDS vocabulary prefix of a FHIR system URI. */
export function vocabularyOf(system: string | undefined): string {
  if (system === undefined || system === '') return 'UNKNOWN';
  const known = SYSTEMS[system] ?? SYSTEMS[system.replace(/\/$/, '')];
  if (known !== undefined) return known;
  // Readable fallback: host and path without scheme, "www." and punctuation runs.
  return system
    .replace(/^[a-z]+:(\/\/)?/i, '')
    .replace(/^www\./, '')
    .replace(/^oid:/, 'OID_')
    .replace(/[^A-Za-z0-9.\-_]+/g, '_')
    .replace(/_+$/, '');
}

/** Rank of a vocabulary in {@link PREFERENCE} (lower is better). */
export function vocabularyRank(prefix: string): number {
  const i = PREFERENCE.indexOf(prefix);
  return i < 0 ? PREFERENCE.length : i;
}
