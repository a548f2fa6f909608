#!/usr/bin/env bash
# Checks that the library crates build on their declared minimum Rust version (rust-version in
# crates/partnerdesk*/Cargo.toml), so the floor we publish is the real one. Installs that
# toolchain with rustup (minimal profile) when it is missing; builds in its own target
# directory so the main one is not invalidated.
set -euo pipefail
cd "$(dirname "$0")/.."
msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' crates/partnerdesk/Cargo.toml)
huawei=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' crates/partnerdesk-huawei/Cargo.toml)
if [[ -z "$msrv" || "$msrv" != "$huawei" ]]; then
  echo "msrv.sh: crates/partnerdesk and crates/partnerdesk-huawei must declare one rust-version" >&2
  exit 1
fi
toolchain="$msrv.0"
[[ "$msrv" == *.*.* ]] && toolchain="$msrv"
if ! rustup run "$toolchain" rustc --version >/dev/null 2>&1; then
  rustup toolchain install "$toolchain" --profile minimal
fi
target="${CARGO_TARGET_DIR:-$PWD/target}/msrv"
# The lockfile pins what CI builds; --locked keeps it so.
CARGO_TARGET_DIR="$target" cargo "+$toolchain" check --locked --quiet \
  -p partnerdesk -p partnerdesk-huawei --all-features --lib
echo "msrv: partnerdesk and partnerdesk-huawei build on Rust $toolchain"
