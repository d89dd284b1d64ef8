//! Field specs: where a transformer writes, and kustomize's built-in tables of them.

use super::types::{FieldSpec, GvkSel};
use crate::model::Gvk;
use crate::yaml::{Map, Value};
use std::borrow::Cow;

/// What to create at the end of a path that is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CreateKind {
    /// Never create.
    None,
    /// A map (labels, annotations).
    Map,
    /// A scalar (names, namespaces, replica counts).
    Scalar,
}

impl GvkSel {
    /// Whether this selector selects the object's `apiVersion` and `kind` (compared in
    /// place, without building a [`Gvk`]).
    pub(crate) fn selects_object(&self, obj: &Value) -> bool {
        if self.group.is_empty() && self.version.is_empty() && self.kind.is_empty() {
            return true;
        }
        let av = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
        let (group, version) = av.rsplit_once('/').unwrap_or(("", av));
        (self.group.is_empty() || self.group == group)
            && (self.version.is_empty() || self.version == version)
            && (self.kind.is_empty() || self.kind == kind)
    }

    /// Whether this selector (empty fields match anything) selects `gvk`.
    pub(crate) fn selects(&self, gvk: &Gvk) -> bool {
        (self.group.is_empty() || self.group == gvk.group)
            && (self.version.is_empty() || self.version == gvk.version)
            && (self.kind.is_empty() || self.kind == gvk.kind)
    }
}

/// kustomize's `PathSplitter`: `/`-separated, `\/` escapes a slash. Segments borrow
/// from `path` unless they held an escape.
pub(crate) fn split_path(path: &str) -> Vec<Cow<'_, str>> {
    let mut parts = path.split('/').peekable();
    let mut res: Vec<Cow<'_, str>> = Vec::with_capacity(8);
    if let Some(first) = parts.next() {
        // An empty first part (a leading `/`) is dropped when more parts follow.
        if !first.is_empty() || parts.peek().is_none() {
            res.push(Cow::Borrowed(first));
        }
    }
    for p in parts {
        match res.last_mut() {
            Some(last) if last.ends_with('\\') => {
                let l = last.to_mut();
                l.pop();
                l.push('/');
                l.push_str(p);
            }
            _ => res.push(Cow::Borrowed(p)),
        }
    }
    res
}

/// The segments of a field spec path, as [`split_path`] gives them, one at a time and
/// without allocating (but for segments that held an escaped slash). Cloning is cheap,
/// so walkers hand a copy to every list element.
#[derive(Debug, Clone)]
pub(crate) struct Segments<'a> {
    rest: Option<&'a str>,
}

impl<'a> Segments<'a> {
    /// The segments of `path` (a leading `/` is dropped when more follows).
    pub(crate) fn new(path: &'a str) -> Self {
        let rest = match path.strip_prefix('/') {
            Some(r) => r,
            None => path,
        };
        Segments { rest: Some(rest) }
    }

    /// Whether no segment is left.
    pub(crate) fn is_done(&self) -> bool {
        self.rest.is_none()
    }
}

impl<'a> Iterator for Segments<'a> {
    type Item = Cow<'a, str>;

    fn next(&mut self) -> Option<Cow<'a, str>> {
        let text = self.rest?;
        let bytes = text.as_bytes();
        let mut escaped = false;
        let mut end = None;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'/' {
                if i > 0 && bytes[i - 1] == b'\\' {
                    escaped = true;
                } else {
                    end = Some(i);
                    break;
                }
            }
        }
        let (seg, rest) = match end {
            Some(i) => (&text[..i], Some(&text[i + 1..])),
            None => (text, None),
        };
        self.rest = rest;
        Some(if escaped {
            Cow::Owned(seg.replace("\\/", "/"))
        } else {
            Cow::Borrowed(seg)
        })
    }
}

/// Calls `set` on every node that `fs` selects in `obj` (kustomize's fieldspec filter).
/// Errors name the field spec path.
pub(crate) fn apply(
    obj: &mut Value,
    fs: &FieldSpec,
    create: CreateKind,
    set: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    if !fs.gvk.selects_object(obj) {
        return Ok(());
    }
    walk(obj, Segments::new(&fs.path), fs.create, create, set).map_err(|e| {
        format!(
            "considering field '{}' of object {}: {e}",
            fs.path,
            super::resource::Resource::new(obj.clone()).cur_id()
        )
    })
}

