//! Flux's apply engine over a [`Cluster`]: `ResourceManager.ApplyAllStaged` and `DeleteAll`
//! of `fluxcd/pkg/ssa` with the options kustomize-controller sets, and the controller's
//! inventory bookkeeping.
//!
//! Per stage (see [`crate::ssa::order`]), every object is read, checked against the skip
//! annotations, dry-run applied (ownership forced), its live object cleaned of kubectl's
//! managers, and compared with the dry-run result — concurrently, at most
//! [`ApplyOptions::concurrency`] at a time. Only when every object of the stage passed its
//! dry-run are the changed ones applied, one after the other, in order. Definition and
//! class stages are then waited for (kstatus `Current`). An object whose dry-run fails with
//! an immutable-field error is deleted and recreated when force is on for it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt as _;

use super::{Cluster, ClusterError, redact};
use crate::health;
use crate::health::cel::HealthChecks;
use crate::inventory::{Inventory, StaleObject, prune_order, prune_survivors};
use crate::ssa::cleanup::{CleanupOptions, cleanup_patch};
use crate::ssa::object::IdError;
use crate::ssa::order::{Stage, stages};
pub use crate::ssa::plan::{Plan, PlanEntry, PlanStage};
use crate::ssa::plan::{
    PlanError, PlanOptions, Provided, drifted_fields, prepare, prune_entry, removed_fields,
};
use crate::ssa::policy::{Selectors, owner_labels};
use crate::ssa::{
    Action, ChangeSet, ChangeSetEntry, ObjMetadata, PruneAction, apply_action, entry_for,
    normalize, prune_action, should_force, skip_apply,
};
use crate::yaml::{Map, Value};

/// How to apply (kustomize-controller's defaults via [`ApplyOptions::new`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApplyOptions {
    /// The field manager (`gitward`).
    pub field_manager: String,
    /// The Kustomization owning the objects (`name`, `namespace`): owner labels are set on
    /// every object and prune only deletes objects carrying them.
    pub owner: Option<(String, String)>,
    /// The Kustomization's `spec.force`: recreate objects whose immutable fields changed.
    pub force: bool,
    /// Delete the objects of the previous inventory that are not in this set.
    pub prune: bool,
    /// Concurrent reads and dry-runs per stage (the controller's `--concurrent-ssa`, 4).
    pub concurrency: usize,
    /// How long a stage's definitions and, with [`ApplyOptions::wait`], the applied set may
    /// take to become ready (the Kustomization's `spec.timeout`; 5 minutes, the `flux` CLI's
    /// default, as the CLI has no reconciliation interval to default to).
    pub wait_timeout: Duration,
    /// How often readiness and deletions are polled at first; readiness polls back off,
    /// doubling up to Flux's 5-second interval.
    pub wait_interval: Duration,
    /// The Kustomization's `spec.wait`: after the apply and the prune, wait until every
    /// applied object is `Current` (kstatus, or its CEL health check) or the timeout passes.
    pub wait: bool,
    /// Flux's `spec.healthCheckExprs`: CEL health checks used in every wait for the kinds
    /// they cover (kstatus for the others).
    pub health_checks: Option<Arc<HealthChecks>>,
    /// The annotation selectors.
    pub selectors: Selectors,
    /// The metadata clean-up before apply.
    pub cleanup: CleanupOptions,
}

impl ApplyOptions {
    /// kustomize-controller's options for the field manager `field_manager`.
    pub fn new(field_manager: &str) -> Self {
        ApplyOptions {
            field_manager: field_manager.to_string(),
            owner: None,
            force: false,
            prune: false,
            concurrency: 4,
            wait_timeout: Duration::from_secs(300),
            wait_interval: Duration::from_millis(500),
            wait: false,
            health_checks: None,
            selectors: Selectors::default(),
            cleanup: CleanupOptions::flux(field_manager),
        }
    }

