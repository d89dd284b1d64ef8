//! Errors of strategic merge patching and of schema loading.

use std::fmt;

/// The kind of a node, as named in kind-mismatch errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A map.
    Map,
    /// A sequence.
    Seq,
    /// A scalar (string, number, boolean or null).
    Scalar,
}

impl fmt::Display for NodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // kyaml's names for them, so messages read as kustomize's do.
        f.write_str(match self {
            NodeKind::Map => "MappingNode",
            NodeKind::Seq => "SequenceNode",
            NodeKind::Scalar => "ScalarNode",
        })
    }
}

/// What went wrong while merging a patch into an object.
///
/// Messages are worded as kustomize words them. Every variant also names the field path
/// where it happened, written as `spec.template.spec.containers[name=app].image` (`.`
/// for the root), which kustomize's messages do not show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SmpError {
    /// The object and the patch hold different kinds of node at the same path (a map
    /// against a list, ...).
    #[error("wrong node kind: expected {expected} but got {found}: node contents:\n{contents}")]
    KindMismatch {
        /// Where.
        path: String,
        /// The kind of the first non-null of object and patch.
        expected: NodeKind,
        /// The kind of the other.
        found: NodeKind,
        /// The node of the wrong kind, printed as YAML (kyaml prints it as written; this
        /// is kustomize's output form, with sorted keys).
        contents: String,
    },
    /// A `$patch` directive with a value other than `delete`, `replace` or `merge`.
    #[error("unknown patch strategy '{value}'")]
    UnknownDirective {
        /// Where.
        path: String,
        /// The value found.
        value: String,
    },
    /// A scalar patch value where a map or list directive was looked for.
    #[error("no implemented strategic merge patch strategy for '{tag}' ('{value}')")]
    ScalarDirective {
        /// Where.
        path: String,
        /// The YAML tag of the scalar (`!!str`, `!!int`, ...).
        tag: String,
        /// The scalar's text.
        value: String,
    },
    /// The merge went deeper than [`Options::max_depth`](super::Options::max_depth).
    #[error("{path}: nesting deeper than {limit} levels")]
    DepthLimit {
        /// Where.
        path: String,
        /// The bound.
        limit: usize,
    },
    /// The result would have more nodes than [`Options::max_nodes`](super::Options::max_nodes).
    #[error("merge result larger than {limit} nodes")]
    SizeLimit {
        /// The bound.
        limit: usize,
    },
}

/// What is wrong with a schema document (the embedded table, an OpenAPI document or a
/// CRD) handed to [`Schema`](super::Schema).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: {location}: {message}")]
pub struct SchemaError {
    /// Which document (`builtin table`, `openapi document`, `CRD <name>`).
    pub source_name: String,
    /// Where in it (a line number or a JSON path).
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl SchemaError {
    pub(crate) fn new(
        source_name: impl Into<String>,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        SchemaError {
            source_name: source_name.into(),
            location: location.into(),
            message: message.into(),
        }
    }
}
