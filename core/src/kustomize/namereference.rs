//! Name references: after names change (prefixes, suffixes, hashes, namespaces), every
//! field that refers to a renamed object by name is updated (kustomize's `nameReference`
//! configuration and its `nameref` filter).
//!
//! Each back reference names a referral target kind (e.g. `ConfigMap`) and the fields of
//! referrer kinds that may hold such a name. For each field value found, the candidates are
//! the objects that once had that name (any previous id), of the target kind, reachable from
//! the referrer's namespace; ties are broken by comparing name prefixes and suffixes.

use foldhash::HashMap;

use super::decode::Fields;
use super::fieldspec::{FsSlice, TransformerConfig};
use super::resmap::ResMap;
use super::resource::{Id, Resource, is_cluster_scoped};
use super::types::{FieldSpec, GvkSel};
use crate::model::Gvk;
use crate::yaml::Value;

/// Deepest object nesting the field walkers follow (inputs are parsed data, so this is a
/// guard, not a limit users meet).
const MAX_DEPTH: usize = 512;

/// One back reference: objects of kind `target` may be named by the `referrers` fields.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BackRef {
    pub target: GvkSel,
    pub referrers: FsSlice,
}

// The built-in back references, re-expressed: pod-spec field suffixes are combined with the
// places workload kinds keep their pod spec.

/// Where each workload kind keeps its pod spec: (group, version, kind, prefix).
const POD_HOLDERS_VERSIONED_POD: &[(&str, &str, &str, &str)] = &[
    ("", "v1", "Pod", "spec/"),
    ("", "", "PodTemplate", "template/spec/"),
    ("", "", "Deployment", "spec/template/spec/"),
    ("", "", "ReplicaSet", "spec/template/spec/"),
    ("", "", "DaemonSet", "spec/template/spec/"),
    ("", "", "StatefulSet", "spec/template/spec/"),
    ("", "", "Job", "spec/template/spec/"),
    ("", "", "CronJob", "spec/jobTemplate/spec/template/spec/"),
];

/// Pod-spec holders for service accounts, claims and priority classes.
const POD_HOLDERS_PLAIN: &[(&str, &str)] = &[
    ("Pod", "spec/"),
    ("StatefulSet", "spec/template/spec/"),
    ("Deployment", "spec/template/spec/"),
    ("ReplicationController", "spec/template/spec/"),
    ("CronJob", "spec/jobTemplate/spec/template/spec/"),
    ("Job", "spec/template/spec/"),
    ("DaemonSet", "spec/template/spec/"),
];

/// Pod-spec fields naming a ConfigMap.
const CONFIGMAP_IN_POD: &[&str] = &[
    "volumes/configMap/name",
    "containers/env/valueFrom/configMapKeyRef/name",
    "initContainers/env/valueFrom/configMapKeyRef/name",
    "containers/envFrom/configMapRef/name",
    "initContainers/envFrom/configMapRef/name",
    "volumes/projected/sources/configMap/name",
];

/// Pod-spec fields naming a Secret.
const SECRET_IN_POD: &[&str] = &[
    "volumes/secret/secretName",
    "containers/env/valueFrom/secretKeyRef/name",
    "initContainers/env/valueFrom/secretKeyRef/name",
    "containers/envFrom/secretRef/name",
    "initContainers/envFrom/secretRef/name",
    "imagePullSecrets/name",
    "volumes/projected/sources/secret/name",
];

