#!/usr/bin/env bash
# Checks the generated Swift bindings: consistency always (check.py), then compiles and runs the
# Swift smoke suite (main.swift) where a Swift toolchain exists.
# Usage: check.sh OUT_DIR LIBRARY_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$1"
libdir="$2"

python3 "$here/check.py" "$out" "$libdir/libpartnerdesk_uniffi.so" "$here/../uniffi.toml"

if ! command -v swiftc >/dev/null 2>&1; then
  echo "swift: skipped: no Swift toolchain (swiftc not found); the generated module was checked above but not compiled"
  exit 0
fi
build="$out/build"
mkdir -p "$build"
swiftc -module-name PartnerDeskSmoke \
  -I "$out" -Xcc -fmodule-map-file="$out/PartnerDeskFFI.modulemap" \
  -Xcc -fmodule-map-file="$out/PartnerDeskHostFFI.modulemap" \
  "$out/PartnerDesk.swift" "$out/PartnerDeskHost.swift" "$here/main.swift" \
  -L "$libdir" -lpartnerdesk_uniffi -Xlinker -rpath -Xlinker "$libdir" \
  -o "$build/partnerdesk-swift-smoke"
"$build/partnerdesk-swift-smoke"
