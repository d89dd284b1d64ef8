//! A port of kstatus' `status.Compute` (`sigs.k8s.io/cli-utils/pkg/kstatus/status`, v0.37.2):
//! `status.go`, `generic.go` and `core.go`, rule for rule and message for message.

use super::access::{go_type, int_field, nested_int64, nested_slice, nested_string, string_field};
use super::conditions::{Condition, conditions};
use super::time::{Instant, parse_query_time};
use super::{HealthError, HealthResult, Options, Status, group_kind};
use crate::yaml::Value;

/// `ScheduleWindow`: how long a pod may stay unschedulable before it is `Failed`.
const SCHEDULE_WINDOW_SECS: i64 = 15;
/// `math.MaxInt32`: `progressDeadlineSeconds` meaning "no deadline".
const MAX_INT32: i64 = 2_147_483_647;

type Res = Result<HealthResult, HealthError>;

fn in_progress(message: impl Into<String>) -> Res {
    Ok(HealthResult::new(Status::InProgress, message))
}

fn failed(message: impl Into<String>) -> Res {
    Ok(HealthResult::new(Status::Failed, message))
}

fn current(message: impl Into<String>) -> Res {
    Ok(HealthResult::new(Status::Current, message))
}

fn conds(obj: &Value) -> Result<Vec<Condition<'_>>, HealthError> {
    conditions(obj).map_err(HealthError::Conditions)
}

fn kind(obj: &Value) -> &str {
    super::access::get_nested_string(obj, &["kind"])
}

/// `Compute`.
pub(crate) fn compute(obj: &Value, opts: &Options) -> Res {
    if !matches!(obj, Value::Map(_)) {
        return Err(HealthError::NotAnObject(go_type(obj)));
    }
    if let Some(res) = generic_properties(obj)? {
        return Ok(res);
    }
    if let Some(rule) = legacy_rule(obj) {
        return rule(obj, opts);
    }
    for c in conds(obj)? {
        if c.type_ != "Ready" {
            continue;
        }
        match c.status {
            "True" => return current("Resource is Ready"),
            "False" | "Unknown" => return in_progress(c.message),
            _ => {}
        }
    }
    current("Resource is current")
}

/// `checkGenericProperties`: deletion, generation, `Reconciling`/`Stalled` conditions.
fn generic_properties(obj: &Value) -> Result<Option<HealthResult>, HealthError> {
    let deletion = nested_string(obj, &["metadata", "deletionTimestamp"]).map_err(|source| {
        HealthError::Lookup {
            field: "metadata.deletionTimestamp",
            source,
        }
    })?;
    if deletion.is_some_and(|d| !d.is_empty()) {
        return Ok(Some(HealthResult::new(
            Status::Terminating,
            "Resource scheduled for deletion",
        )));
    }
    if let Some(res) = check_generation(obj)? {
        return Ok(Some(res));
    }
    for c in conds(obj)? {
        if c.type_ == "Reconciling" && c.status == "True" {
            return Ok(Some(HealthResult::new(Status::InProgress, c.message)));
        }
        if c.type_ == "Stalled" && c.status == "True" {
            return Ok(Some(HealthResult::new(Status::Failed, c.message)));
        }
    }
    Ok(None)
}

fn generation(obj: &Value) -> Result<Option<i64>, HealthError> {
    nested_int64(obj, &["metadata", "generation"]).map_err(|source| HealthError::Lookup {
        field: "metadata.generation",
        source,
    })
}

fn observed_generation(obj: &Value) -> Result<Option<i64>, HealthError> {
    nested_int64(obj, &["status", "observedGeneration"]).map_err(|source| HealthError::Lookup {
        field: "status.observedGeneration",
        source,
    })
}

/// `checkGeneration`.
fn check_generation(obj: &Value) -> Result<Option<HealthResult>, HealthError> {
    let Some(generation) = generation(obj)? else {
        return Ok(None);
    };
    match observed_generation(obj)? {
        Some(observed) if observed != generation => Ok(Some(HealthResult::new(
            Status::InProgress,
            format!(
                "{} generation is {generation}, but latest observed generation is {observed}",
                kind(obj)
            ),
        ))),
        _ => Ok(None),
    }
}

type Rule = fn(&Value, &Options) -> Res;