/// Other referrers: (target group, version, kind) ← (referrer group, version, kind, path).
type Row = (
    (&'static str, &'static str, &'static str),
    (&'static str, &'static str, &'static str, &'static str),
);

const RBAC: &str = "rbac.authorization.k8s.io";
const ADMISSION: &str = "admissionregistration.k8s.io";

const EXTRA_CONFIGMAP: &[(&str, &str, &str, &str)] = &[
    ("", "", "Node", "spec/configSource/configMap"),
    ("", "", "Role", "rules/resourceNames"),
    ("", "", "ClusterRole", "rules/resourceNames"),
    (
        "",
        "",
        "Ingress",
        "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap",
    ),
];

const EXTRA_SECRET: &[(&str, &str, &str, &str)] = &[
    ("", "", "Ingress", "spec/tls/secretName"),
    (
        "",
        "",
        "Ingress",
        "metadata/annotations/ingress.kubernetes.io\\/auth-secret",
    ),
    (
        "",
        "",
        "Ingress",
        "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret",
    ),
    (
        "",
        "",
        "Ingress",
        "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret",
    ),
    ("", "", "ServiceAccount", "imagePullSecrets/name"),
    ("", "", "StorageClass", "parameters/secretName"),
    ("", "", "StorageClass", "parameters/adminSecretName"),
    ("", "", "StorageClass", "parameters/userSecretName"),
    ("", "", "StorageClass", "parameters/secretRef"),
    ("", "", "Role", "rules/resourceNames"),
    ("", "", "ClusterRole", "rules/resourceNames"),
    (
        "serving.knative.dev",
        "v1",
        "Service",
        "spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
    ),
    ("", "", "PersistentVolume", "spec/azureFile/secretName"),
];

const OTHER_ROWS: &[Row] = &[
    (
        ("", "", "Deployment"),
        (
            "",
            "",
            "HorizontalPodAutoscaler",
            "spec/scaleTargetRef/name",
        ),
    ),
    (
        ("", "", "ReplicationController"),
        (
            "",
            "",
            "HorizontalPodAutoscaler",
            "spec/scaleTargetRef/name",
        ),
    ),
    (
        ("", "", "ReplicaSet"),
        (
            "",
            "",
            "HorizontalPodAutoscaler",
            "spec/scaleTargetRef/name",
        ),
    ),
    (
        ("", "", "StatefulSet"),
        (
            "",
            "",
            "HorizontalPodAutoscaler",
            "spec/scaleTargetRef/name",
        ),
    ),
    (
        ("", "v1", "Service"),
        ("apps", "", "StatefulSet", "spec/serviceName"),
    ),
    (
        ("", "v1", "Service"),
        (
            "",
            "",
            "Ingress",
            "spec/rules/http/paths/backend/serviceName",
        ),
    ),
    (
        ("", "v1", "Service"),
        ("", "", "Ingress", "spec/backend/serviceName"),
    ),
    (
        ("", "v1", "Service"),
        (
            "",
            "",
            "Ingress",
            "spec/rules/http/paths/backend/service/name",
        ),
    ),
    (
        ("", "v1", "Service"),
        ("", "", "Ingress", "spec/defaultBackend/service/name"),
    ),
    (
        ("", "v1", "Service"),
        (
            "apiregistration.k8s.io",
            "",
            "APIService",
            "spec/service/name",
        ),
    ),
    (
        ("", "v1", "Service"),
        (
            ADMISSION,
            "",
            "ValidatingWebhookConfiguration",
            "webhooks/clientConfig/service",
        ),
    ),
    (
        ("", "v1", "Service"),
        (
            ADMISSION,
            "",
            "MutatingWebhookConfiguration",
            "webhooks/clientConfig/service",
        ),
    ),
    (
        (RBAC, "", "Role"),
        (RBAC, "", "RoleBinding", "roleRef/name"),
    ),
    (
        (RBAC, "", "ClusterRole"),
        (RBAC, "", "RoleBinding", "roleRef/name"),
    ),
    (
        (RBAC, "", "ClusterRole"),
        (RBAC, "", "ClusterRoleBinding", "roleRef/name"),
    ),
    (
        ("", "v1", "ServiceAccount"),
        (RBAC, "", "RoleBinding", "subjects"),
    ),
    (
        ("", "v1", "ServiceAccount"),
        (RBAC, "", "ClusterRoleBinding", "subjects"),
    ),
    (
        ("", "v1", "PersistentVolume"),
        ("", "", "PersistentVolumeClaim", "spec/volumeName"),
    ),
    (
        ("", "v1", "PersistentVolume"),
        ("", "", "ClusterRole", "rules/resourceNames"),
    ),
    (
        ("storage.k8s.io", "v1", "StorageClass"),
        ("", "", "PersistentVolume", "spec/storageClassName"),
    ),
    (
        ("storage.k8s.io", "v1", "StorageClass"),
        ("", "", "PersistentVolumeClaim", "spec/storageClassName"),
    ),
    (
        ("storage.k8s.io", "v1", "StorageClass"),
        (
            "",
            "",
            "StatefulSet",
            "spec/volumeClaimTemplates/spec/storageClassName",
        ),
    ),
    // kustomize v5.7.1 spells this group with its version, so it never matches a real
    // IngressClass; kept as is for byte-compatibility.
    (
        ("networking.k8s.io/v1", "v1", "IngressClass"),
        ("", "", "Ingress", "spec/ingressClassName"),
    ),
    (
        (ADMISSION, "", "ValidatingAdmissionPolicy"),
        (
            ADMISSION,
            "",
            "ValidatingAdmissionPolicyBinding",
            "spec/policyName",
        ),
    ),
];

fn sel(g: &str, v: &str, k: &str) -> GvkSel {
    GvkSel {
        group: g.to_owned(),
        version: v.to_owned(),
        kind: k.to_owned(),
    }
}

fn spec(g: &str, v: &str, k: &str, path: String) -> FieldSpec {
    FieldSpec {
        gvk: sel(g, v, k),
        path,
        create: false,
    }
}

fn add(list: &mut Vec<BackRef>, target: GvkSel, fs: FieldSpec) {
    match list.iter_mut().find(|b| b.target == target) {
        Some(b) => b.referrers.0.push(fs),
        None => list.push(BackRef {
            target,
            referrers: FsSlice(vec![fs]),
        }),
    }
}

/// kustomize's built-in `nameReference` configuration.
pub(crate) fn builtin() -> Vec<BackRef> {
    let mut out: Vec<BackRef> = Vec::new();
    for (target, fields, extra) in [
        ("ConfigMap", CONFIGMAP_IN_POD, EXTRA_CONFIGMAP),
        ("Secret", SECRET_IN_POD, EXTRA_SECRET),
    ] {
        let t = sel("", "v1", target);
        for (g, v, k, prefix) in POD_HOLDERS_VERSIONED_POD {
            for f in fields {
                add(&mut out, t.clone(), spec(g, v, k, format!("{prefix}{f}")));
            }
        }
        for (g, v, k, p) in extra {
            add(&mut out, t.clone(), spec(g, v, k, (*p).to_owned()));
        }
    }
    for ((tg, tv, tk), (g, v, k, p)) in OTHER_ROWS {
        add(&mut out, sel(tg, tv, tk), spec(g, v, k, (*p).to_owned()));
    }
    for (target, tg, leaf) in [
        ("ServiceAccount", "", "serviceAccountName"),
        (
            "PersistentVolumeClaim",
            "",
            "volumes/persistentVolumeClaim/claimName",
        ),
        ("PriorityClass", "scheduling.k8s.io", "priorityClassName"),
    ] {
        for (k, prefix) in POD_HOLDERS_PLAIN {
            add(
                &mut out,
                sel(tg, "v1", target),
                spec("", "", k, format!("{prefix}{leaf}")),
            );
        }
    }
    out
}

/// Decodes one custom `nameReference` entry of a `configurations:` file.
fn decode_backref(v: &Value) -> Result<BackRef, String> {
    let f = Fields::new(
        v,
        "NameBackReferences",
        &["group", "version", "kind", "fieldSpecs"],
    )?;
    Ok(BackRef {
        target: sel(
            &f.string("group")?,
            &f.string("version")?,
            &f.string("kind")?,
        ),
        referrers: FsSlice(f.list("fieldSpecs", FieldSpec::decode)?),
    })
}

/// The kustomize order of back references (`Gvk.IsLessThan`).
fn gvk_rank(kind: &str) -> i64 {
    super::sort::kind_rank(kind)
}

fn stable_sort_string(g: &GvkSel) -> String {
    let or = |s: &str, d: &'static str| {
        if s.is_empty() {
            d.to_owned()
        } else {
            s.to_owned()
        }
    };
    format!(
        "{}_{}_{}",
        or(&g.group, "~G"),
        or(&g.version, "~V"),
        or(&g.kind, "~K")
    )
}

