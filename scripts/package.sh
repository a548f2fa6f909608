#!/usr/bin/env bash
# Builds partnerdesk's release artifacts, one subcommand per ecosystem, into dist/<target>/
# (git-ignored). Works from any directory.
#
#   scripts/package.sh kotlin    dist/kotlin/: com.partnerdesk:partnerdesk-kotlin:0.1.0, the jar
#                                (generated Kotlin + linux-x86-64 native library, release
#                                profile), its sources jar and pom; the Kotlin suite runs on it
#   scripts/package.sh android   dist/android/: the AAR with every ABI, and one AAR per ABI
#                                (needs the Android NDK, cargo-ndk and Gradle)
#   scripts/package.sh swift     dist/swift/PartnerDesk/: a Swift package (Package.swift, the
#                                generated sources, PartnerDeskFFI.xcframework) (needs macOS
#                                with Xcode for the xcframework)
#   scripts/package.sh python    dist/python/: the abi3 wheel (manylinux2014, checked by
#                                auditwheel) and the sdist (bindings/python/package.sh)
#   scripts/package.sh node      dist/node/: the npm package and its linux-x64-gnu native
#                                package, as tarballs (bindings/node/package.sh)
#
# Exit status: 0 built; 1 a step failed; 2 usage; 3 this machine cannot build that target
# (what is missing is printed; the files that can be made here are made).
# Maven's local repository is bindings/uniffi/out/m2 unless PD_M2 names another.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
uniffi="$root/bindings/uniffi"
dist="$root/dist"
version=0.1.0
m2="${PD_M2:-$uniffi/out/m2}"

say() { printf -- '--- package %s: %s\n' "$target" "$*"; }
cannot() { # cannot REASON...: this machine cannot build the target
  printf 'package %s: NOT BUILT on this machine: %s\n' "$target" "$*" >&2
  exit 3
}

package_kotlin() {
  # The release library; the bindgen reads it as cargo built it (strip = "debuginfo" keeps the
  # symbol table, toolchains.md U1); the copy in the jar is stripped.
  "$uniffi/build.sh" --release
  say "mvn -P release package (the Kotlin suite runs against the release library)"
  rm -rf "$uniffi/kotlin/target"
  mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$m2" -P release \
    -f "$uniffi/kotlin/pom.xml" package
  local built="$uniffi/kotlin/target" name="partnerdesk-kotlin-$version"
  rm -rf "$dist/kotlin"
  mkdir -p "$dist/kotlin"
  cp "$built/$name.jar" "$built/$name-sources.jar" "$dist/kotlin/"
  cp "$uniffi/kotlin/pom.xml" "$dist/kotlin/$name.pom"
  jar tf "$dist/kotlin/$name.jar" | grep -qx 'linux-x86-64/libpartnerdesk_uniffi.so' ||
    { echo "the jar has no linux-x86-64/libpartnerdesk_uniffi.so" >&2; exit 1; }
  (cd "$dist/kotlin" && sha256sum -- * >SHA256SUMS && ls -l -- *)
  say "done: dist/kotlin (install: mvn install:install-file -Dfile=$name.jar -DpomFile=$name.pom -Dsources=$name-sources.jar)"
}

