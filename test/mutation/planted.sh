#!/usr/bin/env bash
# The bugs of test/README.md's "Bugs the suite must catch", planted one at a time in a throwaway worktree
# of HEAD: each must make the suites that table names fail. Exits non-zero when a planted bug passes, or
# when the code it plants into has moved (then update the text to replace here).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
tmp=$(mktemp -d)
tree="$tmp/tree"
git worktree add --quiet --detach "$tree" HEAD
cleanup() {
  git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
ln -s "$root/node_modules" "$tree/node_modules"

status=0
# plant <name> <file> <text> <replacement> <suite ...>
plant() {
  local name=$1 file=$2 text=$3 replacement=$4
  shift 4
  git -C "$tree" checkout --quiet -- .
  if ! node -e '
    const fs = require("node:fs");
    const [file, text, replacement] = process.argv.slice(1);
    const s = fs.readFileSync(file, "utf8");
    if (!s.includes(text)) process.exit(2);
    fs.writeFileSync(file, s.replace(text, replacement));
  ' "$tree/$file" "$text" "$replacement"; then
    echo "✖ $name: the text to replace is no longer in $file"
    status=1
    return
  fi
  if (cd "$tree" && npx vitest run "$@" >"$tmp/log" 2>&1); then
    echo "✖ $name: planted in $file, and $* still pass"
    status=1
  else
    echo "✔ $name: $(sed -E "s/\x1b\[[0-9;]*m//g" "$tmp/log" | grep -E "^ +Tests " | tr -s " " | sed "s/^ //") in $*"
    sed -E "s/\x1b\[[0-9;]*m//g" "$tmp/log" | grep -E "^ +FAIL " | sed -E "s/^ +FAIL +/    ✖ /" | sort -u | head -n 8
  fi
}

plant 'the PSS check accepts runAsNonRoot: false' lib/build/validate/security.ts \
  'if (runAsNonRoot !== true)' 'if (runAsNonRoot === undefined)' test/validate-failing.test.ts
plant 'the seccomp check removed' lib/build/validate/security.ts \
  "if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')" 'if (seccomp === null)' test/validate-failing.test.ts
plant 'hostPath volumes allowed' lib/build/validate/security.ts \
  "'configMap'," "'configMap', 'hostPath'," test/validate-failing.test.ts
plant 'the ServiceAccount reference check dropped' lib/build/validate/references.ts \
  "if (sa && sa !== 'default') check(" "if (sa && sa !== 'default' && false) check(" test/validate-failing.test.ts
plant 'nulls dropped from the config before the merge' lib/build/pipeline.ts \
  'return mergeConfig(defaultConfig(), env.config);' \
  'return mergeConfig(defaultConfig(), JSON.parse(JSON.stringify(env.config ?? {}, (_k, v: unknown) => (v === null ? undefined : v))));' \
  test/pipeline.test.ts
exit $status
