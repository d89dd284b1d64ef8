//! What an apply would do, decided in memory: the desired objects against a set of live
//! objects (as read from a cluster or a file) and the previous inventory, with no request.
//!
//! The stages and their order are Flux's ([`super::order`]); every object is normalised as
//! `fluxcd/pkg/ssa` normalises it ([`super::normalize`]), checked against the skip
//! annotations ([`super::skip_apply`]) and kubectl's fields ([`super::cleanup`]), then
//! compared with its live object *as a subset*: a field the desired object does not set is
//! the server's (defaults) or another manager's and never counts as drift. Lists of objects
//! that carry a merge key (`name`, `containerPort`, `port`, `mountPath`, ...) are matched by
//! that key, other lists item by item. What the server alone knows (defaulting of the fields
//! the manifest sets, quantity canonicalisation such as `0.5` → `500m`, immutable fields,
//! admission) is not seen: a server-side dry-run (`io::cluster::engine::plan`) sees it.
//!
//! Custom resources whose CRD only the desired set holds are planned `created` in their
//! stage, after the definition stage that creates their CRD.

use std::collections::{HashMap, HashSet};

use super::changeset::{Action, ChangeSetEntry};
use super::cleanup::{CleanupOptions, cleanup_patch};
use super::object::{IdError, ObjMetadata, group_version, str_at};
use super::order::{is_crd, stages};
use super::policy::{Selectors, owner_labels, set_labels};
use super::{PruneAction, normalize, prune_action, skip_apply};
use crate::inventory::{Inventory, StaleObject, prune_order};
use crate::yaml::{Map, Number, Value};

/// One planned entry: what apply would do to an object, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanEntry {
    /// The object, its version and the action apply would report.
    pub entry: ChangeSetEntry,
    /// Why (`not in the cluster`, `drifted from the manifest`, ...).
    pub reason: String,
    /// For a `configured` entry found by comparing with the live object: the paths of the
    /// fields that differ (`spec.replicas`, `data.key`,
    /// `spec.template.spec.containers[name=web].image`); never their values.
    pub fields: Vec<String>,
}

impl PlanEntry {
    /// An entry with its reason and no fields.
    pub fn new(entry: ChangeSetEntry, reason: impl Into<String>) -> Self {
        PlanEntry {
            entry,
            reason: reason.into(),
            fields: Vec::new(),
        }
    }
}

/// The entries of one stage (`definitions`, `classes`, `resources`, then `prune`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanStage {
    /// The stage's name.
    pub name: &'static str,
    /// Its entries in apply order.
    pub entries: Vec<PlanEntry>,
}

/// What an apply would do, stage by stage.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// The stages, in order.
    pub stages: Vec<PlanStage>,
}

impl Plan {
    /// Every entry, stage after stage.
    pub fn entries(&self) -> impl Iterator<Item = &PlanEntry> {
        self.stages.iter().flat_map(|s| s.entries.iter())
    }

    /// Whether some entry is `created`, `configured` or `deleted`.
    pub fn has_changes(&self) -> bool {
        self.entries().any(|e| {
            matches!(
                e.entry.action,
                Action::Created | Action::Configured | Action::Deleted
            )
        })
    }
}

/// How to plan (the part of the apply options a plan reads).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlanOptions {
    /// The field manager of the applies (`gitward`).
    pub field_manager: String,
    /// The owning Kustomization (`name`, `namespace`): its labels are set on every object,
    /// and prune only deletes objects carrying them.
    pub owner: Option<(String, String)>,
    /// Plan the prune of the previous inventory's objects no longer in the set.
    pub prune: bool,
    /// The annotation selectors.
    pub selectors: Selectors,
    /// The metadata clean-up before apply.
    pub cleanup: CleanupOptions,
}

impl PlanOptions {
    /// kustomize-controller's options for the field manager `field_manager`.
    pub fn new(field_manager: &str) -> Self {
        PlanOptions {
            field_manager: field_manager.to_string(),
            owner: None,
            prune: false,
            selectors: Selectors::default(),
            cleanup: CleanupOptions::flux(field_manager),
        }
    }

