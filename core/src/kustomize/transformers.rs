//! kustomize's builtin transformers that write through field specs: namespace, name
//! prefix and suffix, labels, annotations, images, replica counts.

use super::fieldspec::{self, CreateKind, FsSlice};
use super::resmap::ResMap;
use super::resource::{Resource, is_cluster_scoped};
use super::types::{FieldSpec, GvkSel, Image, Replica};
use crate::yaml::{Number, Value};

/// `NamespaceTransformer`.
#[derive(Debug, Clone, Default)]
pub(crate) struct NamespaceTransformer {
    pub namespace: String,
    pub field_specs: FsSlice,
    pub unset_only: bool,
    /// `defaultOnly` (default), `allServiceAccounts` or `none`.
    pub role_binding_subjects: String,
}

impl NamespaceTransformer {
    pub(crate) fn transform(&self, m: &mut ResMap) -> Result<(), String> {
        if self.namespace.is_empty() {
            return Ok(());
        }
        let mode = match self.role_binding_subjects.as_str() {
            "" | "defaultOnly" => "defaultOnly",
            "allServiceAccounts" | "none" => self.role_binding_subjects.as_str(),
            other => {
                return Err(format!(
                    "invalid value \"{other}\" for setRoleBindingSubjects: must be one of \"defaultOnly\", \"none\" or \"allServiceAccounts\""
                ));
            }
        };
        for r in m.items.iter_mut() {
            if r.obj.as_map().is_none_or(|mm| mm.is_empty()) {
                continue;
            }
            r.store_previous_id();
            self.apply(r, mode)?;
        }
        let idx = m.cur_index();
        if let Some((_, v)) = idx.iter().find(|(_, v)| v.len() > 1) {
            let ids: Vec<String> = v.iter().map(|i| m.items[*i].cur_id().to_string()).collect();
            return Err(format!(
                "namespace transformation produces ID conflict: [{}]",
                ids.join(" ")
            ));
        }
        Ok(())
    }

    /// Sets `metadata.namespace` of a namespaceable object (no field specs, no subjects).
    pub(crate) fn set_plain(r: &mut Resource, ns: &str) -> Result<(), String> {
        let t = NamespaceTransformer {
            namespace: ns.to_owned(),
            ..Default::default()
        };
        if !is_cluster_scoped(&r.gvk()) {
            let fs = FieldSpec {
                path: "metadata/namespace".into(),
                create: true,
                ..Default::default()
            };
            fieldspec::apply(&mut r.obj, &fs, CreateKind::Scalar, &mut |n| t.set(n))?;
        }
        Ok(())
    }

    fn set(&self, node: &mut Value) -> Result<(), String> {
        match node {
            Value::Map(_) | Value::Seq(_) => {
                Err("namespace field specs must target scalar nodes".into())
            }
            Value::String(s) if self.unset_only && !s.is_empty() => Ok(()),
            _ => {
                *node = Value::String(self.namespace.clone());
                Ok(())
            }
        }
    }

    fn apply(&self, r: &mut Resource, mode: &str) -> Result<(), String> {
        let gvk = r.gvk();
        let api_version = r.api_version().to_owned();
        let is_rb = gvk.kind == "RoleBinding" || gvk.kind == "ClusterRoleBinding";
        if !is_cluster_scoped(&gvk) {
            let fs = FieldSpec {
                path: "metadata/namespace".into(),
                create: true,
                ..Default::default()
            };
            fieldspec::apply(&mut r.obj, &fs, CreateKind::Scalar, &mut |n| self.set(n))?;
        }
        if is_rb
            && mode != "none"
            && let Some(Value::Seq(subjects)) =
                r.obj.as_map_mut().and_then(|m| m.get_mut("subjects"))
        {
            for s in subjects.iter_mut() {
                let Some(sm) = s.as_map_mut() else { continue };
                let hit = if mode == "allServiceAccounts" {
                    sm.get("kind").and_then(Value::as_str) == Some("ServiceAccount")
                } else {
                    sm.get("name").and_then(Value::as_str) == Some("default")
                };
                if hit {
                    let slot = sm
                        .entry("namespace".to_owned())
                        .or_insert(Value::String(String::new()));
                    self.set(slot)?;
                }
            }
        }
        for fs in &self.field_specs.0 {
            if fs.path == "metadata/namespace" {
                continue;
            }
            if api_version != "v1" && fs.path == "metadata/name" {
                continue;
            }
            if is_rb
                && fs.path == "subjects/namespace"
                && (fs.gvk.kind == "RoleBinding" || fs.gvk.kind == "ClusterRoleBinding")
            {
                continue;
            }
            fieldspec::apply(&mut r.obj, fs, CreateKind::Scalar, &mut |n| self.set(n))
                .map_err(|e| format!("namespace transformation failed: {e}"))?;
        }
        Ok(())
    }
}