/// The back references in force: the built-in table with the custom entries merged in
/// (same target: referrers merged), sorted as kustomize sorts them.
pub(crate) fn config(tc: &TransformerConfig) -> Result<Vec<BackRef>, String> {
    let mut out = builtin();
    for raw in &tc.name_reference {
        let b = decode_backref(raw)
            .map_err(|e| format!("failed to merge NameReference fieldSpec: {e}"))?;
        match out.iter_mut().find(|x| x.target == b.target) {
            Some(x) => x
                .referrers
                .merge_all(&b.referrers)
                .map_err(|e| format!("failed to merge NameReference fieldSpec: {e}"))?,
            None => out.push(b),
        }
    }
    out.sort_by(|a, b| gvk_cmp(&a.target, &b.target));
    Ok(out)
}

/// kustomize's gvk order (`Gvk.IsLessThan`): kind rank, then group/version/kind text.
pub(crate) fn gvk_cmp(a: &GvkSel, b: &GvkSel) -> std::cmp::Ordering {
    gvk_rank(&a.kind)
        .cmp(&gvk_rank(&b.kind))
        .then_with(|| stable_sort_string(a).cmp(&stable_sort_string(b)))
}

/// Go's `fmt` rendering of a `[]string`.
pub(crate) fn go_slice<S: AsRef<str>>(parts: &[S]) -> String {
    let parts: Vec<&str> = parts.iter().map(AsRef::as_ref).collect();
    format!("[{}]", parts.join(" "))
}

