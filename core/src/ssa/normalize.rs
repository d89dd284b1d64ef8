//! The normalisation `fluxcd/pkg/ssa` applies before and after a dry-run.
//!
//! * [`normalize_object`] is `normalize.UnstructuredList` on one object: kinds of client-go's
//!   scheme go through their Go types and back (`runtime.DefaultUnstructuredConverter`), so
//!   what Go's `omitempty` drops disappears (nulls, empty strings, empty lists, empty Go maps)
//!   and non-pointer struct fields appear as `{}` (a container's `resources`, a
//!   Deployment's `strategy`, a Namespace's `spec`, a pod template's `metadata`); a missing
//!   container or Service port `protocol` becomes `TCP`; Secret `stringData` is merged into
//!   `data` (base64). `metadata.creationTimestamp` is set to null and `status` dropped
//!   (except on CRDs). Role and ClusterRole are left as written, and so are custom
//!   resources and CRDs (not in client-go's scheme).
//!   Without the Go type tables the conversion is approximated: fields are told apart by
//!   name (a table of the Go map fields and of the non-pointer struct fields of the common
//!   kinds), unknown fields are kept (the API server drops them), quantities are not
//!   canonicalised (the API server does it, and both sides of the drift check come from it).
//! * [`has_drifted`] is `hasDrifted`: the dry-run result differs from the live object in
//!   labels, annotations or anything outside `metadata` and `status` (with
//!   `apiequality.Semantic.DeepEqual`, where a missing map equals an empty one).

use base64::Engine as _;

use super::order::is_crd;
use crate::yaml::{Map, Value};

/// API groups of client-go's `kubernetes/scheme` (whose kinds are converted through Go types).
const NATIVE_GROUPS: [&str; 21] = [
    "",
    "admissionregistration.k8s.io",
    "apps",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    "storagemigration.k8s.io",
    "apiregistration.k8s.io",
    "authentication.k8s.io",
];

/// Fields whose Go type is a map (`map[string]string`, `ResourceList`, ...): their keys are
/// data, never dropped by `omitempty`, while the field itself goes when empty.
const MAP_FIELDS: [&str; 15] = [
    "labels",
    "annotations",
    "data",
    "binaryData",
    "stringData",
    "nodeSelector",
    "matchLabels",
    "limits",
    "requests",
    "capacity",
    "allocatable",
    "parameters",
    "overhead",
    "hard",
    "volumeAttributes",
];

/// Non-pointer `omitempty` booleans and integers of the common kinds: Go drops them when
/// `false` or `0` (pointer fields such as `replicas` or `automountServiceAccountToken`, and
/// required ones such as `containerPort`, keep their zero).
const OMIT_ZERO_FIELDS: [&str; 19] = [
    "globalDefault",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "stdin",
    "stdinOnce",
    "tty",
    "readOnly",
    "paused",
    "publishNotReadyAddresses",
    "minReadySeconds",
    "hostPort",
    "nodePort",
    "initialDelaySeconds",
    "periodSeconds",
    "timeoutSeconds",
    "successThreshold",
    "failureThreshold",
    "healthCheckNodePort",
];

/// Whether `obj` is of a kind client-go's scheme knows (converted through Go types).
pub fn is_native(obj: &Value) -> bool {
    let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let group = api_version.split_once('/').map_or("", |(g, _)| g);
    NATIVE_GROUPS.contains(&group) && !api_version.is_empty()
}

/// `normalize.UnstructuredList` for one object (see the module documentation).
pub fn normalize_object(obj: &mut Value) {
    let api_version = obj
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let kind = obj
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if api_version == "rbac.authorization.k8s.io/v1" && (kind == "Role" || kind == "ClusterRole") {
        return;
    }
    if is_native(obj) && converts(obj, &kind) {
        go_convert(obj, &kind);
    }
    let crd = is_crd(obj);
    if let Some(root) = obj.as_map_mut() {
        if let Some(Value::Map(meta)) = root.get_mut("metadata") {
            meta.insert("creationTimestamp".into(), Value::Null);
        } else {
            let mut meta = Map::default();
            meta.insert("creationTimestamp".into(), Value::Null);
            root.insert("metadata".into(), Value::Map(meta));
        }
        if !crd {
            root.shift_remove("status");
        }
    }
}

