//! Apply as Flux applies: the pure half of `fluxcd/pkg/ssa` as kustomize-controller wires it.
//!
//! * [`object`]: identities (`ObjMetadata`), inventory ids and change-set subjects.
//! * [`order`]: the stages (CRDs, Namespaces, ClusterRoles; class kinds; the rest) and the
//!   kind order inside them.
//! * [`changeset`]: actions and entries, worded as Flux words them.
//! * [`policy`]: the `kustomize.toolkit.fluxcd.io/*` annotations and owner labels.
//! * [`normalize`]: the client-side normalisation of desired objects and the drift check
//!   that tells `unchanged` from `configured`.
//! * [`cleanup`]: the JSON patch that takes kubectl's fields over before an apply.
//! * [`plan`]: what an apply would do, decided in memory against live objects.
//!
//! The decisions the engine takes per object are plain functions here ([`skip_apply`],
//! [`should_force`], [`apply_action`], [`prune_action`]); the shell
//! (`io::cluster`) makes the requests and feeds their results in.

pub mod changeset;
pub mod cleanup;
pub mod normalize;
pub mod object;
pub mod order;
pub mod plan;
pub mod policy;

pub use changeset::{Action, ChangeSet, ChangeSetEntry};
pub use object::ObjMetadata;
pub use order::Stage;
pub use plan::{Plan, PlanEntry, PlanStage};

use crate::yaml::Value;
use object::{group_version, str_at};
use policy::{Selectors, any_in_metadata, has_labels};

/// The change-set entry for `obj` (`changeSetEntry`): its identity and the version of its
/// `apiVersion`.
pub fn entry_for(obj: &Value, action: Action) -> ChangeSetEntry {
    let (_, version) = group_version(str_at(obj, &["apiVersion"]));
    ChangeSetEntry::new(ObjMetadata::of(obj), version, action)
}

fn uid(obj: &Value) -> &str {
    str_at(obj, &["metadata", "uid"])
}

/// `shouldSkipApply`: a `skipped` entry (built from the live object when there is one) when
/// the desired or live object matches the exclusion selector, or the desired object is
/// `IfNotPresent` and exists.
pub fn skip_apply(
    desired: &Value,
    live: Option<&Value>,
    sel: &Selectors,
) -> Option<ChangeSetEntry> {
    let live = live.filter(|l| !uid(l).is_empty());
    let source = live.unwrap_or(desired);
    if any_in_metadata(desired, &sel.exclusion)
        || live.is_some_and(|l| any_in_metadata(l, &sel.exclusion))
    {
        return Some(entry_for(source, Action::Skipped));
    }
    if live.is_some() && any_in_metadata(desired, &sel.if_not_present) {
        return Some(entry_for(source, Action::Skipped));
    }
    None
}

/// What an API error looks like to `IsImmutableError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    /// The HTTP status code (409 Conflict, 422 Invalid, ...).
    pub code: u16,
    /// The error message.
    pub message: String,
}

/// `ssaerrors.IsImmutableError`: any Conflict (409) or Invalid (422) error, or a message
/// saying `is immutable` / `immutable field`.
pub fn is_immutable_error(err: &ApiFailure) -> bool {
    if err.code == 409 || err.code == 422 {
        return true;
    }
    let m = &err.message;
    words_match(m, "is", "immutable") || words_match(m, "immutable", "field")
}

/// `.*a\sb.*`: `a`, one whitespace character, `b`.
fn words_match(text: &str, a: &str, b: &str) -> bool {
    text.match_indices(a).any(|(i, _)| {
        let rest = &text[i + a.len()..];
        let mut chars = rest.chars();
        chars.next().is_some_and(char::is_whitespace) && chars.as_str().starts_with(b)
    })
}

/// `shouldForceApply`: recreate the object when the dry-run error is an immutable-field
/// error and force is on for the apply or for the object (`force: enabled`, on the desired
/// or the live object).
pub fn should_force(
    desired: &Value,
    live: Option<&Value>,
    force: bool,
    sel: &Selectors,
    err: &ApiFailure,
) -> bool {
    is_immutable_error(err)
        && (force
            || any_in_metadata(desired, &sel.force)
            || live.is_some_and(|l| any_in_metadata(l, &sel.force)))
}

/// The action of an apply after its dry-run: `created` when the dry-run result has no
/// `resourceVersion`, `configured` when the clean-up patched the live object or the
/// result drifted from it, else `unchanged` (and then nothing is sent).
pub fn apply_action(live: Option<&Value>, dry_run: &Value, patched: bool) -> Action {
    let drifted = normalize::has_drifted(live, dry_run);
    if !(patched || drifted) {
        return Action::Unchanged;
    }
    if str_at(dry_run, &["metadata", "resourceVersion"]).is_empty() {
        Action::Created
    } else {
        Action::Configured
    }
}