/// Visits the nodes a field spec path selects in `node`, as kustomize's fieldspec filter
/// does without creating anything: sequences are walked element by element, a missing
/// field is skipped, a scalar in the middle of the path is an error. A `[]`-marked field
/// that is null becomes an empty sequence, as in kustomize.
pub(crate) fn visit_path(
    node: &mut Value,
    path: super::fieldspec::Segments<'_>,
    depth: usize,
    set: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err("object nesting too deep".into());
    }
    let mut rest = path.clone();
    let Some(first) = rest.next() else {
        return set(node);
    };
    match node {
        Value::Null => Ok(()),
        Value::Seq(items) => {
            for item in items.iter_mut() {
                visit_path(item, path.clone(), depth + 1, set).map_err(|e| {
                    let all: Vec<_> = path.clone().collect();
                    format!("visit traversal on path: {}: {e}", go_slice(&all))
                })?;
            }
            Ok(())
        }
        Value::Map(m) => {
            let (name, is_seq) = match first.strip_suffix("[]") {
                Some(n) => (n, true),
                None => (first.as_ref(), false),
            };
            if name.is_empty() {
                return Err("cannot set or create an empty field name".into());
            }
            let Some(field) = m.get_mut(name) else {
                return Ok(());
            };
            if is_seq && field.is_null() {
                *field = Value::Seq(Vec::new());
            }
            visit_path(field, rest, depth + 1, set)
        }
        _ => Err("expected sequence or mapping node".into()),
    }
}

/// Runs `set` on every node `fs` selects in `obj`, wrapping errors as kustomize does.
pub(crate) fn apply_spec(
    obj: &mut Value,
    id: &Id,
    fs: &FieldSpec,
    set: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    visit_path(obj, super::fieldspec::Segments::new(&fs.path), 0, set)
        .map_err(|e| format!("considering field '{}' of object {}: {e}", fs.path, id))
}

