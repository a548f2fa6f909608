#!/usr/bin/env bash
# The longer, randomized run of the property tests, for finding new cases (CI runs them with
# one fixed seed: scripts/test.sh). Each round draws a fresh random seed and prints it first,
# so any failure is reproduced with `PROPTEST_RNG_SEED=<seed> cargo test ...`; proptest also
# saves the shrunk case in the crate's proptest-regressions/ folder: commit that file.
#
#   scripts/proptest-long.sh [ROUNDS]     (default 10 rounds, release profile)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-10}"
export CARGO_TERM_COLOR=never
for ((i = 1; i <= rounds; i++)); do
  seed=$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')
  echo "==> round $i/$rounds: PROPTEST_RNG_SEED=$seed"
  if ! PROPTEST_RNG_SEED="$seed" cargo test --release -q -p partnerdesk -p partnerdesk-huawei; then
    echo "FAILED with PROPTEST_RNG_SEED=$seed" >&2
    exit 1
  fi
done
echo "all $rounds rounds passed"
