//! Patches: strategic merge (through [`crate::smp`]) and JSON 6902, with kustomize's
//! target selection.

use super::jsonpatch;
use super::replacements::labels::LabelSelector;
use super::resmap::ResMap;
use super::resource::{Id, Resource};
use super::types::Selector;
use crate::smp;
use crate::yaml::Value;

/// A compiled selector (group, version, kind, name, namespace are anchored regexes).
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

    /// kustomize's `ResMap.Select` test for one resource.
    pub(crate) fn selects(&self, r: &Resource) -> bool {
        let cur = r.cur_id();
        let org = r.org_id();
        if !matches(&self.namespace, org.effective_namespace())
            && !matches(&self.namespace, cur.effective_namespace())
        {
            return false;
        }
        if !matches(&self.name, &org.name) && !matches(&self.name, &cur.name) {
            return false;
        }
        let g = r.gvk();
        if !(matches(&self.group, &g.group)
            && matches(&self.version, &g.version)
            && matches(&self.kind, &g.kind))
        {
            return false;
        }
        self.labels.matches(&r.labels()) && self.annotations.matches(&r.annotations())
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
    Json(Vec<jsonpatch::Op>),
}

/// Reads patch text as kustomize's `PatchTransformer` does: a list is JSON 6902, objects
/// are strategic merge patches.
pub(crate) fn load_patch_text(text: &str, file: &str) -> Result<Loaded, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("empty json patch operations".into());
    }
    let as_json = json_ops(trimmed);
    // Not trimmed: a patch file is parsed as loaded (its last line break belongs to a
    // block scalar at the end); inline patches come trimmed, as kustomize trims them.
    let as_sm = super::parse_resources(text.as_bytes(), file);
    match (as_sm, as_json) {
        (Ok(sm), Err(_)) if !sm.is_empty() => Ok(Loaded::Strategic(sm)),
        (_, Ok(ops)) => Ok(Loaded::Json(ops)),
        (Ok(_), Err(_)) | (Err(_), Err(_)) => {
            Err(format!("unable to parse SM or JSON patch from {text}"))
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

/// JSON 6902 operations from YAML or JSON text.
pub(crate) fn json_ops(text: &str) -> Result<Vec<jsonpatch::Op>, String> {
    let v = crate::yaml::parse_yaml_to_json(text).map_err(|e| e.to_string())?;
    jsonpatch::decode(&v)
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