/// What the fixer needs to know of each resource, taken before any field changes.
struct Cand {
    cur: Id,
    kind: String,
    name: String,
    namespace: String,
    cluster_scoped: bool,
    /// Previous ids as kustomize rebuilds them: current group/version, previous kind.
    prev: Vec<Id>,
    org_ns: String,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

impl Cand {
    fn new(r: &Resource) -> Self {
        let cur = r.cur_id();
        let cluster_scoped = is_cluster_scoped(&cur.gvk);
        let prev: Vec<Id> = r
            .prev_ids
            .iter()
            .map(|p| Id {
                gvk: Gvk {
                    group: cur.gvk.group.clone(),
                    version: cur.gvk.version.clone(),
                    kind: p.gvk.kind.clone(),
                },
                name: p.name.clone(),
                namespace: p.effective_namespace().to_owned(),
            })
            .collect();
        let org_ns = match r.prev_ids.first() {
            Some(p) => p.effective_namespace().to_owned(),
            None => cur.effective_namespace().to_owned(),
        };
        Cand {
            kind: cur.gvk.kind.clone(),
            name: cur.name.clone(),
            namespace: cur.namespace.clone(),
            cluster_scoped,
            prev,
            org_ns,
            prefixes: r
                .prefixes
                .iter()
                .filter(|p| !p.is_empty())
                .cloned()
                .collect(),
            suffixes: r
                .suffixes
                .iter()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect(),
            cur,
        }
    }
}

/// kustomize's `SameEndingSubSlice`.
fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() > b.len() { (b, a) } else { (a, b) };
    if short.is_empty() {
        return long.is_empty();
    }
    long.ends_with(short)
}

/// kustomize's `PrefixesSuffixesEquals`.
fn prefixes_suffixes_equal(a: &Cand, b: &Cand, allow_empty: bool) -> bool {
    if allow_empty {
        let p =
            a.prefixes.is_empty() || b.prefixes.is_empty() || same_ending(&a.prefixes, &b.prefixes);
        let s =
            a.suffixes.is_empty() || b.suffixes.is_empty() || same_ending(&a.suffixes, &b.suffixes);
        p && s
    } else {
        same_ending(&a.prefixes, &b.prefixes) && same_ending(&a.suffixes, &b.suffixes)
    }
}

/// Which objects a referrer may refer to (kustomize's `SubsetThatCouldBeReferencedByResource`).
struct Reach {
    all: bool,
    ns: String,
    /// Namespaces of ServiceAccount subjects, for RoleBindings.
    rb_namespaces: Vec<String>,
}

impl Reach {
    fn of(r: &Resource, c: &Cand) -> Result<Self, String> {
        if c.cluster_scoped {
            return Ok(Reach {
                all: true,
                ns: String::new(),
                rb_namespaces: Vec::new(),
            });
        }
        let mut rb_namespaces = Vec::new();
        if c.kind == "RoleBinding"
            && let Some(Value::Seq(subjects)) = r.obj.get("subjects")
        {
            for s in subjects {
                let (Some(ns), Some(kind)) = (s.get("namespace"), s.get("kind")) else {
                    continue;
                };
                if kind.as_str() != Some("ServiceAccount") {
                    continue;
                }
                match ns {
                    Value::String(n) => rb_namespaces.push(n.clone()),
                    _ => {
                        return Err(format!(
                            "Invalid Input: namespace is blank for resource \"{}\"\n",
                            c.cur
                        ));
                    }
                }
            }
        }
        Ok(Reach {
            all: false,
            ns: c.cur.effective_namespace().to_owned(),
            rb_namespaces,
        })
    }

    fn reaches(&self, t: &Cand) -> bool {
        self.all
            || t.cluster_scoped
            || t.cur.effective_namespace() == self.ns
            || self.rb_namespaces.contains(&t.namespace)
    }
}

/// The fixer's view of all resources.
struct Index {
    cands: Vec<Cand>,
    /// Positions by previous name (resource order kept).
    by_prev_name: HashMap<String, Vec<usize>>,
    by_org_ns: HashMap<String, Vec<usize>>,
    by_cur_ns: HashMap<String, Vec<usize>>,
}