fn walk(
    node: &mut Value,
    path: Segments<'_>,
    create_if_missing: bool,
    create: CreateKind,
    set: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    let mut rest = path.clone();
    let Some(first) = rest.next() else {
        return set(node);
    };
    match node {
        Value::Null => Ok(()),
        Value::Seq(items) => {
            for item in items.iter_mut() {
                walk(item, path.clone(), create_if_missing, create, set)?;
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
            let make: Option<Value> = if !create_if_missing || create == CreateKind::None || is_seq
            {
                None
            } else if rest.is_done() {
                Some(match create {
                    CreateKind::Map => Value::Map(Map::default()),
                    _ => Value::String(String::new()),
                })
            } else {
                Some(Value::Map(Map::default()))
            };
            let field = match make {
                None => match m.get_mut(name) {
                    Some(f) => {
                        // kyaml turns a null field named as a list (`x[]`) into an empty list.
                        if is_seq && f.is_null() {
                            *f = Value::Seq(Vec::new());
                        }
                        f
                    }
                    None => return Ok(()),
                },
                Some(fresh) => {
                    let f = m.entry(name.to_owned()).or_insert(Value::Null);
                    if f.is_null() && (matches!(fresh, Value::Map(_)) || rest.is_done()) {
                        *f = fresh;
                    }
                    f
                }
            };
            walk(field, rest, create_if_missing, create, set)
        }
        _ => Err("expected sequence or mapping node".into()),
    }
}

/// Sets one entry of a map node (labels, annotations); a null node becomes a map.
pub(crate) fn set_entry(node: &mut Value, key: &str, value: &str) -> Result<(), String> {
    match node {
        Value::Map(m) => {
            m.insert(key.to_owned(), value.into());
            Ok(())
        }
        Value::Null => {
            let mut m = Map::default();
            m.insert(key.to_owned(), value.into());
            *node = Value::Map(m);
            Ok(())
        }
        _ => Err("wrong node kind: expected MappingNode".into()),
    }
}

/// A list of field specs with kustomize's merge rule (no duplicates; a conflicting
/// `create` flag is an error).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FsSlice(pub Vec<FieldSpec>);

impl FsSlice {
    pub(crate) fn merge_one(&mut self, x: FieldSpec) -> Result<(), String> {
        let found = self.0.iter().find(|s| {
            let sel = &x.gvk;
            sel_selects_sel(sel, &s.gvk) && s.path == x.path
        });
        match found {
            Some(s) if s.create != x.create => Err("conflicting fieldspecs".into()),
            Some(_) => Ok(()),
            None => {
                self.0.push(x);
                Ok(())
            }
        }
    }

    pub(crate) fn merge_all(&mut self, other: &FsSlice) -> Result<(), String> {
        for x in &other.0 {
            self.merge_one(x.clone())?;
        }
        Ok(())
    }
}

/// Field specs from a `crds:` file: an OpenAPI definitions map (type name → `{Schema,
/// Dependencies}`) whose properties carry kustomize's `x-kubernetes-*` annotations.
pub(crate) fn config_from_crds(doc: &Value) -> TransformerConfig {
    let mut tc = TransformerConfig::default();
    let Some(defs) = doc.as_map() else { return tc };
    for (name, api) in defs {
        let props = api
            .get_path(&["Schema", "properties"])
            .and_then(Value::as_map);
        let looks_k8s = props.is_some_and(|p| {
            p.contains_key("kind") && p.contains_key("apiVersion") && p.contains_key("metadata")
        });
        if !looks_k8s {
            continue;
        }
        let kind = name.rsplit('.').next().unwrap_or(name).to_owned();
        crd_type(&mut tc, defs, &kind, name, &mut Vec::new(), 0);
    }
    tc.sort();
    tc
}

/// Walks one type's properties (following `$ref`s, at most 32 deep) for the annotations.
fn crd_type(
    tc: &mut TransformerConfig,
    defs: &Map,
    kind: &str,
    type_name: &str,
    path: &mut Vec<String>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    let props = defs
        .get(type_name)
        .and_then(|d| d.get_path(&["Schema", "properties"]))
        .and_then(Value::as_map);
    let Some(props) = props else { return };
    let spec = |path: &[String]| FieldSpec {
        gvk: GvkSel {
            kind: kind.to_owned(),
            ..Default::default()
        },
        path: path.join("/"),
        create: false,
    };
    for (prop, p) in props {
        path.push(prop.clone());
        let ext = |k: &str| p.get(k).and_then(Value::as_str);
        if ext("x-kubernetes-annotation").is_some() {
            let _ = tc.common_annotations.merge_one(spec(path));
        }
        if ext("x-kubernetes-label-selector").is_some() {
            let _ = tc.common_labels.merge_one(spec(path));
        }
        if ext("x-kubernetes-identity").is_some() {
            let _ = tc.name_prefix.merge_one(spec(path));
        }
        let version = ext("x-kubernetes-object-ref-api-version");
        let ref_kind = ext("x-kubernetes-object-ref-kind");
        if let (Some(version), Some(ref_kind)) = (version, ref_kind) {
            let name_key = ext("x-kubernetes-object-ref-name-key").unwrap_or("name");
            let mut full = path.clone();
            full.push(name_key.to_owned());
            let mut fs = Map::default();
            fs.insert("kind".into(), kind.into());
            fs.insert("path".into(), full.join("/").into());
            let mut entry = Map::default();
            entry.insert("kind".into(), ref_kind.into());
            entry.insert("version".into(), version.into());
            entry.insert("fieldSpecs".into(), Value::Seq(vec![Value::Map(fs)]));
            let entry = Value::Map(entry);
            if !tc.name_reference.contains(&entry) {
                tc.name_reference.push(entry);
            }
        }
        if let Some(r) = p.get("$ref").and_then(Value::as_str) {
            crd_type(tc, defs, kind, r, path, depth + 1);
        }
        path.pop();
    }
}

/// kustomize's `Gvk.IsLessThan` as an ordering.
fn gvk_less(a: &GvkSel, b: &GvkSel) -> std::cmp::Ordering {
    let rank = super::sort::kind_rank;
    let text = |g: &GvkSel| super::transformers::gvk_string(g);
    rank(&a.kind)
        .cmp(&rank(&b.kind))
        .then_with(|| text(a).cmp(&text(b)))
}

fn sel_selects_sel(sel: &GvkSel, g: &GvkSel) -> bool {
    (sel.group.is_empty() || sel.group == g.group)
        && (sel.version.is_empty() || sel.version == g.version)
        && (sel.kind.is_empty() || sel.kind == g.kind)
}

/// Builds field specs from `(group, version, kind, path, create)` rows.
fn specs(rows: &[(&str, &str, &str, &str, bool)]) -> FsSlice {
    FsSlice(
        rows.iter()
            .map(|(g, v, k, p, c)| FieldSpec {
                gvk: GvkSel {
                    group: (*g).to_owned(),
                    version: (*v).to_owned(),
                    kind: (*k).to_owned(),
                },
                path: (*p).to_owned(),
                create: *c,
            })
            .collect(),
    )
}

const AFFINITY_SELECTORS: &[&str] = &[
    "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
];

/// Where labels go on objects themselves and on the pod templates they hold.
pub(crate) fn metadata_labels() -> FsSlice {
    specs(&[
        ("", "", "", "metadata/labels", true),
        (
            "",
            "v1",
            "ReplicationController",
            "spec/template/metadata/labels",
            true,
        ),
        ("", "", "Deployment", "spec/template/metadata/labels", true),
        ("", "", "ReplicaSet", "spec/template/metadata/labels", true),
        ("", "", "DaemonSet", "spec/template/metadata/labels", true),
        (
            "apps",
            "",
            "StatefulSet",
            "spec/template/metadata/labels",
            true,
        ),
        (
            "apps",
            "",
            "StatefulSet",
            "spec/volumeClaimTemplates[]/metadata/labels",
            true,
        ),
        ("batch", "", "Job", "spec/template/metadata/labels", true),
        (
            "batch",
            "",
            "CronJob",
            "spec/jobTemplate/metadata/labels",
            true,
        ),
        (
            "batch",
            "",
            "CronJob",
            "spec/jobTemplate/spec/template/metadata/labels",
            true,
        ),
    ])
}

/// Where `commonLabels` go: selectors, then everything in [`metadata_labels`].
pub(crate) fn common_labels() -> FsSlice {
    let mut rows: Vec<(&str, &str, &str, &str, bool)> = vec![
        ("", "v1", "Service", "spec/selector", true),
        ("", "v1", "ReplicationController", "spec/selector", true),
        ("", "", "Deployment", "spec/selector/matchLabels", true),
    ];
    rows.extend(
        AFFINITY_SELECTORS
            .iter()
            .map(|p| ("apps", "", "Deployment", *p, false)),
    );
    rows.push(("", "", "ReplicaSet", "spec/selector/matchLabels", true));
    rows.push(("", "", "DaemonSet", "spec/selector/matchLabels", true));
    rows.push(("apps", "", "StatefulSet", "spec/selector/matchLabels", true));
    rows.extend(
        AFFINITY_SELECTORS
            .iter()
            .map(|p| ("apps", "", "StatefulSet", *p, false)),
    );
    rows.extend([
        ("batch", "", "Job", "spec/selector/matchLabels", false),
        (
            "batch",
            "",
            "CronJob",
            "spec/jobTemplate/spec/selector/matchLabels",
            false,
        ),
        (
            "policy",
            "",
            "PodDisruptionBudget",
            "spec/selector/matchLabels",
            false,
        ),
        (
            "networking.k8s.io",
            "",
            "NetworkPolicy",
            "spec/podSelector/matchLabels",
            false,
        ),
        (
            "networking.k8s.io",
            "",
            "NetworkPolicy",
            "spec/ingress/from/podSelector/matchLabels",
            false,
        ),
        (
            "networking.k8s.io",
            "",
            "NetworkPolicy",
            "spec/egress/to/podSelector/matchLabels",
            false,
        ),
    ]);
    let mut s = specs(&rows);
    s.0.extend(metadata_labels().0);
    s
}

/// Where `commonAnnotations` go.
pub(crate) fn common_annotations() -> FsSlice {
    specs(&[
        ("", "", "", "metadata/annotations", true),
        (
            "",
            "v1",
            "ReplicationController",
            "spec/template/metadata/annotations",
            true,
        ),
        (
            "",
            "",
            "Deployment",
            "spec/template/metadata/annotations",
            true,
        ),
        (
            "",
            "",
            "ReplicaSet",
            "spec/template/metadata/annotations",
            true,
        ),
        (
            "",
            "",
            "DaemonSet",
            "spec/template/metadata/annotations",
            true,
        ),
        (
            "",
            "",
            "StatefulSet",
            "spec/template/metadata/annotations",
            true,
        ),
        (
            "batch",
            "",
            "Job",
            "spec/template/metadata/annotations",
            true,
        ),
        (
            "batch",
            "",
            "CronJob",
            "spec/jobTemplate/metadata/annotations",
            true,
        ),
        (
            "batch",
            "",
            "CronJob",
            "spec/jobTemplate/spec/template/metadata/annotations",
            true,
        ),
    ])
}

/// Where name prefixes and suffixes go.
pub(crate) fn name_prefix() -> FsSlice {
    specs(&[("", "", "", "metadata/name", false)])
}

/// Where the kustomization namespace goes besides `metadata.namespace`.
pub(crate) fn namespace() -> FsSlice {
    specs(&[
        ("", "", "Namespace", "metadata/name", true),
        (
            "apiregistration.k8s.io",
            "",
            "APIService",
            "spec/service/namespace",
            true,
        ),
        (
            "apiextensions.k8s.io",
            "",
            "CustomResourceDefinition",
            "spec/conversion/webhook/clientConfig/service/namespace",
            false,
        ),
    ])
}

/// Where images are.
pub(crate) fn images() -> FsSlice {
    specs(&[
        ("", "", "", "spec/containers[]/image", true),
        ("", "", "", "spec/initContainers[]/image", true),
        ("", "", "", "spec/volumes[]/image/reference", true),
        ("", "", "", "spec/template/spec/containers[]/image", true),
        (
            "",
            "",
            "",
            "spec/template/spec/initContainers[]/image",
            true,
        ),
        (
            "",
            "",
            "",
            "spec/template/spec/volumes[]/image/reference",
            true,
        ),
    ])
}

/// Where replica counts are.
pub(crate) fn replicas() -> FsSlice {
    specs(&[
        ("", "", "Deployment", "spec/replicas", true),
        ("", "", "ReplicationController", "spec/replicas", true),
        ("", "", "ReplicaSet", "spec/replicas", true),
        ("", "", "StatefulSet", "spec/replicas", true),
    ])
}

/// The transformer configuration in force in one kustomization: the built-in tables plus
/// any `configurations:` and CRD-derived specs merged in.
#[derive(Debug, Clone, Default)]
pub(crate) struct TransformerConfig {
    pub name_prefix: FsSlice,
    pub name_suffix: FsSlice,
    pub namespace: FsSlice,
    pub common_labels: FsSlice,
    pub template_labels: FsSlice,
    pub labels: FsSlice,
    pub common_annotations: FsSlice,
    pub images: FsSlice,
    pub replicas: FsSlice,
    /// `nameReference` entries (raw, read by the name reference fixer).
    pub name_reference: Vec<Value>,
    /// `varReference` specs.
    pub var_reference: FsSlice,
}

impl TransformerConfig {
    /// The built-in configuration.
    pub(crate) fn builtin() -> Self {
        TransformerConfig {
            name_prefix: name_prefix(),
            name_suffix: name_prefix(),
            namespace: namespace(),
            common_labels: common_labels(),
            template_labels: metadata_labels(),
            labels: FsSlice::default(),
            common_annotations: common_annotations(),
            images: images(),
            replicas: replicas(),
            name_reference: Vec::new(),
            var_reference: FsSlice::default(),
        }
    }

    /// Merges another configuration into this one.
    pub(crate) fn merge(&mut self, o: &TransformerConfig) -> Result<(), String> {
        self.name_prefix.merge_all(&o.name_prefix)?;
        self.name_suffix.merge_all(&o.name_suffix)?;
        self.namespace.merge_all(&o.namespace)?;
        self.common_labels.merge_all(&o.common_labels)?;
        self.template_labels.merge_all(&o.template_labels)?;
        self.labels.merge_all(&o.labels)?;
        self.common_annotations.merge_all(&o.common_annotations)?;
        self.images.merge_all(&o.images)?;
        self.replicas.merge_all(&o.replicas)?;
        self.var_reference.merge_all(&o.var_reference)?;
        for nr in &o.name_reference {
            if !self.name_reference.contains(nr) {
                self.name_reference.push(nr.clone());
            }
        }
        self.sort();
        Ok(())
    }

    /// kustomize sorts every list after a merge by kind order, then by the gvk's text, so
    /// kind-specific specs come before the generic ones they shadow.
    pub(crate) fn sort(&mut self) {
        for fs in [
            &mut self.name_prefix,
            &mut self.name_suffix,
            &mut self.namespace,
            &mut self.common_labels,
            &mut self.template_labels,
            &mut self.labels,
            &mut self.common_annotations,
            &mut self.images,
            &mut self.replicas,
            &mut self.var_reference,
        ] {
            fs.0.sort_by(|a, b| gvk_less(&a.gvk, &b.gvk));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Segments` walks a path exactly as `split_path` (kustomize's `PathSplitter`) splits
    /// it, escapes and leading slashes included.
    #[test]
    fn segments_agree_with_split_path() {
        for p in [
            "",
            "/",
            "//",
            "a",
            "/a",
            "a/b/c",
            "/a/b/",
            "spec/template/metadata/labels",
            "metadata/annotations/a\\/b",
            "a\\/b\\/c/d",
            "a/\\/b",
            "a\\/",
            "a\\\\/b",
            "\\/",
            "spec/containers[]/image",
        ] {
            let split: Vec<String> = split_path(p).into_iter().map(Cow::into_owned).collect();
            let segs: Vec<String> = Segments::new(p).map(Cow::into_owned).collect();
            assert_eq!(segs, split, "{p:?}");
        }
        assert_eq!(split_path("a\\/b/c"), ["a/b", "c"]);
        assert_eq!(split_path("/a"), ["a"]);
        assert_eq!(split_path("/"), [""]);
    }
}
