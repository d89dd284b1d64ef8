//! `flux diff kustomization` over a [`Cluster`]: every desired object is read (kinds with
//! many objects in a namespace with one LIST, the others with a GET each) and
//! server-side dry-run applied (the field manager and forced ownership of apply), at most
//! [`ApplyOptions::concurrency`] at a time, and the pure [`crate::diff`] compares the
//! dry-run result with the live object. With prune, the stale objects of the previous
//! inventory that prune would delete follow (only when every object diffed, as Flux).
//!
//! As Flux's diff, a failing object does not stop the others: its error is collected and
//! the diff of the rest is still returned. Nothing is changed in the cluster.
//!
//! An object read in bulk whose live state shows that the apply would change nothing
//! ([`apply_is_noop`]: every field it sets holds that value and the field manager owns
//! exactly those fields) is reported `unchanged` without its dry-run.

use std::collections::HashMap;

use futures::StreamExt as _;

use super::Cluster;
use super::engine::{ApplyError, ApplyOptions, Probe, api_version_of, probe, stub};
use crate::diff::{
    DiffError, DiffOptions, DiffReport, IgnoreRules, ObjectDiff, apply_is_noop, diff_object,
    pre_check, prepare, prune_diff, stale_objects,
};
use crate::inventory::Inventory;
use crate::ssa::plan::Provided;
use crate::ssa::{ObjMetadata, skip_apply};
use crate::yaml::Value;

/// The result of [`diff`]: the report of what could be diffed, and the errors of what
/// could not (each naming its object).
#[derive(Debug, Clone, PartialEq)]
pub struct DiffOutcome {
    /// Desired objects in apply order, then prune's.
    pub report: DiffReport,
    /// Per-object failures (dry-run refused, API unreachable), in apply order.
    pub errors: Vec<ApplyError>,
}

/// The pure diff options matching an apply's: its selectors, owner and prune, and `ignore`.
pub fn diff_options(opts: &ApplyOptions, ignore: &IgnoreRules) -> DiffOptions {
    let mut d = DiffOptions::default().with_ignore(ignore.clone());
    d.selectors = opts.selectors.clone();
    d.owner = opts.owner.clone();
    d.prune = opts.prune;
    d
}

fn set_error(e: DiffError) -> ApplyError {
    match e {
        DiffError::Duplicate { subject } => ApplyError::Duplicate { subject },
        DiffError::Inventory(id) => ApplyError::Inventory(id),
    }
}

/// Results tagged with their position, put back in order.
fn ordered<T>(n: usize, tagged: Vec<(usize, T)>) -> Vec<T> {
    let mut slots: Vec<Option<T>> = std::iter::repeat_with(|| None).take(n).collect();
    for (i, r) in tagged {
        slots[i] = Some(r);
    }
    slots.into_iter().flatten().collect()
}

/// Objects of one kind in one namespace are read with one LIST, instead of a GET each, when
/// at least this many of them are desired.
const LIST_MIN: usize = 8;

/// The live state of every object whose kind and namespace hold at least [`LIST_MIN`]
/// desired objects (`Some(None)`: not in the cluster), read with one paged LIST per kind
/// and namespace; `None` for the others (and where the LIST failed: they are read one by
/// one).
async fn read_in_bulk(
    cluster: &Cluster,
    objects: &[Value],
    concurrency: usize,
) -> Vec<Option<Option<Value>>> {
    let mut groups: HashMap<(&str, &str, &str), Vec<usize>> = HashMap::new();
    for (i, o) in objects.iter().enumerate() {
        let at = |p: &[&str]| o.get_path(p).and_then(Value::as_str).unwrap_or("");
        groups
            .entry((
                at(&["apiVersion"]),
                at(&["kind"]),
                at(&["metadata", "namespace"]),
            ))
            .or_default()
            .push(i);
    }
    let listed: Vec<(Vec<usize>, HashMap<String, Value>)> = futures::stream::iter(
        groups
            .into_values()
            .filter(|members| members.len() >= LIST_MIN),
    )
    .map(|members| async move {
        let found = cluster.list_like(&objects[members[0]]).await;
        found.ok().map(|live| (members, live))
    })
    .buffer_unordered(concurrency)
    .filter_map(|r| async move { r })
    .collect()
    .await;
    let mut known: Vec<Option<Option<Value>>> = vec![None; objects.len()];
    for (members, mut live) in listed {
        for i in members {
            let name = objects[i]
                .get_path(&["metadata", "name"])
                .and_then(Value::as_str)
                .unwrap_or("");
            known[i] = Some(live.remove(name));
        }
    }
    known
}

