#!/usr/bin/env bash
# npm run test:mutation [part ...]: Stryker over each part of stryker.config.mjs in turn (all by
# default), under nice, then the score per part. Each part keeps its incremental state in
# test/mutation/incremental/<part>.json; commit those files after a run.
set -euo pipefail
cd "$(dirname "$0")/../.."
parts=("$@")
if [ ${#parts[@]} -eq 0 ]; then parts=(kustomize pipeline merge validate validate-shared reference); fi
status=0
for part in "${parts[@]}"; do
  echo "== mutation testing: $part"
  start=$(date +%s)
  MUTATION_PART="$part" nice -n 10 npx stryker run stryker.config.mjs || status=1
  echo "== $part took $(( $(date +%s) - start ))s"
done
node test/mutation/scores.mjs "${parts[@]}" || status=1
exit $status