    /// Sets the owning Kustomization.
    pub fn with_owner(mut self, name: &str, namespace: &str) -> Self {
        self.owner = Some((name.to_string(), namespace.to_string()));
        self
    }

    /// Sets `prune`.
    pub fn with_prune(mut self, prune: bool) -> Self {
        self.prune = prune;
        self
    }

    /// The owner labels prune requires (none without an owner).
    pub fn owner_labels(&self) -> Vec<(String, String)> {
        self.owner
            .as_ref()
            .map(|(n, ns)| owner_labels(n, ns))
            .unwrap_or_default()
    }
}

/// Why a plan cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
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

/// The desired objects as apply sends them: owner labels set (when there is an owner),
/// normalised; two objects with the same identity are refused.
///
/// # Errors
/// [`PlanError::Duplicate`] naming the second object of a pair.
pub fn prepare(
    objects: Vec<Value>,
    owner: Option<&(String, String)>,
) -> Result<Vec<Value>, PlanError> {
    let mut objects = objects;
    let labels = owner.map(|(n, ns)| owner_labels(n, ns));
    let mut seen = HashSet::with_capacity(objects.len());
    for o in &mut objects {
        if let Some(labels) = &labels {
            set_labels(o, labels);
        }
        normalize::normalize_object(o);
        let m = ObjMetadata::of(o);
        if !seen.insert(m) {
            return Err(PlanError::Duplicate {
                subject: ObjMetadata::of(o).subject(),
            });
        }
    }
    Ok(objects)
}

/// The kinds (group, kind) and namespaces the desired set itself creates.
#[derive(Debug, Clone, Default)]
pub struct Provided {
    /// `(spec.group, spec.names.kind)` of every CRD of the set.
    pub kinds: HashSet<(String, String)>,
    /// The names of the set's Namespaces.
    pub namespaces: HashSet<String>,
}

impl Provided {
    /// What `objects` provide.
    pub fn of(objects: &[Value]) -> Self {
        let mut p = Provided::default();
        for o in objects {
            if is_crd(o) {
                p.kinds.insert((
                    str_at(o, &["spec", "group"]).to_string(),
                    str_at(o, &["spec", "names", "kind"]).to_string(),
                ));
            } else if super::order::is_namespace(o) {
                p.namespaces
                    .insert(str_at(o, &["metadata", "name"]).to_string());
            }
        }
        p
    }

    /// Whether the set's CRDs define the kind of `m`.
    pub fn defines(&self, m: &ObjMetadata) -> bool {
        self.kinds.contains(&(m.group.clone(), m.kind.clone()))
    }
}

/// The prune entry of a stale object given its live state (`None`: gone).
pub fn prune_entry(s: &StaleObject, live: Option<&Value>, opts: &PlanOptions) -> PlanEntry {
    let (action, reason) = match prune_action(live, &opts.owner_labels(), &opts.selectors) {
        PruneAction::Gone => (Action::Deleted, "already gone"),
        PruneAction::Skip => (Action::Skipped, "not owned, or excluded by its annotations"),
        PruneAction::Delete => (Action::Deleted, "no longer in the set"),
    };
    PlanEntry::new(
        ChangeSetEntry::new(s.object.clone(), s.version.clone(), action),
        reason,
    )
}

