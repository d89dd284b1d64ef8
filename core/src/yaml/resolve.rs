//! Scalar resolution (placeholder until the resolvers land).

use super::{Node, Value, YamlError, YamlErrorKind};

/// Resolves a document as kustomize does (go-yaml v3, then a JSON round trip).
pub fn resolve_kustomize(_node: &Node) -> Result<Value, YamlError> {
    Err(YamlError::new(
        YamlErrorKind::Unsupported,
        "resolver not implemented",
        0,
        0,
    ))
}

/// Resolves a Helm values document (YAML 1.1, then JSON: numbers are float64).
pub fn resolve_helm_values(_node: &Node) -> Result<Value, YamlError> {
    Err(YamlError::new(
        YamlErrorKind::Unsupported,
        "resolver not implemented",
        0,
        0,
    ))
}
