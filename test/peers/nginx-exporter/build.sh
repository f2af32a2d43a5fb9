#!/usr/bin/env bash
# Builds the NGINX Prometheus exporter v1.5.1 — the version lib/core/versions.json pins
# (nginx/nginx-prometheus-exporter:1.5.1) — from the Go module proxy: the module is downloaded
# (`go mod download`) and built in a copy of it, so its own go.mod and go.sum choose every dependency,
# with the ldflags of its release build (.goreleaser.yml) and CGO off like its image. (`go install
# <module>@<version>` would do the same but asks the proxy for the module's version list, which the proxy
# reachable here refuses with 403.) The e2e runs it as the gateway's `nginx-exporter` sidecar with the rendered args.
#
#   bash test/peers/nginx-exporter/build.sh
#
# Inputs (environment):
#   XDG_CACHE_HOME      cache root (default: ~/.cache)
#
# Output, outside the clone, keyed by version:
#   ${XDG_CACHE_HOME:-~/.cache}/mimir-kube/nginx-exporter-1.5.1/bin/nginx-prometheus-exporter        the binary
#   ${XDG_CACHE_HOME:-~/.cache}/mimir-kube/nginx-exporter-1.5.1/bin/nginx-prometheus-exporter.stamp  what it was built from
#   ${XDG_CACHE_HOME:-~/.cache}/mimir-kube/nginx-exporter-1.5.1/build.log
#   ${XDG_CACHE_HOME:-~/.cache}/mimir-kube/go/{mod,build}                GOMODCACHE / GOCACHE (shared)
#
# Idempotent: rebuilds only when the stamp (module version and its go.sum hash, Go version, GOOS/GOARCH,
# build flags) differs. Under a minute cold, instant afterwards.
# Exit status: 0 when the binary is present and current, 1 when it cannot be built.
set -euo pipefail

MODULE=github.com/nginx/nginx-prometheus-exporter
VERSION=1.5.1
VP=github.com/prometheus/common/version
LDFLAGS="-s -w -X $VP.Version=$VERSION -X $VP.Branch=HEAD -X $VP.BuildUser=mimir-kube"

CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube"
PEER="$CACHE_ROOT/nginx-exporter-$VERSION"
BIN="$PEER/bin"
OUT="$BIN/nginx-prometheus-exporter"
STAMP="$OUT.stamp"
LOG="$PEER/build.log"

note() { echo "[peers:nginx-exporter] $*"; }
die() { echo "[peers:nginx-exporter] FAILED: $*" >&2; exit 1; }

command -v go >/dev/null || die "no go command on PATH: the exporter $VERSION is built with Go (its go.mod asks for go 1.25.0 or newer)"

mkdir -p "$BIN" "$CACHE_ROOT/go/mod" "$CACHE_ROOT/go/build"
export GOMODCACHE="$CACHE_ROOT/go/mod"
export GOCACHE="$CACHE_ROOT/go/build"
export GOFLAGS="-modcacherw -buildvcs=false"
export GOTOOLCHAIN=local
export CGO_ENABLED=0
# Outside any module: no go.mod of this repository (or of a folder above) is consulted.
cd "$PEER"

# The module's go.sum hash (from the proxy's .mod and the module zip's go.sum) keys the stamp with the version.
if ! info="$(go mod download -json "$MODULE@v$VERSION" 2>"$LOG")"; then
  tail -n 20 "$LOG" >&2
  die "go mod download -json $MODULE@v$VERSION exited non-zero; full log: $LOG"
fi
sum="$(printf '%s\n' "$info" | sed -nE 's/^[[:space:]]*"Sum": "([^"]+)".*/\1/p')"
[ -n "$sum" ] || die "go mod download -json $MODULE@v$VERSION named no module hash (Sum)"

key="$(printf '%s\n' "$MODULE@v$VERSION $sum" "$(go env GOVERSION) $(go env GOOS)/$(go env GOARCH)" \
        "CGO_ENABLED=0 -trimpath -ldflags $LDFLAGS")"
if [ -x "$OUT" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$key" ]; then
  note "up to date: $OUT ($("$OUT" --version 2>&1 | head -n1))"
  exit 0
fi

note "building $MODULE@v$VERSION with $(go env GOVERSION) (log: $LOG) ..."
start=$(date +%s)
rm -f "$STAMP"
dir="$(printf '%s\n' "$info" | sed -nE 's/^[[:space:]]*"Dir": "([^"]+)".*/\1/p')"
[ -d "$dir" ] || die "go mod download -json $MODULE@v$VERSION named no module folder (Dir)"
src="$PEER/src.$$"
trap 'rm -rf "$src" "$OUT.tmp.$$"' EXIT
rm -rf "$src" && cp -R "$dir" "$src" && chmod -R u+w "$src"
if ! (cd "$src" && go build -trimpath -ldflags "$LDFLAGS" -o "$OUT.tmp.$$" .) >>"$LOG" 2>&1; then
  tail -n 20 "$LOG" >&2
  die "(cd <copy of $dir> && go build -trimpath -ldflags '$LDFLAGS' -o nginx-prometheus-exporter .) exited non-zero; full log: $LOG"
fi
mv -f "$OUT.tmp.$$" "$OUT"
version="$("$OUT" --version 2>&1 | head -n1)" || die "$OUT was built but does not run ($OUT --version failed)"
case "$version" in
  *"version $VERSION"*) ;;
  *) die "$OUT --version printed '$version', expected version $VERSION" ;;
esac
printf '%s\n' "$key" >"$STAMP"
note "built in $(( $(date +%s) - start ))s -> $OUT ($version)"