/// `GetLegacyConditionsFn`: the rule of a built-in kind, by group and kind.
fn legacy_rule(obj: &Value) -> Option<Rule> {
    let gk = group_kind(obj);
    let rule: Rule = match (gk.group.as_str(), gk.kind.as_str()) {
        ("", "Service") => service,
        ("", "Pod") => pod,
        ("", "Secret" | "ConfigMap") | ("batch", "CronJob") => always_ready,
        ("", "PersistentVolumeClaim") => pvc,
        ("apps", "StatefulSet") => statefulset,
        ("apps" | "extensions", "DaemonSet") => daemonset,
        ("apps" | "extensions", "Deployment") => deployment,
        ("apps" | "extensions", "ReplicaSet") => replicaset,
        ("policy", "PodDisruptionBudget") => pdb,
        ("batch", "Job") => job,
        ("apiextensions.k8s.io", "CustomResourceDefinition") => crd,
        _ => return None,
    };
    Some(rule)
}

fn always_ready(_: &Value, _: &Options) -> Res {
    current("Resource is always ready")
}

fn pdb(_: &Value, _: &Options) -> Res {
    current("AllowedDisruptions has been computed.")
}

/// `stsConditions`.
fn statefulset(obj: &Value, _: &Options) -> Res {
    if string_field(obj, &["spec", "updateStrategy", "type"], "") == "OnDelete" {
        return current("StatefulSet is using the ondelete update strategy");
    }
    let spec_replicas = int_field(obj, &["spec", "replicas"], 1);
    let ready = int_field(obj, &["status", "readyReplicas"], 0);
    let current_replicas = int_field(obj, &["status", "currentReplicas"], 0);
    let updated = int_field(obj, &["status", "updatedReplicas"], 0);
    let status_replicas = int_field(obj, &["status", "replicas"], 0);
    let partition = int_field(
        obj,
        &["spec", "updateStrategy", "rollingUpdate", "partition"],
        -1,
    );
    if spec_replicas > status_replicas {
        return in_progress(format!("Replicas: {status_replicas}/{spec_replicas}"));
    }
    if spec_replicas > ready {
        return in_progress(format!("Ready: {ready}/{spec_replicas}"));
    }
    if status_replicas > spec_replicas {
        return in_progress(format!(
            "Pending termination: {}",
            status_replicas.wrapping_sub(spec_replicas)
        ));
    }
    if partition != -1 {
        let want = spec_replicas.wrapping_sub(partition);
        if updated < want {
            return in_progress(format!("updated: {updated}/{want}"));
        }
        return current(format!("Partition rollout complete. updated: {updated}"));
    }
    if spec_replicas > current_replicas {
        return in_progress(format!("current: {current_replicas}/{spec_replicas}"));
    }
    let current_revision = string_field(obj, &["status", "currentRevision"], "");
    let update_revision = string_field(obj, &["status", "updateRevision"], "");
    if current_revision != update_revision {
        return in_progress("Waiting for updated revision to match current");
    }
    current(format!(
        "All replicas scheduled as expected. Replicas: {status_replicas}"
    ))
}

/// `deploymentConditions`.
fn deployment(obj: &Value, _: &Options) -> Res {
    let mut progressing =
        int_field(obj, &["spec", "progressDeadlineSeconds"], MAX_INT32) == MAX_INT32;
    let mut available = false;
    for c in conds(obj)? {
        match c.type_ {
            "Progressing" => {
                if c.reason == "ProgressDeadlineExceeded" {
                    return failed("Progress deadline exceeded");
                }
                if c.status == "True" && c.reason == "NewReplicaSetAvailable" {
                    progressing = true;
                }
            }
            "Available" if c.status == "True" => available = true,
            _ => {}
        }
    }
    let spec_replicas = int_field(obj, &["spec", "replicas"], 1);
    let status_replicas = int_field(obj, &["status", "replicas"], 0);
    let updated = int_field(obj, &["status", "updatedReplicas"], 0);
    let ready = int_field(obj, &["status", "readyReplicas"], 0);
    let avail = int_field(obj, &["status", "availableReplicas"], 0);
    if spec_replicas > status_replicas {
        return in_progress(format!("Replicas: {status_replicas}/{spec_replicas}"));
    }
    if spec_replicas > updated {
        return in_progress(format!("Updated: {updated}/{spec_replicas}"));
    }
    if status_replicas > spec_replicas {
        return in_progress(format!(
            "Pending termination: {}",
            status_replicas.wrapping_sub(spec_replicas)
        ));
    }
    if updated > avail {
        return in_progress(format!("Available: {avail}/{updated}"));
    }
    if spec_replicas > ready {
        return in_progress(format!("Ready: {ready}/{spec_replicas}"));
    }
    if !progressing {
        return in_progress("ReplicaSet not Available");
    }
    if !available {
        return in_progress("Deployment not Available");
    }
    current(format!(
        "Deployment is available. Replicas: {status_replicas}"
    ))
}

