#!/usr/bin/env bash
# Fetches Argo CD's own CRDs (manifests/crds/*.yaml) for the cluster tests, which install them and
# apply out/argocd/*.yaml against them. The source is the github.com/argoproj/argo-cd/v3 module zip
# from the Go module proxy, verified against the Go checksum database by `go mod download`.
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube/argocd-crds-<version>/{application,applicationset,appproject}-crd.yaml
#
# v3.5.7: the newest release whose go.mod this Go (1.26) accepts (v3.6 asks for Go 1.27).
# Idempotent; exits non-zero when the CRDs cannot be fetched.
set -euo pipefail

exec bash "$(dirname "$0")/../crds-from-module.sh" argocd-crds github.com/argoproj/argo-cd/v3 v3.5.7 manifests/crds \
  application-crd.yaml applicationset-crd.yaml appproject-crd.yaml
