//! Parsing a stream into [`Node`]s (placeholder until the parser lands).

use super::{Node, YamlError, YamlErrorKind};

/// What to do with a key that occurs twice in one mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateKeys {
    /// An error (go-yaml v3, kustomize).
    Error,
    /// The last one wins (go-yaml v2 via sigs.k8s.io/yaml, Helm values).
    LastWins,
}

/// Bounds and behaviour of the parser.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Duplicate key handling.
    pub duplicate_keys: DuplicateKeys,
    /// Deepest nesting of collections accepted.
    pub max_depth: usize,
    /// Most nodes that alias expansion may produce in one document.
    pub max_alias_nodes: usize,
}

impl ParseOptions {
    /// kustomize's profile.
    pub fn kustomize() -> Self {
        ParseOptions {
            duplicate_keys: DuplicateKeys::Error,
            max_depth: 1000,
            max_alias_nodes: 1_000_000,
        }
    }
    /// Helm values' profile.
    pub fn helm_values() -> Self {
        ParseOptions {
            duplicate_keys: DuplicateKeys::LastWins,
            ..Self::kustomize()
        }
    }
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self::kustomize()
    }
}

/// Parses every non-empty document of a stream.
pub fn parse_stream(_text: &str, _opts: &ParseOptions) -> Result<Vec<Node>, YamlError> {
    Err(YamlError::new(
        YamlErrorKind::Syntax,
        "parser not implemented",
        0,
        0,
    ))
}
