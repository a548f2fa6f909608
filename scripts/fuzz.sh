#!/usr/bin/env bash
# Runs every fuzz target (fuzz/, docs/fuzzing.md), built with the `fuzz` profile (release with
# overflow checks and debug assertions).
#
#   scripts/fuzz.sh                 briefly: 15 s per target, under two minutes in all (CI)
#   scripts/fuzz.sh --long          1,000,000 inputs per target, no time limit
#   scripts/fuzz.sh [--long] [runner options...]   e.g. --seed 0x2a, --cases 50000, or a
#                                   target name first: scripts/fuzz.sh cursor --seconds 60
#
# Exits non-zero when a target has a finding (its input is saved under fuzz/findings/) or
# dies (a stack overflow cannot be caught: rerun that target with --save-each to keep the
# input it died on, in fuzz/findings/<target>.current).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

long=false
if [[ ${1:-} == --long ]]; then
  long=true
  shift
fi

# The `fuzz` profile is `release` with overflow checks and debug assertions (Cargo.toml).
cargo build --quiet --profile fuzz -p partnerdesk-fuzz
bin="$CARGO_TARGET_DIR/fuzz/partnerdesk-fuzz"

targets=()
if [[ $# -gt 0 && ${1:-} != -* ]]; then
  targets=("$1")
  shift
else
  mapfile -t targets < <("$bin" --list | awk '{print $1}')
fi

if $long; then
  budget=(--cases 1000000)
else
  budget=(--cases 1000000 --seconds 15)
fi

failed=()
for t in "${targets[@]}"; do
  set +e
  "$bin" "$t" "${budget[@]}" "$@"
  status=$?
  set -e
  if [[ $status -ne 0 ]]; then
    if [[ $status -gt 128 ]]; then
      echo "$t: the runner died (signal $((status - 128)), e.g. a stack overflow); rerun with: scripts/fuzz.sh $t --save-each $*" >&2
    fi
    failed+=("$t")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: findings in: ${failed[*]} (inputs under fuzz/findings/)" >&2
  exit 1
fi
echo "fuzz: no findings"
