#!/usr/bin/env bash
# Builds Grafana Alloy v1.11.3 — the version lib/core/versions.json pins — from the source tarball in
# ../shared/peers/alloy-v1.11.3/ (the Go module proxy refuses github.com/grafana/alloy itself but
# serves all of its dependencies). The unit suite runs `alloy validate`, `alloy fmt` and
# `alloy run --help` of this binary on every rendered Alloy configuration (test/alloy-real.test.ts);
# the e2e runs it against the stack.
#
# Only the components the rendered configurations use are registered (test/peers/alloy/components.txt):
# three files of the extracted source are replaced before the build —
#   internal/component/all/all.go     imports the listed packages instead of all 160-odd components;
#   internal/converter/converter.go   `alloy convert` and `run --config.format` answer "not in this
#                                     build" (the converters import every component);
#   main.go                           without the static mode's integrations and Prometheus' service
#                                     discoveries, which only the converters and static mode use.
# Parser, validator, runtime, HTTP server and the listed components are Alloy's own code at the pinned
# commit. That is 2,000 packages instead of 4,600, none of them cgo (the Oracle exporter's driver was
# the only one), so the build runs with CGO_ENABLED=0 and shares its Go build cache with Mimir, MinIO and
# the control plane.
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
# Idempotent: rebuilds only when the stamp (tarball sha256, this script and the component list, Go
# version, GOOS/GOARCH, build flags) differs. About 7 minutes cold on two idle cores (module downloads
# not included), instant afterwards.
# Exit status: 0 when the binary is present and current, 1 when it cannot be built — including when
# the shared folder or its tarball is absent, which it says in so many words.
set -euo pipefail

VERSION=v1.11.3
COMMIT=091a20eb3eb50a968f129d6094455962e9dd328e
TARBALL_SHA256=523a3b7e82869fa44a752f8d77b6517519b04a490e699c28b6f14c7572643fca
TAGS=netgo
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
COMPONENTS="$HERE/components.txt"
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

# "component package" pairs of components.txt, without comments and blank lines.
listed_components() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$COMPONENTS" | awk '{ print $1, $2 }'; }

# Replaces the three files named at the top in the extracted source tree $1.
register_listed_components() {
  local src="$1" name pkg imports=""
  while read -r name pkg; do
    [ -n "$pkg" ] || die "components.txt: '$name' names no package"
    grep -qs "Name: *\"$name\"" "$src/$pkg"/*.go \
      || die "components.txt: $pkg (under github.com/grafana/alloy/) does not register $name"
    imports+="	_ \"github.com/grafana/alloy/$pkg\"
"
  done < <(listed_components)
  [ -n "$imports" ] || die "components.txt lists no component"
  printf '// Package all imports the components this build registers (test/peers/alloy/components.txt).\npackage all\n\nimport (\n%s)\n' \
    "$imports" >"$src/internal/component/all/all.go"
  cat >"$src/internal/converter/converter.go" <<'GO'
// Package converter: this build has no converters; they import every component.
package converter

import (
	"fmt"

	"github.com/grafana/alloy/internal/converter/diag"
)

type Input string

var SupportedFormats = []string{}

func Convert(in []byte, kind Input, extraArgs []string) ([]byte, diag.Diagnostics) {
	var diags diag.Diagnostics
	diags.Add(diag.SeverityLevelCritical, fmt.Sprintf("converting from %q is not part of this build (test/peers/alloy/build.sh)", kind))
	return nil, diags
}
GO
  cat >"$src/main.go" <<'GO'
package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/grafana/alloy/internal/alloycli"
	"github.com/grafana/alloy/internal/build"

	_ "golang.org/x/crypto/x509roots/fallback"
)

func init() {
	if build.Version == "" || build.Version == "v0.0.0" {
		build.Version = fallbackVersion()
	}
	prometheus.MustRegister(build.NewCollector("alloy"))
}

func main() {
	alloycli.Run()
}
GO
}

if [ ! -d "$SHARED" ]; then
  die "the shared folder $SHARED is absent: Alloy $VERSION is built from its peers/alloy-$VERSION/ source tarball (set MIMIR_KUBE_SHARED to point elsewhere)"
fi
[ -f "$TARBALL" ] || die "$TARBALL is absent: the shared folder $SHARED has no Alloy $VERSION source"
command -v go >/dev/null || die "no go command on PATH: Alloy $VERSION is built with Go (go.mod asks for go 1.24.6 or newer)"

sha="$(sha256sum "$TARBALL" | cut -d' ' -f1)"
[ "$sha" = "$TARBALL_SHA256" ] || die "$TARBALL has sha256 $sha, expected $TARBALL_SHA256 (SOURCE.md)"

export CGO_ENABLED=0
key="$(printf '%s\n' "alloy $VERSION $COMMIT" "tarball sha256 $sha" "$(go env GOVERSION) $(go env GOOS)/$(go env GOARCH)" \
        "CGO_ENABLED=$CGO_ENABLED -tags $TAGS -trimpath -ldflags $LDFLAGS" \
        "build.sh $(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)" "components.txt $(sha256sum "$COMPONENTS" | cut -d' ' -f1)")"
if [ -x "$OUT" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$key" ]; then
  note "up to date: $OUT ($("$OUT" --version 2>/dev/null | head -n1))"
  exit 0
fi

mkdir -p "$BIN" "$CACHE_ROOT/go/mod" "$CACHE_ROOT/go/build"
export GOMODCACHE="$CACHE_ROOT/go/mod"
export GOCACHE="$CACHE_ROOT/go/build"
export GOFLAGS="-modcacherw -buildvcs=false"
# The tarball is the source of github.com/grafana/alloy; only its dependencies come from the proxy.
export GOTOOLCHAIN=local

# A fresh source tree per attempt, next to the binary; removed on success.
src="$PEER/src.$$"
log="$PEER/build.log"
rm -rf "$src"; mkdir -p "$src"
trap 'rm -rf "$src" "$OUT.tmp.$$"' EXIT
note "extracting $TARBALL"
tar -xJf "$TARBALL" -C "$src"
register_listed_components "$src"
note "building alloy $VERSION with $(go env GOVERSION), components: $(listed_components | cut -d' ' -f1 | paste -sd' ') (log: $log; ~7 min cold) ..."
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
