//! `gitward::io::cluster::engine::apply` and `gitward apply` against the real test cluster:
//! Flux's staged apply, unchanged re-applies, one `configured` per changed object, drift by
//! another field manager corrected, prune with `prune: disabled` kept, a failing stage leaving
//! nothing half-applied, and no Secret value in any output.

use std::path::PathBuf;
use std::process::Command;

use gitward::inventory::Inventory;
use gitward::io::cluster::Cluster;
use gitward::io::cluster::engine::{ApplyError, ApplyOptions, ApplyOutcome, apply, plan};
use gitward::manifest::read_manifests;
use gitward::yaml::Value;
use gitward_tests::manifests::{SECRET_VALUE, connect, crd, mixed_set, objects, prune_sets};
use gitward_tests::{cluster, gitward_bin, unique_name};

fn opts() -> ApplyOptions {
    ApplyOptions::new("gitward").with_owner("apps", "flux-system")
}

fn lines(o: &ApplyOutcome) -> Vec<String> {
    o.change_set
        .entries
        .iter()
        .map(ToString::to_string)
        .collect()
}

async fn run(c: &Cluster, text: &str, prev: &Inventory, opts: &ApplyOptions) -> ApplyOutcome {
    apply(c, objects(text), prev, opts).await
}

#[tokio::test]
async fn mixed_set_applies_in_one_call_then_stays_unchanged() {
    let c = connect().await;
    let ns = unique_name("apply-mixed");
    let group = format!("{ns}.example.com");
    let set = mixed_set(&ns, &group, "info");
    let first = run(&c, &set, &Inventory::default(), &opts()).await;
    assert_eq!(first.error, None, "{:?}", lines(&first));
    assert_eq!(
        lines(&first),
        [
            format!("CustomResourceDefinition/widgets.{group} created"),
            format!("Namespace/{ns} created"),
            format!("ClusterRole/{ns}-reader created"),
            format!("ServiceAccount/{ns}/web created"),
            format!("Role/{ns}/web created"),
            format!("RoleBinding/{ns}/web created"),
            format!("ConfigMap/{ns}/web created"),
            format!("Secret/{ns}/web created"),
            format!("Service/{ns}/web created"),
            format!("Deployment/{ns}/web created"),
            format!("Widget/{ns}/alpha created"),
        ]
    );
    let inv = first.inventory.expect("an inventory");
    assert_eq!(inv.entries[1].id, format!("_{ns}__Namespace"));
    assert_eq!(inv.entries[10].id, format!("{ns}_alpha_{group}_Widget"));

    let second = run(&c, &set, &inv, &opts()).await;
    assert_eq!(second.error, None);
    assert!(
        second
            .change_set
            .entries
            .iter()
            .all(|e| e.action.as_str() == "unchanged"),
        "{:?}",
        lines(&second)
    );
    assert_eq!(second.inventory.as_ref(), Some(&inv));

    // One changed field: exactly one `configured`.
    let changed = mixed_set(&ns, &group, "debug");
    let third = run(&c, &changed, &inv, &opts()).await;
    let configured: Vec<String> = third
        .change_set
        .entries
        .iter()
        .filter(|e| e.action.as_str() != "unchanged")
        .map(ToString::to_string)
        .collect();
    assert_eq!(configured, [format!("ConfigMap/{ns}/web configured")]);
    let live = c
        .get(&objects(&changed)[4])
        .await
        .expect("get")
        .expect("the ConfigMap exists");
    assert_eq!(
        live.get_path(&["data", "LOG_LEVEL"])
            .and_then(Value::as_str),
        Some("debug")
    );
}

#[tokio::test]
async fn drift_by_another_manager_is_corrected() {
    let c = connect().await;
    let ns = unique_name("apply-drift");
    let set = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n---\n\
         apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cfg, namespace: {ns}}}\ndata: {{A: a}}\n"
    );
    let first = run(&c, &set, &Inventory::default(), &opts()).await;
    let inv = first.inventory.expect("applied");
    let cm = objects(&set).remove(1);
    let patch = read_manifests(
        r#"{"kind": "P", "p": [{"op": "replace", "path": "/data/A", "value": "changed"}]}"#,
    )
    .expect("patch")
    .remove(0);
    let live = c.get(&cm).await.expect("get").expect("exists");
    c.json_patch(&live, patch.get("p").expect("p"), "intruder")
        .await
        .expect("the intruder's patch");
    let second = run(&c, &set, &inv, &opts()).await;
    assert_eq!(
        lines(&second),
        [
            format!("Namespace/{ns} unchanged"),
            format!("ConfigMap/{ns}/cfg configured")
        ]
    );
    let live = c.get(&cm).await.expect("get").expect("exists");
    assert_eq!(
        live.get_path(&["data", "A"]).and_then(Value::as_str),
        Some("a")
    );
}

