//! A failure of apply, plan or diff taken apart, for callers that rebuild it in another
//! language (the bindings).

use super::ClusterError;
use super::engine::ApplyError;
use super::kind::ErrorKind;
use crate::yaml::Value;

/// A cluster or apply failure taken apart: its kind, the object, the HTTP status, the
/// fields the server named, the message (Secret values already redacted) and, for an
/// apply, what was done before it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorReport {
    /// The kind.
    pub kind: ErrorKind,
    /// `Kind/namespace/name`, when the failure concerns one object.
    pub subject: Option<String>,
    /// The HTTP status of the API answer.
    pub code: Option<u16>,
    /// The fields the API server named.
    pub fields: Vec<String>,
    /// The error's text.
    pub message: String,
    /// The change-set entries (`{"subject", "action"}`) done before the failure.
    pub entries: Vec<Value>,
}

impl From<&ClusterError> for ErrorReport {
    fn from(e: &ClusterError) -> Self {
        ErrorReport {
            kind: e.kind(),
            subject: e.subject().map(str::to_string),
            code: e.code(),
            fields: e.fields().to_vec(),
            message: e.to_string(),
            entries: Vec::new(),
        }
    }
}

impl From<&ApplyError> for ErrorReport {
    fn from(e: &ApplyError) -> Self {
        ErrorReport {
            kind: e.kind(),
            subject: e.subject().map(str::to_string),
            code: e.code(),
            fields: e.fields().to_vec(),
            message: e.to_string(),
            entries: Vec::new(),
        }
    }
}

impl ErrorReport {
    /// An input that cannot be planned or diffed (an object twice, an unreadable
    /// inventory): kind `invalid`, naming the duplicated object when there is one.
    fn invalid(subject: Option<&String>, message: String) -> Self {
        ErrorReport {
            kind: ErrorKind::Invalid,
            subject: subject.cloned(),
            code: None,
            fields: Vec::new(),
            message,
            entries: Vec::new(),
        }
    }
}

impl From<&crate::ssa::plan::PlanError> for ErrorReport {
    fn from(e: &crate::ssa::plan::PlanError) -> Self {
        let subject = match e {
            crate::ssa::plan::PlanError::Duplicate { subject } => Some(subject),
            _ => None,
        };
        ErrorReport::invalid(subject, e.to_string())
    }
}

impl From<&crate::diff::DiffError> for ErrorReport {
    fn from(e: &crate::diff::DiffError) -> Self {
        let subject = match e {
            crate::diff::DiffError::Duplicate { subject } => Some(subject),
            _ => None,
        };
        ErrorReport::invalid(subject, e.to_string())
    }
}

/// A diff report as the bindings return it: the structured result
/// ([`crate::diff::DiffReport::to_value`]) plus `has_changes` and the report `text` people
/// read (Flux's lines and unified diffs, uncoloured); Secret values are masked in both.
pub fn diff_value(report: &crate::diff::DiffReport) -> Value {
    let mut root = match report.to_value() {
        Value::Map(m) => m,
        _ => crate::yaml::Map::default(),
    };
    root.insert("has_changes".into(), Value::Bool(report.has_changes()));
    root.insert("text".into(), Value::from(report.to_text(3, false)));
    Value::Map(root)
}