/// Whether `FromUnstructured` would succeed, for the type errors this port can see: Secret
/// and ConfigMap values that are not strings (a YAML 1.1 `yes` in `stringData`).
fn converts(obj: &Value, kind: &str) -> bool {
    if matches!(kind, "Secret" | "ConfigMap") {
        for field in ["data", "stringData", "binaryData"] {
            match obj.get(field) {
                None | Some(Value::Null) => {}
                Some(Value::Map(m)) => {
                    if m.values()
                        .any(|v| !matches!(v, Value::String(_) | Value::Null))
                    {
                        return false;
                    }
                }
                Some(_) => return false,
            }
        }
        if kind == "Secret" {
            for field in ["data"] {
                if let Some(Value::Map(m)) = obj.get(field) {
                    let ok = m.values().all(|v| match v {
                        Value::String(s) => base64::engine::general_purpose::STANDARD
                            .decode(s.as_bytes())
                            .is_ok(),
                        _ => true,
                    });
                    if !ok {
                        return false;
                    }
                }
            }
        }
    }
    true
}

fn go_convert(obj: &mut Value, kind: &str) {
    if let Value::Map(root) = obj {
        for (k, v) in root.iter_mut() {
            if k != "apiVersion" && k != "kind" {
                omit_empty(v, MAP_FIELDS.contains(&k.as_str()));
            }
        }
        root.retain(|k, v| k == "apiVersion" || k == "kind" || keep(k, v));
    }
    match kind {
        "Secret" => merge_string_data(obj),
        "Service" => {
            ensure_struct(obj, &["spec"]);
            default_protocol(obj, &["spec", "ports"]);
        }
        "Namespace" => ensure_struct(obj, &["spec"]),
        "PersistentVolumeClaim" => {
            ensure_struct(obj, &["spec"]);
            ensure_struct(obj, &["spec", "resources"]);
        }
        "Pod" => pod_spec(obj, &["spec"], true),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
            ensure_struct(obj, &["spec"]);
            match kind {
                "Deployment" => ensure_struct(obj, &["spec", "strategy"]),
                "StatefulSet" | "DaemonSet" => ensure_struct(obj, &["spec", "updateStrategy"]),
                _ => {}
            }
            pod_template(obj, &["spec", "template"], true);
        }
        "CronJob" => {
            ensure_struct(obj, &["spec"]);
            ensure_struct(obj, &["spec", "jobTemplate"]);
            template_metadata(obj, &["spec", "jobTemplate", "metadata"]);
            ensure_struct(obj, &["spec", "jobTemplate", "spec"]);
            pod_template(obj, &["spec", "jobTemplate", "spec", "template"], true);
        }
        "PodTemplate" => pod_template(obj, &["template"], false),
        "ReplicationController" if obj.get_path(&["spec", "template"]).is_some() => {
            pod_template(obj, &["spec", "template"], false);
        }
        _ => {}
    }
}

/// Go's `omitempty` on what a field holds: nulls, `""`, empty lists and empty Go maps go;
/// `{}` of a struct stays. Inside a Go map the keys are data and stay.
fn omit_empty(v: &mut Value, is_go_map: bool) {
    match v {
        Value::Map(m) => {
            if is_go_map {
                return;
            }
            for (k, child) in m.iter_mut() {
                omit_empty(child, MAP_FIELDS.contains(&k.as_str()));
            }
            m.retain(|k, child| keep(k, child));
        }
        Value::Seq(items) => {
            for item in items.iter_mut() {
                omit_empty(item, false);
            }
        }
        _ => {}
    }
}

fn keep(key: &str, v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(false) | Value::Number(crate::yaml::Number::Int(0)) => {
            !OMIT_ZERO_FIELDS.contains(&key)
        }
        Value::String(s) => !s.is_empty(),
        Value::Seq(s) => !s.is_empty(),
        Value::Map(m) => !(m.is_empty() && MAP_FIELDS.contains(&key)),
        _ => true,
    }
}

fn get_mut<'a>(obj: &'a mut Value, path: &[&str]) -> Option<&'a mut Value> {
    path.iter()
        .try_fold(obj, |v, k| v.as_map_mut().and_then(|m| m.get_mut(*k)))
}