#[tokio::test]
async fn prune_deletes_dropped_objects_and_keeps_prune_disabled_ones() {
    let c = connect().await;
    let ns = unique_name("apply-prune");
    let (full, smaller) = prune_sets(&ns);
    let first = run(&c, &full, &Inventory::default(), &opts()).await;
    let inv = first.inventory.expect("applied");
    assert_eq!(inv.entries.len(), 4);
    let second = run(&c, &smaller, &inv, &opts().with_prune(true)).await;
    assert_eq!(second.error, None);
    assert_eq!(
        lines(&second),
        [
            format!("Namespace/{ns} unchanged"),
            format!("ConfigMap/{ns}/keep unchanged"),
            format!("ConfigMap/{ns}/pinned skipped"),
            format!("ConfigMap/{ns}/gone deleted"),
        ]
    );
    let objs = objects(&full);
    assert!(
        c.get(&objs[2]).await.expect("get").is_some(),
        "prune-disabled object kept"
    );
    assert!(
        c.get(&objs[3]).await.expect("get").is_none(),
        "pruned object gone"
    );
    assert_eq!(second.inventory.map(|i| i.entries.len()), Some(2));
}

#[tokio::test]
async fn an_invalid_object_fails_its_stage_before_anything_of_it_is_applied() {
    let c = connect().await;
    let ns = unique_name("apply-invalid");
    let set = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n---\n\
         apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a, namespace: {ns}}}\ndata: {{k: v}}\n---\n\
         apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: {ns}}}\n\
         spec: {{replicas: -1, selector: {{matchLabels: {{app: web}}}}, template: {{metadata: {{labels: {{app: web}}}}, spec: {{containers: [{{name: web, image: x}}]}}}}}}\n"
    );
    let out = run(&c, &set, &Inventory::default(), &opts()).await;
    assert_eq!(
        out.inventory, None,
        "a failed apply keeps the previous inventory"
    );
    let err = out.error.clone().expect("the apply fails");
    assert!(matches!(err, ApplyError::DryRun { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("Deployment/{ns}/web dry-run failed (Invalid): ")),
        "{msg}"
    );
    assert!(msg.contains("spec.replicas"), "{msg}");
    if let ApplyError::DryRun { fields, .. } = &err {
        assert_eq!(fields, &["spec.replicas".to_string()]);
    }
    // The namespace stage went through; nothing of the failed stage did.
    assert_eq!(lines(&out), [format!("Namespace/{ns} created")]);
    let objs = objects(&set);
    assert!(
        c.get(&objs[1]).await.expect("get").is_none(),
        "ConfigMap not applied"
    );
}

