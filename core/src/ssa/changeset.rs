//! Flux's change set (`fluxcd/pkg/ssa` `changeset.go`): one entry per object, printed as
//! `Kind/namespace/name action`.

use std::fmt;

use super::object::ObjMetadata;
use crate::yaml::{Map, Value};

/// What happened to an object, worded as Flux words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// `created`: the object did not exist.
    Created,
    /// `configured`: the object existed and was changed.
    Configured,
    /// `unchanged`: the object existed and the apply would change nothing.
    Unchanged,
    /// `deleted`: the object was pruned (or was already gone).
    Deleted,
    /// `skipped`: the object was left alone (annotations, owner labels).
    Skipped,
    /// `unknown`: a prune whose request failed.
    Unknown,
}

impl Action {
    /// Flux's word.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Configured => "configured",
            Action::Unchanged => "unchanged",
            Action::Deleted => "deleted",
            Action::Skipped => "skipped",
            Action::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change-set entry (`ssa.ChangeSetEntry`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSetEntry {
    /// The object's identity.
    pub object: ObjMetadata,
    /// The API version of the object as applied (`v1`, the version part only), which the
    /// inventory records.
    pub version: String,
    /// `Kind/namespace/name`.
    pub subject: String,
    /// What happened.
    pub action: Action,
}

impl ChangeSetEntry {
    /// An entry for `object` served at `version`.
    pub fn new(object: ObjMetadata, version: impl Into<String>, action: Action) -> Self {
        ChangeSetEntry {
            subject: object.subject(),
            object,
            version: version.into(),
            action,
        }
    }
}

impl fmt::Display for ChangeSetEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.subject, self.action)
    }
}

/// A change set: apply entries in application order, then prune entries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangeSet {
    /// The entries, in order.
    pub entries: Vec<ChangeSetEntry>,
}

impl ChangeSetEntry {
    /// `{"subject": ..., "action": ...}`, as `gitward apply -o json` prints an entry.
    pub fn to_value(&self) -> Value {
        let mut m = Map::default();
        m.insert("subject".into(), Value::from(self.subject.as_str()));
        m.insert("action".into(), Value::from(self.action.as_str()));
        Value::Map(m)
    }
}

impl ChangeSet {
    /// `{"entries": [{"subject": ..., "action": ...}, ...]}`, as `gitward apply -o json`
    /// prints it.
    pub fn to_value(&self) -> Value {
        let mut m = Map::default();
        let entries = self.entries.iter().map(ChangeSetEntry::to_value).collect();
        m.insert("entries".into(), Value::Seq(entries));
        Value::Map(m)
    }

    /// Whether any entry is `created`, `configured` or `deleted`.
    pub fn has_changes(&self) -> bool {
        self.entries.iter().any(|e| {
            matches!(
                e.action,
                Action::Created | Action::Configured | Action::Deleted
            )
        })
    }
}

impl fmt::Display for ChangeSet {
    /// One `Kind/namespace/name action` line per entry, no trailing newline (as
    /// `ChangeSet.String()`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flux_wording() {
        let cs = ChangeSet {
            entries: vec![
                ChangeSetEntry::new(
                    ObjMetadata {
                        namespace: "apps".into(),
                        name: "cfg".into(),
                        group: String::new(),
                        kind: "ConfigMap".into(),
                    },
                    "v1",
                    Action::Configured,
                ),
                ChangeSetEntry::new(
                    ObjMetadata {
                        name: "apps".into(),
                        kind: "Namespace".into(),
                        ..Default::default()
                    },
                    "v1",
                    Action::Unchanged,
                ),
            ],
        };
        assert_eq!(
            cs.to_string(),
            "ConfigMap/apps/cfg configured\nNamespace/apps unchanged"
        );
        assert!(cs.has_changes());
    }
}