/// `replicasetConditions`.
fn replicaset(obj: &Value, _: &Options) -> Res {
    for c in conds(obj)? {
        if c.type_ == "ReplicaFailure" && c.status == "True" {
            return in_progress("Replica Failure condition. Check Pods");
        }
    }
    let spec_replicas = int_field(obj, &["spec", "replicas"], 1);
    let status_replicas = int_field(obj, &["status", "replicas"], 0);
    let ready = int_field(obj, &["status", "readyReplicas"], 0);
    let avail = int_field(obj, &["status", "availableReplicas"], 0);
    let labelled = int_field(obj, &["status", "fullyLabeledReplicas"], 0);
    if spec_replicas > labelled {
        return in_progress(format!("Labelled: {labelled}/{spec_replicas}"));
    }
    if spec_replicas > avail {
        return in_progress(format!("Available: {avail}/{spec_replicas}"));
    }
    if spec_replicas > ready {
        return in_progress(format!("Ready: {ready}/{spec_replicas}"));
    }
    if status_replicas > spec_replicas {
        return in_progress(format!(
            "Pending termination: {}",
            status_replicas.wrapping_sub(spec_replicas)
        ));
    }
    current(format!(
        "ReplicaSet is available. Replicas: {status_replicas}"
    ))
}

/// `daemonsetConditions` (with `checkGenerationSet` first).
fn daemonset(obj: &Value, _: &Options) -> Res {
    if generation(obj)?.is_none() {
        return in_progress(format!("{} metadata.generation not found", kind(obj)));
    }
    if observed_generation(obj)?.is_none() {
        return in_progress(format!("{} status.observedGeneration not found", kind(obj)));
    }
    let desired = int_field(obj, &["status", "desiredNumberScheduled"], -1);
    let current_n = int_field(obj, &["status", "currentNumberScheduled"], 0);
    let updated = int_field(obj, &["status", "updatedNumberScheduled"], 0);
    let avail = int_field(obj, &["status", "numberAvailable"], 0);
    let ready = int_field(obj, &["status", "numberReady"], 0);
    if desired == -1 {
        return in_progress("Missing .status.desiredNumberScheduled");
    }
    if desired > current_n {
        return in_progress(format!("Current: {current_n}/{desired}"));
    }
    if desired > updated {
        return in_progress(format!("Updated: {updated}/{desired}"));
    }
    if desired > avail {
        return in_progress(format!("Available: {avail}/{desired}"));
    }
    if desired > ready {
        return in_progress(format!("Ready: {ready}/{desired}"));
    }
    current(format!(
        "All replicas scheduled as expected. Replicas: {desired}"
    ))
}

/// `pvcConditions`.
fn pvc(obj: &Value, _: &Options) -> Res {
    let phase = string_field(obj, &["status", "phase"], "unknown");
    if phase != "Bound" {
        return in_progress(format!("PVC is not Bound. phase: {phase}"));
    }
    current("PVC is Bound")
}

/// `podConditions`.
fn pod(obj: &Value, opts: &Options) -> Res {
    let cs = conds(obj)?;
    let phase = string_field(obj, &["status", "phase"], "");
    match phase {
        "Succeeded" => current("Pod has completed successfully"),
        "Failed" => current("Pod has completed, but not successfully"),
        "Running" => {
            if cs.iter().any(|c| c.type_ == "Ready" && c.status == "True") {
                return current("Pod is Ready");
            }
            let names = crash_looping_containers(obj)?;
            if !names.is_empty() {
                return failed(format!(
                    "Containers in CrashLoop state: {}",
                    names.join(",")
                ));
            }
            in_progress("Pod is running but is not Ready")
        }
        "Pending" => {
            let unschedulable = cs
                .iter()
                .find(|c| c.type_ == "PodScheduled" && c.status == "False")
                .is_some_and(|c| c.reason == "Unschedulable");
            if unschedulable {
                let created = parse_query_time(super::access::get_nested_string(
                    obj,
                    &["metadata", "creationTimestamp"],
                ));
                if within_schedule_window(created, opts) {
                    return in_progress("Pod has not been scheduled");
                }
                return failed("Pod could not be scheduled");
            }
            in_progress("Pod is in the Pending phase")
        }
        "" => in_progress("Pod phase not available"),
        other => Err(HealthError::UnknownPhase(other.to_string())),
    }
}

