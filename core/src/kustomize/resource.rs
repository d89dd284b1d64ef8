//! Resources as kustomize tracks them during a build: the object plus the bookkeeping that
//! kustomize keeps in build annotations (previous ids, prefixes and suffixes applied,
//! generator behaviour, hash suffix request). Here that bookkeeping is plain fields, never
//! annotations on the object.

use crate::model::Gvk;
use crate::yaml::{Map, Value};

/// Namespace kustomize treats as "the default".
pub(crate) const DEFAULT_NAMESPACE: &str = "default";

/// A kind whose objects live outside namespaces, by apiVersion and kind (the built-in
/// schema kustomize v5.7.1 embeds; other kinds are taken to be namespaced).
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    (
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
    ("apiregistration.k8s.io/v1", "APIService"),
    ("apiregistration.k8s.io/v1beta1", "APIService"),
    ("certificates.k8s.io/v1", "CertificateSigningRequest"),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
    ),
    ("networking.k8s.io/v1", "IngressClass"),
    ("networking.k8s.io/v1beta1", "IngressClass"),
    ("node.k8s.io/v1", "RuntimeClass"),
    ("node.k8s.io/v1beta1", "RuntimeClass"),
    ("policy/v1beta1", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"),
    ("storage.k8s.io/v1", "CSIDriver"),
    ("storage.k8s.io/v1", "CSINode"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("storage.k8s.io/v1", "VolumeAttachment"),
    ("storage.k8s.io/v1beta1", "CSIDriver"),
    ("storage.k8s.io/v1beta1", "CSINode"),
    ("storage.k8s.io/v1beta1", "StorageClass"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment"),
    ("v1", "ComponentStatus"),
    ("v1", "Namespace"),
    ("v1", "Node"),
    ("v1", "NodeProxyOptions"),
    ("v1", "PersistentVolume"),
];

/// Whether objects of this group/version/kind are certainly cluster-scoped.
pub(crate) fn is_cluster_scoped(gvk: &Gvk) -> bool {
    CLUSTER_SCOPED.iter().any(|(a, k)| {
        *k == gvk.kind
            && match a.rsplit_once('/') {
                Some((g, v)) => g == gvk.group && v == gvk.version,
                None => gvk.group.is_empty() && *a == gvk.version,
            }
    })
}

/// The namespace kustomize compares for an object of `gvk` in `namespace`: none for
/// cluster-scoped kinds, `default` for an empty one.
pub(crate) fn effective_namespace<'a>(gvk: &Gvk, namespace: &'a str) -> &'a str {
    if is_cluster_scoped(gvk) {
        "_non_namespaceable_"
    } else if namespace.is_empty() {
        DEFAULT_NAMESPACE
    } else {
        namespace
    }
}

/// A resource id as kustomize compares them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub(crate) struct Id {
    pub gvk: Gvk,
    pub name: String,
    pub namespace: String,
}

impl Id {
    /// The namespace kustomize compares: none for cluster-scoped kinds, `default` for an
    /// empty one.
    pub(crate) fn effective_namespace(&self) -> &str {
        effective_namespace(&self.gvk, &self.namespace)
    }

    /// kustomize's `ResId.Equals`.
    pub(crate) fn equals(&self, o: &Id) -> bool {
        self.gvk == o.gvk
            && self.name == o.name
            && self.effective_namespace() == o.effective_namespace()
    }

    /// A key for hash lookups consistent with [`Id::equals`] (the id taken apart).
    pub(crate) fn into_key(self) -> (Gvk, String, String) {
        let ns = match self.effective_namespace() {
            ns if std::ptr::eq(ns, self.namespace.as_str()) => None,
            other => Some(other.to_owned()),
        };
        let ns = ns.unwrap_or(self.namespace);
        (self.gvk, self.name, ns)
    }
}

impl std::fmt::Display for Id {
    /// kustomize's `ResId.String()`: `[noGrp]/v1/ConfigMap/ns/name`-like.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ns = if self.namespace.is_empty() {
            "[noNs]"
        } else {
            &self.namespace
        };
        write!(
            f,
            "{}.{}.{}/{}.{}",
            or(&self.gvk.kind, "[noKind]"),
            or(&self.gvk.version, "[noVer]"),
            or(&self.gvk.group, "[noGrp]"),
            self.name,
            ns
        )
    }
}