fn skip_prefix_suffix(r: &Resource) -> bool {
    let id = r.org_id();
    id.gvk.kind == "CustomResourceDefinition"
        || (id.gvk.group == "apiregistration.k8s.io" && id.gvk.kind == "APIService")
        || id.gvk.kind == "Namespace"
}

/// `PrefixTransformer` / `SuffixTransformer` / `PrefixSuffixTransformer`.
#[derive(Debug, Clone, Default)]
pub(crate) struct PrefixSuffixTransformer {
    pub prefix: String,
    pub suffix: String,
    pub field_specs: FsSlice,
}

impl PrefixSuffixTransformer {
    pub(crate) fn transform(&self, m: &mut ResMap) -> Result<(), String> {
        for r in m.items.iter_mut() {
            if skip_prefix_suffix(r) {
                continue;
            }
            let id = r.org_id();
            for fs in &self.field_specs.0 {
                if !fs.gvk.selects(&id.gvk) {
                    continue;
                }
                if fs.path == "metadata/name" {
                    r.prefixes.push(self.prefix.clone());
                    r.suffixes.push(self.suffix.clone());
                    if !self.prefix.is_empty() || !self.suffix.is_empty() {
                        r.store_previous_id();
                    }
                }
                fieldspec::apply(&mut r.obj, fs, CreateKind::None, &mut |n| {
                    if let Value::String(s) = n {
                        *s = format!("{}{}{}", self.prefix, s, self.suffix);
                        Ok(())
                    } else if n.is_null() {
                        Ok(())
                    } else {
                        let t = super::resource::scalar_string(n);
                        *n = Value::String(format!("{}{}{}", self.prefix, t, self.suffix));
                        Ok(())
                    }
                })?;
            }
        }
        Ok(())
    }
}

/// `LabelTransformer` and `AnnotationsTransformer`: set map entries at field specs.
#[derive(Debug, Clone, Default)]
pub(crate) struct MapEntryTransformer {
    pub entries: Vec<(String, String)>,
    pub field_specs: FsSlice,
}

impl MapEntryTransformer {
    pub(crate) fn transform(&self, m: &mut ResMap) -> Result<(), String> {
        if self.entries.is_empty() {
            return Ok(());
        }
        let mut keys: Vec<&(String, String)> = self.entries.iter().collect();
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        for r in m.items.iter_mut() {
            for fs in &self.field_specs.0 {
                fieldspec::apply(&mut r.obj, fs, CreateKind::Map, &mut |n| {
                    for (k, v) in &keys {
                        fieldspec::set_entry(n, k, v)?;
                    }
                    Ok(())
                })?;
            }
        }
        Ok(())
    }
}

/// `ImageTagTransformer`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ImageTagTransformer {
    pub image: Image,
    pub field_specs: FsSlice,
}

/// Splits an image reference into name, tag and digest as kustomize does.
pub(crate) fn split_image(image: &str) -> (String, String, String) {
    let slash = image.find('/').filter(|i| *i > 0).unwrap_or(0);
    let search = &image[slash..];
    let id = search.find('@');
    let ic = search.find(':');
    match (id, ic) {
        (None, None) => (image.to_owned(), String::new(), String::new()),
        (Some(d), c) if c.is_none_or(|c| d < c) => {
            let d = d + slash;
            (
                image[..d].to_owned(),
                String::new(),
                image[d + 1..].to_owned(),
            )
        }
        (Some(d), Some(c)) => {
            let (d, c) = (d + slash, c + slash);
            (
                image[..c].to_owned(),
                image[c + 1..d].to_owned(),
                image[d + 1..].to_owned(),
            )
        }
        (None, Some(c)) => {
            let c = c + slash;
            (
                image[..c].to_owned(),
                image[c + 1..].to_owned(),
                String::new(),
            )
        }
        _ => (image.to_owned(), String::new(), String::new()),
    }
}

impl ImageTagTransformer {
    /// kustomize's `image.IsImageMatched` pattern: the image name is a Go regular
    /// expression. kustomize v5.7.1 ignores the compile error and then dereferences the
    /// nil pattern when it meets an image (a panic); gitward reports the error there.
    fn matcher(&self) -> Result<regex::Regex, String> {
        crate::template::go_regex(&format!(
            "^{}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$",
            self.image.name
        ))
        .map_err(|e| format!("invalid image name {:?} in images: {e}", self.image.name))
    }

