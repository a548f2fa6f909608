#!/usr/bin/env bash
# Builds the npm release artifacts the way napi-rs packages publish, as two `npm pack` tarballs:
#
#   partnerdesk-0.1.0.tgz                    the main package: index.js (the loader), index.d.ts,
#                                            README.md; its package.json lists the native part
#                                            as an optional dependency
#   partnerdesk-linux-x64-gnu-0.1.0.tgz      the native part for linux x64 glibc
#                                            (npm/linux-x64-gnu: os/cpu/libc fields, the .node)
#
#   bindings/node/package.sh [--profile release|dev] [--out DIR]
#
# Steps: `napi build --platform` (the given profile; it rewrites index.js/index.d.ts, which
# test.sh checks for drift), then, in a scratch copy of the package, `napi artifacts` (copies
# the .node into npm/<platform>/) then writes the optionalDependencies into
# package.json as `napi pre-publish` would (nothing is published), then `npm pack` of both.
# Defaults: --profile release, --out target/dist/node. Needs `npm ci` first (the pinned
# @napi-rs/cli); test.sh runs it.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

profile=release
out="$CARGO_TARGET_DIR/dist/node"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --profile) profile="${2:?--profile needs release or dev}"; shift 2 ;;
    --out) out="${2:?--out needs a directory}"; shift 2 ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "package.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$profile" in
  release) build_flags=(--release) ;;
  dev) build_flags=() ;;
  *) echo "package.sh: --profile is release or dev, not $profile" >&2; exit 2 ;;
esac
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$HERE"
napi="$HERE/node_modules/.bin/napi"
if [[ ! -x $napi ]]; then
  echo "package.sh: run 'npm ci' in bindings/node first (the pinned @napi-rs/cli)" >&2
  exit 1
fi

# 1. The addon and the generated loader and types.
"$napi" build --platform --no-const-enum "${build_flags[@]}"

# 2. A scratch copy of the package: the addon goes into its platform package, the main
# package.json gets the optionalDependencies (napi's own publishing steps, nothing published).
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp package.json index.js index.d.ts README.md "$stage/"
cp -r npm "$stage/npm"
mkdir "$stage/artifacts"
cp partnerdesk.*.node "$stage/artifacts/"
"$napi" artifacts --cwd "$stage" --output-dir artifacts --npm-dir npm >/dev/null
# What `napi pre-publish` does before publishing (it also needs a git checkout and the GitHub
# API, so it is not run here): each platform package becomes an optional dependency of the
# main package, at the same version.
(cd "$stage" && node -e '
  const fs = require("node:fs")
  const main = JSON.parse(fs.readFileSync("package.json", "utf8"))
  main.optionalDependencies = {}
  for (const dir of fs.readdirSync("npm").sort()) {
    const sub = JSON.parse(fs.readFileSync(`npm/${dir}/package.json`, "utf8"))
    if (sub.version !== main.version) throw new Error(`npm/${dir} is ${sub.version}, not ${main.version}: run napi version`)
    if (!fs.existsSync(`npm/${dir}/${sub.main}`)) throw new Error(`npm/${dir}/${sub.main} is missing`)
    main.optionalDependencies[sub.name] = sub.version
  }
  fs.writeFileSync("package.json", JSON.stringify(main, null, 2) + "\n")
')

# 3. The tarballs.
rm -f "$out"/partnerdesk-*.tgz
for dir in "$stage"/npm/*/ "$stage"; do
  (cd "$dir" && npm pack --silent --pack-destination "$out" >/dev/null)
done
ls "$out"/partnerdesk-*.tgz
