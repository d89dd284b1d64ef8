//! Sets the linker flags a Node-API addon needs (undefined napi_* symbols resolved by node).

fn main() {
    napi_build::setup();
}
