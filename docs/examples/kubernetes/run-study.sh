#!/bin/bash
# Run the three Jobs in order (Kubernetes has no dependencies between Jobs): label, the Indexed
# embed Job (all indexes), then merge and evaluate. Needs kubectl and the "ehr-embed-data" claim.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for step in label embed finish; do
  kubectl apply -f "$here/$step-job.yaml"
  kubectl wait --for=condition=complete --timeout=48h "job/ehr-embed-$step"
done