    /// Sets the owning Kustomization.
    pub fn with_owner(mut self, name: &str, namespace: &str) -> Self {
        self.owner = Some((name.to_string(), namespace.to_string()));
        self
    }

    /// Sets `force`.
    pub fn with_force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// Sets `prune`.
    pub fn with_prune(mut self, prune: bool) -> Self {
        self.prune = prune;
        self
    }

    /// Sets `wait` and the timeout of every wait.
    pub fn with_wait(mut self, wait: bool, timeout: Duration) -> Self {
        self.wait = wait;
        self.wait_timeout = timeout;
        self
    }

    /// Sets the CEL health checks.
    pub fn with_health_checks(mut self, checks: HealthChecks) -> Self {
        self.health_checks = Some(Arc::new(checks));
        self
    }

    /// The options of the same plan made in memory ([`crate::ssa::plan::plan`]).
    pub fn plan_options(&self) -> PlanOptions {
        let mut p = PlanOptions::new(&self.field_manager).with_prune(self.prune);
        p.owner.clone_from(&self.owner);
        p.selectors.clone_from(&self.selectors);
        p.cleanup.clone_from(&self.cleanup);
        p
    }
}

/// Why an apply failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    /// A dry-run failed: nothing of that stage was applied.
    #[error("{subject} dry-run failed{}: {message}", reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default())]
    DryRun {
        /// `Kind/namespace/name`.
        subject: String,
        /// The API reason (`Invalid`, `NotFound`, ...).
        reason: Option<String>,
        /// The fields the server named.
        fields: Vec<String>,
        /// The server's message.
        message: String,
        /// The request error.
        source_error: Box<ClusterError>,
    },
    /// A namespaced object without namespace, or in a namespace that does not exist.
    #[error("{subject} {what}: {message}")]
    NotFound {
        /// `Kind/namespace/name`.
        subject: String,
        /// `not found` or `namespace not specified`.
        what: &'static str,
        /// The server's message.
        message: String,
    },
    /// Another request of the engine failed (`apply failed`, `metadata.managedFields
    /// cleanup failed`, `immutable field detected, failed to delete object`, ...).
    #[error("{subject} {what}: {error}")]
    Request {
        /// `Kind/namespace/name`.
        subject: String,
        /// What the engine was doing.
        what: &'static str,
        /// The request error.
        error: ClusterError,
    },
    /// Objects of a stage did not become ready.
    #[error("{prefix}: [{}]", objects.join(", "))]
    Wait {
        /// `timeout waiting for` or `failed early due to stalled resources`.
        prefix: &'static str,
        /// `Kind/ns/name status: 'InProgress'` per object not ready.
        objects: Vec<String>,
    },
    /// With [`ApplyOptions::wait`]: applied objects not `Current` when the timeout passed,
    /// or stalled (`Failed`); worded as kustomize-controller's `checkHealth`
    /// (`health check failed after 5m0.01s: timeout waiting for: [Deployment/apps/web
    /// status: 'InProgress']`). The inventory is still written, as Flux records it before
    /// the health check.
    #[error("health check failed after {elapsed}: {prefix}: [{}]", objects.join(", "))]
    Timeout {
        /// How long the wait took, as Go prints durations.
        elapsed: String,
        /// `timeout waiting for` or `failed early due to stalled resources`.
        prefix: &'static str,
        /// `Kind/ns/name status: 'InProgress'` per object not ready.
        objects: Vec<String>,
    },
    /// The same object twice in the input.
    #[error("duplicate object {subject}")]
    Duplicate {
        /// `Kind/namespace/name`.
        subject: String,
    },
    /// The previous inventory holds an id that does not parse.
    #[error("inventory: {0}")]
    Inventory(IdError),
    /// Prune could not delete some objects (`delete failed, errors: ...;`).
    #[error("delete failed, errors: {}", errors.iter().map(|e| format!("{e};")).collect::<String>())]
    Prune {
        /// One message per object.
        errors: Vec<String>,
    },
}

