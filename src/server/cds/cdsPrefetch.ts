/**
 * The prefetch templates of every ehr-embed CDS service: the Patient and each resource type the
 * FHIR converter turns into events (what the serializer can show), searched by patient. Other
 * types (Claim, Goal, ImagingStudy, ...) are not asked for: the converter ignores them, so
 * sending them would only move patient data for nothing.
 */

/** One prefetch template: its key, the FHIR query and the resource type it returns. */
export interface PrefetchTemplate {
  readonly key: string;
  /** FHIR read or search relative to the FHIR base, with `{{context.patientId}}` tokens. */
  readonly query: string;
  readonly resourceType: string;
  /** A read (one resource or null) rather than a search (a searchset Bundle). */
  readonly read: boolean;
}

const search = (key: string, resourceType: string): PrefetchTemplate => ({
  key,
  resourceType,
  read: false,
  query: `${resourceType}?patient={{context.patientId}}`,
});

/**
 * The templates, in the order the discovery response lists them. The seven types the brief of
 * the service names first (what Synthea and most EHRs hold), then the rest of what the converter
 * reads.
 */
export const PREFETCH_TEMPLATES: readonly PrefetchTemplate[] = [
  { key: 'patient', resourceType: 'Patient', read: true, query: 'Patient/{{context.patientId}}' },
  search('encounters', 'Encounter'),
  search('conditions', 'Condition'),
  search('observations', 'Observation'),
  search('medicationRequests', 'MedicationRequest'),
  search('procedures', 'Procedure'),
  search('immunizations', 'Immunization'),
  search('allergyIntolerances', 'AllergyIntolerance'),
  search('diagnosticReports', 'DiagnosticReport'),
  search('carePlans', 'CarePlan'),
  search('medicationStatements', 'MedicationStatement'),
  search('medicationAdministrations', 'MedicationAdministration'),
  search('medicationDispenses', 'MedicationDispense'),
  search('devices', 'Device'),
];

/** The discovery response's `prefetch` object: key → template. */
export function prefetchObject(templates: readonly PrefetchTemplate[] = PREFETCH_TEMPLATES): Record<string, string> {
  return Object.fromEntries(templates.map((t) => [t.key, t.query]));
}

/**
 * Replace the `{{context.<field>}}` tokens of a template with the context's values, URL-encoded
 * (only root-level primitive context fields are tokens, as the spec says).
 *
 * @returns the relative FHIR URL, or null when a token's field is missing from the context.
 */
export function fillPrefetchTemplate(template: string, context: Readonly<Record<string, unknown>>): string | null {
  let missing = false;
  const out = template.replace(/\{\{\s*context\.([A-Za-z0-9_]+)\s*\}\}/g, (_m, field: string) => {
    const v = context[field];
    if (typeof v !== 'string' && typeof v !== 'number') {
      missing = true;
      return '';
    }
    return encodeURIComponent(String(v));
  });
  return missing ? null : out;
}