/// What prune does with a stale object, given its live state (`ResourceManager.Delete`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PruneAction {
    /// Already gone: reported `deleted`, nothing sent.
    Gone,
    /// Not ours (owner labels differ) or excluded: reported `skipped`.
    Skip,
    /// Send a DELETE, then report `deleted`.
    Delete,
}

/// Decides the prune of one stale object: gone, skipped (owner labels missing or an
/// exclusion annotation), or deleted.
pub fn prune_action(
    live: Option<&Value>,
    owner_labels: &[(String, String)],
    sel: &Selectors,
) -> PruneAction {
    let Some(live) = live else {
        return PruneAction::Gone;
    };
    if !has_labels(live, owner_labels) || any_in_metadata(live, &sel.prune_exclusion) {
        return PruneAction::Skip;
    }
    PruneAction::Delete
}

/// `utils.ReadObjects`' filter: `List` kinds expanded into their items, then only objects
/// with a name, kind and apiVersion kept, and kustomize's `Kustomization` files dropped.
pub fn objects_from_manifests(values: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        let is_list = str_at(&v, &["kind"]).ends_with("List") && v.get("items").is_some();
        if is_list {
            if let Some(Value::Seq(items)) = v.get("items") {
                out.extend(items.iter().filter(|i| i.as_map().is_some()).cloned());
            }
            continue;
        }
        let k8s = !str_at(&v, &["metadata", "name"]).is_empty()
            && !str_at(&v, &["kind"]).is_empty()
            && !str_at(&v, &["apiVersion"]).is_empty();
        let kustomization = str_at(&v, &["kind"]).eq_ignore_ascii_case("kustomization")
            && str_at(&v, &["apiVersion"]).starts_with("kustomize.config.k8s.io/");
        if k8s && !kustomization {
            out.push(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::read_manifests;

    fn one(y: &str) -> Value {
        read_manifests(y).expect("manifest").remove(0)
    }

    #[test]
    fn immutable_errors_as_flux_sees_them() {
        let e = |code, m: &str| ApiFailure {
            code,
            message: m.into(),
        };
        assert!(is_immutable_error(&e(422, "anything")));
        assert!(is_immutable_error(&e(409, "conflict")));
        assert!(is_immutable_error(&e(400, "field is immutable")));
        assert!(is_immutable_error(&e(500, "an immutable\tfield")));
        assert!(!is_immutable_error(&e(404, "not found")));
        assert!(!is_immutable_error(&e(400, "isimmutable")));
    }

    #[test]
    fn skip_and_force_decisions() {
        let sel = Selectors::default();
        let ignore = one(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a, annotations: {kustomize.toolkit.fluxcd.io/ssa: Ignore}}\n",
        );
        let e = skip_apply(&ignore, None, &sel).expect("skipped");
        assert_eq!(e.to_string(), "ConfigMap/a/c skipped");
        let inp = one(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a, annotations: {kustomize.toolkit.fluxcd.io/ssa: IfNotPresent}}\n",
        );
        assert_eq!(skip_apply(&inp, None, &sel), None);
        let live =
            one("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a, uid: x}\n");
        assert!(skip_apply(&inp, Some(&live), &sel).is_some());
        let err = ApiFailure {
            code: 422,
            message: "spec: Forbidden".into(),
        };
        assert!(!should_force(&live, Some(&live), false, &sel, &err));
        assert!(should_force(&live, Some(&live), true, &sel, &err));
        let forced = one(
            "kind: A\nmetadata: {name: a, annotations: {kustomize.toolkit.fluxcd.io/force: Enabled}}\n",
        );
        assert!(should_force(&forced, None, false, &sel, &err));
    }

    #[test]
    fn prune_respects_owner_labels_and_annotations() {
        let sel = Selectors::default();
        let owner = policy::owner_labels("apps", "flux-system");
        let ours = one(
            "kind: A\nmetadata: {name: a, labels: {kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}}\n",
        );
        let kept = one(
            "kind: A\nmetadata: {name: a, labels: {kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}, annotations: {kustomize.toolkit.fluxcd.io/prune: disabled}}\n",
        );
        let theirs = one(
            "kind: A\nmetadata: {name: a, labels: {kustomize.toolkit.fluxcd.io/name: other, kustomize.toolkit.fluxcd.io/namespace: flux-system}}\n",
        );
        assert_eq!(prune_action(Some(&ours), &owner, &sel), PruneAction::Delete);
        assert_eq!(prune_action(Some(&kept), &owner, &sel), PruneAction::Skip);
        assert_eq!(prune_action(Some(&theirs), &owner, &sel), PruneAction::Skip);
        assert_eq!(prune_action(None, &owner, &sel), PruneAction::Gone);
    }
}
