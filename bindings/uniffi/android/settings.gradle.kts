// partnerdesk for Android: one library module (this folder) that makes the AAR.
// Built by `scripts/package.sh android` (needs the Android NDK, cargo-ndk and Gradle 8.9+,
// none of which this project's Linux machine has: see bindings/uniffi/README.md, Android).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "partnerdesk-android"
