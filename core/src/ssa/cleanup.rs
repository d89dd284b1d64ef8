//! The metadata clean-up kustomize-controller asks of `fluxcd/pkg/ssa` before each apply
//! (`cleanupMetadata`): a JSON patch removing kubectl's last-applied annotation and Flux's
//! deprecated marks, and handing the fields of kubectl's and other listed field managers
//! over to Flux's own Apply entry (`PatchReplaceFieldsManagers`), so that the next apply
//! removes what they added and the manifest does not hold.

use super::policy::{LAST_APPLIED_ANNOTATION, Selector, any_in_metadata};
use crate::yaml::{Map, Value};

/// A managedFields entry operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `Apply` (server-side apply).
    Apply,
    /// `Update` (create, update, patch).
    Update,
}

impl Operation {
    fn as_str(self) -> &'static str {
        match self {
            Operation::Apply => "Apply",
            Operation::Update => "Update",
        }
    }
}

/// A field manager whose entries are taken over (`ssa.FieldManager`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldManager {
    /// The manager's name, or its prefix unless `exact`.
    pub name: String,
    /// Match the name exactly rather than as a prefix.
    pub exact: bool,
    /// The operation of the entries to match.
    pub operation: Operation,
}

/// `ssa.ApplyCleanupOptions`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CleanupOptions {
    /// Annotations to remove.
    pub annotations: Vec<String>,
    /// Labels to remove.
    pub labels: Vec<String>,
    /// Managers whose entries are merged into the owner's Apply entry.
    pub field_managers: Vec<FieldManager>,
    /// Objects (desired or live) matching this are left alone (`ssa: Merge`).
    pub exclusions: Selector,
}

impl CleanupOptions {
    /// What kustomize-controller sets for the field manager `owner`: kubectl's annotation and
    /// Flux's deprecated marks, the managers `kubectl*` (Apply and Update),
    /// `before-first-apply` (Update) and `owner` (Update); `ssa: Merge` excluded.
    pub fn flux(owner: &str) -> Self {
        let fm = |name: &str, operation| FieldManager {
            name: name.to_string(),
            exact: false,
            operation,
        };
        CleanupOptions {
            annotations: vec![
                LAST_APPLIED_ANNOTATION.to_string(),
                "kustomize.toolkit.fluxcd.io/checksum".to_string(),
                "fluxcd.io/sync-checksum".to_string(),
            ],
            labels: vec!["fluxcd.io/sync-gc-mark".to_string()],
            field_managers: vec![
                fm("kubectl", Operation::Apply),
                fm("kubectl", Operation::Update),
                fm("before-first-apply", Operation::Update),
                fm(owner, Operation::Update),
            ],
            exclusions: super::policy::Selectors::default().cleanup_exclusion,
        }
    }
}

fn entry_str<'a>(e: &'a Value, key: &str) -> &'a str {
    e.get(key).and_then(Value::as_str).unwrap_or("")
}

fn matches(entry: &Value, m: &FieldManager) -> bool {
    if entry_str(entry, "operation") != m.operation.as_str()
        || !entry_str(entry, "subresource").is_empty()
    {
        return false;
    }
    let name = entry_str(entry, "manager");
    if m.exact {
        name == m.name
    } else {
        name.starts_with(&m.name)
    }
}

