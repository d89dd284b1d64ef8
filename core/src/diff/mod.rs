//! Diff: what an apply would change, per object, as `flux diff kustomization` reports it
//! (`fluxcd/pkg/ssa` `ResourceManager.Diff` and `jsondiff`), pure: objects in, data out.
//!
//! For each desired object the caller hands in the *merged* object — the server-side
//! dry-run result, or offline the desired object laid over the live one ([`overlay`]) —
//! and the live object, if any. [`diff_object`] then:
//!
//! 1. removes the JSON pointers of the [ignore rules](IgnoreRules) that select the
//!    desired object from both sides (a rule with the empty pointer skips the object);
//! 2. reduces both sides to what Flux's drift check compares ([`view`]): `apiVersion`,
//!    `kind`, the name, namespace, labels and annotations (without kubectl's
//!    `last-applied-configuration`), and every field outside `metadata` and `status` —
//!    `managedFields`, `resourceVersion`, `uid`, `generation`, `creationTimestamp`,
//!    `status` are gone; server-side defaults are on both sides (the dry-run has them);
//!    labels and annotations only the live object has are kept on the merged side
//!    (`jsondiff` reports only added and replaced metadata, not removed);
//! 3. masks Secret values as `SanitizeUnstructuredData` does (`data` and `stringData`):
//!    keys stay, every value becomes `***`, a changed one `*** (before)` / `*** (after)`;
//! 4. lists the changed fields as JSON pointers with their values before and after
//!    (maps by key, lists by index, as `jsondiff.Compare`), and prints a unified YAML
//!    diff of the two views (`--- live/...` / `+++ merged/...`, see [`unified_diff`]).
//!
//! The action is `created` without a live object, `configured` when a field changed,
//! else `unchanged`; objects the skip annotations exclude are `skipped`, and with prune
//! the stale objects of the previous inventory that prune would delete are `deleted`.

pub mod ignore;
pub mod noop;
pub mod unified;

use std::collections::{HashMap, HashSet};

pub use ignore::{IgnoreRule, IgnoreRuleError, IgnoreRules};
pub use noop::apply_is_noop;
pub use unified::unified_diff;

use crate::inventory::{Inventory, StaleObject};
use crate::ssa::object::{IdError, group_version};
use crate::ssa::order::{is_secret, stages};
use crate::ssa::policy::{LAST_APPLIED_ANNOTATION, Selectors, owner_labels, set_labels};
use crate::ssa::{
    Action, ChangeSet, ChangeSetEntry, ObjMetadata, PruneAction, entry_for, normalize,
    prune_action, skip_apply,
};
use crate::yaml::{Map, Value};

/// A Secret value that is the same on both sides, added or removed.
pub const MASK: &str = "***";
/// A changed Secret value, on the live side.
pub const MASK_BEFORE: &str = "*** (before)";
/// A changed Secret value, on the merged side.
pub const MASK_AFTER: &str = "*** (after)";

/// How to diff.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DiffOptions {
    /// Fields to leave out of the comparison.
    pub ignore: IgnoreRules,
    /// The skip annotations (`reconcile: disabled`, `ssa: Ignore`, `ssa: IfNotPresent`).
    pub selectors: Selectors,
    /// The owning Kustomization (`name`, `namespace`): its labels are set on every desired
    /// object, and prune only deletes objects carrying them.
    pub owner: Option<(String, String)>,
    /// Report the stale objects of the previous inventory that prune would delete.
    pub prune: bool,
    /// Context lines around each change of the unified diff (3).
    pub context: usize,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            ignore: IgnoreRules::none(),
            selectors: Selectors::default(),
            owner: None,
            prune: false,
            context: 3,
        }
    }
}

impl DiffOptions {
    /// Sets the ignore rules.
    pub fn with_ignore(mut self, rules: IgnoreRules) -> Self {
        self.ignore = rules;
        self
    }
}

/// Why a diff could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiffError {
    /// The same object twice in the desired set.
    #[error("duplicate object {subject}")]
    Duplicate {
        /// `Kind/namespace/name`.
        subject: String,
    },
    /// The previous inventory holds an id that does not parse.
    #[error("inventory: {0}")]
    Inventory(#[from] IdError),
}

/// One changed field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    /// The JSON pointer of the field (`/spec/replicas`, `/metadata/labels/app~1name`).
    pub path: String,
    /// The live value (`None`: the field is added).
    pub before: Option<Value>,
    /// The merged value (`None`: the field is removed).
    pub after: Option<Value>,
}