impl Index {
    fn new(rm: &ResMap) -> Self {
        let cands: Vec<Cand> = rm.items.iter().map(Cand::new).collect();
        let mut by_prev_name: HashMap<String, Vec<usize>> = HashMap::default();
        let mut by_org_ns: HashMap<String, Vec<usize>> = HashMap::default();
        let mut by_cur_ns: HashMap<String, Vec<usize>> = HashMap::default();
        for (i, c) in cands.iter().enumerate() {
            let mut seen: Vec<&str> = Vec::new();
            for p in &c.prev {
                if !seen.contains(&p.name.as_str()) {
                    seen.push(&p.name);
                    by_prev_name.entry(p.name.clone()).or_default().push(i);
                }
            }
            if c.org_ns != "_non_namespaceable_" {
                by_org_ns.entry(c.org_ns.clone()).or_default().push(i);
            }
            if !c.cluster_scoped {
                by_cur_ns
                    .entry(c.cur.effective_namespace().to_owned())
                    .or_default()
                    .push(i);
            }
        }
        Index {
            cands,
            by_prev_name,
            by_org_ns,
            by_cur_ns,
        }
    }
}

/// One referrer field being fixed.
struct Ctx<'a> {
    idx: &'a Index,
    me: usize,
    reach: &'a Reach,
    target: &'a GvkSel,
    /// The `roleRef` group/kind when fixing a `roleRef/name` field.
    role_ref: Option<GvkSel>,
    /// Referral targets found (for `ref_by` bookkeeping).
    found: &'a mut Vec<usize>,
    /// The candidates of an ambiguous reference, for the error details.
    ambiguous: &'a mut Vec<usize>,
}

/// Stands in an error message for the objects involved, shown once the fixer lets go of
/// them.
const DETAILS: &str = "\u{0}details\u{0}";

