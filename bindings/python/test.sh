#!/usr/bin/env bash
# Builds the release-shaped partnerdesk wheel with package.sh (abi3, manylinux2014 via zig; dev
# profile to keep CI time; package.sh also sets up the repo's .venv with the pinned tools),
# asserts its tags, installs it into a clean venv and runs the Python quick start there (not
# the source tree), then installs it into .venv, checks the type stubs against the module
# (mypy.stubtest) and runs pytest, including the quick start again and the official Huawei SDK
# interop check. Works from any directory. The sdist is built here but built into a wheel and
# installed only by package.sh without --no-sdist-check (a whole second compile).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

# 1. The wheel and sdist, as released (dev profile), into the .venv's pinned tools.
DIST="$CARGO_TARGET_DIR/wheels/partnerdesk-python"
rm -rf "$DIST"
"$HERE/package.sh" --profile dev --out "$DIST" --no-sdist-check
wheel="$(ls "$DIST"/partnerdesk-*.whl)"
"$PY" "$HERE/check_wheel.py" "$wheel"

# 2. The error stubs (.pyi) and the README's table agree with the core's Error::TABLE.
cargo test --quiet -p partnerdesk-host --test error_tables

# 3. The quick start against the wheel installed into a clean venv (nothing else in it), run
# from a scratch folder: the test below checks its output and where partnerdesk came from.
clean="$(mktemp -d)"
trap 'rm -rf "$clean"' EXIT
"$PYTHON" -m venv "$clean/venv"
"$clean/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "$wheel"
export PARTNERDESK_QUICKSTART_PYTHON="$clean/venv/bin/python"
"$PY" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel"

# 4. The hand-written stubs match the module.
(cd "$HERE" && "$PY" -m mypy.stubtest partnerdesk._partnerdesk --mypy-config-file "$HERE/tests/mypy.ini")

# 5. The tests and the quick start type-check against the stubs (what users' mypy sees).
"$PY" -m mypy --config-file "$HERE/tests/mypy.ini" --cache-dir "$VENV/.mypy_cache" \
  "$HERE/tests" "$ROOT/examples/python/quickstart.py" "$ROOT/examples/python/huawei_sdk_recipe.py"

# 6. The tests (run from outside the source tree, so they import the installed wheel).
cd "$HERE/tests"
"$PY" -m pytest -q -p no:cacheprovider .