#[tokio::test]
async fn plan_changes_nothing_and_plans_custom_resources_after_their_crd() {
    let c = connect().await;
    let ns = unique_name("apply-plan");
    let group = format!("{ns}.example.com");
    let set = mixed_set(&ns, &group, "info");
    let planned = plan(&c, objects(&set), &Inventory::default(), &opts())
        .await
        .expect("a plan, although neither the CRD nor the Namespace exists yet");
    let stages: Vec<(&str, usize)> = planned
        .stages
        .iter()
        .map(|s| (s.name, s.entries.len()))
        .collect();
    assert_eq!(stages, [("definitions", 3), ("resources", 8)]);
    let widget = planned.stages[1].entries.last().expect("the Widget");
    assert_eq!(
        widget.entry.to_string(),
        format!("Widget/{ns}/alpha created")
    );
    assert_eq!(
        widget.reason,
        "its CustomResourceDefinition is applied in an earlier stage"
    );
    assert!(
        planned
            .stages
            .iter()
            .flat_map(|s| &s.entries)
            .all(|e| e.entry.action.as_str() == "created")
    );
    let namespace = objects(&set).remove(9);
    assert!(
        c.get(&namespace).await.expect("get").is_none(),
        "plan created nothing"
    );

    let applied = run(&c, &set, &Inventory::default(), &opts()).await;
    assert_eq!(applied.error, None);
    let again = plan(&c, objects(&set), &Inventory::default(), &opts())
        .await
        .expect("a plan");
    assert!(
        again
            .stages
            .iter()
            .flat_map(|s| &s.entries)
            .all(|e| e.entry.action.as_str() == "unchanged"),
        "{again:?}"
    );
    let changed = plan(
        &c,
        objects(&mixed_set(&ns, &group, "debug")),
        &Inventory::default(),
        &opts(),
    )
    .await
    .expect("a plan");
    let configured: Vec<String> = changed
        .stages
        .iter()
        .flat_map(|s| &s.entries)
        .filter(|e| e.entry.action.as_str() != "unchanged")
        .map(|e| format!("{} ({})", e.entry, e.reason))
        .collect();
    assert_eq!(
        configured,
        [format!(
            "ConfigMap/{ns}/web configured (drifted from the manifest)"
        )]
    );
}

#[test]
fn cli_prints_flux_lines_and_never_a_secret_value() {
    let ns = unique_name("apply-cli");
    let dir = tempfile::tempdir().expect("temp dir");
    let inv = dir.path().join("inventory.json");
    let ok = dir.path().join("ok.yaml");
    std::fs::write(
        &ok,
        format!(
            "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n---\n\
             apiVersion: v1\nkind: Secret\nmetadata: {{name: s, namespace: {ns}}}\nstringData: {{password: {SECRET_VALUE}}}\n"
        ),
    )
    .expect("write");
    // A Secret the API server refuses (a bad key), mentioning the value next to it.
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: s, namespace: {ns}}}\nstringData: {{password: {SECRET_VALUE}, 'bad key!': {SECRET_VALUE}}}\n"
        ),
    )
    .expect("write");
    let run = |file: &PathBuf, out: &str| {
        Command::new(gitward_bin())
            .args(["apply", "-f"])
            .arg(file)
            .arg("--kubeconfig")
            .arg(&cluster().kubeconfig)
            .arg("--inventory-file")
            .arg(&inv)
            .args([
                "--owner-name",
                "apps",
                "--owner-namespace",
                "flux-system",
                "-o",
                out,
            ])
            .output()
            .expect("run gitward")
    };
    let b64 = "aHVudGVyMi12ZXJ5LXNlY3JldA==";
    let first = run(&ok, "text");
    let text = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(
        text,
        format!("Namespace/{ns} created\nSecret/{ns}/s created\n")
    );
    let again = run(&ok, "json");
    let json = String::from_utf8_lossy(&again.stdout).to_string();
    assert!(json.contains("\"action\": \"unchanged\""), "{json}");
    let inventory = std::fs::read_to_string(&inv).expect("inventory written");
    assert!(
        inventory.contains(&format!("\"id\": \"{ns}_s__Secret\"")),
        "{inventory}"
    );
    let failed = run(&bad, "json");
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr).to_string();
    assert!(
        stderr.contains(&format!("Secret/{ns}/s dry-run failed")),
        "{stderr}"
    );
    for output in [
        &first.stdout,
        &first.stderr,
        &again.stdout,
        &again.stderr,
        &failed.stdout,
        &failed.stderr,
    ] {
        let s = String::from_utf8_lossy(output);
        assert!(
            !s.contains(SECRET_VALUE) && !s.contains(b64),
            "secret leaked: {s}"
        );
    }
    assert!(!inventory.contains(SECRET_VALUE));
}

