//! Manifests and a connection the cluster tests share.

use gitward::io::cluster::Cluster;
use gitward::yaml::Value;

/// A connection to the test cluster with its admin kubeconfig.
///
/// # Panics
/// When the connection cannot be set up.
pub async fn connect() -> Cluster {
    Cluster::connect(Some(&crate::cluster().kubeconfig), None)
        .await
        .expect("connect with the admin kubeconfig")
}

/// The objects of manifests as apply reads them (`objects_from_manifests`).
///
/// # Panics
/// When the text does not parse.
pub fn objects(text: &str) -> Vec<Value> {
    gitward::ssa::objects_from_manifests(
        gitward::manifest::read_manifests(text).expect("manifests"),
    )
}

/// The Secret value of [`mixed_set`] (tests search all output for it).
pub const SECRET_VALUE: &str = "hunter2-very-secret";

/// A set with every kind the acceptance names: CRD + CR, Namespace, RBAC, ConfigMap,
/// Secret, Deployment, Service (names made unique per test).
pub fn mixed_set(ns: &str, group: &str, cm_value: &str) -> String {
    format!(
        r#"apiVersion: example.com/v1
kind: Widget
metadata: {{name: alpha, namespace: {ns}}}
spec: {{size: 3}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: {ns}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      serviceAccountName: web
      containers:
      - name: web
        image: registry.example/web:1.0.0
        ports: [{{name: http, containerPort: 8080}}]
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: {ns}}}
spec:
  selector: {{app: web}}
  ports: [{{name: http, port: 80, targetPort: http}}]
---
apiVersion: v1
kind: Secret
metadata: {{name: web, namespace: {ns}}}
stringData: {{password: {SECRET_VALUE}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: web, namespace: {ns}}}
data: {{LOG_LEVEL: {cm_value}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: web, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: web}}
subjects: [{{kind: ServiceAccount, name: web, namespace: {ns}}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: web, namespace: {ns}}}
rules: [{{apiGroups: [''], resources: [configmaps], verbs: [get]}}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: web, namespace: {ns}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: {ns}-reader}}
rules: [{{apiGroups: [''], resources: [namespaces], verbs: [get]}}]
---
apiVersion: v1
kind: Namespace
metadata: {{name: {ns}}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {{name: widgets.{group}}}
spec:
  group: {group}
  scope: Namespaced
  names: {{kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {{type: integer, minimum: 0}}
"#
    )
    .replace(
        "apiVersion: example.com/v1",
        &format!("apiVersion: {group}/v1"),
    )
}

/// The prune sets: a Namespace and the ConfigMaps `keep`, `pinned` (`prune: disabled`) and
/// `gone` in it, and the same without `pinned` and `gone`.
pub fn prune_sets(ns: &str) -> (String, String) {
    let cm = |name: &str, extra: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: {ns}{extra}}}\ndata: {{k: v}}\n"
        )
    };
    let namespace = format!("apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n");
    let full = [
        namespace.clone(),
        cm("keep", ""),
        cm(
            "pinned",
            ", annotations: {kustomize.toolkit.fluxcd.io/prune: disabled}",
        ),
        cm("gone", ""),
    ]
    .join("---\n");
    (full, [namespace, cm("keep", "")].join("---\n"))
}

/// A namespaced CRD of `group` for `kind` (`plural`), version `v1`, with the schema's
/// `properties`.
pub fn crd(group: &str, kind: &str, plural: &str, properties: &str) -> String {
    format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n\
         metadata: {{name: {plural}.{group}}}\n\
         spec:\n  group: {group}\n  scope: Namespaced\n\
         \x20 names: {{kind: {kind}, listKind: {kind}List, plural: {plural}, singular: {}}}\n\
         \x20 versions:\n  - name: v1\n    served: true\n    storage: true\n\
         \x20   schema: {{openAPIV3Schema: {{type: object, properties: {{{properties}}}}}}}\n",
        kind.to_lowercase()
    )
}
