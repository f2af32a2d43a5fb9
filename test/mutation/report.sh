#!/usr/bin/env bash
# Regenerates the score table and the survivor lists of test/mutation/REPORT.md from the JSON reports
# of the last run (reports/mutation/<part>.json, else the part's committed incremental state); the text above
# the marker line is kept.
set -euo pipefail
cd "$(dirname "$0")/../.."
report=test/mutation/REPORT.md
parts=("$@")
if [ ${#parts[@]} -eq 0 ]; then parts=(kustomize pipeline merge validate validate-shared reference); fi
have=()
# A part without a report of this run keeps the numbers of its committed incremental state.
for p in "${parts[@]}"; do [ -f "reports/mutation/$p.json" ] || [ -f "test/mutation/incremental/$p.json" ] && have+=("$p"); done
head=$(sed '/^<!-- generated below -->$/q' "$report")
{
  echo "$head"
  echo
  echo '```'
  node test/mutation/scores.mjs "${have[@]}" || true
  echo '```'
  node test/mutation/survivors.mjs "${have[@]}"
} > "$report.new"
mv "$report.new" "$report"
