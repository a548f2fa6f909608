#!/usr/bin/env bash
# Builds a release wheel of the binding into a scratch venv (target/bench-venv, with polars and
# pandas) and runs bench_search.py. By hand only: CI does not run benchmarks or need polars.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="$CARGO_TARGET_DIR/bench-venv"
[[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "maturin==1.16.0" "polars==2.1.0" "pandas==3.1.1"
OUT="$CARGO_TARGET_DIR/wheels/partnerdesk-bench"
rm -rf "$OUT"
"$VENV/bin/maturin" build --quiet --release --manifest-path "$HERE/../Cargo.toml" --interpreter "$VENV/bin/python" --out "$OUT"
"$VENV/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$OUT"/partnerdesk-*.whl
"$VENV/bin/python" "$HERE/bench_search.py" "$@"
