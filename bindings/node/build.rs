//! Sets up the linker arguments a Node addon needs (napi-rs).
fn main() {
    napi_build::setup();
}
