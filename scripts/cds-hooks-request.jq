# One patient bundle of the R4 sample -> a CDS Hooks patient-view request whose prefetch
# answers ehr-embed's templates with searchset Bundles.
. as $b
| def of($t): [$b.entry[].resource | select(.resourceType == $t)];
  def searchset($t): {resourceType: "Bundle", type: "searchset", total: (of($t) | length), entry: [of($t)[] | {resource: .}]};
  (of("Patient")[0]) as $p
| {
    hookInstance: "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
    hook: "patient-view",
    context: {userId: "Practitioner/example", patientId: $p.id},
    prefetch: ({patient: $p} + ([
      ["encounters", "Encounter"], ["conditions", "Condition"], ["observations", "Observation"],
      ["medicationRequests", "MedicationRequest"], ["procedures", "Procedure"],
      ["immunizations", "Immunization"], ["allergyIntolerances", "AllergyIntolerance"],
      ["diagnosticReports", "DiagnosticReport"], ["carePlans", "CarePlan"],
      ["medicationStatements", "MedicationStatement"], ["medicationAdministrations", "MedicationAdministration"],
      ["medicationDispenses", "MedicationDispense"], ["devices", "Device"]
    ] | map({key: .[0], value: searchset(.[1])}) | from_entries))
  }
