#!/usr/bin/env bash
# Builds the control plane the cluster tests (npm run test:cluster) start:
#
#   kube-apiserver, kube-scheduler, kube-controller-manager   k8s.io/kubernetes v1.37.2   (./go.mod)
#   etcd                                                      go.etcd.io/etcd/server/v3 v3.7.0 (./etcd/go.mod)
#   kwok                                                      sigs.k8s.io/kwok v0.8.0     (./kwok/go.mod)
#
# Everything comes from the Go module proxy; the versions and checksums are the committed
# go.mod/go.sum files next to this script. Output, outside the clone and shared by clones:
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube/kube-v1.37.2/bin/<binary>
#   ${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube/kube-v1.37.2/bin/<binary>.stamp   (skip key)
#   ${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube/go/{mod,build}                    (GOMODCACHE/GOCACHE)
#
# Idempotent: a binary is rebuilt only when its stamp (its module's go.mod + go.sum, the Go
# version, the build flags) changed. Exits non-zero when any binary cannot be built.
# About 20 minutes cold on two cores (kube-apiserver and kube-controller-manager dominate);
# seconds when cached. Run with `nice` on shared machines: `nice -n 10 bash test/peers/kube/build.sh`.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KUBE_VERSION=v1.37.2
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube"
BIN="$CACHE_ROOT/kube-$KUBE_VERSION/bin"
mkdir -p "$BIN" "$CACHE_ROOT/go/mod" "$CACHE_ROOT/go/build"

export GOMODCACHE="$CACHE_ROOT/go/mod"
export GOCACHE="$CACHE_ROOT/go/build"
export GOFLAGS="-modcacherw -buildvcs=false"
export CGO_ENABLED=0
# The go.mod files pin everything; never let a newer toolchain be fetched behind our back.
export GOTOOLCHAIN=local

note() { echo "[kube-peer] $*"; }
FAILED=()

if ! command -v go >/dev/null; then
  echo "[kube-peer] FAILED: no 'go' on PATH (Go >= 1.26 is needed)" >&2
  exit 1
fi
GO_VERSION="$(go env GOVERSION)"

# Version stamped into the Kubernetes binaries, as the release build does (hack/lib/version.sh);
# without it they report v0.0.0-master and kubectl warns about version skew.
KUBE_LDFLAGS="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  KUBE_LDFLAGS+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=37"
  KUBE_LDFLAGS+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

# build NAME MODULE_DIR PACKAGE LDFLAGS
build() {
  local name="$1" dir="$2" pkg="$3" ldflags="$4"
  local out="$BIN/$name" stamp="$BIN/$name.stamp" want
  want="$(cat "$dir/go.mod" "$dir/go.sum" | sha256sum | cut -d' ' -f1) $GO_VERSION $pkg $ldflags"
  if [ -x "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    note "$name: cached ($out)"
    return 0
  fi
  note "$name: building $pkg ..."
  local start=$SECONDS log="$BIN/$name.build.log"
  rm -f "$stamp"
  if (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$out.tmp" "$pkg") >"$log" 2>&1; then
    mv "$out.tmp" "$out"
    echo "$want" >"$stamp"
    note "$name: built in $((SECONDS - start))s"
  else
    rm -f "$out.tmp"
    echo "[kube-peer] FAILED: $name ($pkg), see $log:" >&2
    tail -n 20 "$log" >&2
    FAILED+=("$name")
  fi
}

build etcd "$HERE/etcd" go.etcd.io/etcd/server/v3 "-s -w"
build kwok "$HERE/kwok" sigs.k8s.io/kwok/cmd/kwok "-s -w"
# kwok fakes nothing without stages. These are the ones kwokctl installs by default
# (pkg/kwokctl/runtime/cluster.go): node-initialize, a heartbeat with node leases, and the
# "fast" pod stages (ready with an IP at once, Job pods complete, deleted pods go away),
# taken from the same pinned module so they match the binary.
kwok_stages() {
  local dir
  if ! dir="$(cd "$HERE/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok 2>"$BIN/kwok-stages.log")" || [ -z "$dir" ]; then
    echo "[kube-peer] FAILED: kwok stages: cannot locate sigs.k8s.io/kwok in the module cache (see $BIN/kwok-stages.log)" >&2
    FAILED+=("kwok-stages")
    return
  fi
  local s="$dir/kustomize/stage" f out="$BIN/kwok-stages.yaml.tmp"
  : >"$out"
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    if [ ! -f "$s/$f" ]; then
      echo "[kube-peer] FAILED: kwok stage $f missing from $s" >&2
      FAILED+=("kwok-stages")
      rm -f "$out"
      return
    fi
    { echo "---"; cat "$s/$f"; } >>"$out"
  done
  mv "$out" "$BIN/kwok-stages.yaml"
}
kwok_stages

build kube-apiserver "$HERE" k8s.io/kubernetes/cmd/kube-apiserver "$KUBE_LDFLAGS"
build kube-scheduler "$HERE" k8s.io/kubernetes/cmd/kube-scheduler "$KUBE_LDFLAGS"
build kube-controller-manager "$HERE" k8s.io/kubernetes/cmd/kube-controller-manager "$KUBE_LDFLAGS"

if [ "${#FAILED[@]}" -ne 0 ]; then
  echo "[kube-peer] FAILED to build: ${FAILED[*]}" >&2
  exit 1
fi
note "all binaries in $BIN"