async fn diff_one(
    cluster: &Cluster,
    obj: &Value,
    known: Option<Option<Value>>,
    opts: &ApplyOptions,
    dopts: &DiffOptions,
    prov: &Provided,
) -> Result<ObjectDiff, ApplyError> {
    if let Some(skipped) = pre_check(obj, None, dopts) {
        return Ok(skipped);
    }
    // Read in bulk and provably unchanged: no dry-run needed.
    if let Some(Some(live)) = &known {
        if let Some(entry) = skip_apply(obj, Some(live), &dopts.selectors) {
            return Ok(ObjectDiff::from_entry(entry));
        }
        if apply_is_noop(obj, live, &opts.field_manager) {
            return Ok(diff_object(obj, live, Some(live), dopts));
        }
    }
    match probe(cluster, obj, known, opts, prov).await? {
        Probe::Decided(entry, _) | Probe::Skipped(entry) => Ok(ObjectDiff::from_entry(entry)),
        Probe::DryRun { live, dry_run } => Ok(diff_object(obj, &dry_run, live.as_ref(), dopts)),
    }
}

/// Diffs `objects` (as [`crate::ssa::objects_from_manifests`] gives them) against the
/// cluster: owner labels set and objects normalised as apply does, each dry-run applied
/// with `opts.field_manager` and compared with its live object under `ignore`; with
/// `opts.prune`, the stale objects of `previous` prune would delete are reported `deleted`.
/// Custom resources whose CRD, and objects whose Namespace, only the desired set holds are
/// reported `created`.
///
/// # Errors
/// A duplicate object or an unreadable previous inventory; per-object failures are in
/// [`DiffOutcome::errors`].
pub async fn diff(
    cluster: &Cluster,
    objects: Vec<Value>,
    previous: &Inventory,
    opts: &ApplyOptions,
    ignore: &IgnoreRules,
) -> Result<DiffOutcome, ApplyError> {
    let dopts = diff_options(opts, ignore);
    let objects = prepare(objects, &dopts).map_err(set_error)?;
    let prov = Provided::of(&objects);
    let concurrency = opts.concurrency.max(1);
    let known = read_in_bulk(cluster, &objects, concurrency).await;
    let results: Vec<(usize, Result<ObjectDiff, ApplyError>)> =
        futures::stream::iter(objects.iter().zip(known).enumerate())
            .map(|(i, (o, known))| {
                let (prov, dopts) = (&prov, &dopts);
                async move { (i, diff_one(cluster, o, known, opts, dopts, prov).await) }
            })
            .buffer_unordered(opts.concurrency.max(1))
            .collect()
            .await;
    let mut report = DiffReport::default();
    let mut errors = Vec::new();
    for r in ordered(objects.len(), results) {
        match r {
            Ok(d) => report.objects.push(d),
            Err(e) => errors.push(e),
        }
    }
    if dopts.prune && errors.is_empty() {
        let stale = stale_objects(previous, &report.objects).map_err(set_error)?;
        let results: Vec<(usize, Result<Option<ObjectDiff>, ApplyError>)> =
            futures::stream::iter(stale.iter().enumerate())
                .map(|(i, s)| {
                    let dopts = &dopts;
                    async move {
                        let obj = stub(&api_version_of(&s.object, &s.version), &s.object);
                        let r = match cluster.get(&obj).await {
                            Ok(live) => Ok(prune_diff(s, live.as_ref(), dopts)),
                            Err(error) => Err(ApplyError::Request {
                                subject: ObjMetadata::subject(&s.object),
                                what: "query failed",
                                error,
                            }),
                        };
                        (i, r)
                    }
                })
                .buffer_unordered(opts.concurrency.max(1))
                .collect()
                .await;
        for r in ordered(stale.len(), results) {
            match r {
                Ok(d) => report.objects.extend(d),
                Err(e) => errors.push(e),
            }
        }
    }
    Ok(DiffOutcome { report, errors })
}
