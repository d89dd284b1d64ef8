//! Flux's apply order (`fluxcd/pkg/ssa` `sort.go` and `utils/is.go`): objects go in stages —
//! cluster definitions (CRDs, Namespaces, ClusterRoles), then class kinds (every kind ending
//! in `Class`), then the rest — and inside a stage by kind rank, group, kind, namespace, name.

use std::cmp::Ordering;

use super::object::{ObjMetadata, str_at};
use crate::yaml::Value;

/// `ssa.ReconcileOrder.First`: these kinds come first, in this order (matched by kind only).
pub const ORDER_FIRST: [&str; 23] = [
    "CustomResourceDefinition",
    "Namespace",
    "ClusterRole",
    "ClusterClass",
    "RuntimeClass",
    "PriorityClass",
    "StorageClass",
    "VolumeSnapshotClass",
    "IngressClass",
    "GatewayClass",
    "ClusterRoleBinding",
    "ResourceQuota",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ConfigMap",
    "Secret",
    "Service",
    "LimitRange",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

/// `ssa.ReconcileOrder.Last`: these kinds come last, in this order.
pub const ORDER_LAST: [&str; 2] = [
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// The rank `getIndexByKind` gives a kind: negative for the first kinds, positive for the
/// last ones, 0 for every other kind.
pub fn kind_rank(kind: &str) -> i32 {
    let first = ORDER_FIRST.len() as i32;
    if let Some(i) = ORDER_FIRST.iter().position(|k| *k == kind) {
        return -first + i as i32;
    }
    if let Some(i) = ORDER_LAST.iter().position(|k| *k == kind) {
        return 1 + i as i32;
    }
    0
}

/// Flux's `less`: kind rank, then group, then kind, then namespace, then name.
pub fn compare(a: &ObjMetadata, b: &ObjMetadata) -> Ordering {
    if a.group != b.group || a.kind != b.kind {
        return kind_rank(&a.kind)
            .cmp(&kind_rank(&b.kind))
            .then_with(|| a.group.cmp(&b.group))
            .then_with(|| a.kind.cmp(&b.kind));
    }
    a.namespace
        .cmp(&b.namespace)
        .then_with(|| a.name.cmp(&b.name))
}

/// The sort key of [`compare`]: ordering these tuples is Flux's order.
pub fn sort_key(m: &ObjMetadata) -> (i32, String, String, String, String) {
    (
        kind_rank(&m.kind),
        m.group.clone(),
        m.kind.clone(),
        m.namespace.clone(),
        m.name.clone(),
    )
}

/// Sorts objects in Flux's apply order.
pub fn sort_objects(objects: &mut [Value]) {
    objects.sort_by_cached_key(|o| {
        let m = ObjMetadata::of(o);
        (kind_rank(&m.kind), m.group, m.kind, m.namespace, m.name)
    });
}

/// The apply stages of `ApplyAllStaged`, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// CRDs, Namespaces and ClusterRoles; waited for before the next stage.
    Definitions,
    /// Kinds whose name ends in `Class`; waited for before the next stage.
    Classes,
    /// Everything else.
    Resources,
}

impl Stage {
    /// A short name (`definitions`, `classes`, `resources`).
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Definitions => "definitions",
            Stage::Classes => "classes",
            Stage::Resources => "resources",
        }
    }

    /// Whether `ApplyAllStaged` waits for the stage's objects to be ready.
    pub fn waits(self) -> bool {
        !matches!(self, Stage::Resources)
    }
}

/// `utils.IsCRD`.
pub fn is_crd(obj: &Value) -> bool {
    str_at(obj, &["kind"]).eq_ignore_ascii_case("customresourcedefinition")
        && str_at(obj, &["apiVersion"]).starts_with("apiextensions.k8s.io/")
}

/// `utils.IsNamespace`.
pub fn is_namespace(obj: &Value) -> bool {
    str_at(obj, &["kind"]).eq_ignore_ascii_case("namespace") && str_at(obj, &["apiVersion"]) == "v1"
}

