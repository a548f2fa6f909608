#!/usr/bin/env bash
# Builds what the Kotlin artifact (bindings/uniffi/kotlin/pom.xml) and the Swift package are
# made of, into bindings/uniffi/out/ (git-ignored):
#
#   out/kotlin/src/com/partnerdesk/partnerdesk_uniffi.kt          the generated Kotlin sources
#   out/kotlin/resources/<jna-prefix>/libpartnerdesk_uniffi.so    the native library, where JNA
#                                                                  finds it on the class path
#   out/swift/PartnerDesk.swift, PartnerDeskFFI.h, PartnerDeskFFI.modulemap
#
# Usage: bindings/uniffi/build.sh [--release]
#   (default) dev profile: the library the test suite uses; the copy in the jar has its debug
#             information stripped (symbols kept), so the jar stays small.
#   --release the release profile (scripts/package.sh kotlin); the copy in the jar is stripped
#             of its symbol table too, which JNA does not need.
# Both generate from the library as cargo built it, never from a stripped copy: the bindgen
# reads uniffi's metadata from the symbol table (toolchains.md U1). The bindgen is always a
# dev build (U2) and is the crate bindings/uniffi-bindgen, pinned to the same uniffi.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
out="$here/out"

profile=debug
case "${1:-}" in
  "") ;;
  --release) profile=release ;;
  *) echo "usage: $0 [--release]" >&2; exit 2 ;;
esac

say() { printf -- '--- uniffi build: %s\n' "$*"; }

# JNA's resource prefix and the library's file name on this machine (JNA's Platform rules).
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) jna_prefix=linux-x86-64 ;;
  Linux-aarch64) jna_prefix=linux-aarch64 ;;
  Darwin-arm64) jna_prefix=darwin-aarch64 ;;
  Darwin-x86_64) jna_prefix=darwin-x86-64 ;;
  *) echo "unsupported build host: $(uname -s) $(uname -m)" >&2; exit 1 ;;
esac
case "$(uname -s)" in
  Darwin) libname=libpartnerdesk_uniffi.dylib ;;
  *) libname=libpartnerdesk_uniffi.so ;;
esac

say "cargo build ($profile): partnerdesk-uniffi; uniffi-bindgen (dev)"
if [[ $profile == release ]]; then
  cargo build --quiet --release -p partnerdesk-uniffi
  cargo build --quiet -p partnerdesk-uniffi-bindgen
else
  cargo build --quiet -p partnerdesk-uniffi -p partnerdesk-uniffi-bindgen
fi
lib="$CARGO_TARGET_DIR/$profile/$libname"
bindgen="$CARGO_TARGET_DIR/debug/uniffi-bindgen"

say "generating Kotlin and Swift from $lib"
rm -rf "$out/kotlin" "$out/swift"
mkdir -p "$out/kotlin/src" "$out/kotlin/resources/$jna_prefix" "$out/swift"
# Library mode reads uniffi.toml from the crate's folder (package com.partnerdesk, module
# PartnerDesk). A library without its symbol table fails here with "No UniFFI metadata".
"$bindgen" generate --no-format --library "$lib" --language kotlin --out-dir "$out/kotlin/src" >/dev/null
"$bindgen" generate --no-format --library "$lib" --language swift --out-dir "$out/swift" >/dev/null

# The copy that goes into the jar: JNA needs only the dynamic symbols.
strip_args=(--strip-debug)
[[ $profile == release ]] && strip_args=(--strip-unneeded)
if command -v strip >/dev/null 2>&1 && [[ $(uname -s) == Linux ]]; then
  strip "${strip_args[@]}" -o "$out/kotlin/resources/$jna_prefix/$libname" "$lib"
else
  cp "$lib" "$out/kotlin/resources/$jna_prefix/$libname"
fi

say "ready: $out/kotlin (sources, $jna_prefix/$libname $(du -h "$out/kotlin/resources/$jna_prefix/$libname" | cut -f1)), $out/swift"