/// An object as kustomize shows it in errors: with its build bookkeeping as annotations.
fn show_with_bookkeeping(r: &Resource) -> String {
    let csv = |v: Vec<String>| {
        v.into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut obj = r.obj.clone();
    let mut extra: Vec<(&str, String)> = vec![
        ("prefixes", csv(r.prefixes.clone())),
        ("suffixes", csv(r.suffixes.clone())),
        (
            "previousKinds",
            csv(r.prev_ids.iter().map(|p| p.gvk.kind.clone()).collect()),
        ),
        (
            "previousNames",
            csv(r.prev_ids.iter().map(|p| p.name.clone()).collect()),
        ),
        (
            "previousNamespaces",
            csv(r
                .prev_ids
                .iter()
                .map(|p| p.effective_namespace().to_owned())
                .collect()),
        ),
        (
            "refBy",
            csv(r.ref_by.iter().map(|i| i.to_string()).collect()),
        ),
    ];
    extra.retain(|(_, v)| !v.is_empty());
    if !extra.is_empty()
        && let Some(root) = obj.as_map_mut()
    {
        let meta = root.entry("metadata".to_owned()).or_insert(Value::Null);
        if !matches!(meta, Value::Map(_)) {
            *meta = Value::Map(crate::yaml::Map::default());
        }
        if let Some(meta) = meta.as_map_mut() {
            let annos = meta.entry("annotations".to_owned()).or_insert(Value::Null);
            if !matches!(annos, Value::Map(_)) {
                *annos = Value::Map(crate::yaml::Map::default());
            }
            if let Some(annos) = annos.as_map_mut() {
                for (k, v) in extra {
                    annos.insert(
                        format!("internal.config.kubernetes.io/{k}"),
                        Value::String(v),
                    );
                }
            }
        }
    }
    crate::yaml::emit_kustomize(&obj)
}

/// kustomize's `failureDetails` for an ambiguous reference.
fn failure_details(rm: &ResMap, referrer: usize, list: &[usize]) -> String {
    let show = |i: usize| {
        rm.items
            .get(i)
            .map(show_with_bookkeeping)
            .unwrap_or_default()
    };
    let mut out = format!(
        "\n**** Too many possible referral targets to referrer:\n{}\n",
        show(referrer)
    );
    for (n, i) in list.iter().enumerate() {
        out.push_str(&format!("--- possible referral {n}:\n{}\n", show(*i)));
    }
    out
}

fn prev_selected(c: &Cand, g: &GvkSel) -> bool {
    c.prev.iter().any(|p| g.selects(&p.gvk))
}

impl Ctx<'_> {
    /// kustomize's `selectReferral`. `pool` restricts candidates (namespace-filtered) when
    /// given.
    fn select(
        &mut self,
        old: &str,
        pool: Option<&[usize]>,
        same_ns_too: bool,
    ) -> Result<Option<usize>, String> {
        let Some(named) = self.idx.by_prev_name.get(old) else {
            return Ok(None);
        };
        let me = &self.idx.cands[self.me];
        let mut list: Vec<usize> = named
            .iter()
            .copied()
            .filter(|i| pool.is_none_or(|p| p.contains(i)))
            .filter(|i| self.reach.reaches(&self.idx.cands[*i]))
            .filter(|i| prev_selected(&self.idx.cands[*i], self.target))
            .filter(|i| {
                self.role_ref
                    .as_ref()
                    .is_none_or(|g| prev_selected(&self.idx.cands[*i], g))
            })
            .filter(|i| {
                let c = &self.idx.cands[*i];
                me.cluster_scoped
                    || c.cluster_scoped
                    || c.kind == "ServiceAccount"
                    || me.cur.effective_namespace() == c.cur.effective_namespace()
            })
            .collect();
        if list.len() == 1 {
            return Ok(list.first().copied());
        }
        list.retain(|i| prefixes_suffixes_equal(&self.idx.cands[*i], me, true));
        if list.len() > 1 {
            list.retain(|i| prefixes_suffixes_equal(&self.idx.cands[*i], me, false));
        }
        let Some(&first) = list.first() else {
            return Ok(None);
        };
        if list.len() == 1 {
            return Ok(Some(first));
        }
        let c0 = &self.idx.cands[first];
        let identical = list.iter().all(|i| {
            let c = &self.idx.cands[*i];
            c.name == c0.name && (!same_ns_too || c.namespace == c0.namespace)
        });
        if identical {
            return Ok(Some(first));
        }
        let ids: Vec<String> = list
            .iter()
            .map(|i| self.idx.cands[*i].cur.to_string())
            .collect();
        *self.ambiguous = list;
        Err(format!(
            "found multiple possible referrals: {}\n{DETAILS}",
            ids.join(", ")
        ))
    }

    fn set(&mut self, node: &mut Value) -> Result<(), String> {
        match node {
            Value::Null => Ok(()),
            Value::Map(_) => self.set_mapping(node),
            Value::Seq(items) => {
                for item in items.iter_mut() {
                    match item {
                        Value::Null => {}
                        Value::Map(_) => self.set_mapping(item)?,
                        Value::Seq(_) => {
                            return Err(format!(
                                "{} is expected to be either a string or a map of string",
                                crate::go::json::to_string(item).unwrap_or_default()
                            ));
                        }
                        _ => self.set_scalar(item)?,
                    }
                }
                Ok(())
            }
            _ => self.set_scalar(node),
        }
    }

    fn set_scalar(&mut self, node: &mut Value) -> Result<(), String> {
        let old = super::resource::scalar_string(node);
        let Some(i) = self.select(&old, None, false)? else {
            return Ok(());
        };
        self.found.push(i);
        let name = &self.idx.cands[i].name;
        if *name != old {
            *node = Value::String(name.clone());
        }
        Ok(())
    }

    fn set_mapping(&mut self, node: &mut Value) -> Result<(), String> {
        let Value::Map(m) = node else {
            return Err("expect a mapping node".into());
        };
        let Some(name_node) = m.get("name") else {
            return Err("path config error; no 'name' field in node".into());
        };
        let old = super::resource::scalar_string(name_node);
        let pool: Option<Vec<usize>> = match m.get("namespace") {
            None => None,
            Some(nsv) => {
                let ns = super::resource::scalar_string(nsv);
                let in_reach = |list: Option<&Vec<usize>>| -> Vec<usize> {
                    list.map(|l| {
                        l.iter()
                            .copied()
                            .filter(|i| self.reach.reaches(&self.idx.cands[*i]))
                            .collect()
                    })
                    .unwrap_or_default()
                };
                let by_org = in_reach(self.idx.by_org_ns.get(&ns));
                if by_org.is_empty() {
                    Some(in_reach(self.idx.by_cur_ns.get(&ns)))
                } else {
                    Some(by_org)
                }
            }
        };
        let Some(i) = self.select(&old, pool.as_deref(), true)? else {
            return Ok(());
        };
        self.found.push(i);
        let c = &self.idx.cands[i];
        if c.name == old && c.namespace.is_empty() {
            return Ok(());
        }
        m.insert("name".into(), Value::String(c.name.clone()));
        if !c.namespace.is_empty() {
            m.insert("namespace".into(), Value::String(c.namespace.clone()));
        }
        Ok(())
    }
}