fn or<'a>(s: &'a str, d: &'a str) -> &'a str {
    if s.is_empty() { d } else { s }
}

/// Generator behaviour for generated objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Behavior {
    /// Not generated, or `create`.
    #[default]
    Unspecified,
    /// `create`.
    Create,
    /// `merge` into an object of the same id.
    Merge,
    /// `replace` an object of the same id.
    Replace,
}

impl Behavior {
    /// kustomize's `types.NewGenerationBehavior`: any other text, `add` say, is
    /// unspecified (which creates).
    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "create" => Behavior::Create,
            "merge" => Behavior::Merge,
            "replace" => Behavior::Replace,
            _ => Behavior::Unspecified,
        }
    }
}

/// A resource during a build.
#[derive(Debug, Clone, Default)]
pub(crate) struct Resource {
    /// The object (a map).
    pub obj: Value,
    /// Ids this resource had before renames (oldest first).
    pub prev_ids: Vec<Id>,
    /// Name prefixes applied so far (innermost first).
    pub prefixes: Vec<String>,
    /// Name suffixes applied so far (innermost first).
    pub suffixes: Vec<String>,
    /// Made by a generator (kustomize then records its behaviour in a build annotation).
    pub generated: bool,
    /// Generator behaviour.
    pub behavior: Behavior,
    /// Whether a content hash is to be appended to the name.
    pub needs_hash: bool,
    /// Resources that refer to this one through vars.
    pub ref_by: Vec<Id>,
    /// Names of vars that refer to this resource.
    pub ref_var_names: Vec<String>,
    /// A patch may change this resource's name.
    pub allow_name_change: bool,
    /// A patch may change this resource's kind.
    pub allow_kind_change: bool,
    /// Where the resource came from (tracked when `buildMetadata` asks for it).
    pub origin: Option<Origin>,
    /// Transformers that ran over the resource (tracked likewise).
    pub transformations: Vec<Origin>,
    /// For a resource read from a file with a hash-suffix request in its annotations:
    /// the go-yaml node JSON kustomize hashes (see `nodehash`) and the object as read;
    /// the JSON stands for the object while the object is unchanged.
    pub hash_source: Option<HashSource>,
}

/// The go-yaml node JSON kustomize would hash for a resource, and the object it was
/// read as.
pub(crate) type HashSource = std::sync::Arc<(String, Value)>;

/// kustomize's bookkeeping annotations (`resource.BuildAnnotations`): they steer a build
/// when present on input, and are removed from every resource at the end.
pub(crate) const BUILD_ANNOTATIONS: &[&str] = &[
    "internal.config.kubernetes.io/previousKinds",
    "internal.config.kubernetes.io/previousNames",
    "internal.config.kubernetes.io/prefixes",
    "internal.config.kubernetes.io/suffixes",
    "internal.config.kubernetes.io/previousNamespaces",
    "internal.config.kubernetes.io/allowNameChange",
    "internal.config.kubernetes.io/allowKindChange",
    "internal.config.kubernetes.io/refBy",
    "internal.config.kubernetes.io/generatorBehavior",
    NEEDS_HASH_SUFFIX,
    "internal.config.kubernetes.io/path",
    "internal.config.kubernetes.io/index",
    "internal.config.kubernetes.io/seqindent",
    "internal.config.kubernetes.io/id",
    "internal.config.kubernetes.io/annotations-migration-resource-id",
    "config.kubernetes.io/path",
    "config.kubernetes.io/index",
    "config.k8s.io/id",
];

/// The annotation asking for a content-hash name suffix (with the value `enabled`).
pub(crate) const NEEDS_HASH_SUFFIX: &str = "internal.config.kubernetes.io/needsHashSuffix";

/// kustomize's `resource.Origin`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Origin {
    pub path: String,
    pub configured_in: String,
    /// apiVersion, kind, name, namespace of the configuring generator or transformer.
    pub configured_by: Option<(String, String, String, String)>,
}