/// The result of [`apply`]: the change set so far and, when the apply succeeded, the new
/// inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyOutcome {
    /// Apply entries in application order, then prune entries.
    pub change_set: ChangeSet,
    /// The inventory to keep (`None` when the apply failed: keep the previous one).
    pub inventory: Option<Inventory>,
    /// What failed, if anything (a prune failure still yields an inventory).
    pub error: Option<ApplyError>,
}

/// Applies `objects` as kustomize-controller applies a Kustomization's build, prunes what
/// the previous inventory holds and the set no longer does (when [`ApplyOptions::prune`]),
/// and returns the change set and the new inventory.
pub async fn apply(
    cluster: &Cluster,
    objects: Vec<Value>,
    previous: &Inventory,
    opts: &ApplyOptions,
) -> ApplyOutcome {
    let mut change_set = ChangeSet::default();
    let fail = |change_set, error| ApplyOutcome {
        change_set,
        inventory: None,
        error: Some(error),
    };
    let objects = match prepare(objects, opts.owner.as_ref()) {
        Ok(o) => o,
        Err(e) => return fail(change_set, plan_error(e)),
    };
    if !objects.is_empty() {
        for (stage, objs) in stages(objects) {
            let entries = match apply_all(cluster, objs, opts).await {
                Ok(e) => e,
                Err(e) => return fail(change_set, e),
            };
            change_set.entries.extend(entries.iter().cloned());
            if stage == Stage::Definitions {
                cluster.refresh_discovery();
            }
            if stage.waits()
                && let Err(e) = wait_for(cluster, &entries, opts).await
            {
                return fail(change_set, e);
            }
        }
    }
    let applied_count = change_set.entries.len();
    let mut inventory = Inventory::from_change_set(&change_set);
    let stale = match previous.stale(&inventory) {
        Ok(s) => s,
        Err(e) => return fail(change_set, ApplyError::Inventory(e)),
    };
    let mut error = None;
    if opts.prune {
        let owner = opts
            .owner
            .as_ref()
            .map(|(n, ns)| owner_labels(n, ns))
            .unwrap_or_default();
        let (prune_set, errors) = delete_all(cluster, &stale, &owner, opts).await;
        if !errors.is_empty() {
            inventory.merge(&prune_survivors(&stale, &prune_set));
            error = Some(ApplyError::Prune { errors });
        }
        change_set.entries.extend(prune_set.entries);
    }
    if opts.wait && error.is_none() {
        let applied: Vec<ChangeSetEntry> = change_set
            .entries
            .iter()
            .take(applied_count)
            .filter(|e| e.action != Action::Skipped)
            .cloned()
            .collect();
        let start = Instant::now();
        if let Err(ApplyError::Wait { prefix, objects }) = wait_for(cluster, &applied, opts).await {
            let nanos = i64::try_from(start.elapsed().as_nanos()).unwrap_or(i64::MAX);
            error = Some(ApplyError::Timeout {
                elapsed: crate::template::time::duration_string(nanos),
                prefix,
                objects,
            });
        }
    }
    ApplyOutcome {
        change_set,
        inventory: Some(inventory),
        error,
    }
}

/// The object `obj` stands for as a stub (apiVersion, kind, name, namespace).
pub(crate) fn stub(api_version: &str, m: &ObjMetadata) -> Value {
    let mut meta = Map::default();
    meta.insert("name".into(), Value::from(m.name.as_str()));
    if !m.namespace.is_empty() {
        meta.insert("namespace".into(), Value::from(m.namespace.as_str()));
    }
    let mut root = Map::default();
    root.insert("apiVersion".into(), Value::from(api_version));
    root.insert("kind".into(), Value::from(m.kind.as_str()));
    root.insert("metadata".into(), Value::Map(meta));
    Value::Map(root)
}

