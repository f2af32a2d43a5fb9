#!/usr/bin/env bash
# Builds the end-to-end test peers and installs the Debian packages the e2e harness uses.
#
#   bash test/e2e/peers/build.sh                  # everything
#   E2E_SKIP_APT=1 bash test/e2e/peers/build.sh   # binaries only
#
# Peers are cached outside the clone, keyed by version, so every clone (and CI with a cached home)
# reuses them:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube/mimir-<version>/bin/mimir   (+ mimir.stamp, build.log)
#   ${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube/minio-<version>/bin/minio   (+ minio.stamp, build.log)
#   ${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube/go/{mod,build}              GOMODCACHE / GOCACHE
#   ${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube/kafka-<version>/libs/       (+ kafka.stamp; test/peers/kafka/build.sh)
#   ${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube/nginx-exporter-<version>/bin/nginx-prometheus-exporter (test/peers/nginx-exporter/build.sh)
# and the clone gets one small pointer file, .cache/e2e/peers.json, naming the binaries this clone's
# harness runs (the harness reads nothing else).
#
# Mimir is the version lib/core/versions.json pins, built offline from ../shared/peers/mimir-<version>/
# (source with every dependency vendored). Without ../shared it falls back to the Go module proxy's
# Mimir (test/e2e/peers/mimir/go.mod), which is NOT the pinned version: the harness's report says so on
# its first line. Under CI or E2E_REQUIRED=1 a missing ../shared is an error, not a fallback.
#
# Idempotent: a binary is rebuilt only when its stamp (source hash, Go version, build flags) differs.
# Exit status is non-zero when any peer the harness needs (Mimir, MinIO, Alloy, the control plane, Kafka, the
# NGINX exporter, the Debian packages) cannot be built or installed; each failure is printed as "FAILED: ..." with the command
# and its log's last lines.
set -uo pipefail

PEERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$PEERS_DIR/../../.." && pwd)"
SHARED="${MIMIR_KUBE_SHARED:-$ROOT/../shared}"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube"
LOCAL="$ROOT/.cache/e2e"
mkdir -p "$LOCAL" "$CACHE_ROOT/go/mod" "$CACHE_ROOT/go/build"

export GOMODCACHE="$CACHE_ROOT/go/mod"
export GOCACHE="$CACHE_ROOT/go/build"
export CGO_ENABLED=0
export GOTOOLCHAIN=local
REQUIRED=0
if [ -n "${CI:-}" ] || [ "${E2E_REQUIRED:-}" = 1 ]; then REQUIRED=1; fi

SUMMARY=()
FAILED=()
note() { echo "[e2e-peers] $*"; }
fail() { echo "[e2e-peers] FAILED: $*" >&2; FAILED+=("$*"); }

# Peers with build scripts of their own run beside the ones built here: on two cores one Go build
# leaves a core idle while it fetches modules, unpacks a tarball or links, and Maven only downloads.
# Each job's output goes to its log and is printed, whole, when the job is collected.
declare -A JOB_PID JOB_LOG
start_job() {
  local name="$1"; shift
  JOB_LOG[$name]="$LOCAL/peer-$name.log"
  "$@" >"${JOB_LOG[$name]}" 2>&1 &
  JOB_PID[$name]=$!
}
collect_job() {
  local name="$1" rc=0
  wait "${JOB_PID[$name]}" || rc=$?
  cat "${JOB_LOG[$name]}"
  return "$rc"
}

# ---------------------------------------------------------------- Debian packages
# nginx: gateway; dnsmasq: cluster DNS (A + SRV records); iproute2: `ip netns` pods;
# openssl: the control plane's certificates; memcached: the caches, run with their rendered args.
APT_PACKAGES=(nginx dnsmasq iproute2 openssl memcached)

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
    local log="$LOCAL/apt.log"
    if ! apt-get update -qq >"$log" 2>&1; then
      fail "apt-get update (see $log): $(tail -n 3 "$log" | tr '\n' ' ')"
    fi
    # The packages' services must not keep running; the harness starts its own instances.
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >>"$log" 2>&1; then
      fail "apt-get install ${missing[*]} (see $log): $(tail -n 3 "$log" | tr '\n' ' ')"
    fi
    # Debian's postinst may start daemons on systems with a working init; stop only
    # packaged instances we might just have started (by pid file, never by name).
    for pidf in /run/nginx.pid /run/dnsmasq/dnsmasq.pid /run/memcached/memcached.pid; do
      [ -s "$pidf" ] && kill "$(cat "$pidf")" 2>/dev/null || true
    done
  fi
  for p in "${APT_PACKAGES[@]}"; do
    local v
    v="$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null)" || v=""
    if [ -z "$v" ]; then fail "apt: $p is not installed"; fi
    SUMMARY+=("deb $p ${v:-missing}")
  done
}