/// Plans `desired` against `live` (any number of live objects; those the plan does not
/// need are ignored) and the previous inventory: per stage, per object, the action apply
/// would report and its reason, then (with [`PlanOptions::prune`]) a `prune` stage.
/// Linear in the number of objects: live objects are indexed by identity.
///
/// # Errors
/// A duplicate desired object, or an inventory id that does not parse.
pub fn plan(
    desired: Vec<Value>,
    live: &[Value],
    previous: &Inventory,
    opts: &PlanOptions,
) -> Result<Plan, PlanError> {
    let objects = prepare(desired, opts.owner.as_ref())?;
    let mut index: HashMap<ObjMetadata, &Value, foldhash::fast::RandomState> =
        HashMap::with_capacity_and_hasher(live.len(), Default::default());
    index.extend(live.iter().map(|l| (ObjMetadata::of(l), l)));
    let provided = Provided::of(&objects);
    let mut plan = Plan::default();
    let mut inventory = Inventory::default();
    if !objects.is_empty() {
        for (stage, objs) in stages(objects) {
            let entries: Vec<PlanEntry> = objs
                .iter()
                .map(|o| {
                    let m = ObjMetadata::of(o);
                    plan_one(o, &m, index.get(&m).copied(), &provided, opts)
                })
                .collect();
            inventory
                .entries
                .extend(entries.iter().map(|e| crate::inventory::InventoryEntry {
                    id: e.entry.object.id(),
                    version: e.entry.version.clone(),
                }));
            plan.stages.push(PlanStage {
                name: stage.as_str(),
                entries,
            });
        }
    }
    if opts.prune {
        let entries = prune_order(previous.stale(&inventory)?)
            .iter()
            .map(|s| prune_entry(s, index.get(&s.object).copied(), opts))
            .collect();
        plan.stages.push(PlanStage {
            name: "prune",
            entries,
        });
    }
    Ok(plan)
}

/// Plans one prepared object against its live object.
fn plan_one(
    obj: &Value,
    m: &ObjMetadata,
    live: Option<&Value>,
    provided: &Provided,
    opts: &PlanOptions,
) -> PlanEntry {
    if let Some(entry) = skip_apply(obj, live, &opts.selectors) {
        return PlanEntry::new(entry, "excluded by its annotations");
    }
    let (_, version) = group_version(str_at(obj, &["apiVersion"]));
    let entry = |action| ChangeSetEntry::new(m.clone(), version, action);
    let Some(live) = live else {
        let reason = if provided.defines(m) {
            "its CustomResourceDefinition is applied in an earlier stage"
        } else {
            "not in the cluster"
        };
        return PlanEntry::new(entry(Action::Created), reason);
    };
    let mut fields = drifted_fields(obj, live);
    fields.extend(removed_fields(obj, live, &opts.field_manager).unwrap_or_default());
    if !fields.is_empty() {
        let mut e = PlanEntry::new(entry(Action::Configured), "drifted from the manifest");
        e.fields = fields;
        return e;
    }
    if cleanup_patch(obj, Some(live), &opts.cleanup, &opts.field_manager).is_some() {
        return PlanEntry::new(
            entry(Action::Configured),
            "fields of kubectl managers taken over",
        );
    }
    PlanEntry::new(entry(Action::Unchanged), "")
}

/// Keys that identify the items of a list of objects (the merge keys of the common
/// associative lists: containers, volumes, env, ports, volume mounts, conditions).
const MERGE_KEYS: [&str; 7] = [
    "name",
    "containerPort",
    "port",
    "mountPath",
    "devicePath",
    "ip",
    "type",
];

/// The paths of the fields `desired` sets to something `live` does not hold: labels and
/// annotations, and everything outside `metadata` and `status`, compared as a subset
/// (what the desired object leaves out is not compared). Paths only, never values.
pub fn drifted_fields(desired: &Value, live: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(d) = desired.as_map() else {
        return out;
    };
    for (k, v) in d {
        match k.as_str() {
            "apiVersion" | "kind" | "status" => {}
            "metadata" => {
                for field in ["labels", "annotations"] {
                    if let Some(dv) = v.get(field) {
                        let lv = live.get_path(&["metadata", field]);
                        subset(dv, lv, &format!("metadata.{field}"), &mut out);
                    }
                }
            }
            _ => subset(v, live.get(k), &push_key("", k), &mut out),
        }
    }
    out
}