/// The union of two `fieldsV1` trees (`fieldpath.Set.Union`).
pub fn union_fields(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Map(x), Value::Map(y)) => {
            let mut out = x.clone();
            for (k, v) in y {
                let merged = match out.get(k) {
                    Some(old) => union_fields(old, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Map(out)
        }
        (Value::Map(_), _) => a.clone(),
        _ => b.clone(),
    }
}

/// `PatchReplaceFieldsManagers`: the new managedFields list when some entry matched.
fn replace_field_managers(live: &Value, managers: &[FieldManager], owner: &str) -> Option<Value> {
    let entries = live
        .get_path(&["metadata", "managedFields"])
        .and_then(Value::as_seq)?;
    let mut prev: Option<Value> = entries
        .iter()
        .rev()
        .find(|e| entry_str(e, "manager") == owner && entry_str(e, "operation") == "Apply")
        .cloned();
    let original_prev = prev.clone();
    let mut kept = Vec::with_capacity(entries.len());
    let mut edited = false;
    for entry in entries {
        if original_prev.as_ref() == Some(entry) {
            continue;
        }
        if managers.iter().any(|m| matches(entry, m)) {
            edited = true;
            match &mut prev {
                None => {
                    let mut e = entry.clone();
                    if let Some(m) = e.as_map_mut() {
                        m.insert("manager".into(), Value::from(owner));
                        m.insert("operation".into(), Value::from("Apply"));
                    }
                    prev = Some(e);
                }
                Some(p) => {
                    let merged = match (p.get("fieldsV1"), entry.get("fieldsV1")) {
                        (Some(a), Some(b)) => Some(union_fields(a, b)),
                        (None, Some(b)) => Some(b.clone()),
                        (a, None) => a.cloned(),
                    };
                    if let (Some(m), Some(f)) = (p.as_map_mut(), merged) {
                        m.insert("fieldsV1".into(), f);
                    }
                }
            }
            continue;
        }
        kept.push(entry.clone());
    }
    if !edited {
        return None;
    }
    kept.extend(prev);
    Some(Value::Seq(kept))
}

fn remove_op(path: String) -> Value {
    let mut m = Map::default();
    m.insert("op".into(), Value::from("remove"));
    m.insert("path".into(), Value::String(path));
    Value::Map(m)
}

/// The JSON patch `cleanupMetadata` sends for the live object, or `None` when there is
/// nothing to clean (or the desired or live object matches `opts.exclusions`).
pub fn cleanup_patch(
    desired: &Value,
    live: Option<&Value>,
    opts: &CleanupOptions,
    owner: &str,
) -> Option<Value> {
    let live = live?;
    if any_in_metadata(desired, &opts.exclusions) || any_in_metadata(live, &opts.exclusions) {
        return None;
    }
    let mut ops = Vec::new();
    for (field, keys) in [("annotations", &opts.annotations), ("labels", &opts.labels)] {
        let present = live.get_path(&["metadata", field]).and_then(Value::as_map);
        for key in keys {
            if present.is_some_and(|m| m.contains_key(key)) {
                ops.push(remove_op(format!(
                    "/metadata/{field}/{}",
                    key.replace('/', "~1")
                )));
            }
        }
    }
    if !opts.field_managers.is_empty()
        && let Some(entries) = replace_field_managers(live, &opts.field_managers, owner)
    {
        let mut m = Map::default();
        m.insert("op".into(), Value::from("replace"));
        m.insert("path".into(), Value::from("/metadata/managedFields"));
        m.insert("value".into(), entries);
        ops.push(Value::Map(m));
    }
    (!ops.is_empty()).then_some(Value::Seq(ops))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::read_manifests;

    fn one(y: &str) -> Value {
        read_manifests(y).expect("manifest").remove(0)
    }

    #[test]
    fn kubectl_fields_merged_into_owner_apply_entry() {
        let live = one(r#"{"kind": "ConfigMap", "metadata": {"name": "c",
              "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
              "managedFields": [
                {"manager": "gitward", "operation": "Apply", "fieldsV1": {"f:data": {"f:a": {}}}},
                {"manager": "kubectl-patch", "operation": "Update", "fieldsV1": {"f:data": {"f:b": {}}}},
                {"manager": "intruder", "operation": "Update", "fieldsV1": {"f:data": {"f:c": {}}}}]}}"#);
        let desired = one("kind: ConfigMap\nmetadata: {name: c}\n");
        let patch = cleanup_patch(
            &desired,
            Some(&live),
            &CleanupOptions::flux("gitward"),
            "gitward",
        )
        .expect("a patch");
        let want = one(r#"{"kind": "X", "p": [
              {"op": "remove", "path": "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration"},
              {"op": "replace", "path": "/metadata/managedFields", "value": [
                {"manager": "intruder", "operation": "Update", "fieldsV1": {"f:data": {"f:c": {}}}},
                {"manager": "gitward", "operation": "Apply", "fieldsV1": {"f:data": {"f:a": {}, "f:b": {}}}}]}]}"#);
        assert_eq!(&patch, want.get("p").expect("p"));
    }

    #[test]
    fn kubectl_entry_renamed_when_owner_has_none_and_merge_excluded() {
        let live = one(
            r#"{"kind": "ConfigMap", "metadata": {"name": "c", "managedFields": [
                {"manager": "kubectl-client-side-apply", "operation": "Update", "fieldsV1": {"f:data": {}}}]}}"#,
        );
        let desired = one("kind: ConfigMap\nmetadata: {name: c}\n");
        let opts = CleanupOptions::flux("gitward");
        let patch = cleanup_patch(&desired, Some(&live), &opts, "gitward").expect("a patch");
        let entries = patch.as_seq().expect("ops")[0].get("value").expect("value");
        assert_eq!(entries.as_seq().map(<[Value]>::len), Some(1));
        assert_eq!(
            entry_str(&entries.as_seq().expect("seq")[0], "manager"),
            "gitward"
        );
        assert_eq!(
            entry_str(&entries.as_seq().expect("seq")[0], "operation"),
            "Apply"
        );
        let merge = one(
            "kind: ConfigMap\nmetadata: {name: c, annotations: {kustomize.toolkit.fluxcd.io/ssa: merge}}\n",
        );
        assert_eq!(cleanup_patch(&merge, Some(&live), &opts, "gitward"), None);
        assert_eq!(cleanup_patch(&desired, None, &opts, "gitward"), None);
    }
}
