#!/usr/bin/env bash
# npm run test:cluster: builds (or finds cached) the control plane and Argo CD's CRDs, then runs the
# cluster suite. When a peer cannot be built, the suite still runs: under CI or E2E_REQUIRED=1 it
# fails on the missing binary; elsewhere it reports itself skipped with the reason.
set -uo pipefail
cd "$(dirname "$0")/../.."
status=0
nice -n 10 bash test/peers/kube/build.sh || status=$?
bash test/peers/argocd-crds/fetch.sh || status=$?
bash test/peers/keda-crds/fetch.sh || status=$?
if [ "$status" -ne 0 ]; then
  if [ -n "${CI:-}" ] || [ "${E2E_REQUIRED:-}" = 1 ]; then
    echo "[test:cluster] a peer could not be built (see above); the cluster suite is required here" >&2
  else
    echo "[test:cluster] a peer could not be built (see above); the cluster suite will report itself skipped" >&2
  fi
fi
exec npx vitest run --config vitest.cluster.config.ts "$@"
