//! kstatus verdicts, YAML in, status and message out (cases checked against kstatus v0.37.2).

use std::time::Duration;

use super::*;
use crate::manifest::read_manifests;

fn verdict(yaml: &str) -> (Status, String) {
    verdict_with(yaml, &Options::default())
}

fn verdict_with(yaml: &str, opts: &Options) -> (Status, String) {
    let objs = read_manifests(yaml).expect("reads");
    match status_with(&objs[0], opts) {
        Ok(r) => (r.status, r.message),
        Err(e) => (Status::Unknown, format!("error: {e}")),
    }
}

fn is(status: Status, message: &str) -> (Status, String) {
    (status, message.to_string())
}

#[test]
fn deletion_timestamp_is_terminating_before_anything_else() {
    let y = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, deletionTimestamp: x, generation: 2}\nstatus: {observedGeneration: 1}\n";
    assert_eq!(
        verdict(y),
        is(Status::Terminating, "Resource scheduled for deletion")
    );
    let y = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p, deletionTimestamp: ''}\n";
    assert_eq!(verdict(y), is(Status::Current, "Resource is always ready"));
    let y = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p, deletionTimestamp: 5}\n";
    assert_eq!(
        verdict(y),
        is(
            Status::Unknown,
            "error: looking up metadata.deletionTimestamp from resource: .metadata.deletionTimestamp accessor error: 5 is of the type int64, expected string"
        )
    );
}

#[test]
fn generation_mismatch_names_the_kind() {
    let y = "apiVersion: v1\nkind: Secret\nmetadata: {name: s, generation: 3}\nstatus: {observedGeneration: 2}\n";
    assert_eq!(
        verdict(y),
        is(
            Status::InProgress,
            "Secret generation is 3, but latest observed generation is 2"
        )
    );
}

#[test]
fn reconciling_and_stalled_come_before_kind_rules() {
    let y = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nstatus:\n  conditions:\n  - {type: Stalled, status: 'True', message: stuck}\n";
    assert_eq!(verdict(y), is(Status::Failed, "stuck"));
    let y = "apiVersion: example.com/v1\nkind: W\nmetadata: {name: c}\nstatus:\n  conditions:\n  - {type: Ready, status: 'True'}\n  - {type: Reconciling, status: 'True'}\n";
    assert_eq!(verdict(y), is(Status::InProgress, ""));
}

#[test]
fn ready_condition_spellings() {
    let w = "apiVersion: example.com/v1\nkind: W\nmetadata: {name: c}\nstatus:\n  conditions:\n";
    assert_eq!(
        verdict(&format!("{w}  - {{type: Ready, status: 'True'}}\n")),
        is(Status::Current, "Resource is Ready")
    );
    assert_eq!(
        verdict(&format!(
            "{w}  - {{type: Ready, status: 'true'}}\n  - {{type: Ready, status: Unknown, message: m}}\n"
        )),
        is(Status::InProgress, "m")
    );
    assert_eq!(
        verdict(&format!("{w}  - {{type: Ready, status: True}}\n")),
        is(Status::Unknown, "error: unrecognized type: string")
    );
    assert_eq!(
        verdict(&format!("{w}  - {{type: Other, status: 'False'}}\n")),
        is(Status::Current, "Resource is current")
    );
}

#[test]
fn deployment_rules() {
    let d = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n";
    assert_eq!(
        verdict(&format!(
            "{d}spec: {{replicas: 3}}\nstatus: {{replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3}}\n"
        )),
        is(Status::InProgress, "Deployment not Available")
    );
    assert_eq!(
        verdict(&format!(
            "{d}spec: {{replicas: '3'}}\nstatus: {{replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, conditions: [{{type: Available, status: 'True'}}]}}\n"
        )),
        is(Status::Current, "Deployment is available. Replicas: 1")
    );
    assert_eq!(
        verdict(&format!(
            "{d}status: {{conditions: [{{type: Progressing, status: 'False', reason: ProgressDeadlineExceeded}}]}}\n"
        )),
        is(Status::Failed, "Progress deadline exceeded")
    );
    assert_eq!(
        verdict(&format!(
            "{d}spec: {{progressDeadlineSeconds: 600}}\nstatus: {{replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, conditions: [{{type: Available, status: 'True'}}]}}\n"
        )),
        is(Status::InProgress, "ReplicaSet not Available")
    );
}