pub(crate) fn dry_run_error(obj: &Value, e: ClusterError) -> ApplyError {
    let subject = ObjMetadata::of(obj).subject();
    match &e {
        ClusterError::NamespaceNotSpecified { .. } => ApplyError::NotFound {
            subject,
            what: "namespace not specified",
            message: "the server could not find the requested resource".into(),
        },
        ClusterError::Api {
            code: 404, message, ..
        } => ApplyError::NotFound {
            subject,
            what: "not found",
            message: message.clone(),
        },
        ClusterError::Api {
            reason,
            fields,
            message,
            ..
        } => ApplyError::DryRun {
            subject,
            reason: (!reason.is_empty()).then(|| reason.clone()),
            fields: fields.clone(),
            message: message.clone(),
            source_error: Box::new(e.clone()),
        },
        ClusterError::UnknownKind {
            kind, api_version, ..
        } => ApplyError::DryRun {
            subject,
            reason: None,
            fields: Vec::new(),
            message: format!("no matches for kind \"{kind}\" in version \"{api_version}\""),
            source_error: Box::new(e.clone()),
        },
        _ => ApplyError::DryRun {
            subject,
            reason: None,
            fields: Vec::new(),
            message: redact(&e.to_string(), obj),
            source_error: Box::new(e.clone()),
        },
    }
}

/// Objects of one kind in one namespace from which a stage lists them all at once instead of
/// reading them one by one.
const LIST_AT: usize = 8;

/// The live objects of a stage read with one list per kind and namespace where the stage
/// holds at least [`LIST_AT`] of them: `Some(live or None)` per such object, `None` for the
/// others (and for a kind whose list failed), which [`check_one`] then reads itself.
async fn prefetch(cluster: &Cluster, objects: &[Value]) -> Vec<Option<Option<Value>>> {
    let mut groups: HashMap<(&str, &str, &str), Vec<usize>> = HashMap::new();
    for (i, o) in objects.iter().enumerate() {
        let key = (
            o.get("apiVersion").and_then(Value::as_str).unwrap_or(""),
            o.get("kind").and_then(Value::as_str).unwrap_or(""),
            o.get_path(&["metadata", "namespace"])
                .and_then(Value::as_str)
                .unwrap_or(""),
        );
        groups.entry(key).or_default().push(i);
    }
    let mut out = vec![None; objects.len()];
    for members in groups.into_values().filter(|m| m.len() >= LIST_AT) {
        let Ok(mut by_name) = cluster.list_like(&objects[members[0]]).await else {
            continue;
        };
        for i in members {
            out[i] = Some(by_name.remove(&ObjMetadata::of(&objects[i]).name));
        }
    }
    out
}

