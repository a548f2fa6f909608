#!/usr/bin/env bash
# Runs every fuzz target (fuzz/, docs/fuzzing.md).
#
#   scripts/fuzz.sh                 briefly (CI, scripts/test.sh): a fixed number of inputs per
#                                   target (the first inputs of seed 0x5eed, so the same inputs
#                                   every run), built with the `dev` profile, which
#                                   scripts/test.sh has already built everything else of; each
#                                   target is capped at 14 s, so the whole run, build included,
#                                   stays under two minutes
#   scripts/fuzz.sh --long          1,000,000 inputs per target, `fuzz` profile (release with
#                                   overflow checks and debug assertions), no time limit
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

# Both profiles check overflows and debug assertions: `dev` by default, `fuzz` is `release`
# with both turned on (Cargo.toml). `fuzz` runs 15 to 40 times faster but takes minutes to
# build after a change of the core; `dev` builds in seconds once the tests are built.
if $long; then
  cargo build --quiet --profile fuzz -p partnerdesk-fuzz
  bin="$CARGO_TARGET_DIR/fuzz/partnerdesk-fuzz"
else
  cargo build --quiet -p partnerdesk-fuzz
  bin="$CARGO_TARGET_DIR/debug/partnerdesk-fuzz"
fi

targets=()
if [[ $# -gt 0 && ${1:-} != -* ]]; then
  targets=("$1")
  shift
else
  mapfile -t targets < <("$bin" --list | awk '{print $1}')
fi

# Brief mode: inputs per target, about 5 s each on the development machine under load (the
# cheap targets run many more inputs than those that load and save a whole desk).
brief_cases() {
  case $1 in
    filter | cursor) echo 20000 ;;
    events) echo 1000 ;;
    export) echo 800 ;;
    builders | snapshot) echo 600 ;;
    ops) echo 80 ;;
    *) echo 500 ;;
  esac
}

failed=()
for t in "${targets[@]}"; do
  if $long; then
    budget=(--cases 1000000)
  else
    budget=(--cases "$(brief_cases "$t")" --seconds 14)
  fi
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
