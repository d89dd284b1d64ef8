//! Faults during `gitward apply`, on a cluster of this test's own (its kube-apiserver is
//! killed and restarted, which the shared test cluster must never see): the API server
//! killed mid-apply gives a clear error, no panic and an untouched inventory file; once it
//! is back (same etcd data) the same apply converges, nothing lost or duplicated.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use gitward::io::cluster::Cluster;
use gitward::manifest::read_manifests;
use gitward::yaml::Value;
use gitward_tests::{DedicatedCluster, gitward_bin};

const NS: &str = "faults";
const OLD: usize = 300;
const ALL: usize = 600;

/// The Namespace and ConfigMaps `cm-0000`.. `cm-{n-1}` holding `v: value`.
fn set(n: usize, value: &str) -> String {
    let mut s = format!("apiVersion: v1\nkind: Namespace\nmetadata: {{name: {NS}}}\n");
    for i in 0..n {
        s.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i:04}, namespace: {NS}}}\ndata: {{v: '{value}'}}\n"
        ));
    }
    s
}

fn apply_cmd(kubeconfig: &Path, file: &Path, inventory: &Path) -> Command {
    let mut cmd = Command::new(gitward_bin());
    cmd.args(["apply", "-o", "json", "-f"])
        .arg(file)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .arg("--inventory-file")
        .arg(inventory)
        .args(["--owner-name", "apps", "--owner-namespace", "flux-system"]);
    cmd
}

/// `subject -> action` of a successful `apply -o json`, checking that no subject repeats.
fn actions(out: &Output) -> HashMap<String, String> {
    assert!(
        out.status.success(),
        "apply failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut map = HashMap::new();
    for e in doc["entries"].as_array().expect("entries") {
        let subject = e["subject"].as_str().expect("subject");
        let action = e["action"].as_str().expect("action");
        assert!(
            map.insert(subject.to_string(), action.to_string())
                .is_none(),
            "{subject} twice in the change set"
        );
    }
    map
}

fn cm(i: usize) -> Value {
    read_manifests(&format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i:04}, namespace: {NS}}}\n"
    ))
    .expect("stub")
    .remove(0)
}

fn live_value(rt: &tokio::runtime::Runtime, c: &Cluster, i: usize) -> Option<String> {
    rt.block_on(c.get(&cm(i))).ok().flatten().and_then(|l| {
        l.get_path(&["data", "v"])
            .and_then(Value::as_str)
            .map(String::from)
    })
}

#[test]
fn apiserver_killed_mid_apply_then_restarted_converges() {
    let cluster = DedicatedCluster::start("faults");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let inventory = dir.path().join("inventory.json");
    let old = dir.path().join("old.yaml");
    let new = dir.path().join("new.yaml");
    std::fs::write(&old, set(OLD, "1")).expect("write");
    std::fs::write(&new, set(ALL, "2")).expect("write");

    let first = apply_cmd(&cluster.kubeconfig, &old, &inventory)
        .output()
        .expect("run gitward");
    let first = actions(&first);
    assert_eq!(first.len(), OLD + 1);
    assert!(first.values().all(|a| a == "created"));
    let inventory_before = std::fs::read(&inventory).expect("inventory written");

    // The same apply with every value changed and as many new objects, killed mid-way: as
    // soon as the first ConfigMap holds its new value (the dry-runs passed, the applies
    // started), the API server dies.
    let c = rt
        .block_on(Cluster::connect(Some(&cluster.kubeconfig), None))
        .expect("connect");
    let child = apply_cmd(&cluster.kubeconfig, &new, &inventory)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run gitward");
    let mut started = false;
    for _ in 0..3000 {
        if live_value(&rt, &c, 0).as_deref() == Some("2") {
            started = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(started, "the apply never reached its first ConfigMap");
    cluster.kill_apiserver();
    let killed = child.wait_with_output().expect("gitward ends");
    let stderr = String::from_utf8_lossy(&killed.stderr).to_string();
    assert_eq!(
        killed.status.code(),
        Some(1),
        "a clean failure, not a panic or a signal: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.starts_with(&format!("Error: ConfigMap/{NS}/cm-"))
            && stderr.contains(" apply failed: "),
        "the error names the object and what failed: {stderr}"
    );
    assert_eq!(
        std::fs::read(&inventory).expect("inventory"),
        inventory_before,
        "a failed apply leaves the inventory file as it was"
    );

    // Back up on the same etcd data: the same apply finishes the job.
    cluster.restart_apiserver();
    let again = apply_cmd(&cluster.kubeconfig, &new, &inventory)
        .output()
        .expect("run gitward");
    let again = actions(&again);
    assert_eq!(again.len(), ALL + 1);
    assert_eq!(again[&format!("Namespace/{NS}")], "unchanged");
    let action = |i: usize| again[&format!("ConfigMap/{NS}/cm-{i:04}")].as_str();
    assert_eq!(action(0), "unchanged", "applied before the kill");
    for i in 0..ALL {
        let expected = if i < OLD { "configured" } else { "created" };
        assert!(
            action(i) == "unchanged" || action(i) == expected,
            "cm-{i:04}: {}",
            action(i)
        );
    }
    assert!(
        (0..ALL).any(|i| action(i) != "unchanged"),
        "the killed apply had not finished"
    );
    let inv = gitward::inventory::Inventory::from_json(
        &std::fs::read_to_string(&inventory).expect("inventory"),
    )
    .expect("inventory reads");
    let ids: std::collections::HashSet<&str> = inv.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(inv.entries.len(), ALL + 1);
    assert_eq!(ids.len(), ALL + 1, "no entry twice");
    for i in 0..ALL {
        assert_eq!(live_value(&rt, &c, i).as_deref(), Some("2"), "cm-{i:04}");
    }

    // Converged: one more apply changes nothing.
    let last = apply_cmd(&cluster.kubeconfig, &new, &inventory)
        .output()
        .expect("run gitward");
    assert!(actions(&last).values().all(|a| a == "unchanged"));
}