impl FieldChange {
    /// `add`, `remove` or `replace`, as a JSON patch from live to merged would say.
    pub fn op(&self) -> &'static str {
        match (&self.before, &self.after) {
            (None, _) => "add",
            (_, None) => "remove",
            _ => "replace",
        }
    }
}

/// The diff of one object.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectDiff {
    /// The object, its version and the action (`created`, `configured`, `unchanged`,
    /// `deleted`, `skipped`).
    pub entry: ChangeSetEntry,
    /// The changed fields (for `configured`; empty otherwise).
    pub changes: Vec<FieldChange>,
    /// The compared forms of the live and merged objects (Secret values masked), for the
    /// unified diff; `None` unless the object was compared.
    views: Option<(Value, Value)>,
}

impl ObjectDiff {
    /// An entry decided without comparing (created, skipped, deleted): no changes.
    pub fn from_entry(entry: ChangeSetEntry) -> Self {
        ObjectDiff {
            entry,
            changes: Vec::new(),
            views: None,
        }
    }

    /// The live object as compared (ignored fields removed, Secret values masked).
    pub fn live_view(&self) -> Option<&Value> {
        self.views.as_ref().map(|(l, _)| l)
    }

    /// The merged object as compared.
    pub fn merged_view(&self) -> Option<&Value> {
        self.views.as_ref().map(|(_, m)| m)
    }

    /// The unified YAML diff from the live to the merged view, labelled
    /// `live/<group>.<version>.<Kind>.<namespace>.<name>` and `merged/...` (the file names
    /// `kubectl diff` compares); empty when nothing changed.
    pub fn unified(&self, context: usize, color: bool) -> String {
        let Some((live, merged)) = &self.views else {
            return String::new();
        };
        if self.changes.is_empty() {
            return String::new();
        }
        let name = file_name(&self.entry);
        unified_diff(
            &crate::yaml::emit_kustomize(live),
            &crate::yaml::emit_kustomize(merged),
            &format!("live/{name}"),
            &format!("merged/{name}"),
            context,
            color,
        )
    }
}

/// `group.version.Kind.namespace.name`, empty parts left out.
fn file_name(e: &ChangeSetEntry) -> String {
    let m = &e.object;
    [
        m.group.as_str(),
        e.version.as_str(),
        m.kind.as_str(),
        m.namespace.as_str(),
        m.name.as_str(),
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .copied()
    .collect::<Vec<_>>()
    .join(".")
}

/// The diff of a whole set: desired objects in apply order, then prune's.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DiffReport {
    /// One entry per object.
    pub objects: Vec<ObjectDiff>,
}

