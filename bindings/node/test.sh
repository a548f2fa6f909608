#!/usr/bin/env bash
# The Node package's test command (called by scripts/test.sh): installs the pinned toolchain
# from the committed lockfile, builds the addon (dev profile), checks that the committed
# index.d.ts / index.js have not drifted from what `napi build` generates, type-checks the quick
# start, and runs `node --test` (which also packs, installs, requires and imports the package).
set -euo pipefail
cd "$(dirname "$0")"
root="$(cd ../.. && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_TERM_COLOR=never

echo "--- npm ci (exact @napi-rs/cli and typescript from package-lock.json)"
npm ci --no-audit --no-fund --loglevel=error

echo "--- napi build (dev profile)"
committed="$(mktemp -d)"
trap 'rm -rf "$committed"' EXIT
for f in index.d.ts index.js; do
  if [[ ! -f $f ]]; then
    echo "$f is missing: run 'npx napi build --platform --no-const-enum' and commit it" >&2
    exit 1
  fi
  cp "$f" "$committed/$f"
done
npx napi build --platform --no-const-enum

echo "--- generated bindings have no drift"
for f in index.d.ts index.js; do
  if ! diff -u "$committed/$f" "$f"; then
    echo "$f differs from what napi build generates: commit the regenerated file" >&2
    exit 1
  fi
done

echo "--- tsc --noEmit (quick start against index.d.ts)"
npx tsc -p tsconfig.json

echo "--- node --test"
node --expose-gc --test --test-reporter=spec __test__/
