//! Patches: strategic merge (through [`crate::smp`]) and JSON 6902, with kustomize's
//! target selection.

use super::jsonpatch;
use super::replacements::labels::LabelSelector;
use super::resmap::ResMap;
use super::resource::{Id, Resource, effective_namespace};
use super::types::Selector;
use crate::smp;
use crate::yaml::Value;

/// A compiled selector (group, version, kind, name, namespace are anchored regexes).
#[derive(Debug)]
pub(crate) struct SelectorRegex {
    group: Option<regex::Regex>,
    version: Option<regex::Regex>,
    kind: Option<regex::Regex>,
    name: Option<regex::Regex>,
    namespace: Option<regex::Regex>,
    labels: LabelSelector,
    annotations: LabelSelector,
}

fn anchored(p: &str) -> Result<Option<regex::Regex>, String> {
    if p.is_empty() {
        return Ok(None);
    }
    regex::Regex::new(&format!("^(?:{p})$"))
        .map(Some)
        .map_err(|e| format!("error parsing regexp: {e}"))
}

fn matches(re: &Option<regex::Regex>, s: &str) -> bool {
    re.as_ref().is_none_or(|r| r.is_match(s))
}

impl SelectorRegex {
    pub(crate) fn new(s: &Selector) -> Result<Self, String> {
        Ok(SelectorRegex {
            group: anchored(&s.gvk.group)?,
            version: anchored(&s.gvk.version)?,
            kind: anchored(&s.gvk.kind)?,
            name: anchored(&s.name)?,
            namespace: anchored(&s.namespace)?,
            labels: LabelSelector::parse(&s.label_selector)?,
            annotations: LabelSelector::parse(&s.annotation_selector)?,
        })
    }

    /// `SelectorRegex.MatchUnstructured` of `fluxcd/pkg/ssa/jsondiff`: one object's
    /// namespace, name, group/version/kind, labels and annotations.
    pub(crate) fn selects_object(&self, obj: &Value) -> bool {
        let at = |path: &[&str]| obj.get_path(path).and_then(Value::as_str).unwrap_or("");
        let (group, version) = crate::ssa::object::group_version(at(&["apiVersion"]));
        let pairs = |field: &str| -> Vec<(String, String)> {
            obj.get_path(&["metadata", field])
                .and_then(Value::as_map)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                        .collect()
                })
                .unwrap_or_default()
        };
        matches(&self.namespace, at(&["metadata", "namespace"]))
            && matches(&self.name, at(&["metadata", "name"]))
            && matches(&self.group, group)
            && matches(&self.version, version)
            && matches(&self.kind, at(&["kind"]))
            && self.labels.matches(&pairs("labels"))
            && self.annotations.matches(&pairs("annotations"))
    }

    /// kustomize's `ResMap.Select` test for one resource.
    pub(crate) fn selects(&self, r: &Resource) -> bool {
        // The current and original ids, borrowed from the resource (this runs for every
        // resource under every patch).
        let g = r.gvk();
        let (cur_name, cur_ns) = (r.name(), effective_namespace(&g, r.namespace()));
        let (org_name, org_ns) = match r.prev_ids.first() {
            Some(p) => (p.name.as_str(), p.effective_namespace()),
            None => (cur_name, cur_ns),
        };
        if !matches(&self.namespace, org_ns) && !matches(&self.namespace, cur_ns) {
            return false;
        }
        if !matches(&self.name, org_name) && !matches(&self.name, cur_name) {
            return false;
        }
        if !(matches(&self.group, &g.group)
            && matches(&self.version, &g.version)
            && matches(&self.kind, &g.kind))
        {
            return false;
        }
        (self.labels.is_empty() || self.labels.matches(&r.labels()))
            && (self.annotations.is_empty() || self.annotations.matches(&r.annotations()))
    }
}

/// Positions of the resources a selector picks.
pub(crate) fn select(m: &ResMap, s: &Selector) -> Result<Vec<usize>, String> {
    let sr = SelectorRegex::new(s)?;
    Ok(m.items
        .iter()
        .enumerate()
        .filter(|(_, r)| sr.selects(r))
        .map(|(i, _)| i)
        .collect())
}

/// A patch as loaded: strategic merge patches, or JSON 6902 operations.
pub(crate) enum Loaded {
    Strategic(Vec<Resource>),
    Json(jsonpatch::Patch),
}

