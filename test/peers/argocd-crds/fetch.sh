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

VERSION=v3.5.7
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube"
OUT="$CACHE_ROOT/argocd-crds-$VERSION"
if [ -f "$OUT/application-crd.yaml" ] && [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$VERSION" ]; then
  echo "[argocd-crds] cached ($OUT)"
  exit 0
fi
export GOMODCACHE="$CACHE_ROOT/go/mod"
export GOFLAGS="-modcacherw"
export GOTOOLCHAIN=local
mkdir -p "$GOMODCACHE"
cd "$(mktemp -d)"
if ! json="$(go mod download -json "github.com/argoproj/argo-cd/v3@$VERSION")"; then
  echo "[argocd-crds] FAILED: go mod download github.com/argoproj/argo-cd/v3@$VERSION" >&2
  echo "$json" >&2
  exit 1
fi
dir="$(printf '%s' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
if [ -z "$dir" ] || [ ! -f "$dir/manifests/crds/application-crd.yaml" ]; then
  echo "[argocd-crds] FAILED: no manifests/crds/application-crd.yaml in the module (dir: ${dir:-none})" >&2
  exit 1
fi
mkdir -p "$OUT"
cp "$dir"/manifests/crds/application-crd.yaml "$dir"/manifests/crds/applicationset-crd.yaml "$dir"/manifests/crds/appproject-crd.yaml "$OUT/"
echo "$VERSION" >"$OUT/stamp"
echo "[argocd-crds] $OUT"