android_abis=(arm64-v8a armeabi-v7a x86_64 x86)
package_android() {
  local missing=()
  command -v cargo-ndk >/dev/null 2>&1 || missing+=("cargo-ndk (cargo install cargo-ndk)")
  [[ -n ${ANDROID_NDK_HOME:-${ANDROID_NDK_ROOT:-}} ]] || missing+=("the Android NDK (ANDROID_NDK_HOME)")
  command -v gradle >/dev/null 2>&1 || missing+=("Gradle 8.9+ with the Android SDK (ANDROID_HOME)")
  local installed
  installed="$(rustup target list --installed 2>/dev/null || true)"
  for t in aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android; do
    grep -qx "$t" <<<"$installed" || missing+=("rustup target add $t")
  done
  if ((${#missing[@]})); then
    cat >&2 <<EOF
The AAR needs, per ABI, the library cross-compiled with the Android NDK, then Gradle with the
Android Gradle plugin (bindings/uniffi/android/). Missing here:
$(printf '  - %s\n' "${missing[@]}")
On a machine with them, this subcommand runs:
  bindings/uniffi/build.sh --release          # the generated Kotlin (host build; same for every ABI)
  cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 -t x86 \\
      -o bindings/uniffi/out/android/jniLibs build --release -p partnerdesk-uniffi
  gradle -p bindings/uniffi/android assembleRelease                                 # every ABI
  gradle -p bindings/uniffi/android assembleRelease -Ppartnerdesk.abi=ABI \\
      -Ppartnerdesk.jniLibs=DIR_WITH_ONLY_ABI                                       # one per ABI
EOF
    cannot "no Android toolchain"
  fi
  "$uniffi/build.sh" --release
  local jni="$uniffi/out/android/jniLibs" aar="$uniffi/android/build/outputs/aar/partnerdesk-android-release.aar"
  rm -rf "$uniffi/out/android" "$dist/android"
  mkdir -p "$dist/android"
  local ndk_targets=()
  for abi in "${android_abis[@]}"; do ndk_targets+=(-t "$abi"); done
  say "cargo ndk ${android_abis[*]}"
  cargo ndk "${ndk_targets[@]}" -o "$jni" build --release -p partnerdesk-uniffi
  say "gradle: the AAR with every ABI"
  gradle -q -p "$uniffi/android" clean assembleRelease -Ppartnerdesk.jniLibs="$jni"
  cp "$aar" "$dist/android/partnerdesk-android-$version.aar"
  for abi in "${android_abis[@]}"; do
    say "gradle: the $abi AAR"
    local one="$uniffi/out/android/per-abi/$abi"
    mkdir -p "$one/$abi"
    cp "$jni/$abi/libpartnerdesk_uniffi.so" "$one/$abi/"
    gradle -q -p "$uniffi/android" clean assembleRelease -Ppartnerdesk.jniLibs="$one" -Ppartnerdesk.abi="$abi"
    cp "$aar" "$dist/android/partnerdesk-android-$abi-$version.aar"
  done
  (cd "$dist/android" && sha256sum -- *.aar >SHA256SUMS && ls -l -- *.aar)
}

package_swift() {
  # The Swift sources, header and modulemap can be generated anywhere; the xcframework needs
  # Apple's toolchain.
  "$uniffi/build.sh" --release
  local pkg="$dist/swift/PartnerDesk" headers="$dist/swift/headers"
  rm -rf "$dist/swift"
  mkdir -p "$pkg/Sources/PartnerDesk" "$headers"
  cp "$uniffi/swift/package/Package.swift" "$pkg/"
  # Two uniffi namespaces in one library (the binding's and partnerdesk-host's shared types):
  # both generated files go into the one Swift target, both C modules into the headers.
  cp "$uniffi/out/swift/PartnerDesk.swift" "$uniffi/out/swift/PartnerDeskHost.swift" "$pkg/Sources/PartnerDesk/"
  cp "$uniffi/out/swift/PartnerDeskFFI.h" "$uniffi/out/swift/PartnerDeskHostFFI.h" "$headers/"
  cat "$uniffi/out/swift/PartnerDeskFFI.modulemap" "$uniffi/out/swift/PartnerDeskHostFFI.modulemap" >"$headers/module.modulemap"
  say "wrote $pkg (Package.swift, Sources/PartnerDesk/PartnerDesk{,Host}.swift) and $headers"
  if [[ $(uname -s) != Darwin ]] || ! command -v xcodebuild >/dev/null 2>&1; then
    cat >&2 <<EOF
PartnerDeskFFI.xcframework needs macOS with Xcode (xcodebuild, lipo) and the Apple Rust
targets; on such a machine this subcommand builds a static library per target
(cargo rustc --release -p partnerdesk-uniffi --lib --target T --crate-type staticlib for
aarch64-apple-ios, aarch64-apple-ios-sim, x86_64-apple-ios, aarch64-apple-darwin,
x86_64-apple-darwin), joins the simulator and macOS pairs with lipo, and runs
xcodebuild -create-xcframework with $headers as the headers of each library.
EOF
    cannot "no Xcode (the package's sources and headers are written, the xcframework is not)"
  fi
  local apple=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
  for t in "${apple[@]}"; do
    say "static library for $t"
    cargo rustc --quiet --release -p partnerdesk-uniffi --lib --target "$t" --crate-type staticlib
  done
  local a=libpartnerdesk_uniffi.a fat="$dist/swift/fat"
  mkdir -p "$fat/sim" "$fat/macos"
  lipo -create "$CARGO_TARGET_DIR/aarch64-apple-ios-sim/release/$a" \
    "$CARGO_TARGET_DIR/x86_64-apple-ios/release/$a" -output "$fat/sim/$a"
  lipo -create "$CARGO_TARGET_DIR/aarch64-apple-darwin/release/$a" \
    "$CARGO_TARGET_DIR/x86_64-apple-darwin/release/$a" -output "$fat/macos/$a"
  xcodebuild -create-xcframework \
    -library "$CARGO_TARGET_DIR/aarch64-apple-ios/release/$a" -headers "$headers" \
    -library "$fat/sim/$a" -headers "$headers" \
    -library "$fat/macos/$a" -headers "$headers" \
    -output "$pkg/PartnerDeskFFI.xcframework"
  (cd "$pkg" && zip -qry ../PartnerDeskFFI.xcframework.zip PartnerDeskFFI.xcframework)
  (cd "$pkg" && swift build)
  say "done: $pkg; for a hosted binaryTarget: swift package compute-checksum dist/swift/PartnerDeskFFI.xcframework.zip"
}

package_python() {
  "$root/bindings/python/package.sh" --profile release --out "$dist/python"
}

package_node() {
  (cd "$root/bindings/node" && npm ci --no-audit --no-fund --loglevel=error)
  "$root/bindings/node/package.sh" --profile release --out "$dist/node"
}

target="${1:-}"
case "$target" in
  kotlin) package_kotlin ;;
  android) package_android ;;
  swift) package_swift ;;
  python) package_python ;;
  node) package_node ;;
  *)
    echo "usage: scripts/package.sh kotlin|android|swift|python|node" >&2
    exit 2
    ;;
esac