const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[31m";
const RESET: &str = "\x1b[0m";

impl DiffReport {
    /// Whether anything would change: an object created, configured or deleted (the exit
    /// code 1 of `flux diff`).
    pub fn has_changes(&self) -> bool {
        self.objects.iter().any(|o| {
            matches!(
                o.entry.action,
                Action::Created | Action::Configured | Action::Deleted
            )
        })
    }

    /// Flux's lines, `► Kind/namespace/name created`, `drifted` (followed by the unified
    /// diff) and `deleted`; nothing for unchanged and skipped objects. With `color`,
    /// created lines are green, deleted ones red, and the diffs coloured.
    pub fn to_text(&self, context: usize, color: bool) -> String {
        let mut out = String::new();
        for o in &self.objects {
            let (word, paint) = match o.entry.action {
                Action::Created => ("created", Some(GREEN)),
                Action::Configured => ("drifted", None),
                Action::Deleted => ("deleted", Some(RED)),
                _ => continue,
            };
            let line = format!("► {} {word}", o.entry.subject);
            match paint.filter(|_| color) {
                Some(c) => {
                    out.push_str(c);
                    out.push_str(&line);
                    out.push_str(RESET);
                }
                None => out.push_str(&line),
            }
            out.push('\n');
            out.push_str(&o.unified(context, color));
        }
        out
    }

    /// The structured result: `{"objects": [{"subject", "id", "version", "action",
    /// "changes": [{"op", "path", "before", "after"}]}]}` (`before`/`after` left out when
    /// the field is added/removed).
    pub fn to_value(&self) -> Value {
        let objects = self
            .objects
            .iter()
            .map(|o| {
                let changes = o
                    .changes
                    .iter()
                    .map(|c| {
                        let mut m = Map::default();
                        m.insert("op".into(), Value::from(c.op()));
                        m.insert("path".into(), Value::from(c.path.as_str()));
                        if let Some(b) = &c.before {
                            m.insert("before".into(), b.clone());
                        }
                        if let Some(a) = &c.after {
                            m.insert("after".into(), a.clone());
                        }
                        Value::Map(m)
                    })
                    .collect();
                let mut m = Map::default();
                m.insert("subject".into(), Value::from(o.entry.subject.as_str()));
                m.insert("id".into(), Value::from(o.entry.object.id()));
                m.insert("version".into(), Value::from(o.entry.version.as_str()));
                m.insert("action".into(), Value::from(o.entry.action.as_str()));
                m.insert("changes".into(), Value::Seq(changes));
                Value::Map(m)
            })
            .collect();
        let mut root = Map::default();
        root.insert("objects".into(), Value::Seq(objects));
        Value::Map(root)
    }
}

/// The desired set as apply sends it: owner labels set, normalised
/// ([`normalize::normalize_object`]), in Flux's apply order.
///
/// # Errors
/// [`DiffError::Duplicate`] when an object is given twice.
pub fn prepare(objects: Vec<Value>, opts: &DiffOptions) -> Result<Vec<Value>, DiffError> {
    let mut objects = objects;
    let labels = opts.owner.as_ref().map(|(n, ns)| owner_labels(n, ns));
    let mut seen = HashSet::with_capacity(objects.len());
    for o in &mut objects {
        if let Some(l) = &labels {
            set_labels(o, l);
        }
        normalize::normalize_object(o);
        let m = ObjMetadata::of(o);
        if !seen.insert(m.clone()) {
            return Err(DiffError::Duplicate {
                subject: m.subject(),
            });
        }
    }
    Ok(stages(objects).into_iter().flat_map(|(_, o)| o).collect())
}

/// What is decided before any dry-run: `skipped` when an ignore rule with the empty pointer
/// selects the object, or its skip annotations exclude it (`shouldSkipDiff`).
pub fn pre_check(desired: &Value, live: Option<&Value>, opts: &DiffOptions) -> Option<ObjectDiff> {
    if opts
        .ignore
        .pointers_for(desired)
        .iter()
        .any(|p| p.is_empty())
    {
        return Some(ObjectDiff::from_entry(entry_for(desired, Action::Skipped)));
    }
    skip_apply(desired, live, &opts.selectors).map(ObjectDiff::from_entry)
}

/// The diff of one object: `merged` (the dry-run result, or offline [`overlay`] of the
/// desired object on the live one) against `live` (see the module documentation).
/// `desired` is what the ignore rules' targets are matched against.
pub fn diff_object(
    desired: &Value,
    merged: &Value,
    live: Option<&Value>,
    opts: &DiffOptions,
) -> ObjectDiff {
    let Some(live) = live else {
        return ObjectDiff::from_entry(entry_for(desired, Action::Created));
    };
    let pointers = opts.ignore.pointers_for(desired);
    let (mut lv, mut mv) = if pointers.is_empty() {
        (view(live), view(merged))
    } else {
        let (mut l, mut m) = (live.clone(), merged.clone());
        for p in &pointers {
            ignore::remove_at(&mut l, p);
            ignore::remove_at(&mut m, p);
        }
        (view(&l), view(&m))
    };
    for field in ["labels", "annotations"] {
        carry_over(&lv, &mut mv, field);
    }
    if is_secret(desired) {
        mask_secret(&mut lv, &mut mv);
    }
    let mut changes = Vec::new();
    compare(&mut String::new(), Some(&lv), Some(&mv), &mut changes);
    let action = if changes.is_empty() {
        Action::Unchanged
    } else {
        Action::Configured
    };
    let (_, version) = group_version(
        merged
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or(""),
    );
    ObjectDiff {
        entry: ChangeSetEntry::new(ObjMetadata::of(desired), version, action),
        changes,
        views: Some((lv, mv)),
    }
}

/// What Flux's drift check compares of an object: `apiVersion`, `kind`, the name,
/// namespace, labels and annotations (kubectl's `last-applied-configuration` left out),
/// and every top-level field but `metadata` and `status`.
pub fn view(obj: &Value) -> Value {
    let Some(m) = obj.as_map() else {
        return obj.clone();
    };
    let mut out = Map::default();
    for (k, v) in m {
        match k.as_str() {
            "status" => {}
            "metadata" => {
                let mut meta = Map::default();
                for key in ["name", "namespace"] {
                    if let Some(Value::String(s)) = v.get(key)
                        && !s.is_empty()
                    {
                        meta.insert(key.into(), Value::from(s.as_str()));
                    }
                }
                for key in ["labels", "annotations"] {
                    if let Some(Value::Map(l)) = v.get(key) {
                        let mut l = l.clone();
                        if key == "annotations" {
                            l.shift_remove(LAST_APPLIED_ANNOTATION);
                        }
                        if !l.is_empty() {
                            meta.insert(key.into(), Value::Map(l));
                        }
                    }
                }
                out.insert(k.clone(), Value::Map(meta));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Map(out)
}

/// Copies the labels (or annotations) only the live view has onto the merged view.
fn carry_over(live: &Value, merged: &mut Value, field: &str) {
    let Some(Value::Map(from)) = live.get_path(&["metadata", field]) else {
        return;
    };
    let Some(Value::Map(meta)) = merged.as_map_mut().and_then(|m| m.get_mut("metadata")) else {
        return;
    };
    let slot = meta
        .entry(field.to_string())
        .or_insert_with(|| Value::Map(Map::default()));
    if let Value::Map(to) = slot {
        for (k, v) in from {
            if !to.contains_key(k) {
                to.insert(k.clone(), v.clone());
            }
        }
    }
}

/// `SanitizeUnstructuredData` on `data` and `stringData`: keys kept, values masked.
fn mask_secret(live: &mut Value, merged: &mut Value) {
    for field in ["data", "stringData"] {
        let old = live.get(field).cloned();
        let new = merged.get(field).cloned();
        let empty = Map::default();
        let om = old.as_ref().and_then(Value::as_map).unwrap_or(&empty);
        let nm = new.as_ref().and_then(Value::as_map).unwrap_or(&empty);
        let mask_side = |side: &mut Value, this: &Map, other: &Map, changed: &str| {
            let Some(root) = side.as_map_mut() else {
                return;
            };
            let Some(slot) = root.get_mut(field) else {
                return;
            };
            let Value::Map(_) = slot else {
                *slot = Value::from(MASK);
                return;
            };
            let masked: Map = this
                .iter()
                .map(|(k, v)| {
                    let m = match other.get(k) {
                        Some(o) if o != v => changed,
                        _ => MASK,
                    };
                    (k.clone(), Value::from(m))
                })
                .collect();
            *slot = Value::Map(masked);
        };
        mask_side(live, om, nm, MASK_BEFORE);
        mask_side(merged, nm, om, MASK_AFTER);
    }
}

/// The changed fields between `a` (live) and `b` (merged) under the pointer `path`: maps
/// by key (in key order), lists by index.
fn compare(path: &mut String, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<FieldChange>) {
    match (a, b) {
        (Some(Value::Map(x)), Some(Value::Map(y))) => {
            let mut keys: Vec<&String> = x
                .keys()
                .chain(y.keys().filter(|k| !x.contains_key(*k)))
                .collect();
            keys.sort_unstable();
            for k in keys {
                let len = path.len();
                path.push('/');
                path.push_str(&ignore::escape_token(k));
                compare(path, x.get(k.as_str()), y.get(k.as_str()), out);
                path.truncate(len);
            }
        }
        (Some(Value::Seq(x)), Some(Value::Seq(y))) => {
            for i in 0..x.len().max(y.len()) {
                let len = path.len();
                path.push('/');
                path.push_str(&i.to_string());
                compare(path, x.get(i), y.get(i), out);
                path.truncate(len);
            }
        }
        (None, None) => {}
        (Some(x), Some(y)) if x == y => {}
        _ => out.push(FieldChange {
            path: path.clone(),
            before: a.cloned(),
            after: b.cloned(),
        }),
    }
}

/// List items merged by this key when every item on both sides is a map holding it as a
/// scalar and the desired items hold distinct values.
const MERGE_KEYS: [&str; 7] = [
    "name",
    "containerPort",
    "port",
    "mountPath",
    "devicePath",
    "ip",
    "topologyKey",
];

fn scalar_key(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(format!("s:{s}")),
        Value::Number(n) => Some(format!("n:{n:?}")),
        Value::Bool(b) => Some(format!("b:{b}")),
        _ => None,
    }
}

fn merge_key(live: &[Value], desired: &[Value]) -> Option<&'static str> {
    MERGE_KEYS.into_iter().find(|key| {
        let mut seen = HashSet::with_capacity(desired.len());
        desired
            .iter()
            .all(|d| scalar_key(d, key).is_some_and(|k| seen.insert(k)))
            && live.iter().all(|l| scalar_key(l, key).is_some())
    })
}

/// The offline stand-in for a server-side apply: `desired` laid over `live`. Maps merge
/// key by key (fields only the live object has — server defaults, other managers'
/// fields — stay); lists of objects merge item by item on their key (`name`,
/// `containerPort`, `port`, ...), in the desired order; other values are the desired ones.
/// Fields a previous apply set and the desired object no longer has stay too (the
/// dry-run would drop them): offline mode cannot see them.
pub fn overlay(live: &Value, desired: &Value) -> Value {
    match (live, desired) {
        (Value::Map(l), Value::Map(d)) => {
            let mut out = l.clone();
            for (k, dv) in d {
                let merged = match l.get(k) {
                    Some(lv) => overlay(lv, dv),
                    None => dv.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Map(out)
        }
        (Value::Seq(l), Value::Seq(d)) => match merge_key(l, d) {
            Some(key) => {
                let by_key: HashMap<String, &Value> = l
                    .iter()
                    .filter_map(|item| scalar_key(item, key).map(|k| (k, item)))
                    .collect();
                Value::Seq(
                    d.iter()
                        .map(
                            |di| match scalar_key(di, key).and_then(|k| by_key.get(&k).copied()) {
                                Some(li) => overlay(li, di),
                                None => di.clone(),
                            },
                        )
                        .collect(),
                )
            }
            None => desired.clone(),
        },
        _ => desired.clone(),
    }
}

/// The stale objects of `previous` that are not in the diffed set, in apply order
/// (`diffInventory`).
///
/// # Errors
/// [`DiffError::Inventory`] when an id does not parse.
pub fn stale_objects(
    previous: &Inventory,
    objects: &[ObjectDiff],
) -> Result<Vec<StaleObject>, DiffError> {
    let cs = ChangeSet {
        entries: objects.iter().map(|o| o.entry.clone()).collect(),
    };
    Ok(previous.stale(&Inventory::from_change_set(&cs))?)
}

/// What prune would do with a stale object given its live state: `deleted`, `skipped` (not
/// owned, or excluded by its annotations), or nothing when it is already gone.
pub fn prune_diff(
    stale: &StaleObject,
    live: Option<&Value>,
    opts: &DiffOptions,
) -> Option<ObjectDiff> {
    let owner = opts
        .owner
        .as_ref()
        .map(|(n, ns)| owner_labels(n, ns))
        .unwrap_or_default();
    let action = match prune_action(live, &owner, &opts.selectors) {
        PruneAction::Gone => return None,
        PruneAction::Skip => Action::Skipped,
        PruneAction::Delete => Action::Deleted,
    };
    Some(ObjectDiff::from_entry(ChangeSetEntry::new(
        stale.object.clone(),
        stale.version.clone(),
        action,
    )))
}

/// Offline diff: the desired objects against a set of live objects (what a cluster holds,
/// e.g. `kubectl get -o yaml`), no cluster involved. Each desired object is [prepared](prepare),
/// laid over its live object ([`overlay`]) and diffed; with prune, the stale objects of
/// `previous` found among the live objects follow.
///
/// # Errors
/// A duplicate desired object or an unreadable inventory id.
pub fn diff_offline(
    desired: Vec<Value>,
    live: &[Value],
    previous: &Inventory,
    opts: &DiffOptions,
) -> Result<DiffReport, DiffError> {
    let desired = prepare(desired, opts)?;
    let index: HashMap<ObjMetadata, &Value> =
        live.iter().map(|v| (ObjMetadata::of(v), v)).collect();
    let mut objects = Vec::with_capacity(desired.len());
    for d in &desired {
        let l = index.get(&ObjMetadata::of(d)).copied();
        if let Some(skipped) = pre_check(d, l, opts) {
            objects.push(skipped);
            continue;
        }
        let merged = match l {
            Some(l) => overlay(l, d),
            None => d.clone(),
        };
        objects.push(diff_object(d, &merged, l, opts));
    }
    if opts.prune {
        for s in stale_objects(previous, &objects)? {
            let l = index.get(&s.object).copied();
            objects.extend(prune_diff(&s, l, opts));
        }
    }
    Ok(DiffReport { objects })
}

#[cfg(test)]
mod tests;
