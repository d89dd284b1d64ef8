//! Telling, without asking the server, that a server-side apply would change nothing.
//!
//! An apply of `desired` by manager `m` leaves the live object as it is when (1) every field
//! `desired` sets already holds that value live, and (2) `m` owns exactly the fields
//! `desired` sets (its `Apply` entry in `metadata.managedFields`, same `apiVersion`): then
//! nothing is added, changed or released. [`apply_is_noop`] checks both, conservatively: a
//! field set it cannot read (an unknown list form, a null, a different API version) answers
//! `false`, and the caller asks the server with a dry-run as usual. The diff shell uses it
//! to skip the dry-runs of objects read in bulk that have not changed.

use super::overlay;
use crate::yaml::Value;

/// Keys of `metadata` that are identity or server state, never in a field set.
const META_SKIPPED: [&str; 3] = ["name", "namespace", "creationTimestamp"];

/// Whether applying `desired` with `field_manager` would leave `live` unchanged (see the
/// module documentation); `false` when unsure.
pub fn apply_is_noop(desired: &Value, live: &Value, field_manager: &str) -> bool {
    let api_version = desired.get("apiVersion").and_then(Value::as_str);
    let Some(entries) = live
        .get_path(&["metadata", "managedFields"])
        .and_then(Value::as_seq)
    else {
        return false;
    };
    let mut mine = entries.iter().filter(|e| {
        e.get("manager").and_then(Value::as_str) == Some(field_manager)
            && e.get("operation").and_then(Value::as_str) == Some("Apply")
    });
    let (Some(entry), None) = (mine.next(), mine.next()) else {
        return false;
    };
    if entry.get("apiVersion").and_then(Value::as_str) != api_version {
        return false;
    }
    let Some(fields) = entry.get("fieldsV1") else {
        return false;
    };
    let Some(d) = desired.as_map() else {
        return false;
    };
    // The desired object without identity: what the field set records.
    let mut tracked = d.clone();
    tracked.shift_remove("apiVersion");
    tracked.shift_remove("kind");
    if let Some(Value::Map(meta)) = tracked.get_mut("metadata") {
        for k in META_SKIPPED {
            meta.shift_remove(k);
        }
        if meta.is_empty() {
            tracked.shift_remove("metadata");
        }
    }
    same_fields(&Value::Map(tracked), Some(live), fields)
        && super::view(&overlay(live, desired)) == super::view(live)
}

/// The children of a field-set node, without its `.` marker.
fn children(node: &Value) -> Option<Vec<(&str, &Value)>> {
    let m = node.as_map()?;
    Some(
        m.iter()
            .filter(|(k, _)| k.as_str() != ".")
            .map(|(k, v)| (k.as_str(), v))
            .collect(),
    )
}

/// Whether the field set `node` records exactly the fields of `v` (whose live counterpart
/// is `live`). A node without children over a map or list is an atomic value: the apply
/// replaces it whole, so it must equal the live one.
fn same_fields(v: &Value, live: Option<&Value>, node: &Value) -> bool {
    let Some(kids) = children(node) else {
        return false;
    };
    let atomic = || kids.is_empty() && live == Some(v);
    match v {
        Value::Null => false,
        Value::Map(m) if kids.is_empty() => m.is_empty() || atomic(),
        Value::Map(m) => {
            kids.len() == m.len()
                && m.iter().all(|(k, child)| {
                    kids.iter()
                        .find(|(f, _)| f.strip_prefix("f:") == Some(k.as_str()))
                        .is_some_and(|(_, n)| same_fields(child, live.and_then(|l| l.get(k)), n))
                })
        }
        Value::Seq(items) if kids.is_empty() => items.is_empty() || atomic(),
        Value::Seq(items) => {
            // A set or map list: one child per item, named by its value or its keys.
            let live_items = live.and_then(Value::as_seq).unwrap_or(&[]);
            kids.len() == items.len()
                && items.iter().all(|item| {
                    kids.iter()
                        .any(|(f, n)| item_matches(item, live_items, f, n))
                })
        }
        _ => kids.is_empty(),
    }
}