/// `utils.IsClusterRole`.
pub fn is_cluster_role(obj: &Value) -> bool {
    str_at(obj, &["kind"]).eq_ignore_ascii_case("clusterrole")
        && str_at(obj, &["apiVersion"]).starts_with("rbac.authorization.k8s.io/")
}

/// `utils.IsSecret`.
pub fn is_secret(obj: &Value) -> bool {
    str_at(obj, &["kind"]).eq_ignore_ascii_case("secret") && str_at(obj, &["apiVersion"]) == "v1"
}

/// The stage an object is applied in.
pub fn stage_of(obj: &Value) -> Stage {
    if is_crd(obj) || is_namespace(obj) || is_cluster_role(obj) {
        Stage::Definitions
    } else if str_at(obj, &["kind"]).ends_with("Class") {
        Stage::Classes
    } else {
        Stage::Resources
    }
}

/// Splits objects into their non-empty stages, each sorted in apply order. The resource
/// stage is always present (Flux runs it even when empty).
pub fn stages(objects: Vec<Value>) -> Vec<(Stage, Vec<Value>)> {
    let mut defs = Vec::new();
    let mut classes = Vec::new();
    let mut rest = Vec::new();
    for o in objects {
        match stage_of(&o) {
            Stage::Definitions => defs.push(o),
            Stage::Classes => classes.push(o),
            Stage::Resources => rest.push(o),
        }
    }
    let mut out = Vec::new();
    for (stage, mut objs) in [
        (Stage::Definitions, defs),
        (Stage::Classes, classes),
        (Stage::Resources, rest),
    ] {
        if objs.is_empty() && stage != Stage::Resources {
            continue;
        }
        sort_objects(&mut objs);
        out.push((stage, objs));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::read_manifests;

    fn subjects(objs: &[Value]) -> Vec<String> {
        objs.iter().map(|o| ObjMetadata::of(o).subject()).collect()
    }

    #[test]
    fn staged_in_flux_order() {
        let objs = read_manifests(
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: b, namespace: apps}\n---\n\
             apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: apps}\n---\n\
             apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: apps}\n---\n\
             apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: v}\n---\n\
             apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx}\n---\n\
             apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n---\n\
             apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n---\n\
             apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\n---\n\
             apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: a, namespace: apps}\n---\n\
             apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, namespace: apps}\n---\n\
             apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: apps}\n",
        )
        .expect("manifests");
        let st = stages(objs);
        let names: Vec<(&str, Vec<String>)> =
            st.iter().map(|(s, o)| (s.as_str(), subjects(o))).collect();
        assert_eq!(
            names,
            [
                (
                    "definitions",
                    vec![
                        "CustomResourceDefinition/widgets.example.com".to_string(),
                        "Namespace/apps".into(),
                        "ClusterRole/r".into()
                    ]
                ),
                ("classes", vec!["IngressClass/nginx".to_string()]),
                (
                    "resources",
                    vec![
                        "ConfigMap/apps/c".to_string(),
                        "Service/apps/web".into(),
                        "Deployment/apps/web".into(),
                        "Job/apps/j".into(),
                        "Widget/apps/a".into(),
                        "Widget/apps/b".into(),
                        "ValidatingWebhookConfiguration/v".into(),
                    ]
                ),
            ]
        );
    }

    #[test]
    fn unknown_kinds_by_group_then_kind() {
        let a = ObjMetadata {
            group: "b.io".into(),
            kind: "A".into(),
            ..Default::default()
        };
        let b = ObjMetadata {
            group: "a.io".into(),
            kind: "Z".into(),
            ..Default::default()
        };
        assert_eq!(compare(&a, &b), Ordering::Greater);
        assert!(kind_rank("CustomResourceDefinition") < kind_rank("PodDisruptionBudget"));
        assert!(kind_rank("PodDisruptionBudget") < kind_rank("Widget"));
        assert!(kind_rank("Widget") < kind_rank("MutatingWebhookConfiguration"));
    }
}