#[test]
fn statefulset_partition_and_revisions() {
    let s = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\n";
    assert_eq!(
        verdict(&format!(
            "{s}spec: {{replicas: 3, updateStrategy: {{rollingUpdate: {{partition: 1}}}}}}\nstatus: {{replicas: 3, readyReplicas: 3, updatedReplicas: 1}}\n"
        )),
        is(Status::InProgress, "updated: 1/2")
    );
    assert_eq!(
        verdict(&format!(
            "{s}status: {{replicas: 1, readyReplicas: 1, currentReplicas: 1, updateRevision: b}}\n"
        )),
        is(
            Status::InProgress,
            "Waiting for updated revision to match current"
        )
    );
    assert_eq!(
        verdict(&format!(
            "{s}spec: {{updateStrategy: {{type: OnDelete}}}}\n"
        )),
        is(
            Status::Current,
            "StatefulSet is using the ondelete update strategy"
        )
    );
}

#[test]
fn daemonset_needs_generations() {
    let y = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nstatus: {desiredNumberScheduled: 1}\n";
    assert_eq!(
        verdict(y),
        is(
            Status::InProgress,
            "DaemonSet metadata.generation not found"
        )
    );
    let y = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d, generation: 1}\nstatus: {observedGeneration: 1}\n";
    assert_eq!(
        verdict(y),
        is(Status::InProgress, "Missing .status.desiredNumberScheduled")
    );
}

#[test]
fn pod_phases_and_schedule_window() {
    let p = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, creationTimestamp: '2999-01-01T00:00:00Z'}\n";
    let unsched = format!(
        "{p}status: {{phase: Pending, conditions: [{{type: PodScheduled, status: 'False', reason: Unschedulable}}]}}\n"
    );
    let now = Options::default().with_now(Duration::from_secs(1_700_000_000));
    assert_eq!(
        verdict_with(&unsched, &now),
        is(Status::InProgress, "Pod has not been scheduled")
    );
    assert_eq!(
        verdict(&unsched),
        is(Status::Failed, "Pod could not be scheduled")
    );
    assert_eq!(
        verdict(&format!(
            "{p}status: {{phase: Running, containerStatuses: [{{name: a, state: {{waiting: {{reason: CrashLoopBackOff}}}}}}, {{name: b}}, {{name: c, state: {{waiting: {{reason: CrashLoopBackOff}}}}}}]}}\n"
        )),
        is(Status::Failed, "Containers in CrashLoop state: a,c")
    );
    assert_eq!(
        verdict(&format!("{p}status: {{phase: Evicted}}\n")),
        is(Status::Unknown, "error: unknown phase Evicted")
    );
    assert_eq!(
        verdict(&format!(
            "{p}status: {{phase: Running, containerStatuses: [x]}}\n"
        )),
        is(
            Status::Unknown,
            "error: interface conversion: interface {} is string, not map[string]interface {}"
        )
    );
}

#[test]
fn job_crd_service_pvc() {
    assert_eq!(
        verdict(
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {parallelism: 2}\nstatus: {succeeded: 2, conditions: [{type: Complete, status: 'True'}]}\n"
        ),
        is(Status::Current, "Job Completed. succeeded: 2/2")
    );
    assert_eq!(
        verdict(
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nstatus: {startTime: x, active: 1}\n"
        ),
        is(
            Status::Current,
            "Job in progress. success:0, active: 1, failed: 0"
        )
    );
    assert_eq!(
        verdict(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: c}\nstatus: {conditions: [{type: Established, status: 'False', reason: Installing}]}\n"
        ),
        is(Status::InProgress, "Install in progress")
    );
    assert_eq!(
        verdict("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: LoadBalancer}\n"),
        is(
            Status::InProgress,
            "ClusterIP not set. Service type: LoadBalancer"
        )
    );
    assert_eq!(
        verdict(
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: s}\nstatus: {phase: bound}\n"
        ),
        is(Status::InProgress, "PVC is not Bound. phase: bound")
    );
}

#[test]
fn ids_transcode_rbac_colons_only() {
    let ids: Vec<String> = read_manifests(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: 'a:b'}\n---\n\
         apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 'a:b', namespace: ns}\n---\n\
         apiVersion: example.com/v1\nkind: W\nmetadata: {name: x, namespace: 3}\n",
    )
    .expect("reads")
    .iter()
    .map(object_id)
    .collect();
    assert_eq!(
        ids,
        [
            "_a__b_rbac.authorization.k8s.io_ClusterRole",
            "ns_a:b__ConfigMap",
            "_x_example.com_W"
        ]
    );
}