/// Reads (unless `prefetched`), checks and dry-runs one object; `Ok((entry, apply_it))`.
async fn check_one(
    cluster: &Cluster,
    obj: &Value,
    prefetched: Option<Option<Value>>,
    opts: &ApplyOptions,
) -> Result<(ChangeSetEntry, bool), ApplyError> {
    let live = match prefetched {
        Some(live) => Ok(live),
        None => cluster.get(obj).await,
    };
    let live_missing = matches!(live, Ok(None));
    let live = live.ok().flatten();
    if let Some(entry) = skip_apply(obj, live.as_ref(), &opts.selectors) {
        return Ok((entry, false));
    }
    if let Some(l) = &live
        && provably_unchanged(obj, l, opts)
    {
        return Ok((entry_for(l, Action::Unchanged), false));
    }
    let dry_run = match cluster.apply(obj, &opts.field_manager, true).await {
        Ok(d) => d,
        Err(e) => {
            if !live_missing
                && should_force(
                    obj,
                    live.as_ref(),
                    opts.force,
                    &opts.selectors,
                    &e.as_failure(),
                )
            {
                let subject = ObjMetadata::of(obj).subject();
                if let Err(err) = cluster.delete(obj).await {
                    return Err(ApplyError::Request {
                        subject,
                        what: "immutable field detected, failed to delete object",
                        error: err,
                    });
                }
                loop {
                    match cluster.get(obj).await {
                        Ok(None) => break,
                        Ok(Some(_)) => tokio::time::sleep(opts.wait_interval).await,
                        Err(err) => {
                            return Err(ApplyError::Request {
                                subject,
                                what: "immutable field detected, failed to wait for object to be deleted",
                                error: err,
                            });
                        }
                    }
                }
                cluster
                    .apply(obj, &opts.field_manager, true)
                    .await
                    .map_err(|e| dry_run_error(obj, e))?
            } else {
                return Err(dry_run_error(obj, e));
            }
        }
    };
    let mut patched = false;
    if let Some(patch) = cleanup_patch(obj, live.as_ref(), &opts.cleanup, &opts.field_manager)
        && let Some(l) = &live
    {
        cluster
            .json_patch(l, &patch, &opts.field_manager)
            .await
            .map_err(|error| ApplyError::Request {
                subject: ObjMetadata::of(l).subject(),
                what: "metadata.managedFields cleanup failed",
                error,
            })?;
        patched = true;
    }
    let action = apply_action(live.as_ref(), &dry_run, patched);
    Ok((entry_for(&dry_run, action), action != Action::Unchanged))
}

/// Whether the apply of `obj` would leave `live` as it is, decided without a dry-run: every
/// field the manifest sets holds that value live ([`drifted_fields`] finds nothing), the
/// manager's `Apply` entry owns no field the manifest dropped ([`removed_fields`]), and no
/// kubectl manager is to be taken over. Then the dry-run's result could only equal the live
/// object and Flux reports `unchanged` without applying; anything else (or an object being
/// deleted) goes through the dry-run.
fn provably_unchanged(obj: &Value, live: &Value, opts: &ApplyOptions) -> bool {
    live.get_path(&["metadata", "deletionTimestamp"]).is_none()
        && drifted_fields(obj, live).is_empty()
        && removed_fields(obj, live, &opts.field_manager).is_some_and(|r| r.is_empty())
        && cleanup_patch(obj, Some(live), &opts.cleanup, &opts.field_manager).is_none()
}

/// The outcome of one object's checks: its entry and whether it must be applied.
type Checked = Result<(ChangeSetEntry, bool), ApplyError>;

/// `ApplyAll`: dry-run every object (concurrently), then apply the changed ones in order.
async fn apply_all(
    cluster: &Cluster,
    objects: Vec<Value>,
    opts: &ApplyOptions,
) -> Result<Vec<ChangeSetEntry>, ApplyError> {
    let prefetched = prefetch(cluster, &objects).await;
    let results: Vec<(usize, Checked)> =
        futures::stream::iter(objects.iter().zip(prefetched).enumerate())
            .map(|(i, (o, live))| async move { (i, check_one(cluster, o, live, opts).await) })
            .buffer_unordered(opts.concurrency.max(1))
            .collect()
            .await;
    let mut slots: Vec<Option<(ChangeSetEntry, bool)>> = vec![None; objects.len()];
    for (i, r) in results {
        slots[i] = Some(r?);
    }
    let checked: Vec<(ChangeSetEntry, bool)> = slots.into_iter().flatten().collect();
    // Kinds are applied in order, as Flux applies them; the changed objects of one kind
    // (nothing in a stage depends on another object of its own kind) go concurrently.
    let mut start = 0;
    while start < checked.len() {
        let kind = (
            &checked[start].0.object.group,
            &checked[start].0.object.kind,
        );
        let end = checked[start..]
            .iter()
            .position(|(e, _)| (&e.object.group, &e.object.kind) != kind)
            .map_or(checked.len(), |n| start + n);
        let applied: Vec<Result<(), ApplyError>> =
            futures::stream::iter(objects[start..end].iter().zip(&checked[start..end]))
                .filter(|(_, (_, changed))| futures::future::ready(*changed))
                .map(|(obj, _)| async move {
                    cluster
                        .apply(obj, &opts.field_manager, false)
                        .await
                        .map(|_| ())
                        .map_err(|error| ApplyError::Request {
                            subject: ObjMetadata::of(obj).subject(),
                            what: "apply failed",
                            error,
                        })
                })
                .buffered(opts.concurrency.max(1))
                .collect()
                .await;
        applied.into_iter().collect::<Result<Vec<()>, _>>()?;
        start = end;
    }
    Ok(checked.into_iter().map(|(e, _)| e).collect())
}