    fn update(&self, re: &Result<regex::Regex, String>, node: &mut Value) -> Result<(), String> {
        let Value::String(value) = node else {
            return match node {
                Value::Map(_) | Value::Seq(_) => Err("wrong node kind: expected ScalarNode".into()),
                _ => Ok(()),
            };
        };
        if !re.as_ref().map_err(Clone::clone)?.is_match(value) {
            return Ok(());
        }
        let (mut name, mut tag, mut digest) = split_image(value);
        let img = &self.image;
        if !img.new_name.is_empty() {
            name = img.new_name.clone();
        }
        if !img.new_tag.is_empty() && !img.digest.is_empty() {
            tag = img.new_tag.clone();
            digest = img.digest.clone();
        } else if !img.new_tag.is_empty() {
            tag = img.new_tag.clone();
            digest.clear();
        } else if !img.digest.is_empty() {
            tag.clear();
            digest = img.digest.clone();
        } else if !img.tag_suffix.is_empty() {
            tag.push_str(&img.tag_suffix);
            digest.clear();
        }
        if !tag.is_empty() {
            name = format!("{name}:{tag}");
        }
        if !digest.is_empty() {
            name = format!("{name}@{digest}");
        }
        *value = name;
        Ok(())
    }

    /// Every `containers`/`initContainers` list anywhere in the object.
    fn legacy(&self, re: &Result<regex::Regex, String>, node: &mut Value) -> Result<(), String> {
        match node {
            Value::Map(m) => {
                for (k, v) in m.iter_mut() {
                    self.legacy(re, v)?;
                    if (k == "containers" || k == "initContainers")
                        && let Value::Seq(items) = v
                    {
                        for item in items.iter_mut() {
                            if let Some(img) = item.as_map_mut().and_then(|c| c.get_mut("image")) {
                                self.update(re, img)?;
                            }
                        }
                    }
                }
                Ok(())
            }
            Value::Seq(items) => items.iter_mut().try_for_each(|i| self.legacy(re, i)),
            _ => Ok(()),
        }
    }

    pub(crate) fn transform(&self, m: &mut ResMap) -> Result<(), String> {
        let re = self.matcher();
        for r in m.items.iter_mut() {
            if r.kind() == "CustomResourceDefinition" {
                continue;
            }
            self.legacy(&re, &mut r.obj)?;
        }
        for r in m.items.iter_mut() {
            if r.kind() == "CustomResourceDefinition" {
                continue;
            }
            for fs in &self.field_specs.0 {
                fieldspec::apply(&mut r.obj, fs, CreateKind::None, &mut |n| {
                    self.update(&re, n)
                })?;
            }
        }
        Ok(())
    }
}

/// `ReplicaCountTransformer`.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReplicaCountTransformer {
    pub replica: Replica,
    pub field_specs: FsSlice,
}

impl ReplicaCountTransformer {
    pub(crate) fn transform(&self, m: &mut ResMap) -> Result<(), String> {
        let mut found = false;
        for fs in &self.field_specs.0 {
            for r in m.items.iter_mut() {
                let hit = r
                    .all_ids()
                    .iter()
                    .any(|id| id.name == self.replica.name && fs.gvk.selects(&id.gvk));
                if !hit {
                    continue;
                }
                found = true;
                fieldspec::apply(&mut r.obj, fs, CreateKind::Scalar, &mut |n| {
                    *n = Value::Number(Number::Int(self.replica.count));
                    Ok(())
                })?;
            }
        }
        if !found {
            let gvks: Vec<String> = self
                .field_specs
                .0
                .iter()
                .map(|f| gvk_string(&f.gvk))
                .collect();
            return Err(format!(
                "resource with name {} does not match a config with the following GVK [{}]",
                self.replica.name,
                gvks.join(" ")
            ));
        }
        Ok(())
    }
}

/// kustomize's `Gvk.String()`.
pub(crate) fn gvk_string(g: &GvkSel) -> String {
    let or = |s: &str, d: &'static str| {
        if s.is_empty() {
            d.to_owned()
        } else {
            s.to_owned()
        }
    };
    format!(
        "{}.{}.{}",
        or(&g.kind, "[noKind]"),
        or(&g.version, "[noVer]"),
        or(&g.group, "[noGrp]")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_images_like_kustomize() {
        let s = |i: &str| split_image(i);
        assert_eq!(s("nginx"), ("nginx".into(), "".into(), "".into()));
        assert_eq!(s("nginx:1.2"), ("nginx".into(), "1.2".into(), "".into()));
        assert_eq!(
            s("localhost:5000/app:v1"),
            ("localhost:5000/app".into(), "v1".into(), "".into())
        );
        assert_eq!(
            s("app@sha256:abc"),
            ("app".into(), "".into(), "sha256:abc".into())
        );
        assert_eq!(
            s("app:v1@sha256:abc"),
            ("app".into(), "v1".into(), "sha256:abc".into())
        );
    }
}
