#!/usr/bin/env bash
# What a Python or Node call adds over the Rust call for a page of 20 rows (issue 18 item 6),
# side by side from one command:
#
#     benches/binding_overhead.sh python|node [host script options]
#
# Builds the host's release artifact first (the wheel by maturin into the bench venv of
# bindings/python/bench/run.sh, or the addon by `napi build --release`), then runs the Rust
# benchmark (criterion, benches/benches/binding_overhead.rs) and right after it the host's
# script (bindings/python/bench/bench_overhead.py, bindings/node/bench/bench_overhead.mjs),
# which reads criterion's medians and prints Rust, host and host minus Rust for each case.
# Prints the commit, the machine and the load average before each timed run: other work on
# the machine moves these figures, so rerun when the load is high. By hand only, not in CI.
set -euo pipefail
usage() { echo "usage: $0 python|node [host script options]" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
HOST="$1"
shift
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
load() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"; }

dirty=""
git -C "$ROOT" diff --quiet HEAD || dirty=" (with uncommitted changes)"
echo "commit $(git -C "$ROOT" rev-parse --short HEAD)$dirty; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"

case "$HOST" in
  python)
    VENV="$CARGO_TARGET_DIR/bench-venv"
    [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "maturin==1.16.0" "polars==2.1.0" "pandas==3.1.1"
    OUT="$CARGO_TARGET_DIR/wheels/partnerdesk-bench"
    rm -rf "$OUT"
    "$VENV/bin/maturin" build --quiet --release --manifest-path "$ROOT/bindings/python/Cargo.toml" --interpreter "$VENV/bin/python" --out "$OUT"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$OUT"/partnerdesk-*.whl
    run_host() { "$VENV/bin/python" "$ROOT/bindings/python/bench/bench_overhead.py" "$@"; }
    ;;
  node)
    cd "$ROOT/bindings/node"
    [[ -d node_modules/@napi-rs/cli ]] || npm ci --no-audit --no-fund
    npx napi build --platform --release --no-const-enum >/dev/null
    run_host() { node "$ROOT/bindings/node/bench/bench_overhead.mjs" "$@"; }
    ;;
  *) usage ;;
esac

echo "--- Rust (criterion), $(load)"
cargo bench --quiet -p partnerdesk-benches --bench binding_overhead -- --noplot 2>&1 | grep -E '^(binding_overhead|q1|q5)|time:'
echo "--- $HOST, $(load)"
run_host --rust "$CARGO_TARGET_DIR/criterion" "$@"
load