/// A `patches:` entry as kustomize's `PatchTransformer.Config` leaves it.
pub(crate) struct Configured {
    /// The decoded patch.
    pub loaded: Loaded,
    /// How kustomize names the patch in messages: `[patch: "..."]` or `[path: "..."]`.
    pub source: String,
}

/// A builtin plugin's configuration as kustomize prints it in `trouble configuring`
/// errors (`sigs.k8s.io/yaml.Marshal` of the configuration struct: empty fields left
/// out, keys sorted).
pub(crate) fn plugin_config_yaml(fields: &[(&str, Option<Value>)]) -> String {
    let mut m = crate::yaml::Map::default();
    for (k, v) in fields {
        match v {
            None => {}
            Some(Value::String(s)) if s.is_empty() => {}
            Some(v) => {
                m.insert((*k).to_owned(), v.clone());
            }
        }
    }
    if m.is_empty() {
        return "{}\n".to_owned();
    }
    crate::yaml::emit_kustomize(&Value::Map(m))
}

/// The configuration kustomize builds for `PatchTransformer` from a `patches:` entry,
/// as its errors show it.
pub(crate) fn patch_config_yaml(pc: &super::types::Patch) -> String {
    let options = (!pc.options.is_empty()).then(|| {
        let mut m = crate::yaml::Map::default();
        for (k, v) in &pc.options {
            m.insert(k.clone(), Value::Bool(*v));
        }
        Value::Map(m)
    });
    plugin_config_yaml(&[
        ("path", Some(Value::from(pc.path.as_str()))),
        ("patch", Some(Value::from(pc.patch.as_str()))),
        ("target", pc.target.as_ref().map(selector_value)),
        ("options", options),
    ])
}

/// The configuration kustomize builds for `PatchJson6902Transformer` from a
/// `patchesJson6902:` entry, as its errors show it.
pub(crate) fn json6902_config_yaml(pc: &super::types::Patch) -> String {
    plugin_config_yaml(&[
        ("target", pc.target.as_ref().map(selector_value)),
        ("path", Some(Value::from(pc.path.as_str()))),
        ("jsonOp", Some(Value::from(pc.patch.as_str()))),
    ])
}

/// A selector as a map of its non-empty fields (kustomize's `types.Selector` in JSON).
pub(crate) fn selector_value(s: &Selector) -> Value {
    let mut m = crate::yaml::Map::default();
    for (k, v) in [
        ("group", &s.gvk.group),
        ("version", &s.gvk.version),
        ("kind", &s.gvk.kind),
        ("name", &s.name),
        ("namespace", &s.namespace),
        ("annotationSelector", &s.annotation_selector),
        ("labelSelector", &s.label_selector),
    ] {
        if !v.is_empty() {
            m.insert(k.to_owned(), Value::from(v.as_str()));
        }
    }
    Value::Map(m)
}

/// Reads patch text as kustomize's `PatchTransformer` does: a list is JSON 6902, objects
/// are strategic merge patches. `source` names the patch in errors.
pub(crate) fn load_patch_text(text: &str, file: &str, source: &str) -> Result<Loaded, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("empty json patch operations".into());
    }
    // kustomize decodes the text as it has it (an inline patch trimmed, a file as read).
    let as_json = jsonpatch::decode(text).map(|(p, _)| p);
    // Not trimmed: a patch file is parsed as loaded (its last line break belongs to a
    // block scalar at the end); inline patches come trimmed, as kustomize trims them.
    let as_sm = super::parse_resources(text.as_bytes(), file);
    match (as_sm, as_json) {
        (Ok(sm), Err(_)) if !sm.is_empty() => Ok(Loaded::Strategic(sm)),
        (_, Ok(ops)) => Ok(Loaded::Json(ops)),
        (Ok(_), Err(_)) | (Err(_), Err(_)) => {
            Err(format!("unable to parse SM or JSON patch from {source}"))
        }
    }
}

/// Whether patch text holds no document at all (only comments and blank lines): such a
/// patch changes nothing.
pub(crate) fn is_empty_document(text: &str) -> bool {
    text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#') || l == "---"
    })
}