/// The `roleRef` group and kind of a binding, if complete.
fn role_ref_gvk(obj: &Value) -> Option<GvkSel> {
    let rr = obj.get("roleRef").filter(|v| !v.is_null())?;
    let group = rr.get("apiGroup").filter(|v| !v.is_null())?;
    let kind = rr.get("kind").filter(|v| !v.is_null())?;
    Some(sel(
        &super::resource::scalar_string(group),
        "",
        &super::resource::scalar_string(kind),
    ))
}

/// Updates references to renamed objects (kustomize's `FixBackReferences`).
pub(crate) fn fix(rm: &mut ResMap, tc: &TransformerConfig) -> Result<(), String> {
    let backrefs = config(tc)?;
    let idx = Index::new(rm);
    // Filters per referrer, in back reference order.
    let mut filters: Vec<Vec<(&GvkSel, &FieldSpec)>> = vec![Vec::new(); rm.items.len()];
    let org_gvks: Vec<Gvk> = rm.items.iter().map(|r| r.org_id().gvk).collect();
    for b in &backrefs {
        for fs in &b.referrers.0 {
            for (list, gvk) in filters.iter_mut().zip(&org_gvks) {
                if fs.gvk.selects(gvk) {
                    list.push((&b.target, fs));
                }
            }
        }
    }
    let mut ref_by: Vec<(usize, Id)> = Vec::new();
    for (i, list) in filters.iter().enumerate() {
        if list.is_empty() {
            continue;
        }
        let Some(r) = rm.items.get_mut(i) else {
            continue;
        };
        let Some(me) = idx.cands.get(i) else { continue };
        let reach = Reach::of(r, me)?;
        let cur = me.cur.clone();
        for (target, fs) in list {
            let role_ref = if fs.path.ends_with("roleRef/name") {
                role_ref_gvk(&r.obj)
            } else {
                None
            };
            let mut found = Vec::new();
            let mut ambiguous = Vec::new();
            let mut ctx = Ctx {
                idx: &idx,
                me: i,
                reach: &reach,
                target,
                role_ref,
                found: &mut found,
                ambiguous: &mut ambiguous,
            };
            let res = apply_spec(&mut r.obj, &cur, fs, &mut |n| ctx.set(n));
            if let Err(e) = res {
                let e = e.replace(DETAILS, &failure_details(rm, i, &ambiguous));
                return Err(format!(
                    "updating name reference in '{}' field of '{}': {e}",
                    fs.path, cur
                ));
            }
            ref_by.extend(found.into_iter().map(|t| (t, cur.clone())));
        }
    }
    for (t, id) in ref_by {
        if let Some(r) = rm.items.get_mut(t) {
            r.ref_by.push(id);
        }
    }
    Ok(())
}
