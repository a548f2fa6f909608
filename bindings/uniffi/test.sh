#!/usr/bin/env bash
# Kotlin and Swift bindings (uniffi): build the library, generate the bindings, run the Kotlin
# suite on the JVM (Maven, JNA, JUnit) and check the Swift output (compile and test it where a
# Swift toolchain exists). Called by scripts/test.sh; works from any directory.
#
# Everything it installs goes under bindings/uniffi/out/ (git-ignored): the generated sources
# and Maven's local repository (pinned versions in kotlin/pom.xml).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
out="$here/out"
libdir="$CARGO_TARGET_DIR/debug"
lib="$libdir/libpartnerdesk_uniffi.so"

say() { printf -- '--- uniffi: %s\n' "$*"; }

# Java and Maven come with the machine; install them where they do not (Debian, as root).
if ! command -v mvn >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
  say "installing Maven and a JDK (apt-get)"
  apt-get update -qq && apt-get install -y -qq maven default-jdk-headless >/dev/null
fi

# 1. The library, dev profile: never a symbol-stripped build, the bindgen reads its metadata
#    symbols (toolchains.md U1). The bindgen is built in dev too (U2).
say "building libpartnerdesk_uniffi and uniffi-bindgen (dev)"
cargo build --quiet -p partnerdesk-uniffi -p partnerdesk-uniffi-bindgen
bindgen="$CARGO_TARGET_DIR/debug/uniffi-bindgen"

# 2. Generate Kotlin and Swift (not committed). Library mode reads uniffi.toml from the crate.
say "generating Kotlin and Swift sources"
rm -rf "$out/kotlin" "$out/swift"
mkdir -p "$out/kotlin" "$out/swift"
"$bindgen" generate --no-format --library "$lib" --language kotlin --out-dir "$out/kotlin" >/dev/null
"$bindgen" generate --no-format --library "$lib" --language swift --out-dir "$out/swift" >/dev/null

# 3. Swift: check that the module, header and modulemap are there and agree.
say "checking the Swift module"
"$here/swift/check.sh" "$out/swift" "$libdir"

# 4. Kotlin on the JVM: Maven compiles the generated sources with the tests and runs them with
#    JNA loading the dev library. Quiet, but the Surefire summary is printed below.
say "Kotlin suite (Maven, kotlin-maven-plugin, JNA, JUnit)"
reports="$here/kotlin/target/surefire-reports"
# A clean build dir: no stale classes of removed tests or of older generated sources.
rm -rf "$here/kotlin/target"
# Debian's Maven 3.8 prints colour resets even in batch mode: strip them.
set +e
mvn -q -B -f "$here/kotlin/pom.xml" \
  -Dmaven.repo.local="$out/m2" \
  -Dpartnerdesk.generated="$out/kotlin" \
  -Dpartnerdesk.libdir="$libdir" \
  test 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g' -e '/^$/d'
status=${PIPESTATUS[0]}
set -e
# Surefire's own summary is an INFO line, which -q hides: print it from its reports.
if compgen -G "$reports/*.txt" >/dev/null; then
  grep -h '^Tests run:' "$reports"/*.txt
  awk -F'[:,]' '/^Tests run:/ { t += $2; f += $4; e += $6; s += $8 }
    END { printf "Tests run: %d, Failures: %d, Errors: %d, Skipped: %d\n", t, f, e, s }' \
    "$reports"/*.txt
else
  echo "no Surefire reports were written" >&2
  status=1
fi
exit "$status"
