#!/usr/bin/env bash
# Builds the end-to-end test peers and installs the Debian packages the e2e harness uses.
#
#   bash test/e2e/peers/build.sh            # everything
#   E2E_SKIP_APT=1 bash test/e2e/peers/build.sh   # binaries only
#
# Output (git-ignored, cacheable by CI):
#   .cache/e2e/bin/mimir, .cache/e2e/bin/minio   binaries
#   .cache/e2e/bin/<name>.stamp                  what the binary was built from (skip key)
#   .cache/e2e/go/{mod,build}                    GOMODCACHE / GOCACHE
#
# Idempotent: a binary is rebuilt only when its stamp (module go.mod + go.sum, Go version,
# build flags) differs. Exit status is non-zero only when Mimir cannot be built; every other
# failure is reported on stderr as "FAILED: ..." and in the summary.
set -uo pipefail

PEERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$PEERS_DIR/../../.." && pwd)"
CACHE="$ROOT/.cache/e2e"
BIN="$CACHE/bin"
mkdir -p "$BIN" "$CACHE/go/mod" "$CACHE/go/build"

export GOMODCACHE="$CACHE/go/mod"
export GOCACHE="$CACHE/go/build"
export GOFLAGS="-modcacherw"
export CGO_ENABLED=0

SUMMARY=()
FAILED=()
note() { echo "[e2e-peers] $*"; }
fail() { echo "[e2e-peers] FAILED: $*" >&2; FAILED+=("$*"); }

# ---------------------------------------------------------------- Debian packages
# nginx: gateway; dnsmasq: cluster DNS (A + SRV records); prometheus: agent mode scraping
# and remote-writing to Mimir (Debian 12 ships 2.42: --enable-feature=agent);
# iproute2: `ip netns` pods.
APT_PACKAGES=(nginx dnsmasq prometheus iproute2)

install_apt() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    note "apt: all present (${APT_PACKAGES[*]})"
  elif [ "$(id -u)" != 0 ]; then
    fail "apt: not root, cannot install: ${missing[*]}"
  elif ! command -v apt-get >/dev/null; then
    fail "apt: no apt-get, cannot install: ${missing[*]}"
  else
    note "apt: installing ${missing[*]}"
    local log="$CACHE/apt.log"
    if ! apt-get update -qq >"$log" 2>&1; then
      fail "apt-get update (see $log): $(tail -n 3 "$log" | tr '\n' ' ')"
    fi
    # policy-rc.d-style: the packages' services must not be started by their postinst;
    # the harness starts its own instances.
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >>"$log" 2>&1; then
      fail "apt-get install ${missing[*]} (see $log): $(tail -n 3 "$log" | tr '\n' ' ')"
    fi
    # Debian's postinst may start daemons on systems with a working init; stop only
    # packaged instances we might just have started (by pid file, never by name).
    for pidf in /run/nginx.pid /run/dnsmasq/dnsmasq.pid; do
      [ -s "$pidf" ] && kill "$(cat "$pidf")" 2>/dev/null || true
    done
  fi
  for p in "${APT_PACKAGES[@]}"; do
    local v
    v="$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null)" || v="missing"
    SUMMARY+=("deb $p ${v:-missing}")
  done
}

# ---------------------------------------------------------------- Go peers
# build_peer NAME MODULE_PATH PACKAGE TAGS LDFLAGS_TEMPLATE
#   LDFLAGS_TEMPLATE may use @VERSION@ (the module's version from go.mod) and @REV@
#   (the commit hash at the end of a pseudo-version).
build_peer() {
  local name="$1" mod="$2" pkg="$3" tags="$4" ldt="$5"
  local dir="$PEERS_DIR/$name" out="$BIN/$name" stamp="$BIN/$name.stamp"
  if ! command -v go >/dev/null; then
    fail "$name: no go command on PATH"; return 1
  fi
  local modver rev ldflags key
  modver="$(sed -nE "s#^[[:space:]]*(require[[:space:]]+)?${mod//./\\.}[[:space:]]+(v[^[:space:]]+).*#\2#p" "$dir/go.mod" | head -n1)"
  if [ -z "$modver" ]; then
    fail "$name: cannot read the version of $mod from $dir/go.mod"; return 1
  fi
  rev="${modver##*-}"
  ldflags="${ldt//@VERSION@/$modver}"
  ldflags="${ldflags//@REV@/$rev}"
  key="$(printf '%s\n' "$mod@$modver" "$(go env GOVERSION)" "tags=$tags" "ldflags=$ldflags" \
          "$(cat "$dir/go.mod" "$dir/go.sum" | sha256sum | cut -d' ' -f1)")"
  if [ -x "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
    note "$name: up to date ($mod@$modver)"
    SUMMARY+=("$name $mod@$modver (cached)")
    return 0
  fi
  note "$name: building $pkg ($mod@$modver, $(go env GOVERSION)) ..."
  local start log="$CACHE/build-$name.log"
  start=$(date +%s)
  rm -f "$stamp"
  if ! (cd "$dir" && go build -trimpath -tags "$tags" -ldflags "$ldflags" -o "$out.tmp" "$pkg") >"$log" 2>&1; then
    rm -f "$out.tmp"
    fail "$name: (cd $dir && go build -trimpath -tags '$tags' -ldflags '$ldflags' -o $out.tmp $pkg) exited non-zero; last lines of $log:"
    tail -n 20 "$log" >&2
    return 1
  fi
  mv -f "$out.tmp" "$out"
  printf '%s\n' "$key" >"$stamp"
  note "$name: built in $(( $(date +%s) - start ))s -> $out"
  SUMMARY+=("$name $mod@$modver (built)")
}

MIMIR_VP=github.com/grafana/mimir/pkg/util/version
MIMIR_LDFLAGS="-s -w -X $MIMIR_VP.Version=@VERSION@ -X $MIMIR_VP.Revision=@REV@ -X $MIMIR_VP.Branch=go-module"
MINIO_LDFLAGS="-s -w -X github.com/minio/minio/cmd.Version=@VERSION@ -X github.com/minio/minio/cmd.ReleaseTag=DEVELOPMENT.@VERSION@ -X github.com/minio/minio/cmd.CommitID=@REV@ -X github.com/minio/minio/cmd.ShortCommitID=@REV@"

if [ "${E2E_SKIP_APT:-}" != 1 ]; then install_apt; fi

mimir_ok=1
build_peer mimir github.com/grafana/mimir github.com/grafana/mimir/cmd/mimir "netgo,stringlabels" "$MIMIR_LDFLAGS" || mimir_ok=0
build_peer minio github.com/minio/minio github.com/minio/minio "kqueue" "$MINIO_LDFLAGS" || true

if [ -x "$BIN/mimir" ]; then SUMMARY+=("mimir -version: $("$BIN/mimir" -version 2>&1 | head -n1)"); fi
if [ -x "$BIN/minio" ]; then SUMMARY+=("minio --version: $("$BIN/minio" --version 2>&1 | head -n1)"); fi

echo "[e2e-peers] summary:"
for s in "${SUMMARY[@]}"; do echo "  $s"; done
if [ "${#FAILED[@]}" -gt 0 ]; then
  echo "[e2e-peers] failures:" >&2
  for f in "${FAILED[@]}"; do echo "  $f" >&2; done
fi
[ "$mimir_ok" = 1 ] || exit 1
exit 0