#[tokio::test]
async fn wait_times_out_naming_what_is_not_ready_and_cel_checks_decide_readiness() {
    use gitward::health::cel::{CustomHealthCheck, HealthCheckExprs, HealthChecks};
    use std::time::Duration;
    let c = connect().await;
    let ns = unique_name("apply-wait");
    let group = format!("{ns}.example.com");
    let set = format!(
        "{}---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n---\n\
         apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cfg, namespace: {ns}}}\ndata: {{k: v}}\n---\n\
         apiVersion: {group}/v1\nkind: Gadget\nmetadata: {{name: g, namespace: {ns}}}\nspec: {{size: 1}}\n---\n\
         apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: {ns}}}\n\
         spec: {{replicas: 1, selector: {{matchLabels: {{app: web}}}}, template: {{metadata: {{labels: {{app: web}}}}, spec: {{containers: [{{name: web, image: x}}]}}}}}}\n",
        // Objects of this CRD keep whatever `status` they are given (no subresource).
        crd(
            &group,
            "Gadget",
            "gadgets",
            "spec: {type: object, x-kubernetes-preserve-unknown-fields: true}, \
             status: {type: object, x-kubernetes-preserve-unknown-fields: true}"
        )
    );
    // No controller runs in the test cluster: the Deployment never becomes Current.
    let waiting = opts().with_wait(true, Duration::from_secs(2));
    let out = run(&c, &set, &Inventory::default(), &waiting).await;
    let err = out.error.clone().expect("the wait times out");
    let ApplyError::Timeout {
        prefix,
        objects: not_ready,
        ..
    } = &err
    else {
        panic!("not a timeout: {err:?}");
    };
    assert_eq!(*prefix, "timeout waiting for");
    assert_eq!(
        not_ready,
        &[format!("Deployment/{ns}/web status: 'InProgress'")]
    );
    let msg = err.to_string();
    assert!(msg.starts_with("health check failed after "), "{msg}");
    assert!(
        msg.ends_with(&format!(
            ": timeout waiting for: [Deployment/{ns}/web status: 'InProgress']"
        )),
        "{msg}"
    );
    let inv = out
        .inventory
        .clone()
        .expect("the inventory is kept although the health check failed");
    assert_eq!(inv.entries.len(), 5);

    // CEL checks: Deployments are judged healthy by expression; Gadgets only once their
    // status says so, which another writer sets while the apply waits.
    let checks = HealthChecks::new(&[
        CustomHealthCheck::new("apps/v1", "Deployment", HealthCheckExprs::new("true")),
        CustomHealthCheck::new(
            format!("{group}/v1"),
            "Gadget",
            HealthCheckExprs::new("has(status.ready) && status.ready")
                .with_failed("has(status.phase) && status.phase == 'Failed'"),
        ),
    ])
    .expect("checks parse");
    let checked = opts()
        .with_wait(true, Duration::from_secs(60))
        .with_health_checks(checks);
    let gadget = objects(&set).remove(3);
    let writer = {
        let c = connect().await;
        let gadget = gadget.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            let live = c.get(&gadget).await.expect("get").expect("the Gadget");
            let patch = read_manifests(
                r#"{"kind": "P", "p": [{"op": "add", "path": "/status", "value": {"ready": true}}]}"#,
            )
            .expect("patch")
            .remove(0);
            c.json_patch(&live, patch.get("p").expect("p"), "status-writer")
                .await
                .expect("status patch");
        })
    };
    let out = run(&c, &set, &inv, &checked).await;
    writer.await.expect("writer");
    assert_eq!(out.error, None, "{:?}", lines(&out));

    // A Failed status ends the wait early, long before its timeout.
    let live = c.get(&gadget).await.expect("get").expect("the Gadget");
    let patch = read_manifests(
        r#"{"kind": "P", "p": [{"op": "replace", "path": "/status", "value": {"phase": "Failed"}}]}"#,
    )
    .expect("patch")
    .remove(0);
    c.json_patch(&live, patch.get("p").expect("p"), "status-writer")
        .await
        .expect("status patch");
    let checks = HealthChecks::new(&[CustomHealthCheck::new(
        format!("{group}/v1"),
        "Gadget",
        HealthCheckExprs::new("has(status.ready) && status.ready")
            .with_failed("has(status.phase) && status.phase == 'Failed'"),
    )])
    .expect("checks parse");
    let only_gadget = format!(
        "apiVersion: {group}/v1\nkind: Gadget\nmetadata: {{name: g, namespace: {ns}}}\nspec: {{size: 1}}\n"
    );
    let failing = opts()
        .with_wait(true, Duration::from_secs(600))
        .with_health_checks(checks);
    let out = run(&c, &only_gadget, &Inventory::default(), &failing).await;
    match out.error {
        Some(ApplyError::Timeout {
            prefix,
            objects: stalled,
            ..
        }) => {
            assert_eq!(prefix, "failed early due to stalled resources");
            assert_eq!(stalled, [format!("Gadget/{ns}/g status: 'Failed'")]);
        }
        other => panic!("expected a stalled wait: {other:?}"),
    }
}

