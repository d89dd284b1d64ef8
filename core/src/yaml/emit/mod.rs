//! Emitting (placeholder until the emitter lands).

use super::Value;

/// Prints one document as kustomize v5.7.1 does.
pub fn emit_kustomize(_v: &Value) -> String {
    String::new()
}

/// Prints a value as Helm's `toYaml` does (before its trailing-newline trim).
pub fn emit_helm(_v: &Value) -> String {
    String::new()
}
