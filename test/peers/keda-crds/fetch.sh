#!/usr/bin/env bash
# Fetches KEDA's own CRDs (config/crd/bases/keda.sh_scaledobjects.yaml and the trigger authentications
# a ScaledObject may name) for the cluster tests, which install them so that the API server itself
# checks every rendered ScaledObject against KEDA's schema. The source is the
# github.com/kedacore/keda/v2 module zip from the Go module proxy, verified against the Go checksum
# database by `go mod download`.
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube/keda-crds-<version>/keda.sh_*.yaml
#
# Idempotent; exits non-zero when the CRDs cannot be fetched.
set -euo pipefail

exec bash "$(dirname "$0")/../crds-from-module.sh" keda-crds github.com/kedacore/keda/v2 v2.21.0 config/crd/bases \
  keda.sh_scaledobjects.yaml keda.sh_triggerauthentications.yaml keda.sh_clustertriggerauthentications.yaml
