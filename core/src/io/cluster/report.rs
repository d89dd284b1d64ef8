//! What apply and plan report, as data: the plan as `gitward plan -o json` prints it, and a
//! failure's parts for callers that rebuild it in another language (the bindings).

use super::ClusterError;
use super::engine::{ApplyError, Plan};
use super::kind::ErrorKind;
use crate::yaml::{Map, Value};

impl Plan {
    /// `{"stages": [{"name": ..., "entries": [{"subject", "id", "action", "reason"}]}]}`.
    pub fn to_value(&self) -> Value {
        let stages = self
            .stages
            .iter()
            .map(|st| {
                let entries = st
                    .entries
                    .iter()
                    .map(|e| {
                        let mut m = Map::default();
                        m.insert("subject".into(), Value::from(e.entry.subject.as_str()));
                        m.insert("id".into(), Value::from(e.entry.object.id()));
                        m.insert("action".into(), Value::from(e.entry.action.as_str()));
                        m.insert("reason".into(), Value::from(e.reason.as_str()));
                        Value::Map(m)
                    })
                    .collect();
                let mut m = Map::default();
                m.insert("name".into(), Value::from(st.name));
                m.insert("entries".into(), Value::Seq(entries));
                Value::Map(m)
            })
            .collect();
        let mut root = Map::default();
        root.insert("stages".into(), Value::Seq(stages));
        Value::Map(root)
    }
}

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