/// `WaitForSet`: polls every object of the entries (concurrently) until all are `Current`
/// (kstatus, or the CEL health check of their kind), all are `Current` or `Failed`, or the
/// timeout passes; the poll interval starts at [`ApplyOptions::wait_interval`] and doubles
/// up to 5 seconds. An object that cannot be read counts as `Unknown` until the next poll.
async fn wait_for(
    cluster: &Cluster,
    entries: &[ChangeSetEntry],
    opts: &ApplyOptions,
) -> Result<(), ApplyError> {
    if entries.is_empty() {
        return Ok(());
    }
    let deadline = Instant::now() + opts.wait_timeout;
    let mut interval = opts.wait_interval;
    loop {
        let statuses: Vec<health::Status> = futures::stream::iter(entries)
            .map(|e| live_status(cluster, e, opts))
            .buffered(opts.concurrency.max(1))
            .collect()
            .await;
        if statuses.iter().all(|s| *s == health::Status::Current) {
            return Ok(());
        }
        let terminal = statuses
            .iter()
            .all(|s| matches!(s, health::Status::Current | health::Status::Failed));
        let now = Instant::now();
        let timed_out = now >= deadline;
        if terminal || timed_out {
            let objects = entries
                .iter()
                .zip(&statuses)
                .filter(|(_, s)| {
                    **s == health::Status::Failed || (timed_out && **s != health::Status::Current)
                })
                .map(|(e, s)| format!("{} status: '{}'", e.subject, s.as_str()))
                .collect();
            return Err(ApplyError::Wait {
                prefix: if timed_out {
                    "timeout waiting for"
                } else {
                    "failed early due to stalled resources"
                },
                objects,
            });
        }
        tokio::time::sleep(interval.min(deadline - now)).await;
        interval = (interval * 2).min(Duration::from_secs(5));
    }
}

/// The status of the live object of an entry: by its CEL health check when one covers its
/// kind, else kstatus with the machine's clock; `NotFound` when gone, `Unknown` when it
/// cannot be read or computed.
async fn live_status(cluster: &Cluster, e: &ChangeSetEntry, opts: &ApplyOptions) -> health::Status {
    let api_version = api_version_of(&e.object, &e.version);
    match cluster.get(&stub(&api_version, &e.object)).await {
        Ok(None) => health::Status::NotFound,
        Ok(Some(live)) => {
            let hopts = health::Options::default().with_now(crate::io::system::now());
            let verdict = match &opts.health_checks {
                Some(checks) => checks.status(&live, &hopts),
                None => health::status_with(&live, &hopts),
            };
            verdict.map_or(health::Status::Unknown, |r| r.status)
        }
        Err(_) => health::Status::Unknown,
    }
}

pub(crate) fn api_version_of(m: &ObjMetadata, version: &str) -> String {
    if m.group.is_empty() {
        version.to_string()
    } else {
        format!("{}/{version}", m.group)
    }
}

