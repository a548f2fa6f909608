#!/usr/bin/env bash
# Kotlin and Swift bindings (uniffi). Called by scripts/test.sh; works from any directory.
#
# 1. Runs the README's build commands exactly as written (bindings/uniffi/build.sh, then
#    `mvn test` in bindings/uniffi/kotlin): the JUnit suite on the JVM against the artifact's
#    classes, JNA loading the native library from the class path.
# 2. Checks the generated Swift module and the Swift package's manifest (compiles it where a
#    Swift toolchain exists).
# 3. Runs the README's sample commands exactly as written: installs
#    com.partnerdesk:partnerdesk-kotlin into the local Maven repository, then builds and runs
#    examples/kotlin (which declares only that dependency) against the installed jar, and
#    checks its output and that JNA loaded the library from inside that jar.
#
# Everything it installs goes under bindings/uniffi/out/ (git-ignored): the generated sources
# and Maven's local repository (`mvn` below is Maven with -Dmaven.repo.local=out/m2).
# The library in the jar here is the dev-profile build (debug information stripped from the
# copy); scripts/package.sh kotlin builds the release jar.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
out="$here/out"
readme="$here/README.md"

say() { printf -- '--- uniffi (%ss): %s\n' "$SECONDS" "$*"; }
# Debian's Maven 3.8 prints colour resets even in batch mode: strip them.
decolour() { sed -e 's/\x1b\[[0-9;]*m//g' -e '/^$/d' "$@"; }
fail() { printf 'FAIL %s\n' "$*" >&2; exit 1; }

# Java and Maven come with the machine; install them where they do not (Debian, as root).
if ! command -v mvn >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
  say "installing Maven and a JDK (apt-get)"
  apt-get update -qq && apt-get install -y -qq maven default-jdk-headless >/dev/null
fi

# The README's commands call `mvn`: here it is batch mode, quiet, without colours, with the
# local repository under out/ (CI caches it between steps).
export PD_M2="$out/m2"
mvn() { command mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$PD_M2" "$@"; }
export -f mvn

# The fenced block that follows the marker `<!-- test.sh: NAME -->` in the README.
readme_block() {
  awk -v marker="<!-- test.sh: $1 -->" '
    index($0, marker) == 1 { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' "$readme"
}
run_readme_block() {
  local block
  block="$(readme_block "$1")"
  [[ -n $block ]] || fail "README.md has no block marked '<!-- test.sh: $1 -->'"
  printf '    $ %s\n' "${block//$'\n'/$'\n    $ '}"
  (cd "$root" && bash -euo pipefail -c "$block")
}

# 1. The README's build commands: the library (dev), the generated sources and the native
#    resource, then the JUnit suite. A clean build dir: no stale classes of removed tests or of
#    older generated sources.
say "README build commands (build.sh, mvn test)"
rm -rf "$here/kotlin/target"
reports="$here/kotlin/target/surefire-reports"
set +e
run_readme_block build 2>&1 | decolour
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
[[ $status -eq 0 ]] || exit "$status"

# 2. Swift: the module, header and modulemap agree, and so does the package manifest.
say "checking the Swift module and Package.swift"
"$here/swift/check.sh" "$out/swift" "$CARGO_TARGET_DIR/debug"

# 3. The README's sample commands: install the artifact, build and run examples/kotlin against
#    it. No copy of the artifact from an earlier run may satisfy the dependency.
say "README sample commands (mvn install, examples/kotlin)"
rm -rf "$PD_M2/com/partnerdesk" "$root/examples/kotlin/target"
sample_out="$out/sample.out"
sample_err="$out/sample.err"
# JNA says where it found the library (java.util.logging, on stderr).
export MAVEN_OPTS="${MAVEN_OPTS:-} -Djna.debug_load=true"
sample_status=0
run_readme_block sample >"$sample_out.raw" 2>"$sample_err.raw" || sample_status=$?
decolour "$sample_out.raw" >"$sample_out"
decolour "$sample_err.raw" >"$sample_err"
if [[ $sample_status -ne 0 ]]; then
  cat "$sample_out" "$sample_err"
  fail "the sample commands failed"
fi
cat "$sample_out"

jar="$PD_M2/com/partnerdesk/partnerdesk-kotlin/0.1.0/partnerdesk-kotlin-0.1.0.jar"
pom="${jar%.jar}.pom"
checks=0
check() { # check NAME COMMAND...
  if "${@:2}"; then checks=$((checks + 1)); printf 'ok   %s\n' "$1"
  else fail "$1"; fi
}
has_line() { grep -Eq "$1" "$sample_out"; }
check "the artifact is installed" test -f "$jar"
listing="$(jar tf "$jar")"
check "the jar holds the native library at JNA's path" \
  grep -qx 'linux-x86-64/libpartnerdesk_uniffi.so' <<<"$listing"
check "the jar holds the compiled binding" grep -qx 'com/partnerdesk/Desk.class' <<<"$listing"
check "the jar holds no test classes" bash -c '! grep -q "Test.class$" <<<"$1"' _ "$listing"
check "the published pom depends on JNA and kotlin-stdlib" \
  bash -c 'grep -q "<artifactId>jna</artifactId>" "$1" && grep -q "<artifactId>kotlin-stdlib</artifactId>" "$1"' _ "$pom"
check "the sample declares only partnerdesk-kotlin" \
  bash -c '[[ $(grep -c "<dependency>" "$1") == 1 ]] && grep -q "<artifactId>partnerdesk-kotlin</artifactId>" "$1"' \
  _ "$root/examples/kotlin/pom.xml"
check "JNA loaded the library from the installed jar" \
  grep -Eq "Found library resource at jar:file:.*/partnerdesk-kotlin-0\.1\.0\.jar!/linux-x86-64/libpartnerdesk_uniffi\.so" "$sample_err"
check "sample: total" has_line '^total: [0-9]+$'
check "sample: 5 masked rows with exact CNY amounts" \
  test "$(grep -Ec '^[^ ]{32}  [^ ]+\*\*\*  [0-9]+(\.[0-9]+)? CNY$' "$sample_out")" = 5
check "sample: next page by cursor" has_line '^next page: [^ ,]{32}(, [^ ,]{32}){4}$'
check "sample: the governed freeze is done" has_line '^freeze by ops_billing: 1 done, 0 refused$'
check "sample: the row shows the freeze" has_line '^row now: frozen=account$'
check "sample: an account manager is refused" has_line '^freeze by am_000: PERMISSION_DENIED$'
check "sample: a bad filter gives its code" has_line '^bad filter: FILTER_SYNTAX$'
say "done"
echo "kotlin-sample: $checks passed, 0 failed"