/// Whether the list-item key `f` (`k:{"name":"x"}` or `v:"x"`) names `item`, and its node
/// records `item`'s fields (compared with the live item of the same key).
fn item_matches(item: &Value, live_items: &[Value], f: &str, node: &Value) -> bool {
    if let Some(json) = f.strip_prefix("v:") {
        return serde_json::from_str::<serde_json::Value>(json).is_ok_and(|j| json_eq(item, &j))
            && children(node).is_some_and(|k| k.is_empty());
    }
    let Some(json) = f.strip_prefix("k:") else {
        return false;
    };
    let Ok(serde_json::Value::Object(keys)) = serde_json::from_str::<serde_json::Value>(json)
    else {
        return false;
    };
    let named = |x: &Value| {
        keys.iter()
            .all(|(k, j)| x.get(k).is_some_and(|v| json_eq(v, j)))
    };
    named(item) && same_fields(item, live_items.iter().find(|l| named(l)), node)
}

fn json_eq(v: &Value, j: &serde_json::Value) -> bool {
    use crate::yaml::Number;
    match (v, j) {
        (Value::String(a), serde_json::Value::String(b)) => a == b,
        (Value::Bool(a), serde_json::Value::Bool(b)) => a == b,
        (Value::Number(Number::Int(a)), serde_json::Value::Number(b)) => b.as_i64() == Some(*a),
        (Value::Number(Number::UInt(a)), serde_json::Value::Number(b)) => b.as_u64() == Some(*a),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::read_manifests;

    fn one(y: &str) -> Value {
        read_manifests(y).expect("manifest").remove(0)
    }

    const LIVE: &str = r#"{"apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": {"name": "web", "namespace": "a", "uid": "u", "labels": {"app": "web"},
        "managedFields": [
          {"manager": "gitward", "operation": "Apply", "apiVersion": "apps/v1", "fieldsType": "FieldsV1",
           "fieldsV1": {"f:metadata": {"f:labels": {"f:app": {}}},
             "f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {
               "k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:name": {}, "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:protocol": {}}}}}}}}}},
          {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1", "fieldsV1": {"f:status": {}}}]},
      "spec": {"replicas": 2, "revisionHistoryLimit": 10,
        "template": {"spec": {"containers": [{"name": "web", "image": "x:1", "imagePullPolicy": "IfNotPresent",
          "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}}},
      "status": {"replicas": 2}}"#;

    fn desired(replicas: i64, extra: &str) -> Value {
        one(&format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: a, labels: {{app: web}}, creationTimestamp: null}}\n\
             spec: {{replicas: {replicas}{extra}, template: {{spec: {{containers: [{{name: web, image: 'x:1', ports: [{{containerPort: 80, protocol: TCP}}]}}]}}}}}}\n"
        ))
    }

    #[test]
    fn atomic_maps_must_equal_the_live_ones() {
        let live = one(
            r#"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "managedFields": [
              {"manager": "gitward", "operation": "Apply", "apiVersion": "v1",
               "fieldsV1": {"f:spec": {"f:selector": {}, "f:ports": {"k:{\"port\":80,\"protocol\":\"TCP\"}": {".": {}, "f:port": {}, "f:protocol": {}}}}}}]},
              "spec": {"selector": {"app": "s", "tier": "web"}, "clusterIP": "10.0.0.9", "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}]}}"#,
        );
        let svc = |selector: &str| {
            one(&format!(
                "apiVersion: v1\nkind: Service\nmetadata: {{name: s}}\nspec: {{selector: {selector}, ports: [{{port: 80, protocol: TCP}}]}}\n"
            ))
        };
        assert!(apply_is_noop(&svc("{app: s, tier: web}"), &live, "gitward"));
        assert!(
            !apply_is_noop(&svc("{app: s}"), &live, "gitward"),
            "the atomic selector would lose a key"
        );
    }

    #[test]
    fn unchanged_owned_fields_need_no_dry_run() {
        let live = one(LIVE);
        assert!(apply_is_noop(&desired(2, ""), &live, "gitward"));
        assert!(
            !apply_is_noop(&desired(3, ""), &live, "gitward"),
            "a changed value"
        );
        assert!(
            !apply_is_noop(&desired(2, ", paused: true"), &live, "gitward"),
            "a field not owned yet"
        );
        assert!(
            !apply_is_noop(&desired(2, ""), &live, "other"),
            "another manager"
        );
        let dropped = one(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\n\
             spec: {replicas: 2, template: {spec: {containers: [{name: web, image: 'x:1', ports: [{containerPort: 80, protocol: TCP}]}]}}}\n",
        );
        assert!(
            !apply_is_noop(&dropped, &live, "gitward"),
            "an owned label the manifest no longer sets would be removed"
        );
        let mut other_version = desired(2, "");
        if let Some(m) = other_version.as_map_mut() {
            m.insert("apiVersion".into(), Value::from("apps/v1beta2"));
        }
        assert!(!apply_is_noop(&other_version, &live, "gitward"));
    }
}