/// A non-pointer struct field: `{}` when absent (only under an existing parent).
fn ensure_struct(obj: &mut Value, path: &[&str]) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    if let Some(Value::Map(m)) = get_mut(obj, parent) {
        let slot = m
            .entry((*last).to_string())
            .or_insert_with(|| Value::Map(Map::default()));
        if slot.is_null() {
            *slot = Value::Map(Map::default());
        }
    }
}

/// A pod template's `ObjectMeta`: always emitted (its zero `creationTimestamp` is not).
fn template_metadata(obj: &mut Value, path: &[&str]) {
    ensure_struct(obj, path);
}

fn pod_template(obj: &mut Value, path: &[&str], protocols: bool) {
    ensure_struct(obj, path);
    let mut meta: Vec<&str> = path.to_vec();
    meta.push("metadata");
    template_metadata(obj, &meta);
    let mut spec: Vec<&str> = path.to_vec();
    spec.push("spec");
    pod_spec(obj, &spec, protocols);
}

/// `PodSpec`: every container's `resources` is a non-pointer struct; `normalizePodProtoDefault`
/// gives the ports of `containers` (not init containers) the protocol `TCP`.
fn pod_spec(obj: &mut Value, path: &[&str], protocols: bool) {
    ensure_struct(obj, path);
    let Some(spec) = get_mut(obj, path) else {
        return;
    };
    for field in ["containers", "initContainers", "ephemeralContainers"] {
        if let Some(Value::Seq(cs)) = spec.as_map_mut().and_then(|m| m.get_mut(field)) {
            for c in cs.iter_mut() {
                ensure_struct(c, &["resources"]);
                if protocols && field == "containers" {
                    default_protocol(c, &["ports"]);
                }
            }
        }
    }
}

fn default_protocol(obj: &mut Value, path: &[&str]) {
    if let Some(Value::Seq(ports)) = get_mut(obj, path) {
        for p in ports.iter_mut() {
            if let Value::Map(m) = p {
                let missing = m
                    .get("protocol")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty);
                if missing {
                    m.insert("protocol".into(), Value::from("TCP"));
                }
            }
        }
    }
}

/// `normalizeSecret`: `stringData` merged into `data` (base64), then dropped.
fn merge_string_data(obj: &mut Value) {
    let Some(root) = obj.as_map_mut() else {
        return;
    };
    let Some(Value::Map(sd)) = root.shift_remove("stringData") else {
        return;
    };
    if sd.is_empty() {
        return;
    }
    let data = root
        .entry("data".to_string())
        .or_insert_with(|| Value::Map(Map::default()));
    if !matches!(data, Value::Map(_)) {
        *data = Value::Map(Map::default());
    }
    if let Some(data) = data.as_map_mut() {
        for (k, v) in sd {
            let s = v.as_str().unwrap_or("");
            data.insert(
                k,
                Value::String(base64::engine::general_purpose::STANDARD.encode(s.as_bytes())),
            );
        }
    }
}

/// `apiequality.Semantic.DeepEqual` on unstructured data: a missing or null map equals an
/// empty one only at the top of a `GetLabels()`-style read; inside, maps and lists compare
/// by content (an empty list equals a missing one only where Go holds nil slices, which JSON
/// decoding never produces).
pub fn semantic_eq(a: &Value, b: &Value) -> bool {
    a == b
}