/// Go's `filepath.Join`: joins and cleans (`a/../b` is `b`; leading `..` stays).
pub(crate) fn join_clean(a: &str, b: &str) -> String {
    let joined = if a.is_empty() {
        b.to_owned()
    } else if b.is_empty() {
        a.to_owned()
    } else {
        format!("{a}/{b}")
    };
    let abs = joined.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for c in joined.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !abs {
                    parts.push("..");
                }
            }
            c => parts.push(c),
        }
    }
    let body = parts.join("/");
    match (abs, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_owned(),
        (false, false) => body,
    }
}

impl Origin {
    fn lines(&self, indent: &str, first: &str) -> String {
        let mut out = Vec::new();
        if !self.path.is_empty() {
            out.push(format!("path: {}", self.path));
        }
        if !self.configured_in.is_empty() {
            out.push(format!("configuredIn: {}", self.configured_in));
        }
        if let Some((api, kind, name, ns)) = &self.configured_by {
            out.push("configuredBy:".to_owned());
            for (k, v) in [
                ("apiVersion", api),
                ("kind", kind),
                ("name", name),
                ("namespace", ns),
            ] {
                if !v.is_empty() {
                    out.push(format!("  {k}: {v}"));
                }
            }
        }
        let mut s = String::new();
        for (i, l) in out.iter().enumerate() {
            s.push_str(if i == 0 { first } else { indent });
            s.push_str(l);
            s.push('\n');
        }
        s
    }

    /// The `config.kubernetes.io/origin` annotation text.
    pub(crate) fn annotation(&self) -> String {
        self.lines("", "")
    }

    /// One entry of the `alpha.config.kubernetes.io/transformations` list.
    pub(crate) fn list_entry(&self) -> String {
        self.lines("  ", "- ")
    }
}

pub(crate) fn str_at<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    v.get_path(path).and_then(Value::as_str).unwrap_or("")
}

impl Resource {
    pub(crate) fn new(obj: Value) -> Self {
        Resource {
            obj,
            ..Default::default()
        }
    }

    pub(crate) fn kind(&self) -> &str {
        str_at(&self.obj, &["kind"])
    }
    pub(crate) fn api_version(&self) -> &str {
        str_at(&self.obj, &["apiVersion"])
    }
    pub(crate) fn name(&self) -> &str {
        str_at(&self.obj, &["metadata", "name"])
    }
    pub(crate) fn namespace(&self) -> &str {
        str_at(&self.obj, &["metadata", "namespace"])
    }
    pub(crate) fn gvk(&self) -> Gvk {
        Gvk::from_api_version(self.api_version(), self.kind())
    }
    /// The current id.
    pub(crate) fn cur_id(&self) -> Id {
        Id {
            gvk: self.gvk(),
            name: self.name().to_owned(),
            namespace: self.namespace().to_owned(),
        }
    }
    /// Whether the current id [`Id::equals`] `id` (without building the current id).
    pub(crate) fn cur_id_equals(&self, id: &Id) -> bool {
        if self.name() != id.name {
            return false;
        }
        let gvk = self.gvk();
        gvk == id.gvk && effective_namespace(&gvk, self.namespace()) == id.effective_namespace()
    }

    /// Whether any id, previous or current, [`Id::equals`] `id`.
    pub(crate) fn any_id_equals(&self, id: &Id) -> bool {
        self.prev_ids.iter().any(|p| p.equals(id)) || self.cur_id_equals(id)
    }

    /// The original id: the oldest previous id, or the current one.
    pub(crate) fn org_id(&self) -> Id {
        self.prev_ids
            .first()
            .cloned()
            .unwrap_or_else(|| self.cur_id())
    }
    /// Records the current id before a rename.
    pub(crate) fn store_previous_id(&mut self) {
        let id = self.cur_id();
        self.prev_ids.push(id);
    }
    /// All ids, previous and current.
    pub(crate) fn all_ids(&self) -> Vec<Id> {
        let mut v = self.prev_ids.clone();
        v.push(self.cur_id());
        v
    }