#[tokio::test]
async fn the_pure_plan_against_live_objects_agrees_with_the_cluster() {
    use gitward::ssa::plan::{PlanOptions, plan as pure_plan};
    let c = connect().await;
    let ns = unique_name("apply-pureplan");
    let group = format!("{ns}.example.com");
    let set = mixed_set(&ns, &group, "info");
    let first = run(&c, &set, &Inventory::default(), &opts()).await;
    assert_eq!(first.error, None, "{:?}", lines(&first));
    let inv = first.inventory.expect("applied");
    let mut live = Vec::new();
    for o in objects(&set) {
        live.push(c.get(&o).await.expect("get").expect("applied object"));
    }
    let popts = PlanOptions::new("gitward").with_owner("apps", "flux-system");
    let planned = pure_plan(objects(&set), &live, &inv, &popts).expect("plans");
    let changed: Vec<String> = planned
        .entries()
        .filter(|e| e.entry.action.as_str() != "unchanged")
        .map(|e| format!("{} {} {:?}", e.entry, e.reason, e.fields))
        .collect();
    assert!(
        changed.is_empty(),
        "server defaults are not drift: {changed:?}"
    );
    let changed_set = mixed_set(&ns, &group, "debug");
    let planned = pure_plan(objects(&changed_set), &live, &inv, &popts).expect("plans");
    let changed: Vec<String> = planned
        .entries()
        .filter(|e| e.entry.action.as_str() != "unchanged")
        .map(|e| format!("{} {:?}", e.entry, e.fields))
        .collect();
    assert_eq!(
        changed,
        [format!(
            "ConfigMap/{ns}/web configured [\"data.LOG_LEVEL\"]"
        )]
    );
}

#[test]
fn cli_plans_offline_against_a_file_of_live_objects() {
    let dir = tempfile::tempdir().expect("temp dir");
    let desired = dir.path().join("desired.yaml");
    let live = dir.path().join("live.yaml");
    std::fs::write(
        &desired,
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n---\n\
         apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: apps}\ndata: {LOG_LEVEL: debug}\n---\n\
         apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: apps}\nstringData: {password: changed-value}\n",
    )
    .expect("write");
    std::fs::write(
        &live,
        format!(
            "apiVersion: v1\nkind: List\nitems:\n\
             - {{apiVersion: v1, kind: Namespace, metadata: {{name: apps, uid: a}}, spec: {{finalizers: [kubernetes]}}}}\n\
             - {{apiVersion: v1, kind: ConfigMap, metadata: {{name: cfg, namespace: apps, uid: b}}, data: {{LOG_LEVEL: info}}}}\n\
             - {{apiVersion: v1, kind: Secret, metadata: {{name: s, namespace: apps, uid: c}}, data: {{password: {SECRET_VALUE}}}}}\n"
        ),
    )
    .expect("write");
    let out = Command::new(gitward_bin())
        .args(["plan", "-o", "yaml", "--kubeconfig", "/nonexistent", "-f"])
        .arg(&desired)
        .arg("--live")
        .arg(&live)
        .output()
        .expect("run gitward");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout,
        "stages:\n\
         - entries:\n  - action: unchanged\n    id: _apps__Namespace\n    reason: \"\"\n    subject: Namespace/apps\n  name: definitions\n\
         - entries:\n  - action: configured\n    fields:\n    - data.LOG_LEVEL\n    id: apps_cfg__ConfigMap\n    reason: drifted from the manifest\n    subject: ConfigMap/apps/cfg\n\
         \x20 - action: configured\n    fields:\n    - data.password\n    id: apps_s__Secret\n    reason: drifted from the manifest\n    subject: Secret/apps/s\n  name: resources\n"
    );
    assert!(!stdout.contains(SECRET_VALUE) && !stdout.contains("changed-value"));
}
