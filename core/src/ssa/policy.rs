//! The per-object annotations and labels kustomize-controller gives `fluxcd/pkg/ssa` as
//! selectors, and `utils.AnyInMetadata`, which matches them (values compared
//! case-insensitively, on labels or annotations).

use crate::yaml::Value;

/// `kustomize.toolkit.fluxcd.io/ssa`: `IfNotPresent`, `Ignore` or `Merge`.
pub const SSA_ANNOTATION: &str = "kustomize.toolkit.fluxcd.io/ssa";
/// `kustomize.toolkit.fluxcd.io/force: enabled`: recreate on immutable-field errors.
pub const FORCE_ANNOTATION: &str = "kustomize.toolkit.fluxcd.io/force";
/// `kustomize.toolkit.fluxcd.io/prune: disabled`: never pruned.
pub const PRUNE_ANNOTATION: &str = "kustomize.toolkit.fluxcd.io/prune";
/// `kustomize.toolkit.fluxcd.io/reconcile: disabled`: never applied nor pruned.
pub const RECONCILE_ANNOTATION: &str = "kustomize.toolkit.fluxcd.io/reconcile";
/// The owner label holding the Kustomization's name.
pub const OWNER_NAME_LABEL: &str = "kustomize.toolkit.fluxcd.io/name";
/// The owner label holding the Kustomization's namespace.
pub const OWNER_NAMESPACE_LABEL: &str = "kustomize.toolkit.fluxcd.io/namespace";
/// kubectl's client-side apply annotation, removed before apply.
pub const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// A set of `key: value` pairs matched against labels and annotations.
pub type Selector = Vec<(String, String)>;

fn sel(pairs: &[(&str, &str)]) -> Selector {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

/// The selectors kustomize-controller sets on `ApplyOptions` and `DeleteOptions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selectors {
    /// Objects skipped by apply (`reconcile: disabled`, `ssa: Ignore`).
    pub exclusion: Selector,
    /// Objects only created, never updated (`ssa: IfNotPresent`).
    pub if_not_present: Selector,
    /// Objects recreated on immutable-field errors (`force: enabled`).
    pub force: Selector,
    /// Objects whose kubectl edits are not taken over (`ssa: Merge`).
    pub cleanup_exclusion: Selector,
    /// Objects prune leaves alone (`prune: disabled`, `reconcile: disabled`, `ssa: Ignore`).
    pub prune_exclusion: Selector,
}

impl Default for Selectors {
    fn default() -> Self {
        Selectors {
            exclusion: sel(&[
                (RECONCILE_ANNOTATION, "disabled"),
                (SSA_ANNOTATION, "Ignore"),
            ]),
            if_not_present: sel(&[(SSA_ANNOTATION, "IfNotPresent")]),
            force: sel(&[(FORCE_ANNOTATION, "enabled")]),
            cleanup_exclusion: sel(&[(SSA_ANNOTATION, "Merge")]),
            prune_exclusion: sel(&[
                (PRUNE_ANNOTATION, "disabled"),
                (RECONCILE_ANNOTATION, "disabled"),
                (SSA_ANNOTATION, "Ignore"),
            ]),
        }
    }
}

fn meta_str<'a>(obj: &'a Value, field: &str, key: &str) -> &'a str {
    obj.get_path(&["metadata", field, key])
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `utils.AnyInMetadata`: whether some `key: value` of the selector is a non-empty label or
/// annotation of `obj` equal to the value, ignoring case.
pub fn any_in_metadata(obj: &Value, selector: &Selector) -> bool {
    selector.iter().any(|(k, v)| {
        ["labels", "annotations"].iter().any(|field| {
            let have = meta_str(obj, field, k);
            !have.is_empty() && have.eq_ignore_ascii_case(v)
        })
    })
}

/// Whether `obj` carries every label of `labels` with exactly that value (the label
/// selector prune uses for owner labels).
pub fn has_labels(obj: &Value, labels: &[(String, String)]) -> bool {
    labels.iter().all(|(k, v)| {
        obj.get_path(&["metadata", "labels", k])
            .and_then(Value::as_str)
            .is_some_and(|have| have == v)
    })
}

/// The owner labels Flux sets (`SetOwnerLabels`) on every object of a Kustomization.
pub fn owner_labels(name: &str, namespace: &str) -> Vec<(String, String)> {
    vec![
        (OWNER_NAME_LABEL.to_string(), name.to_string()),
        (OWNER_NAMESPACE_LABEL.to_string(), namespace.to_string()),
    ]
}

/// Sets labels on an object (`SetOwnerLabels`), creating `metadata.labels` when needed.
pub fn set_labels(obj: &mut Value, labels: &[(String, String)]) {
    let Some(root) = obj.as_map_mut() else {
        return;
    };
    let meta = root
        .entry("metadata".to_string())
        .or_insert_with(|| Value::Map(Default::default()));
    if !matches!(meta, Value::Map(_)) {
        *meta = Value::Map(Default::default());
    }
    let Some(meta) = meta.as_map_mut() else {
        return;
    };
    let lbl = meta
        .entry("labels".to_string())
        .or_insert_with(|| Value::Map(Default::default()));
    if !matches!(lbl, Value::Map(_)) {
        *lbl = Value::Map(Default::default());
    }
    if let Some(lbl) = lbl.as_map_mut() {
        for (k, v) in labels {
            lbl.insert(k.clone(), Value::String(v.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::read_manifests;

    #[test]
    fn selectors_ignore_case_and_read_labels_too() {
        let objs = read_manifests(
            "kind: A\nmetadata: {name: a, annotations: {kustomize.toolkit.fluxcd.io/ssa: ignore}}\n---\n\
             kind: A\nmetadata: {name: b, labels: {kustomize.toolkit.fluxcd.io/reconcile: Disabled}}\n---\n\
             kind: A\nmetadata: {name: c, annotations: {kustomize.toolkit.fluxcd.io/ssa: merge}}\n",
        )
        .expect("manifests");
        let s = Selectors::default();
        assert!(any_in_metadata(&objs[0], &s.exclusion));
        assert!(any_in_metadata(&objs[1], &s.exclusion));
        assert!(!any_in_metadata(&objs[2], &s.exclusion));
        assert!(any_in_metadata(&objs[2], &s.cleanup_exclusion));
    }

    #[test]
    fn owner_labels_set_and_matched() {
        let mut objs = read_manifests("kind: A\nmetadata: {name: a}\n").expect("manifests");
        let l = owner_labels("apps", "flux-system");
        assert!(!has_labels(&objs[0], &l));
        set_labels(&mut objs[0], &l);
        assert!(has_labels(&objs[0], &l));
    }
}