    fn metadata_mut(&mut self) -> &mut Map {
        let m = ensure_map(&mut self.obj);
        ensure_map(m.entry("metadata".to_owned()).or_insert(Value::Null))
    }

    pub(crate) fn set_name(&mut self, name: &str) {
        self.metadata_mut().insert("name".into(), name.into());
    }

    pub(crate) fn set_namespace(&mut self, ns: &str) {
        self.metadata_mut().insert("namespace".into(), ns.into());
    }

    /// `metadata.labels` or `metadata.annotations` as string pairs.
    pub(crate) fn string_map(&self, field: &str) -> Vec<(String, String)> {
        match self.obj.get_path(&["metadata", field]) {
            Some(Value::Map(m)) => m
                .iter()
                .map(|(k, v)| (k.clone(), scalar_string(v)))
                .collect(),
            _ => Vec::new(),
        }
    }

    pub(crate) fn labels(&self) -> Vec<(String, String)> {
        self.string_map("labels")
    }

    pub(crate) fn annotations(&self) -> Vec<(String, String)> {
        self.string_map("annotations")
    }

    /// Whether a content-hash name suffix is due: asked for by a generator, or by the
    /// annotation `internal.config.kubernetes.io/needsHashSuffix: enabled` on the object
    /// (kustomize keeps the request in that annotation, so any resource may carry it).
    pub(crate) fn wants_hash(&self) -> bool {
        self.needs_hash
            || matches!(
                self.obj.get_path(&["metadata", "annotations", NEEDS_HASH_SUFFIX]),
                Some(Value::String(s)) if s == "enabled"
            )
    }

    /// `metadata.annotations` as kyaml's `GetAnnotations` reads it: each value's node text,
    /// an empty string for a map or a list; a list is read as alternating keys and values
    /// (where kustomize panics, on an odd length or a key that is not a scalar, an error).
    pub(crate) fn kyaml_annotations(&self) -> Result<Vec<(String, String)>, String> {
        let text = |v: &Value| match v {
            Value::Map(_) | Value::Seq(_) => String::new(),
            other => scalar_string(other),
        };
        match self.obj.get_path(&["metadata", "annotations"]) {
            Some(Value::Map(m)) => Ok(m.iter().map(|(k, v)| (k.clone(), text(v))).collect()),
            Some(Value::Seq(items)) => {
                if items.len() % 2 == 1 {
                    return Err(format!(
                        "panic: runtime error: index out of range [{}] with length {}",
                        items.len(),
                        items.len()
                    ));
                }
                let mut out: Vec<(String, String)> = Vec::new();
                for pair in items.chunks(2) {
                    let [k, v] = pair else { continue };
                    if matches!(k, Value::Map(_) | Value::Seq(_)) {
                        return Err(
                            "panic: wrong node kind: expected ScalarNode in metadata.annotations"
                                .to_owned(),
                        );
                    }
                    // Later keys win, as in a Go map.
                    let key = text(k);
                    out.retain(|(x, _)| *x != key);
                    out.push((key, text(v)));
                }
                Ok(out)
            }
            _ => Ok(Vec::new()),
        }
    }

    /// Replaces `metadata.<field>` with the given pairs (removed when empty).
    pub(crate) fn set_string_map(&mut self, field: &str, pairs: &[(String, String)]) {
        let meta = self.metadata_mut();
        if pairs.is_empty() {
            meta.shift_remove(field);
            return;
        }
        let mut m = Map::default();
        for (k, v) in pairs {
            m.insert(k.clone(), v.clone().into());
        }
        meta.insert(field.to_owned(), Value::Map(m));
    }
}

/// The text of a scalar as kyaml sees it (numbers and booleans as written).
pub(crate) fn scalar_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => crate::go::json::number(*n).unwrap_or_default(),
        Value::Null => String::new(),
        other => crate::go::json::to_string(other).unwrap_or_default(),
    }
}

/// Makes `v` a map (a non-map is replaced) and returns it.
pub(crate) fn ensure_map(v: &mut Value) -> &mut Map {
    if !matches!(v, Value::Map(_)) {
        *v = Value::Map(Map::default());
    }
    match v {
        Value::Map(m) => m,
        _ => unreachable!("just made a map"),
    }
}
