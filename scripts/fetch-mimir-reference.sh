#!/usr/bin/env bash
# Fetches the configuration reference of the Mimir version after the pinned one, for regenerating its
# facts (lib/mimir/reference/mimir-3.1-dev*.json):
#
#   bash scripts/fetch-mimir-reference.sh && npm run reference -- ~/.cache/mimir-kube/reference/mimir-3.1-dev --version 3.1-dev
#
# Mimir has no release after 3.0 yet: its main branch at the commit below is the successor. Only the
# descriptor is fetched; the hidden fields and the binary's own flags, which it leaves out, are the
# pinned version's lists (../shared) minus what that main's CHANGELOG says was removed
# (-compactor.in-memory-tenant-meta-cache-size, #13131). Mimir is AGPL-3.0: the reference stays in the
# cache, only the derived facts (names, types, defaults) are committed.
set -euo pipefail
commit=4f9ab9cc5ab5dd639451ca1cbdb6f81af0ed4a0e
dir="${XDG_CACHE_HOME:-$HOME/.cache}/mimir-kube/reference/mimir-3.1-dev"
shared="$(dirname "$0")/../../shared/reference/mimir"
mkdir -p "$dir"
if [ ! -s "$dir/config-descriptor.json" ]; then
  curl -fsSL "https://raw.githubusercontent.com/grafana/mimir/$commit/cmd/mimir/config-descriptor.json" \
    -o "$dir/config-descriptor.json.tmp"
  mv "$dir/config-descriptor.json.tmp" "$dir/config-descriptor.json"
fi
grep -v -x 'compactor.in-memory-tenant-meta-cache-size' "$shared/extra-flags.txt" > "$dir/extra-flags.txt"
grep -v -x 'limits.compactor_in_memory_tenant_meta_cache_size' "$shared/hidden-fields.txt" > "$dir/hidden-fields.txt"
echo "$dir"
