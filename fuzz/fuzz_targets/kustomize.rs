//! Fuzzes `kustomize build` over an in-memory tree.
//!
//! Input: a kustomization, a NUL byte, then a resources file. The tree holds
//! `kustomization.yaml` and `resources.yaml` (the kustomization may or may not list it),
//! and the build output is rendered to YAML when the build succeeds.

#![no_main]

use std::sync::{Arc, OnceLock};

use gitward::kustomize::{Options, build};
use gitward::smp::Schema;
use gitward::tree::{MemTree, RelPath};
use libfuzzer_sys::fuzz_target;

/// The built-in schema, parsed once for the whole fuzzing process (the harness, not the
/// library, holds it).
fn schema() -> Arc<Schema> {
    static SCHEMA: OnceLock<Arc<Schema>> = OnceLock::new();
    SCHEMA.get_or_init(|| Arc::new(Schema::builtin())).clone()
}

fuzz_target!(|data: &[u8]| {
    let (kustomization, resources) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let mut tree = MemTree::new();
    if tree.add_file("kustomization.yaml", kustomization).is_err()
        || tree.add_file("resources.yaml", resources).is_err()
    {
        return;
    }
    let opts = Options::default().with_schema(schema());
    if let Ok(out) = build(&tree, &RelPath::root(), &opts) {
        let _ = out.to_yaml();
    }
});