fn string_map(obj: &Value, field: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = obj
        .get_path(&["metadata", field])
        .and_then(Value::as_map)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn without_metadata_and_status(obj: &Value) -> Value {
    match obj {
        Value::Map(m) => {
            let mut m = m.clone();
            m.shift_remove("metadata");
            m.shift_remove("status");
            Value::Map(m)
        }
        other => other.clone(),
    }
}

/// `hasDrifted(existing, dryRun)`: true when the dry-run created the object (no
/// `resourceVersion`), or its labels, annotations or anything outside `metadata` and
/// `status` differ from the live object's. (`normalize.DryRunUnstructured`'s
/// HorizontalPodAutoscaler metric de-duplication is not ported.)
pub fn has_drifted(existing: Option<&Value>, dry_run: &Value) -> bool {
    let rv = dry_run
        .get_path(&["metadata", "resourceVersion"])
        .and_then(Value::as_str)
        .unwrap_or("");
    let Some(existing) = existing else {
        return true;
    };
    if rv.is_empty() {
        return true;
    }
    if string_map(dry_run, "labels") != string_map(existing, "labels") {
        return true;
    }
    if string_map(dry_run, "annotations") != string_map(existing, "annotations") {
        return true;
    }
    !semantic_eq(
        &sorted(&without_metadata_and_status(dry_run)),
        &sorted(&without_metadata_and_status(existing)),
    )
}

/// A copy with every map's keys sorted, so that key order never counts.
fn sorted(v: &Value) -> Value {
    match v {
        Value::Map(m) => {
            let mut items: Vec<(String, Value)> =
                m.iter().map(|(k, v)| (k.clone(), sorted(v))).collect();
            items.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Map(items.into_iter().collect())
        }
        Value::Seq(s) => Value::Seq(s.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::read_manifests;

    fn one(y: &str) -> Value {
        read_manifests(y).expect("manifest").remove(0)
    }

    #[test]
    fn deployment_goes_through_go_types() {
        let mut d = one(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: apps, annotations: {}}\n\
             spec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}, annotations: {}}\n    spec:\n\
             \x20     containers:\n      - name: web\n        image: x\n        args: []\n        env: [{name: E, value: ''}, {name: N, value: null}]\n\
             \x20       ports: [{containerPort: 80}]\n      nodeSelector: {}\n      tolerations: null\n      hostNetwork: false\n      automountServiceAccountToken: false\nstatus: {replicas: 1}\n",
        );
        normalize_object(&mut d);
        let want = one(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: apps, creationTimestamp: null}\n\
             spec:\n  selector: {matchLabels: {app: web}}\n  strategy: {}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n\
             \x20     containers:\n      - name: web\n        image: x\n        env: [{name: E}, {name: N}]\n\
             \x20       ports: [{containerPort: 80, protocol: TCP}]\n        resources: {}\n      automountServiceAccountToken: false\n",
        );
        assert_eq!(sorted(&d), sorted(&want));
    }

    #[test]
    fn secret_string_data_merged_and_custom_resources_untouched() {
        let mut s = one(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: s3cr3t}\ndata: {a: YQ==}\n",
        );
        normalize_object(&mut s);
        assert_eq!(s.get("stringData"), None);
        assert_eq!(
            s.get_path(&["data", "password"]).and_then(Value::as_str),
            Some("czNjcjN0")
        );
        let mut bad =
            one("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {flag: y}\n");
        normalize_object(&mut bad);
        assert!(
            bad.get("stringData").is_some(),
            "an unconvertible Secret is sent as written"
        );
        let mut cr = one(
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {settings: {}, tags: [], x: null}\nstatus: {a: 1}\n",
        );
        normalize_object(&mut cr);
        assert_eq!(
            cr.get("spec"),
            one("kind: X\nspec: {settings: {}, tags: [], x: null}\n").get("spec")
        );
        assert_eq!(cr.get("status"), None);
    }

    #[test]
    fn roles_are_not_converted() {
        let mut r = one(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules: []\n",
        );
        let before = r.clone();
        normalize_object(&mut r);
        assert_eq!(r, before);
    }

    #[test]
    fn drift_ignores_metadata_noise_and_status() {
        let live = one(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, resourceVersion: '5', uid: u, labels: {a: b}, managedFields: [{manager: x}]}\ndata: {k: v}\n",
        );
        let dry = one(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, resourceVersion: '5', uid: u, labels: {a: b}, managedFields: [{manager: y}]}\ndata: {k: v}\nstatus: {x: 1}\n",
        );
        assert!(!has_drifted(Some(&live), &dry));
        let changed = one(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, resourceVersion: '5', labels: {a: b}}\ndata: {k: w}\n",
        );
        assert!(has_drifted(Some(&live), &changed));
        let relabeled = one(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, resourceVersion: '5', labels: {a: c}}\ndata: {k: v}\n",
        );
        assert!(has_drifted(Some(&live), &relabeled));
        let created = one("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\n");
        assert!(has_drifted(Some(&live), &created));
        assert!(has_drifted(None, &dry));
    }
}