/// `DeleteAll`: prunes stale objects in reverse apply order.
async fn delete_all(
    cluster: &Cluster,
    stale: &[StaleObject],
    owner: &[(String, String)],
    opts: &ApplyOptions,
) -> (ChangeSet, Vec<String>) {
    let mut cs = ChangeSet::default();
    let mut errors = Vec::new();
    for s in prune_order(stale.to_vec()) {
        let obj = stub(&api_version_of(&s.object, &s.version), &s.object);
        let entry = |action| ChangeSetEntry::new(s.object.clone(), s.version.clone(), action);
        let live = match cluster.get(&obj).await {
            Ok(l) => l,
            Err(e) => {
                errors.push(format!("{} query failed: {e}", s.object.subject()));
                cs.entries.push(entry(Action::Unknown));
                continue;
            }
        };
        match prune_action(live.as_ref(), owner, &opts.selectors) {
            PruneAction::Gone => cs.entries.push(entry(Action::Deleted)),
            PruneAction::Skip => cs.entries.push(entry(Action::Skipped)),
            PruneAction::Delete => match cluster.delete(&obj).await {
                Ok(()) => cs.entries.push(entry(Action::Deleted)),
                Err(e) => {
                    errors.push(format!("{} delete failed: {e}", s.object.subject()));
                    cs.entries.push(entry(Action::Unknown));
                }
            },
        }
    }
    (cs, errors)
}