/// `time.Now().Add(-ScheduleWindow).Before(created)`.
fn within_schedule_window(created: Instant, opts: &Options) -> bool {
    let Some(now) = opts.now else {
        return false;
    };
    let now_secs = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    let cutoff = Instant {
        secs: now_secs.saturating_sub(SCHEDULE_WINDOW_SECS),
        nanos: now.subsec_nanos(),
    };
    cutoff < created
}

fn conversion_panic(v: &Value, want: &str) -> HealthError {
    let is = match v {
        Value::Null => "nil".to_string(),
        other => go_type(other).to_string(),
    };
    HealthError::Malformed(format!(
        "interface conversion: interface {{}} is {is}, not {want}"
    ))
}

/// `getCrashLoopingContainers`: the names of the containers waiting in `CrashLoopBackOff`.
/// Where kstatus' type assertions would panic, an error.
fn crash_looping_containers(obj: &Value) -> Result<Vec<&str>, HealthError> {
    let Some(items) =
        nested_slice(obj, &["status", "containerStatuses"]).map_err(HealthError::Accessor)?
    else {
        return Ok(Vec::new());
    };
    const MAP: &str = "map[string]interface {}";
    let mut names = Vec::new();
    for item in items {
        let Value::Map(cs) = item else {
            return Err(conversion_panic(item, MAP));
        };
        let Some(n) = cs.get("name") else { continue };
        let Value::String(name) = n else {
            return Err(conversion_panic(n, "string"));
        };
        let Some(s) = cs.get("state") else { continue };
        let Value::Map(state) = s else {
            return Err(conversion_panic(s, MAP));
        };
        let Some(w) = state.get("waiting") else {
            continue;
        };
        let Value::Map(waiting) = w else {
            return Err(conversion_panic(w, MAP));
        };
        let Some(r) = waiting.get("reason") else {
            continue;
        };
        let Value::String(reason) = r else {
            return Err(conversion_panic(r, "string"));
        };
        if reason == "CrashLoopBackOff" {
            names.push(name.as_str());
        }
    }
    Ok(names)
}

/// `jobConditions`.
fn job(obj: &Value, _: &Options) -> Res {
    let parallelism = int_field(obj, &["spec", "parallelism"], 1);
    let completions = int_field(obj, &["spec", "completions"], parallelism);
    let succeeded = int_field(obj, &["status", "succeeded"], 0);
    let active = int_field(obj, &["status", "active"], 0);
    let failed_n = int_field(obj, &["status", "failed"], 0);
    let start_time = string_field(obj, &["status", "startTime"], "");
    for c in conds(obj)? {
        match c.type_ {
            "Complete" if c.status == "True" => {
                return current(format!(
                    "Job Completed. succeeded: {succeeded}/{completions}"
                ));
            }
            "Failed" if c.status == "True" => {
                return failed(format!("Job Failed. failed: {failed_n}/{completions}"));
            }
            _ => {}
        }
    }
    if start_time.is_empty() {
        return in_progress("Job not started");
    }
    current(format!(
        "Job in progress. success:{succeeded}, active: {active}, failed: {failed_n}"
    ))
}

/// `serviceConditions`.
fn service(obj: &Value, _: &Options) -> Res {
    let spec_type = string_field(obj, &["spec", "type"], "ClusterIP");
    let cluster_ip = string_field(obj, &["spec", "clusterIP"], "");
    if spec_type == "LoadBalancer" && cluster_ip.is_empty() {
        return in_progress("ClusterIP not set. Service type: LoadBalancer");
    }
    current("Service is ready")
}

/// `crdConditions`.
fn crd(obj: &Value, _: &Options) -> Res {
    for c in conds(obj)? {
        if c.type_ == "NamesAccepted" && c.status == "False" {
            return failed(c.message);
        }
        if c.type_ == "Established" {
            if c.status == "False" && c.reason != "Installing" {
                return failed(c.message);
            }
            if c.status == "True" {
                return current("CRD is established");
            }
        }
    }
    in_progress("Install in progress")
}