/// Applies one strategic merge patch to the resource at `i` (kustomize's
/// `Resource.ApplySmPatch`); `Ok(false)` when the patch deleted the resource.
pub(crate) fn apply_sm(
    target: &mut Resource,
    patch: &Resource,
    schema: &smp::Schema,
) -> Result<bool, String> {
    let (n, ns, k) = (
        target.name().to_owned(),
        target.namespace().to_owned(),
        target.kind().to_owned(),
    );
    if patch.allow_name_change || patch.allow_kind_change {
        target.store_previous_id();
    }
    // The patch takes the target's apiVersion and keeps its own kind.
    let mut p = patch.obj.clone();
    if let Some(m) = p.as_map_mut() {
        m.insert("apiVersion".into(), target.api_version().into());
    }
    let merged = smp::apply(
        &target.obj,
        &p,
        schema,
        &smp::TypeRef::Infer,
        &smp::Options::default(),
    )
    .map_err(|e| e.to_string())?;
    let Some(merged) = merged else {
        return Ok(false);
    };
    if merged.as_map().is_none_or(|m| m.is_empty()) {
        return Ok(false);
    }
    target.obj = merged;
    if !patch.allow_kind_change
        && let Some(m) = target.obj.as_map_mut()
    {
        m.insert("kind".into(), k.into());
    }
    if !patch.allow_name_change {
        target.set_name(&n);
    }
    if ns.is_empty() {
        if let Some(Value::Map(m)) = target.obj.as_map_mut().and_then(|m| m.get_mut("metadata")) {
            m.shift_remove("namespace");
        }
    } else {
        target.set_namespace(&ns);
    }
    Ok(true)
}

/// Applies a strategic merge patch to the resources at `targets`, removing those it
/// deletes.
pub(crate) fn apply_sm_to(
    m: &mut ResMap,
    targets: &[usize],
    patch: &Resource,
    schema: &smp::Schema,
) -> Result<(), String> {
    let mut deleted = Vec::new();
    for &i in targets {
        if !apply_sm(&mut m.items[i], patch, schema)? {
            deleted.push(i);
        }
    }
    for i in deleted.into_iter().rev() {
        m.items.remove(i);
    }
    Ok(())
}

/// Applies a strategic merge patch to the resources a `patches` entry's `target:`
/// selector picked, as kustomize's `resWrangler.ApplySmPatch` does: each resource gets a
/// copy of the patch whose metadata went through `CopyMergeMetaDataFieldsFrom` first
/// (see [`copy_merge_metadata`]).
pub(crate) fn apply_sm_selected(
    m: &mut ResMap,
    targets: &[usize],
    patch: &Resource,
    schema: &smp::Schema,
) -> Result<(), String> {
    let mut copy = patch.clone();
    copy_merge_metadata(&mut copy.obj);
    apply_sm_to(m, targets, &copy, schema)
}

