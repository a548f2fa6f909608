#!/usr/bin/env bash
# The Node package's test command (called by scripts/test.sh): installs the pinned toolchain
# from the committed lockfile (failing on an EBADENGINE warning), checks the generated error
# tables against the core's (cargo test --test error_tables), builds the addon and the two
# release tarballs with package.sh (dev profile), checks that the committed index.d.ts /
# index.js have not drifted from what `napi build` generates, type-checks the quick start and
# the Huawei SDK recipe, and runs `node --test` (which also installs both tarballs offline into
# a fresh project, requires and imports the package there and runs the quick start against
# that install, and runs the Huawei SDK recipe against a loopback stand-in).
set -euo pipefail
cd "$(dirname "$0")"
root="$(cd ../.. && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_TERM_COLOR=never

echo "--- npm ci (exact dev tools from package-lock.json; none may warn EBADENGINE on this Node)"
npm_log="$(mktemp)"
npm ci --no-audit --no-fund 2>&1 | tee "$npm_log"
if grep -q EBADENGINE "$npm_log"; then
  echo "npm ci warned EBADENGINE on Node $(node --version): pin dev tools that support it" \
    "(package.json devDependencies or overrides) or state the truth in engines and README.md" >&2
  exit 1
fi
rm -f "$npm_log"

echo "--- the Node error typings, README table and test fixture match the core's error table"
(cd "$root" && cargo test -q -p partnerdesk-host --test error_tables)

echo "--- package.sh (napi build, dev profile; npm pack of the main and the platform package)"
committed="$(mktemp -d)"
dist="$(mktemp -d)"
trap 'rm -rf "$committed" "$dist"' EXIT
for f in index.d.ts index.js; do
  if [[ ! -f $f ]]; then
    echo "$f is missing: run 'npx napi build --platform --no-const-enum' and commit it" >&2
    exit 1
  fi
  cp "$f" "$committed/$f"
done
./package.sh --profile dev --out "$dist"

echo "--- generated bindings have no drift"
for f in index.d.ts index.js; do
  if ! diff -u "$committed/$f" "$f"; then
    echo "$f differs from what napi build generates: commit the regenerated file" >&2
    exit 1
  fi
done

echo "--- tsc --noEmit (quick start, Huawei SDK recipe, tests against index.d.ts)"
npx tsc -p tsconfig.json

echo "--- node --test"
PARTNERDESK_NPM_TARBALLS="$dist" node --expose-gc --test --test-reporter=spec __test__/