# ---------------------------------------------------------------- Go peers
# go_build NAME OUT STAMP_KEY DIR PKG TAGS LDFLAGS [GOFLAGS]
#   Runs `go build` in DIR unless OUT exists and OUT.stamp equals STAMP_KEY. The log is OUT's folder/build.log.
go_build() {
  local name="$1" out="$2" key="$3" dir="$4" pkg="$5" tags="$6" ldflags="$7" goflags="${8:-}"
  local stamp="$out.stamp" log
  log="$(dirname "$out")/../build.log"
  if [ -x "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
    note "$name: up to date ($out)"
    SUMMARY+=("$name: cached $out")
    return 0
  fi
  note "$name: building $pkg in $dir ($(go env GOVERSION)) ..."
  local start
  start=$(date +%s)
  rm -f "$stamp"
  mkdir -p "$(dirname "$out")"
  if ! (cd "$dir" && GOFLAGS="$goflags" nice -n 10 go build -trimpath -tags "$tags" -ldflags "$ldflags" -o "$out.tmp" "$pkg") >"$log" 2>&1; then
    rm -f "$out.tmp"
    fail "$name: (cd $dir && GOFLAGS='$goflags' go build -trimpath -tags '$tags' -ldflags '$ldflags' -o $out.tmp $pkg) exited non-zero; last lines of $log:"
    tail -n 20 "$log" >&2
    return 1
  fi
  mv -f "$out.tmp" "$out"
  printf '%s\n' "$key" >"$stamp"
  note "$name: built in $(( $(date +%s) - start ))s -> $out"
  SUMMARY+=("$name: built in $(( $(date +%s) - start ))s, $out")
}

# The version pinned by the library's image (grafana/mimir:<version>).
pinned_mimir() {
  sed -nE 's#^[[:space:]]*"mimir"[[:space:]]*:[[:space:]]*"[^"]*grafana/mimir:([^"]+)".*#\1#p' "$ROOT/lib/core/versions.json" | head -n1
}

MIMIR_VP=github.com/grafana/mimir/pkg/util/version
MIMIR_BIN=""
MIMIR_SOURCE=""

# Mimir <pinned> from the vendored source tarball in ../shared (offline: GOPROXY=off, -mod=vendor).
build_mimir_from_shared() {
  local ver="$1" tarball="$2"
  local dir="$CACHE_ROOT/mimir-$ver" sum key ldflags rev
  sum="$(sha256sum "$tarball" | cut -d' ' -f1)"
  # The commit of the tag, for `mimir -version` (SOURCE.md names it).
  rev="$(grep -oE '[0-9a-f]{40}' "$(dirname "$tarball")/SOURCE.md" 2>/dev/null | head -n1)"
  ldflags="-s -w -X $MIMIR_VP.Version=$ver -X $MIMIR_VP.Revision=${rev:0:12} -X $MIMIR_VP.Branch=release-${ver%.*}"
  key="$(printf '%s\n' "source=$tarball sha256=$sum" "$(go env GOVERSION)" "tags=netgo,stringlabels" "ldflags=$ldflags")"
  MIMIR_BIN="$dir/bin/mimir"
  MIMIR_SOURCE="grafana/mimir $ver from $tarball (sha256 $sum)"
  if [ -x "$MIMIR_BIN" ] && [ -f "$MIMIR_BIN.stamp" ] && [ "$(cat "$MIMIR_BIN.stamp")" = "$key" ]; then
    note "mimir: up to date ($MIMIR_BIN)"
    SUMMARY+=("mimir: cached $MIMIR_BIN")
    return 0
  fi
  # Unpack fresh each time the stamp differs: the source folder is only an input of this build.
  rm -rf "$dir/src" && mkdir -p "$dir/src" "$dir/bin"
  if ! tar -xJf "$tarball" -C "$dir/src" 2>"$dir/build.log"; then
    fail "mimir: tar -xJf $tarball -C $dir/src: $(tail -n 3 "$dir/build.log" | tr '\n' ' ')"
    return 1
  fi
  if [ "$(cat "$dir/src/VERSION" 2>/dev/null)" != "$ver" ]; then
    fail "mimir: $tarball holds VERSION '$(cat "$dir/src/VERSION" 2>/dev/null)', expected $ver (lib/core/versions.json)"
    return 1
  fi
  GOPROXY=off go_build mimir "$MIMIR_BIN" "$key" "$dir/src" ./cmd/mimir "netgo,stringlabels" "$ldflags" "-mod=vendor -buildvcs=false" || return 1
  # The unpacked source is only this build's input (unpacked again whenever the stamp differs).
  rm -rf "$dir/src"
}

# Fallback: the Go module proxy's Mimir (not the pinned version; see test/e2e/README.md).
build_mimir_from_proxy() {
  local dir="$PEERS_DIR/mimir" modver rev ldflags key
  modver="$(sed -nE 's#^[[:space:]]*(require[[:space:]]+)?github\.com/grafana/mimir[[:space:]]+(v[^[:space:]]+).*#\2#p' "$dir/go.mod" | head -n1)"
  [ -n "$modver" ] || { fail "mimir: cannot read the version of github.com/grafana/mimir from $dir/go.mod"; return 1; }
  rev="${modver##*-}"
  ldflags="-s -w -X $MIMIR_VP.Version=$modver -X $MIMIR_VP.Revision=$rev -X $MIMIR_VP.Branch=go-module"
  key="$(printf '%s\n' "github.com/grafana/mimir@$modver" "$(go env GOVERSION)" "tags=netgo,stringlabels" "ldflags=$ldflags" \
          "$(cat "$dir/go.mod" "$dir/go.sum" | sha256sum | cut -d' ' -f1)")"
  MIMIR_BIN="$CACHE_ROOT/mimir-$modver/bin/mimir"
  MIMIR_SOURCE="github.com/grafana/mimir@$modver from the Go module proxy"
  go_build mimir "$MIMIR_BIN" "$key" "$dir" github.com/grafana/mimir/cmd/mimir "netgo,stringlabels" "$ldflags" "-modcacherw -buildvcs=false"
}

MINIO_BIN=""
build_minio() {
  local dir="$PEERS_DIR/minio" modver rev ldflags key
  modver="$(sed -nE 's#^[[:space:]]*(require[[:space:]]+)?github\.com/minio/minio[[:space:]]+(v[^[:space:]]+).*#\2#p' "$dir/go.mod" | head -n1)"
  [ -n "$modver" ] || { fail "minio: cannot read the version of github.com/minio/minio from $dir/go.mod"; return 1; }
  rev="${modver##*-}"
  ldflags="-s -w -X github.com/minio/minio/cmd.Version=$modver -X github.com/minio/minio/cmd.ReleaseTag=DEVELOPMENT.$modver -X github.com/minio/minio/cmd.CommitID=$rev -X github.com/minio/minio/cmd.ShortCommitID=$rev"
  key="$(printf '%s\n' "github.com/minio/minio@$modver" "$(go env GOVERSION)" "tags=kqueue" "ldflags=$ldflags" \
          "$(cat "$dir/go.mod" "$dir/go.sum" | sha256sum | cut -d' ' -f1)")"
  MINIO_BIN="$CACHE_ROOT/minio-$modver/bin/minio"
  go_build minio "$MINIO_BIN" "$key" "$dir" github.com/minio/minio "kqueue" "$ldflags" "-modcacherw -buildvcs=false"
}

if [ "${E2E_SKIP_APT:-}" != 1 ]; then install_apt; fi

# The real Alloy (from ../shared, test/peers/alloy/build.sh) and the cluster test's control plane (etcd,
# kube-apiserver, controller-manager, scheduler, kwok; test/peers/kube/build.sh) that its Kubernetes
# discovery asks: both stamp-keyed, cached outside the clone; cold, Alloy (only the components the
# configurations use) about 7 minutes, the control plane about 20.
# The ingest-storage scenario's broker: Apache Kafka at the version lib/core/versions.json pins, assembled
# from Maven Central's jars (test/peers/kafka/build.sh; about a minute cold, cached under mimir-kube/).
start_job alloy nice -n 10 bash "$ROOT/test/peers/alloy/build.sh"
start_job kube nice -n 10 bash "$ROOT/test/peers/kube/build.sh"
start_job kafka nice -n 10 bash "$ROOT/test/peers/kafka/build.sh"

if ! command -v go >/dev/null; then
  fail "no go command on PATH: cannot build mimir or minio"
else
  PIN="$(pinned_mimir)"
  TARBALL="$SHARED/peers/mimir-$PIN/mimir-$PIN-src.tar.xz"
  if [ -z "$PIN" ]; then
    fail "mimir: cannot read the pinned grafana/mimir version from lib/core/versions.json"
  elif [ -f "$TARBALL" ]; then
    build_mimir_from_shared "$PIN" "$TARBALL"
  elif [ "$REQUIRED" = 1 ]; then
    fail "mimir: $TARBALL is missing (../shared not beside the clone?); under CI / E2E_REQUIRED=1 the pinned Mimir $PIN is required"
  else
    note "WARNING: $TARBALL is missing: building the Go module proxy's Mimir instead, which is NOT $PIN"
    build_mimir_from_proxy
  fi
  build_minio
fi

# ---------------------------------------------------------------- the gateway's exporter
# The NGINX Prometheus exporter the gateway runs as a sidecar, at the version lib/core/versions.json pins,
# from the Go module proxy (test/peers/nginx-exporter/build.sh; under a minute cold, cached under mimir-kube/).
if ! nice -n 10 bash "$ROOT/test/peers/nginx-exporter/build.sh"; then
  fail "nginx-exporter: bash test/peers/nginx-exporter/build.sh exited non-zero (its output is above)"
else
  SUMMARY+=("nginx-exporter: $("$CACHE_ROOT/nginx-exporter-$(sed -nE 's#^[[:space:]]*"nginxExporter":[[:space:]]*"[^"]*:([^"]+)".*#\1#p' "$ROOT/lib/core/versions.json")/bin/nginx-prometheus-exporter" --version 2>&1 | head -n1)")
fi

# ---------------------------------------------------------------- the jobs started above
if ! collect_job alloy; then
  fail "alloy: bash test/peers/alloy/build.sh exited non-zero (its output is above)"
else
  SUMMARY+=("alloy: $("${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube/alloy-$(sed -n 's/^VERSION=//p' "$ROOT/test/peers/alloy/build.sh")/bin/alloy" --version 2>&1 | head -n1)")
fi
if ! collect_job kube; then
  fail "control plane: bash test/peers/kube/build.sh exited non-zero (its output is above)"
fi
if ! collect_job kafka; then
  fail "kafka: bash test/peers/kafka/build.sh exited non-zero (its output is above)"
else
  SUMMARY+=("kafka: $(sed -n 1p "$CACHE_ROOT/kafka-$(sed -nE 's#^[[:space:]]*"kafka":[[:space:]]*"[^"]*:([^"]+)".*#\1#p' "$ROOT/lib/core/versions.json")/kafka.stamp")")
fi

# The pointer file the harness reads: only binaries that exist and whose stamps match.
mimir_version=""; minio_version=""
if [ -n "$MIMIR_BIN" ] && [ -x "$MIMIR_BIN" ]; then mimir_version="$("$MIMIR_BIN" -version 2>&1 | head -n1)"; SUMMARY+=("mimir -version: $mimir_version"); fi
if [ -n "$MINIO_BIN" ] && [ -x "$MINIO_BIN" ]; then minio_version="$("$MINIO_BIN" --version 2>&1 | head -n1)"; SUMMARY+=("minio --version: $minio_version"); fi
json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
if [ "${#FAILED[@]}" -eq 0 ]; then
  {
    printf '{\n'
    printf '  "mimir": { "path": %s, "version": %s, "pinned": %s, "source": %s },\n' \
      "$(json_str "$MIMIR_BIN")" "$(json_str "$mimir_version")" "$(json_str "${PIN:-}")" "$(json_str "$MIMIR_SOURCE")"
    printf '  "minio": { "path": %s, "version": %s }\n' "$(json_str "$MINIO_BIN")" "$(json_str "$minio_version")"
    printf '}\n'
  } >"$LOCAL/peers.json.tmp" && mv -f "$LOCAL/peers.json.tmp" "$LOCAL/peers.json"
else
  rm -f "$LOCAL/peers.json"
fi

echo "[e2e-peers] summary:"
for s in "${SUMMARY[@]}"; do echo "  $s"; done
if [ "${#FAILED[@]}" -gt 0 ]; then
  echo "[e2e-peers] failures:" >&2
  for f in "${FAILED[@]}"; do echo "  $f" >&2; done
  exit 1
fi
exit 0