/// The text kyaml reads from a scalar node (`yaml.Node.Value`); maps and lists have none.
/// A null reads as `null` (the spelling it was written with is not kept).
fn node_text(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(crate::yaml::Number::Int(i)) => i.to_string(),
        Value::Number(crate::yaml::Number::UInt(u)) => u.to_string(),
        Value::Number(crate::yaml::Number::Float(f)) => {
            crate::go::number::format_float(*f, b'g', -1, 64)
        }
        Value::String(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

/// kyaml's `getMapFromMeta`: the pairs of a `labels`/`annotations` node as strings (each
/// value's node text); a scalar or null has none, a list is read as key, value, key, ...
fn string_map(v: &Value) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    match v {
        Value::Map(m) => {
            for (k, x) in m {
                out.insert(k.clone(), node_text(x));
            }
        }
        Value::Seq(items) => {
            for pair in items.chunks(2) {
                if let [k, x] = pair {
                    out.insert(node_text(k), node_text(x));
                }
            }
        }
        _ => {}
    }
    out
}

/// What kustomize's `CopyMergeMetaDataFieldsFrom` (called with the patch itself) does to
/// the copy of a patch before applying it to a selected resource: `metadata` is created
/// when missing; `labels` and `annotations` are rewritten as sorted maps of strings (a
/// null value becomes the string `null`, a map or list value an empty string) and removed
/// when empty or not a map; `name` is set to the patch's name (empty when it has none).
/// A `metadata` that is not a map is left alone (kustomize ignores the error it gets).
pub(crate) fn copy_merge_metadata(obj: &mut Value) {
    let Some(top) = obj.as_map_mut() else {
        return;
    };
    let meta = top
        .entry("metadata".to_owned())
        .or_insert_with(|| Value::Map(crate::yaml::Map::default()));
    // A null `metadata` stays null (kyaml appends fields to the null node, which still
    // reads as null); any other non-map fails in kyaml, whose error kustomize drops.
    let Value::Map(meta) = meta else {
        return;
    };
    for field in ["labels", "annotations"] {
        let pairs = meta.get(field).map(string_map).unwrap_or_default();
        meta.shift_remove(field);
        if !pairs.is_empty() {
            let map = pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            meta.insert(field.to_owned(), Value::Map(map));
        }
    }
    // `GetName` is the text of a non-empty name; `SetName` writes it back.
    let name = match meta.get("name") {
        Some(Value::Null) | None => String::new(),
        Some(Value::Map(m)) if m.is_empty() => String::new(),
        Some(Value::Seq(s)) if s.is_empty() => String::new(),
        Some(v) => node_text(v),
    };
    meta.insert("name".to_owned(), Value::String(name));
}

/// The one resource whose any id equals `id` (kustomize's `GetById`).
pub(crate) fn get_by_id(m: &ResMap, id: &Id) -> Result<usize, String> {
    let found = m.matching_any_id(id);
    match found.as_slice() {
        [i] => Ok(*i),
        [] => Err(format!(
            "no matches for Id {id}; failed to find unique target for patch {id}"
        )),
        _ => Err(format!(
            "multiple matches for Id {id}; failed to find unique target for patch {id}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{dump_kustomize_docs, parse_kustomize_docs};

    /// The patch a `target:`-selected resource receives, printed.
    fn copied(patch: &str) -> String {
        let mut docs = parse_kustomize_docs(patch).expect("fixture parses");
        let mut v = docs.remove(0);
        copy_merge_metadata(&mut v);
        dump_kustomize_docs(&[v])
    }

    /// Checked with `kubectl kustomize` (kustomize v5.7.1) applying the patch through a
    /// `target:` selector to an object with labels `{a: x, b: x, e: x}`: the patch's
    /// null label is set as the string `null`, map and list values as empty strings,
    /// and an empty `annotations` map is dropped (so it deletes nothing).
    #[test]
    fn selected_patch_labels_become_strings() {
        assert_eq!(
            copied(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  labels:\n    a: null\n    b: {q: 1}\n    d: [1]\n    f: 2\n  annotations: {}\n"
            ),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels:\n    a: \"null\"\n    b: \"\"\n    d: \"\"\n    f: \"2\"\n  name: d\n"
        );
    }

    /// Labels that are null, empty or a scalar are dropped from the patch (kustomize
    /// leaves the object's labels alone); a list is read as key, value pairs.
    #[test]
    fn selected_patch_odd_labels() {
        let head = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n";
        for labels in ["null", "{}", "x", "[]"] {
            assert_eq!(
                copied(&format!("{head}  labels: {labels}\n")),
                head,
                "{labels}"
            );
        }
        assert_eq!(
            copied(&format!("{head}  labels: [e, y, f, z]\n")),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels:\n    e: \"y\"\n    f: z\n  name: d\n"
        );
    }

    /// A patch that is entirely null reads as an empty JSON patch (kustomize: nothing
    /// happens with a `target:`, an error without), and so does an empty list.
    #[test]
    fn entirely_null_patch_is_an_empty_json_patch() {
        for text in ["null", "~", "Null\n", "--- null\n", "[]"] {
            match load_patch_text(text, "p.yaml", "[path: \"p.yaml\"]") {
                Ok(Loaded::Json(ops)) => assert!(ops.is_empty(), "{text:?}"),
                Ok(Loaded::Strategic(_)) => panic!("{text:?} read as a strategic merge patch"),
                Err(e) => panic!("{text:?}: {e}"),
            }
        }
        assert!(load_patch_text("{}", "p.yaml", "[path: \"p.yaml\"]").is_err());
    }

    /// A null `metadata` stays null (and then deletes the object's metadata, as in
    /// kustomize); a missing one is created with an empty name.
    #[test]
    fn selected_patch_metadata_shapes() {
        assert_eq!(
            copied("apiVersion: v1\nkind: ConfigMap\nmetadata: null\n"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: null\n"
        );
        assert_eq!(
            copied("apiVersion: v1\nkind: ConfigMap\n"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"\"\n"
        );
    }
}