/// What one object's read and dry-run tell, before any change is made.
pub(crate) enum Probe {
    /// Decided without a dry-run result: `created` (its CRD or Namespace is in the set, or
    /// force recreates it), with the reason.
    Decided(ChangeSetEntry, &'static str),
    /// Excluded by its annotations (`skipped`).
    Skipped(ChangeSetEntry),
    /// The live object (if any) and the dry-run result.
    DryRun {
        /// The live object.
        live: Option<Value>,
        /// What the server would make of the apply.
        dry_run: Value,
    },
}

/// Reads `obj` (unless `known` holds its live state, read in bulk) and dry-runs its apply:
/// custom resources whose CRD, and objects whose Namespace, only the desired set holds are
/// `created` instead of failing, and so are objects force would recreate.
pub(crate) async fn probe(
    cluster: &Cluster,
    obj: &Value,
    known: Option<Option<Value>>,
    opts: &ApplyOptions,
    prov: &Provided,
) -> Result<Probe, ApplyError> {
    let m = ObjMetadata::of(obj);
    let (_, version) = crate::ssa::object::group_version(
        obj.get("apiVersion").and_then(Value::as_str).unwrap_or(""),
    );
    let created = |reason| {
        Probe::Decided(
            ChangeSetEntry::new(m.clone(), version, Action::Created),
            reason,
        )
    };
    let live = match known {
        Some(l) => Ok(l),
        None => cluster.get(obj).await,
    };
    if matches!(live, Err(ClusterError::UnknownKind { .. })) && prov.defines(&m) {
        return Ok(created(
            "its CustomResourceDefinition is applied in an earlier stage",
        ));
    }
    let live_missing = matches!(live, Ok(None));
    let live = live.ok().flatten();
    if let Some(entry) = skip_apply(obj, live.as_ref(), &opts.selectors) {
        return Ok(Probe::Skipped(entry));
    }
    match cluster.apply(obj, &opts.field_manager, true).await {
        Ok(dry_run) => Ok(Probe::DryRun { live, dry_run }),
        Err(e) => {
            if live_missing && e.is_not_found() && prov.namespaces.contains(&m.namespace) {
                return Ok(created("its Namespace is applied in an earlier stage"));
            }
            if !live_missing
                && should_force(
                    obj,
                    live.as_ref(),
                    opts.force,
                    &opts.selectors,
                    &e.as_failure(),
                )
            {
                return Ok(created(
                    "immutable field changed: deleted and recreated (force)",
                ));
            }
            Err(dry_run_error(obj, e))
        }
    }
}

/// Plans one object: dry-run only, nothing changed in the cluster.
async fn plan_one(
    cluster: &Cluster,
    obj: &Value,
    opts: &ApplyOptions,
    prov: &Provided,
) -> Result<PlanEntry, ApplyError> {
    let (live, dry_run) = match probe(cluster, obj, None, opts, prov).await? {
        Probe::Decided(entry, reason) => return Ok(PlanEntry::new(entry, reason)),
        Probe::Skipped(entry) => return Ok(PlanEntry::new(entry, "excluded by its annotations")),
        Probe::DryRun { live, dry_run } => (live, dry_run),
    };
    let patched = cleanup_patch(obj, live.as_ref(), &opts.cleanup, &opts.field_manager).is_some();
    let action = apply_action(live.as_ref(), &dry_run, patched);
    let drifted = action == Action::Configured && normalize::has_drifted(live.as_ref(), &dry_run);
    let reason = match action {
        Action::Created => "not in the cluster",
        Action::Configured if drifted => "drifted from the manifest",
        Action::Configured => "fields of kubectl managers taken over",
        _ => "",
    };
    let mut entry = PlanEntry::new(entry_for(&dry_run, action), reason);
    if let (true, Some(live)) = (drifted, &live) {
        entry.fields = drifted_fields(obj, live);
    }
    Ok(entry)
}

/// What [`apply`] would do, with server-side dry-runs only: per stage and object, the action
/// and its reason, then (with [`ApplyOptions::prune`]) what prune would do. Custom resources
/// whose CRD, and objects whose Namespace, only the desired set holds are planned as
/// `created` instead of failing. [`crate::ssa::plan::plan`] decides the same offline.
///
/// # Errors
/// The first dry-run failure (as [`apply`] would fail), or an unreadable previous inventory.
pub async fn plan(
    cluster: &Cluster,
    objects: Vec<Value>,
    previous: &Inventory,
    opts: &ApplyOptions,
) -> Result<Plan, ApplyError> {
    let objects = prepare(objects, opts.owner.as_ref()).map_err(plan_error)?;
    let prov = Provided::of(&objects);
    let mut plan = Plan::default();
    let mut all = ChangeSet::default();
    if !objects.is_empty() {
        for (stage, objs) in stages(objects) {
            let results: Vec<(usize, Result<PlanEntry, ApplyError>)> =
                futures::stream::iter(objs.iter().enumerate())
                    .map(|(i, o)| {
                        let prov = &prov;
                        async move { (i, plan_one(cluster, o, opts, prov).await) }
                    })
                    .buffer_unordered(opts.concurrency.max(1))
                    .collect()
                    .await;
            let mut slots: Vec<Option<PlanEntry>> = vec![None; objs.len()];
            for (i, r) in results {
                slots[i] = Some(r?);
            }
            let entries: Vec<PlanEntry> = slots.into_iter().flatten().collect();
            all.entries.extend(entries.iter().map(|e| e.entry.clone()));
            plan.stages.push(PlanStage {
                name: stage.as_str(),
                entries,
            });
        }
    }
    if opts.prune {
        let inventory = Inventory::from_change_set(&all);
        let stale = previous.stale(&inventory).map_err(ApplyError::Inventory)?;
        let popts = opts.plan_options();
        let mut entries = Vec::new();
        for s in prune_order(stale) {
            let obj = stub(&api_version_of(&s.object, &s.version), &s.object);
            let live = cluster
                .get(&obj)
                .await
                .map_err(|error| ApplyError::Request {
                    subject: s.object.subject(),
                    what: "query failed",
                    error,
                })?;
            entries.push(prune_entry(&s, live.as_ref(), &popts));
        }
        plan.stages.push(PlanStage {
            name: "prune",
            entries,
        });
    }
    Ok(plan)
}

fn plan_error(e: PlanError) -> ApplyError {
    match e {
        PlanError::Duplicate { subject } => ApplyError::Duplicate { subject },
        PlanError::Inventory(e) => ApplyError::Inventory(e),
    }
}