/// The fields the field manager's `Apply` entry of `live` owns and `desired` no longer sets:
/// an apply would remove them (or give them up), which is drift too. Paths as
/// [`drifted_fields`] writes them, with list items by key (`[name=web]`), value or index.
/// `None` when the entry was written for another `apiVersion` than the desired object's
/// (its paths cannot be trusted); empty when the manager owns nothing.
pub fn removed_fields(desired: &Value, live: &Value, manager: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let api_version = str_at(desired, &["apiVersion"]);
    let entries = live
        .get_path(&["metadata", "managedFields"])
        .and_then(Value::as_seq)
        .unwrap_or_default();
    for e in entries {
        if str_at(e, &["manager"]) != manager || str_at(e, &["operation"]) != "Apply" {
            continue;
        }
        if str_at(e, &["apiVersion"]) != api_version {
            return None;
        }
        if let Some(Value::Map(fields)) = e.get("fieldsV1") {
            owned_missing(fields, Some(desired), "", &mut out);
        }
    }
    Some(out)
}

fn owned_missing(
    fields: &crate::yaml::Map,
    desired: Option<&Value>,
    path: &str,
    out: &mut Vec<String>,
) {
    for (k, child) in fields {
        let (found, p) = if let Some(name) = k.strip_prefix("f:") {
            let d = desired.and_then(|d| d.get(name)).filter(|v| !v.is_null());
            (d, push_key(path, name))
        } else if let Some(key) = k.strip_prefix("k:") {
            let Ok(serde_json::Value::Object(key)) = serde_json::from_str(key) else {
                continue;
            };
            let shown: Vec<String> = key
                .iter()
                .map(|(f, v)| format!("{f}={}", json_scalar_text(v)))
                .collect();
            let item = desired.and_then(Value::as_seq).and_then(|items| {
                items.iter().find(|i| {
                    key.iter().all(|(f, v)| {
                        i.get(f)
                            .is_some_and(|have| scalar_text(have) == json_scalar_text(v))
                    })
                })
            });
            (item, format!("{path}[{}]", shown.join(",")))
        } else if let Some(value) = k.strip_prefix("v:") {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(value) else {
                continue;
            };
            let want = json_scalar_text(&v);
            let item = desired
                .and_then(Value::as_seq)
                .and_then(|items| items.iter().find(|i| scalar_text(i) == want));
            (item, format!("{path}[{want}]"))
        } else if let Some(index) = k.strip_prefix("i:") {
            let item = index.parse::<usize>().ok().and_then(|i| {
                desired
                    .and_then(Value::as_seq)
                    .and_then(|items| items.get(i))
            });
            (item, format!("{path}[{index}]"))
        } else {
            continue;
        };
        match (found, child) {
            (None, _) => out.push(p),
            (Some(d), Value::Map(sub)) => owned_missing(sub, Some(d), &p, out),
            (Some(_), _) => {}
        }
    }
}

fn json_scalar_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `path.key`, or `path["key"]` for keys holding `.`, `/`, `[` or spaces.
fn push_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (path.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{key:?}]"),
    }
}

fn is_empty_value(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::Map(m)) => m.is_empty(),
        Some(Value::Seq(s)) => s.is_empty(),
        Some(Value::String(s)) => s.is_empty(),
        _ => false,
    }
}

fn subset(d: &Value, l: Option<&Value>, path: &str, out: &mut Vec<String>) {
    match d {
        Value::Null => {
            if !is_empty_value(l) {
                out.push(path.to_string());
            }
        }
        Value::Map(dm) => {
            if dm.is_empty() {
                if !(is_empty_value(l) || matches!(l, Some(Value::Map(_)))) {
                    out.push(path.to_string());
                }
                return;
            }
            let Some(Value::Map(_)) = l else {
                out.push(path.to_string());
                return;
            };
            for (k, v) in dm {
                let lv = l.and_then(|l| l.get(k));
                if is_scalar(v) {
                    if !lv.is_some_and(|lv| scalar_eq(v, lv)) {
                        out.push(push_key(path, k));
                    }
                } else {
                    subset(v, lv, &push_key(path, k), out);
                }
            }
        }
        Value::Seq(ds) => {
            if ds.is_empty() {
                if !is_empty_value(l) {
                    out.push(path.to_string());
                }
                return;
            }
            let Some(Value::Seq(ls)) = l else {
                out.push(path.to_string());
                return;
            };
            match merge_key(ds) {
                Some(key) => {
                    let by_key: HashMap<String, &Value> = ls
                        .iter()
                        .filter_map(|i| i.get(key).map(|k| (scalar_text(k), i)))
                        .collect();
                    for item in ds {
                        let id = item.get(key).map(scalar_text).unwrap_or_default();
                        let p = format!("{path}[{key}={id}]");
                        match by_key.get(&id) {
                            Some(li) => subset(item, Some(li), &p, out),
                            None => out.push(p),
                        }
                    }
                }
                None => {
                    if ds.len() != ls.len() {
                        out.push(path.to_string());
                        return;
                    }
                    for (i, (dv, lv)) in ds.iter().zip(ls).enumerate() {
                        subset(dv, Some(lv), &format!("{path}[{i}]"), out);
                    }
                }
            }
        }
        scalar => {
            if !l.is_some_and(|l| scalar_eq(scalar, l)) {
                out.push(path.to_string());
            }
        }
    }
}

