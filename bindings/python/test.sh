#!/usr/bin/env bash
# Builds the partnerdesk wheel (abi3, maturin) inside the repo's .venv, installs it, checks the
# type stubs against the module (mypy.stubtest) and runs pytest, including the Python quick
# start and the official Huawei SDK interop check. Works from any directory; installs what it
# needs itself (pinned) into .venv at the repo root, which .gitignore covers.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"

# 1. The venv, with pinned tools; reinstalled only when the pins change.
stamp="$VENV/.partnerdesk-python-requirements"
want="$(cat "$HERE/requirements-test.txt" "$HERE/constraints-test.txt" | sha256sum | cut -d' ' -f1)"
if [[ ! -x "$VENV/bin/python" ]]; then
  "$PYTHON" -m venv "$VENV"
fi
if [[ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$HERE/requirements-test.txt" -c "$HERE/constraints-test.txt"
  echo "$want" > "$stamp"
fi
PY="$VENV/bin/python"

# 2. The error stubs (.pyi) and the README's table agree with the core's Error::TABLE.
cargo test --quiet -p partnerdesk-host --test error_tables

# 3. Build the abi3 wheel (dev profile: fast, shares the workspace target dir) and install it.
WHEELS="$CARGO_TARGET_DIR/wheels/partnerdesk-python"
rm -rf "$WHEELS"
"$VENV/bin/maturin" build --quiet --manifest-path "$HERE/Cargo.toml" --profile dev \
  --interpreter "$PY" --out "$WHEELS"
wheel="$(ls "$WHEELS"/partnerdesk-*-abi3-*.whl)"
"$PY" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel"

# 4. The hand-written stubs match the module.
(cd "$HERE" && "$PY" -m mypy.stubtest partnerdesk._partnerdesk --mypy-config-file "$HERE/tests/mypy.ini")

# 5. The tests and the quick start type-check against the stubs (what users' mypy sees).
"$PY" -m mypy --config-file "$HERE/tests/mypy.ini" --cache-dir "$VENV/.mypy_cache" \
  "$HERE/tests" "$ROOT/examples/python/quickstart.py"

# 6. The tests (run from outside the source tree, so they import the installed wheel).
cd "$HERE/tests"
"$PY" -m pytest -q -p no:cacheprovider .
