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

VERSION=v2.21.0
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube"
OUT="$CACHE_ROOT/keda-crds-$VERSION"
if [ -f "$OUT/keda.sh_scaledobjects.yaml" ] && [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$VERSION" ]; then
  echo "[keda-crds] cached ($OUT)"
  exit 0
fi
export GOMODCACHE="$CACHE_ROOT/go/mod"
export GOFLAGS="-modcacherw"
export GOTOOLCHAIN=local
mkdir -p "$GOMODCACHE"
cd "$(mktemp -d)"
if ! json="$(go mod download -json "github.com/kedacore/keda/v2@$VERSION")"; then
  echo "[keda-crds] FAILED: go mod download github.com/kedacore/keda/v2@$VERSION" >&2
  echo "$json" >&2
  exit 1
fi
dir="$(printf '%s' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
if [ -z "$dir" ] || [ ! -f "$dir/config/crd/bases/keda.sh_scaledobjects.yaml" ]; then
  echo "[keda-crds] FAILED: no config/crd/bases/keda.sh_scaledobjects.yaml in the module (dir: ${dir:-none})" >&2
  exit 1
fi
mkdir -p "$OUT"
for crd in scaledobjects triggerauthentications clustertriggerauthentications; do
  cp "$dir/config/crd/bases/keda.sh_$crd.yaml" "$OUT/"
done
echo "$VERSION" >"$OUT/stamp"
echo "[keda-crds] $OUT"