fn is_scalar(v: &Value) -> bool {
    matches!(v, Value::Bool(_) | Value::Number(_) | Value::String(_))
}

/// The merge key every item of a list of objects carries (as a scalar), if any.
fn merge_key(items: &[Value]) -> Option<&'static str> {
    MERGE_KEYS.into_iter().find(|k| {
        items.iter().all(|i| {
            i.get(k)
                .is_some_and(|v| matches!(v, Value::String(_) | Value::Number(_)))
        })
    })
}

fn number_text(n: &Number) -> String {
    match n {
        Number::Int(i) => i.to_string(),
        Number::UInt(u) => u.to_string(),
        Number::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => {
            format!("{}", *f as i64)
        }
        Number::Float(f) => f.to_string(),
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => number_text(n),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// Scalars equal as the API server would store them: numbers by value (`1` = `1.0`), a
/// number equal to the string the server writes for it (quantities: `cpu: 1` = `"1"`).
fn scalar_eq(d: &Value, l: &Value) -> bool {
    match (d, l) {
        (Value::Number(a), Value::Number(b)) => number_text(a) == number_text(b),
        (Value::Number(a), Value::String(s)) => number_text(a) == *s,
        _ => d == l,
    }
}

impl Plan {
    /// `{"stages": [{"name": ..., "entries": [{"subject", "id", "action", "reason",
    /// "fields"?}]}]}`, as `gitward plan -o json` prints it (`fields` only when some
    /// differ).
    pub fn to_value(&self) -> Value {
        let stages = self
            .stages
            .iter()
            .map(|st| {
                let entries = st
                    .entries
                    .iter()
                    .map(|e| {
                        let mut m = Map::default();
                        m.insert("subject".into(), Value::from(e.entry.subject.as_str()));
                        m.insert("id".into(), Value::from(e.entry.object.id()));
                        m.insert("action".into(), Value::from(e.entry.action.as_str()));
                        m.insert("reason".into(), Value::from(e.reason.as_str()));
                        if !e.fields.is_empty() {
                            let fields = e.fields.iter().map(|f| Value::from(f.as_str()));
                            m.insert("fields".into(), Value::Seq(fields.collect()));
                        }
                        Value::Map(m)
                    })
                    .collect();
                let mut m = Map::default();
                m.insert("name".into(), Value::from(st.name));
                m.insert("entries".into(), Value::Seq(entries));
                Value::Map(m)
            })
            .collect();
        let mut root = Map::default();
        root.insert("stages".into(), Value::Seq(stages));
        Value::Map(root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::read_manifests;

    fn objs(y: &str) -> Vec<Value> {
        read_manifests(y).expect("manifests")
    }

    fn lines(p: &Plan) -> Vec<String> {
        p.stages
            .iter()
            .flat_map(|s| {
                s.entries.iter().map(move |e| {
                    let mut l = format!("[{}] {} ({})", s.name, e.entry, e.reason);
                    if !e.fields.is_empty() {
                        l.push_str(&format!(" {}", e.fields.join(",")));
                    }
                    l
                })
            })
            .collect()
    }

    const DESIRED: &str = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: apps}\nspec: {size: 3}\n---\n\
apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec: {group: example.com, names: {kind: Widget, plural: widgets}, scope: Namespaced}\n---\n\
apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n---\n\
apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: apps}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - {name: web, image: 'web:2', ports: [{containerPort: 80}], resources: {limits: {cpu: 1}}}\n---\n\
apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: apps}\ndata: {a: '1'}\n---\n\
apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: apps}\nstringData: {token: hunter2}\n";

    /// What a server returns for the desired set: defaults, other managers' fields, status.
    const LIVE: &str = "apiVersion: v1\nkind: Namespace\nmetadata: {name: apps, uid: u1, labels: {kubernetes.io/metadata.name: apps}}\nspec: {finalizers: [kubernetes]}\nstatus: {phase: Active}\n---\n\
apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: apps, uid: u2, generation: 3, annotations: {deployment.kubernetes.io/revision: '1'}}\nspec:\n  replicas: 2\n  progressDeadlineSeconds: 600\n  selector: {matchLabels: {app: web}}\n  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%}}\n  template:\n    metadata: {creationTimestamp: null, labels: {app: web}}\n    spec:\n      dnsPolicy: ClusterFirst\n      containers:\n      - {name: sidecar, image: 'mesh:1'}\n      - {name: web, image: 'web:1', imagePullPolicy: IfNotPresent, ports: [{containerPort: 80, protocol: TCP}], resources: {limits: {cpu: '1'}}}\nstatus: {replicas: 2}\n---\n\
apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: apps, uid: u3}\ndata: {a: '1', extra: x}\n---\n\
apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: apps, uid: u4}\ntype: Opaque\ndata: {token: aHVudGVyMg==}\n---\n\
apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old, namespace: apps, uid: u5, labels: {kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}}\n---\n\
apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kept, namespace: apps, uid: u6, labels: {kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}, annotations: {kustomize.toolkit.fluxcd.io/prune: disabled}}\n";

    #[test]
    fn plans_in_flux_stages_with_reasons_and_fields() {
        let previous = Inventory::from_json(
            r#"{"entries": [{"id": "apps_old__ConfigMap", "v": "v1"}, {"id": "apps_kept__ConfigMap", "v": "v1"}, {"id": "apps_gone__ConfigMap", "v": "v1"}, {"id": "apps_cfg__ConfigMap", "v": "v1"}]}"#,
        )
        .expect("inventory");
        let p = plan(
            objs(DESIRED),
            &objs(LIVE),
            &previous,
            &PlanOptions::new("gitward").with_prune(true),
        )
        .expect("plans");
        assert_eq!(
            lines(&p),
            [
                "[definitions] CustomResourceDefinition/widgets.example.com created (not in the cluster)",
                "[definitions] Namespace/apps unchanged ()",
                "[resources] ConfigMap/apps/cfg unchanged ()",
                "[resources] Secret/apps/s unchanged ()",
                "[resources] Deployment/apps/web configured (drifted from the manifest) spec.template.spec.containers[name=web].image",
                "[resources] Widget/apps/w created (its CustomResourceDefinition is applied in an earlier stage)",
                "[prune] ConfigMap/apps/old deleted (no longer in the set)",
                "[prune] ConfigMap/apps/kept skipped (not owned, or excluded by its annotations)",
                "[prune] ConfigMap/apps/gone deleted (already gone)",
            ]
        );
        assert!(p.has_changes());
        let owned = PlanOptions::new("gitward")
            .with_owner("apps", "flux-system")
            .with_prune(true);
        let p = plan(objs(DESIRED), &objs(LIVE), &previous, &owned).expect("plans");
        // The owner labels are part of the desired object: the live Namespace lacks them.
        let ns = p
            .entries()
            .find(|e| e.entry.subject == "Namespace/apps")
            .expect("ns");
        assert_eq!(ns.entry.action, Action::Configured);
        assert_eq!(
            ns.fields,
            [
                "metadata.labels[\"kustomize.toolkit.fluxcd.io/name\"]",
                "metadata.labels[\"kustomize.toolkit.fluxcd.io/namespace\"]"
            ]
        );
    }

    #[test]
    fn subset_drift_names_fields_not_values() {
        let d = objs(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s, labels: {a: b}}\nstringData: {token: new-value}\n---\n\
            apiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec: {ports: [{port: 80}, {port: 443}], selector: {app: x}}\n",
        );
        let l = objs(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s, uid: x, labels: {a: c}}\ndata: {token: b2xk}\n---\n\
            apiVersion: v1\nkind: Service\nmetadata: {name: svc, uid: y}\nspec: {ports: [{port: 80, protocol: TCP}], selector: {app: x}, clusterIP: 10.0.0.3}\n",
        );
        let p = plan(d, &l, &Inventory::default(), &PlanOptions::new("gitward")).expect("plans");
        let fields: Vec<&Vec<String>> = p.entries().map(|e| &e.fields).collect();
        assert_eq!(fields[0], &["metadata.labels.a", "data.token"]);
        assert_eq!(fields[1], &["spec.ports[port=443]"]);
        assert!(!format!("{p:?}").contains("new-value"));
        assert!(!format!("{p:?}").contains("b2xk"));
    }

    #[test]
    fn fields_the_manager_owns_and_the_manifest_dropped_are_drift() {
        let d = objs(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {kept: x}\n---\n\
            apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {containers: [{name: web, image: i}]}}}\n",
        );
        let owned = "managedFields: [{manager: gitward, operation: Apply, apiVersion: VERSION, fieldsType: FieldsV1, fieldsV1: FIELDS}]";
        let l = objs(&format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a, uid: x, {}}}\ndata: {{kept: x, dropped: y}}\n---\n\
             apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d, uid: y, {}}}\nspec: {{template: {{spec: {{containers: [{{name: web, image: i}}, {{name: side, image: s}}]}}}}}}\n",
            owned.replace("VERSION", "v1").replace("FIELDS", "{'f:data': {'.': {}, 'f:kept': {}, 'f:dropped': {}}}"),
            owned.replace("VERSION", "apps/v1").replace("FIELDS", "{'f:spec': {'f:template': {'f:spec': {'f:containers': {'k:{\"name\":\"web\"}': {'.': {}, 'f:image': {}, 'f:name': {}}, 'k:{\"name\":\"side\"}': {'.': {}}}}}}}"),
        ));
        let p = plan(d, &l, &Inventory::default(), &PlanOptions::new("gitward")).expect("plans");
        let fields: Vec<&Vec<String>> = p.entries().map(|e| &e.fields).collect();
        assert_eq!(fields[0], &["data.dropped"]);
        assert_eq!(fields[1], &["spec.template.spec.containers[name=side]"]);
        assert_eq!(
            removed_fields(
                &objs("apiVersion: v2\nkind: ConfigMap\nmetadata: {name: a}\n")[0],
                &l[0],
                "gitward"
            ),
            None
        );
        assert_eq!(removed_fields(&l[0], &l[0], "other"), Some(Vec::new()));
    }

    #[test]
    fn skips_kubectl_takeover_and_duplicates() {
        let d = objs(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, annotations: {kustomize.toolkit.fluxcd.io/ssa: IfNotPresent}}\ndata: {k: v}\n---\n\
            apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {k: v}\n",
        );
        let l = objs(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, uid: x}\ndata: {k: other}\n---\n\
            apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, uid: y, managedFields: [{manager: kubectl-client-side-apply, operation: Update, apiVersion: v1, fieldsType: FieldsV1, fieldsV1: {'f:data': {'f:k': {}}}}]}\ndata: {k: v}\n",
        );
        let p = plan(d, &l, &Inventory::default(), &PlanOptions::new("gitward")).expect("plans");
        assert_eq!(
            lines(&p),
            [
                "[resources] ConfigMap/a skipped (excluded by its annotations)",
                "[resources] ConfigMap/b configured (fields of kubectl managers taken over)",
            ]
        );
        let dup = objs(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        );
        assert_eq!(
            plan(
                dup,
                &[],
                &Inventory::default(),
                &PlanOptions::new("gitward")
            )
            .expect_err("duplicate")
            .to_string(),
            "duplicate object ConfigMap/a"
        );
    }
}
