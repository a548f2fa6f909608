#!/usr/bin/env bash
# Builds the Python release artifacts: an abi3 wheel tagged manylinux2014 (glibc 2.17, so it
# installs on old and new Linux alike) and an sdist.
#
#   bindings/python/package.sh [--profile release|dev] [--out DIR] [--no-sdist-check]
#
# The wheel is linked by zig against glibc 2.17 (`maturin build --zig --compatibility
# manylinux2014`, zig from the pinned `ziglang` package) and checked by the pinned `auditwheel
# show`: the script fails unless the wheel is abi3 and manylinux_2_17 or older. The sdist
# (`maturin sdist`) is then built into a wheel from nothing but its own contents (a fresh target
# dir, no network for the crates: they come from cargo's cache), installed into a fresh venv
# and imported, unless --no-sdist-check (bindings/python/test.sh passes it: that build is a
# whole second compile). The tools are pinned in requirements-test.txt/constraints-test.txt and
# installed into the repo's .venv (reinstalled only when the pins change).
#
# Defaults: --profile release, --out target/dist/python. The zig build has its own target dir
# ($CARGO_TARGET_DIR/manylinux2014): a different linker changes every unit's fingerprint, so
# sharing target/ would make it and the other builds recompile each other's dependencies.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"

profile=release
out="$CARGO_TARGET_DIR/dist/python"
sdist_check=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --profile) profile="${2:?--profile needs release or dev}"; shift 2 ;;
    --out) out="${2:?--out needs a directory}"; shift 2 ;;
    --no-sdist-check) sdist_check=0; shift ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "package.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$profile" in
  release|dev) ;;
  *) echo "package.sh: --profile is release or dev, not $profile" >&2; exit 2 ;;
esac
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# 1. The venv, with the pinned tools (maturin, ziglang, auditwheel and the test tools).
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
# maturin finds zig as `python -m ziglang` of the python on PATH.
export PATH="$VENV/bin:$PATH"

# 2. The manylinux2014 abi3 wheel.
rm -f "$out"/partnerdesk-*.whl "$out"/partnerdesk-*.tar.gz
CARGO_TARGET_DIR="$CARGO_TARGET_DIR/manylinux2014" \
  maturin build --quiet --manifest-path "$HERE/Cargo.toml" --profile "$profile" \
  --zig --compatibility manylinux2014 --interpreter "$PY" --out "$out"
wheels=("$out"/partnerdesk-*.whl)
if [[ ${#wheels[@]} -ne 1 || ! -f ${wheels[0]} ]]; then
  echo "package.sh: expected one wheel in $out, found: ${wheels[*]}" >&2
  exit 1
fi
wheel="${wheels[0]}"

# 3. The wheel's tags and the symbols it really uses allow glibc 2.17 (or older) and abi3.
"$PY" "$HERE/check_wheel.py" "$wheel"
report="$(auditwheel show "$wheel")"
if ! grep -Eq '"manylinux_2_(5|12|17)_x86_64"' <<<"$report"; then
  echo "$report" >&2
  echo "package.sh: auditwheel does not find the wheel manylinux_2_17 or older" >&2
  exit 1
fi

# 4. The sdist, and (unless --no-sdist-check) a wheel built from it alone that installs.
maturin sdist --manifest-path "$HERE/Cargo.toml" --out "$out"
sdist="$(ls "$out"/partnerdesk-*.tar.gz)"
if [[ $sdist_check -eq 1 ]]; then
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  tar -xzf "$sdist" -C "$scratch"
  # pip builds it the way an installer would (PEP 517, maturin as the backend, same profile).
  MATURIN_PEP517_ARGS="--profile $profile" CARGO_TARGET_DIR="$scratch/target" \
    "$PY" -m pip wheel --quiet --disable-pip-version-check --no-build-isolation --no-deps \
    --wheel-dir "$scratch/wheel" "$sdist"
  "$PYTHON" -m venv "$scratch/venv"
  "$scratch/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index \
    "$scratch"/wheel/partnerdesk-*.whl
  (cd "$scratch" && "$scratch/venv/bin/python" -c \
    'import partnerdesk; d, now = partnerdesk.demo_portfolio(100, seed=1); print("wheel from the sdist:", d.search("mtd>=0", now=now).total, "customers,", partnerdesk.__file__)')
fi

echo "wheel: $wheel"
echo "sdist: $sdist"
