#!/usr/bin/env bash
# Copies CRD files out of a Go module's zip from the Go module proxy (verified against the Go checksum
# database by `go mod download`) into the peer cache, for the cluster tests to install:
#
#   crds-from-module.sh <name> <module> <version> <dir in module> <file>...
#   → ${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube/<name>-<version>/<file>...
#
# Idempotent (a stamp per version); exits non-zero when the files cannot be fetched.
set -euo pipefail

name=$1 module=$2 version=$3 src=$4
shift 4
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube"
OUT="$CACHE_ROOT/$name-$version"
if [ -f "$OUT/$1" ] && [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$version" ]; then
  echo "[$name] cached ($OUT)"
  exit 0
fi
export GOMODCACHE="$CACHE_ROOT/go/mod"
export GOFLAGS="-modcacherw"
export GOTOOLCHAIN=local
mkdir -p "$GOMODCACHE"
cd "$(mktemp -d)"
if ! json="$(go mod download -json "$module@$version")"; then
  echo "[$name] FAILED: go mod download $module@$version" >&2
  echo "$json" >&2
  exit 1
fi
dir="$(printf '%s' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
for f in "$@"; do
  if [ -z "$dir" ] || [ ! -f "$dir/$src/$f" ]; then
    echo "[$name] FAILED: no $src/$f in the module (dir: ${dir:-none})" >&2
    exit 1
  fi
done
mkdir -p "$OUT"
for f in "$@"; do cp "$dir/$src/$f" "$OUT/"; done
echo "$version" >"$OUT/stamp"
echo "[$name] $OUT"
