#!/usr/bin/env bash
# Builds Grafana Alloy v1.11.3 — the version lib/core/versions.json pins — from the source tarball in
# ../shared/peers/alloy-v1.11.3/ (the Go module proxy refuses github.com/grafana/alloy itself but
# serves all of its dependencies). The unit suite runs `alloy validate`, `alloy fmt` and
# `alloy run --help` of this binary on every rendered Alloy configuration (test/alloy-real.test.ts).
#
#   bash test/peers/alloy/build.sh          # or: npm run peers:alloy
#
# Inputs (environment):
#   MIMIR_KUBE_SHARED   the shared folder (default: ../shared beside the repository)
#   XDG_CACHE_HOME      cache root (default: ~/.cache)
#
# Output, outside the clone, keyed by version:
#   ${XDG_CACHE_HOME:-~/.cache}/mimir-kube/alloy-v1.11.3/bin/alloy        the binary
#   ${XDG_CACHE_HOME:-~/.cache}/mimir-kube/alloy-v1.11.3/bin/alloy.stamp  what it was built from
#   ${XDG_CACHE_HOME:-~/.cache}/mimir-kube/go/{mod,build}                 GOMODCACHE / GOCACHE (shared)
#
# Idempotent: rebuilds only when the stamp (tarball sha256, Go version, GOOS/GOARCH, build flags)
# differs. About 20 minutes cold on two idle cores (module downloads included; over an hour when the
# machine is shared with other builds), instant afterwards.
# Exit status: 0 when the binary is present and current, 1 when it cannot be built — including when
# the shared folder or its tarball is absent, which it says in so many words.
set -euo pipefail

VERSION=v1.11.3
COMMIT=091a20eb3eb50a968f129d6094455962e9dd328e
TARBALL_SHA256=523a3b7e82869fa44a752f8d77b6517519b04a490e699c28b6f14c7572643fca
TAGS=netgo
LDFLAGS="-s -w -X github.com/grafana/alloy/internal/build.Version=$VERSION -X github.com/grafana/alloy/internal/build.Revision=$COMMIT -X github.com/grafana/alloy/internal/build.Branch=HEAD"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
SHARED="${MIMIR_KUBE_SHARED:-$ROOT/../shared}"
TARBALL="$SHARED/peers/alloy-$VERSION/alloy-$VERSION-src.tar.xz"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube"
PEER="$CACHE_ROOT/alloy-$VERSION"
BIN="$PEER/bin"
OUT="$BIN/alloy"
STAMP="$BIN/alloy.stamp"

note() { echo "[peers:alloy] $*"; }
die() { echo "[peers:alloy] FAILED: $*" >&2; exit 1; }

if [ ! -d "$SHARED" ]; then
  die "the shared folder $SHARED is absent: Alloy $VERSION is built from its peers/alloy-$VERSION/ source tarball (set MIMIR_KUBE_SHARED to point elsewhere)"
fi
[ -f "$TARBALL" ] || die "$TARBALL is absent: the shared folder $SHARED has no Alloy $VERSION source"
command -v go >/dev/null || die "no go command on PATH: Alloy $VERSION is built with Go (go.mod asks for go 1.24.6 or newer)"

sha="$(sha256sum "$TARBALL" | cut -d' ' -f1)"
[ "$sha" = "$TARBALL_SHA256" ] || die "$TARBALL has sha256 $sha, expected $TARBALL_SHA256 (SOURCE.md)"

key="$(printf '%s\n' "alloy $VERSION $COMMIT" "tarball sha256 $sha" "$(go env GOVERSION) $(go env GOOS)/$(go env GOARCH)" \
        "CGO_ENABLED=$(go env CGO_ENABLED) -tags $TAGS -trimpath -ldflags $LDFLAGS")"
if [ -x "$OUT" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$key" ]; then
  note "up to date: $OUT ($("$OUT" --version 2>/dev/null | head -n1))"
  exit 0
fi

mkdir -p "$BIN" "$CACHE_ROOT/go/mod" "$CACHE_ROOT/go/build"
export GOMODCACHE="$CACHE_ROOT/go/mod"
export GOCACHE="$CACHE_ROOT/go/build"
export GOFLAGS="-modcacherw -buildvcs=false"
# cgo stays at Go's default (on where a C compiler is): Alloy's Oracle exporter links godror, whose
# driver is C (ODPI-C) and does not compile with CGO_ENABLED=0.
# The tarball is the source of github.com/grafana/alloy; only its dependencies come from the proxy.
export GOTOOLCHAIN=local

# A fresh source tree per attempt, next to the binary; removed on success.
src="$PEER/src.$$"
log="$PEER/build.log"
rm -rf "$src"; mkdir -p "$src"
trap 'rm -rf "$src" "$OUT.tmp.$$"' EXIT
note "extracting $TARBALL"
tar -xJf "$TARBALL" -C "$src"
note "building alloy $VERSION with $(go env GOVERSION) (log: $log; ~20 min cold) ..."
start=$(date +%s)
rm -f "$STAMP"
if ! (cd "$src" && go build -tags "$TAGS" -trimpath -ldflags "$LDFLAGS" -o "$OUT.tmp.$$" .) >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  die "(cd <extracted source> && go build -tags $TAGS -trimpath -ldflags '...' -o alloy .) exited non-zero; full log: $log"
fi
mv -f "$OUT.tmp.$$" "$OUT"
"$OUT" --version >/dev/null 2>&1 || die "$OUT was built but does not run ($OUT --version failed)"
printf '%s\n' "$key" >"$STAMP"
note "built in $(( $(date +%s) - start ))s -> $OUT ($("$OUT" --version | head -n1))"
