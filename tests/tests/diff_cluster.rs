//! `gitward::io::cluster::diff::diff` and `gitward diff` against the real test cluster: a
//! set applied with the engine diffs empty, one changed field shows exactly that field,
//! drift by another field manager shows and an ignore rule hides it, prune shows
//! `deleted`, exit codes 0/1/2, offline `--live`, and no Secret value in any output.

use std::path::Path;
use std::process::{Command, Output};

use gitward::diff::{FieldChange, IgnoreRules, ObjectDiff};
use gitward::inventory::Inventory;
use gitward::io::cluster::Cluster;
use gitward::io::cluster::diff::{DiffOutcome, diff};
use gitward::io::cluster::engine::{ApplyOptions, apply};
use gitward::manifest::read_manifests;
use gitward::yaml::Value;
use gitward_tests::manifests::{SECRET_VALUE, connect, mixed_set, objects, prune_sets};
use gitward_tests::{cluster, gitward_bin, unique_name};

const SECRET_B64: &str = "aHVudGVyMi12ZXJ5LXNlY3JldA==";

fn opts() -> ApplyOptions {
    ApplyOptions::new("gitward").with_owner("apps", "flux-system")
}

/// The shared mixed set with the ConfigMap's `LOG_LEVEL` and the Secret's password given.
fn app(ns: &str, group: &str, level: &str, password: &str) -> String {
    mixed_set(ns, group, level).replace(SECRET_VALUE, password)
}

async fn run_diff(
    c: &Cluster,
    text: &str,
    prev: &Inventory,
    o: &ApplyOptions,
    ignore: &IgnoreRules,
) -> DiffOutcome {
    diff(c, objects(text), prev, o, ignore)
        .await
        .expect("a diff")
}

fn actions(out: &DiffOutcome) -> Vec<String> {
    out.report
        .objects
        .iter()
        .map(|o| o.entry.to_string())
        .collect()
}

fn not_unchanged(out: &DiffOutcome) -> Vec<String> {
    out.report
        .objects
        .iter()
        .filter(|o| o.entry.action.as_str() != "unchanged")
        .map(|o| o.entry.to_string())
        .collect()
}

/// The one configured object changed exactly the field `path`, from `before` to `after`.
fn assert_one_change(out: &DiffOutcome, path: &str, before: Value, after: Value) {
    let configured: Vec<&ObjectDiff> = out
        .report
        .objects
        .iter()
        .filter(|o| o.entry.action.as_str() == "configured")
        .collect();
    assert_eq!(configured.len(), 1, "{:?}", out.report);
    assert_eq!(
        configured[0].changes,
        [FieldChange {
            path: path.into(),
            before: Some(before),
            after: Some(after),
        }]
    );
}

async fn applied(c: &Cluster, text: &str, prev: &Inventory, o: &ApplyOptions) -> Inventory {
    let out = apply(c, objects(text), prev, o).await;
    assert_eq!(out.error, None, "{:?}", out.change_set);
    out.inventory.expect("an inventory")
}

#[tokio::test]
async fn applied_set_diffs_empty_and_one_change_is_exactly_that_field() {
    let c = connect().await;
    let ns = unique_name("diff-set");
    let group = format!("{ns}.example.com");
    let set = app(&ns, &group, "info", SECRET_VALUE);
    let none = IgnoreRules::none();

    // Before anything exists: everything is created, the Widget (CRD only in the set) and
    // the namespaced objects (Namespace only in the set) included.
    let before = run_diff(&c, &set, &Inventory::default(), &opts(), &none).await;
    assert!(before.errors.is_empty(), "{:?}", before.errors);
    let lines = actions(&before);
    assert_eq!(lines.len(), 11, "{lines:?}");
    assert!(lines.iter().all(|l| l.ends_with(" created")), "{lines:?}");
    assert_eq!(
        lines[0],
        format!("CustomResourceDefinition/widgets.{group} created")
    );
    assert_eq!(lines[10], format!("Widget/{ns}/alpha created"));
    assert!(before.report.has_changes());

    let inv = applied(&c, &set, &Inventory::default(), &opts()).await;
    let after = run_diff(&c, &set, &inv, &opts().with_prune(true), &none).await;
    assert!(after.errors.is_empty(), "{:?}", after.errors);
    assert_eq!(
        not_unchanged(&after),
        Vec::<String>::new(),
        "{:?}",
        after.report
    );
    assert!(!after.report.has_changes());
    assert_eq!(after.report.to_text(3, false), "");

    let changed = app(&ns, &group, "debug", SECRET_VALUE);
    let one = run_diff(&c, &changed, &inv, &opts(), &none).await;
    assert_eq!(
        not_unchanged(&one),
        [format!("ConfigMap/{ns}/web configured")]
    );
    assert_one_change(
        &one,
        "/data/LOG_LEVEL",
        Value::from("info"),
        Value::from("debug"),
    );
    let text = one.report.to_text(3, false);
    assert!(
        text.starts_with(&format!(
            "► ConfigMap/{ns}/web drifted\n--- live/v1.ConfigMap.{ns}.web\n+++ merged/v1.ConfigMap.{ns}.web\n@@ "
        )),
        "{text}"
    );
    assert!(
        text.contains("\n-  LOG_LEVEL: info\n+  LOG_LEVEL: debug\n"),
        "{text}"
    );
    // The diff changed nothing.
    let again = run_diff(&c, &set, &inv, &opts(), &none).await;
    assert_eq!(not_unchanged(&again), Vec::<String>::new());

    // A changed Secret value: keys shown, the values masked.
    let rotated = app(&ns, &group, "info", "another-secret-value");
    let s = run_diff(&c, &rotated, &inv, &opts(), &none).await;
    assert_eq!(not_unchanged(&s), [format!("Secret/{ns}/web configured")]);
    let text = s.report.to_text(3, false);
    assert!(
        text.contains("-  password: '*** (before)'\n+  password: '*** (after)'\n"),
        "{text}"
    );
    let json = gitward::go::json::to_string(&s.report.to_value()).expect("json");
    for out in [&text, &json] {
        assert!(
            !out.contains(SECRET_VALUE) && !out.contains(SECRET_B64),
            "{out}"
        );
        assert!(!out.contains("another-secret-value"), "{out}");
    }
}

#[tokio::test]
async fn drift_by_another_manager_shows_and_an_ignore_rule_hides_it() {
    let c = connect().await;
    let ns = unique_name("diff-drift");
    let group = format!("{ns}.example.com");
    let set = app(&ns, &group, "info", SECRET_VALUE);
    applied(&c, &set, &Inventory::default(), &opts()).await;
    let dep = objects(&set)
        .into_iter()
        .find(|o| o.get("kind").and_then(Value::as_str) == Some("Deployment"))
        .expect("the Deployment");
    let live = c.get(&dep).await.expect("get").expect("exists");
    let patch = read_manifests(
        r#"{"kind": "P", "p": [{"op": "replace", "path": "/spec/replicas", "value": 3}]}"#,
    )
    .expect("patch")
    .remove(0);
    c.json_patch(&live, patch.get("p").expect("p"), "intruder")
        .await
        .expect("the intruder's patch");

    let none = IgnoreRules::none();
    let drift = run_diff(&c, &set, &Inventory::default(), &opts(), &none).await;
    assert_eq!(
        not_unchanged(&drift),
        [format!("Deployment/{ns}/web configured")]
    );
    assert_one_change(
        &drift,
        "/spec/replicas",
        Value::from(3i64),
        Value::from(1i64),
    );

    let other =
        IgnoreRules::parse("- paths: [/spec/replicas]\n  target: {kind: Deployment, name: api}\n")
            .expect("rules");
    let still = run_diff(&c, &set, &Inventory::default(), &opts(), &other).await;
    assert_eq!(
        not_unchanged(&still),
        [format!("Deployment/{ns}/web configured")]
    );
    let rules = IgnoreRules::parse(
        "- paths: [/spec/replicas]\n  target: {group: apps, kind: Deployment, name: 'w.b', labelSelector: kustomize.toolkit.fluxcd.io/name=apps}\n",
    )
    .expect("rules");
    let hidden = run_diff(&c, &set, &Inventory::default(), &opts(), &rules).await;
    assert_eq!(
        not_unchanged(&hidden),
        Vec::<String>::new(),
        "{:?}",
        hidden.report
    );
}

#[tokio::test]
async fn prune_shows_deleted_and_keeps_prune_disabled() {
    let c = connect().await;
    let ns = unique_name("diff-prune");
    let (full, smaller) = prune_sets(&ns);
    let inv = applied(&c, &full, &Inventory::default(), &opts()).await;
    let none = IgnoreRules::none();
    let out = run_diff(&c, &smaller, &inv, &opts().with_prune(true), &none).await;
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(
        actions(&out),
        [
            format!("Namespace/{ns} unchanged"),
            format!("ConfigMap/{ns}/keep unchanged"),
            // Stale objects in apply order, as `flux diff` lists them.
            format!("ConfigMap/{ns}/gone deleted"),
            format!("ConfigMap/{ns}/pinned skipped"),
        ]
    );
    assert!(out.report.has_changes());
    assert_eq!(
        out.report.to_text(3, false),
        format!("► ConfigMap/{ns}/gone deleted\n")
    );
    let without = run_diff(&c, &smaller, &inv, &opts(), &none).await;
    assert!(!without.report.has_changes(), "no prune, no deletions");
    assert!(
        c.get(&objects(&full)[3]).await.expect("get").is_some(),
        "diff deleted nothing"
    );
}

#[tokio::test]
async fn many_objects_of_a_kind_read_in_bulk_diff_the_same() {
    let c = connect().await;
    let ns = unique_name("diff-bulk");
    let set = |changed: usize, count: usize| {
        let mut docs = vec![format!(
            "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n"
        )];
        for i in 0..count {
            let v = if i == changed { "new" } else { "old" };
            docs.push(format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i:02}, namespace: {ns}}}\ndata: {{v: {v}}}\n"
            ));
        }
        docs.join("---\n")
    };
    let inv = applied(&c, &set(usize::MAX, 12), &Inventory::default(), &opts()).await;
    let none = IgnoreRules::none();
    let same = run_diff(&c, &set(usize::MAX, 12), &inv, &opts(), &none).await;
    assert_eq!(same.report.objects.len(), 13);
    assert_eq!(not_unchanged(&same), Vec::<String>::new());
    let out = run_diff(&c, &set(7, 14), &inv, &opts(), &none).await;
    assert_eq!(
        not_unchanged(&out),
        [
            format!("ConfigMap/{ns}/cm-07 configured"),
            format!("ConfigMap/{ns}/cm-12 created"),
            format!("ConfigMap/{ns}/cm-13 created"),
        ]
    );
    // Drift by another manager on an object read in bulk is found too.
    let cm3 = objects(&set(usize::MAX, 12)).remove(4);
    let live = c.get(&cm3).await.expect("get").expect("exists");
    let patch = read_manifests(
        r#"{"kind": "P", "p": [{"op": "replace", "path": "/data/v", "value": "x"}]}"#,
    )
    .expect("patch")
    .remove(0);
    c.json_patch(&live, patch.get("p").expect("p"), "intruder")
        .await
        .expect("the intruder's patch");
    let drift = run_diff(&c, &set(usize::MAX, 12), &inv, &opts(), &none).await;
    assert_eq!(
        not_unchanged(&drift),
        [format!("ConfigMap/{ns}/cm-03 configured")]
    );
    let paths: Vec<&str> = out.report.objects[8]
        .changes
        .iter()
        .map(|c| c.path.as_str())
        .collect();
    assert_eq!(paths, ["/data/v"]);
}

fn gitward(args: &[&str], dir: &Path) -> Output {
    Command::new(gitward_bin())
        .args(args)
        .arg("--kubeconfig")
        .arg(&cluster().kubeconfig)
        .current_dir(dir)
        .output()
        .expect("run gitward")
}

#[test]
fn cli_exit_codes_offline_mode_and_never_a_secret_value() {
    let ns = unique_name("diff-cli");
    let group = format!("{ns}.example.com");
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| {
        std::fs::write(dir.path().join(name), text).expect("write");
    };
    write("set.yaml", &app(&ns, &group, "info", SECRET_VALUE));
    write(
        "changed.yaml",
        &app(&ns, &group, "debug", "rotated-secret-value"),
    );
    // A Secret the API server refuses (a bad key), next to the value.
    write(
        "bad.yaml",
        &format!(
            "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n---\n\
             apiVersion: v1\nkind: Secret\nmetadata: {{name: creds, namespace: {ns}}}\nstringData: {{password: {SECRET_VALUE}, 'bad key!': {SECRET_VALUE}}}\n"
        ),
    );
    write(
        "rules.yaml",
        "- paths: [/data/LOG_LEVEL]\n  target: {kind: ConfigMap}\n",
    );
    let owner = ["--owner-name", "apps", "--owner-namespace", "flux-system"];
    let with = |extra: &[&str]| -> Vec<String> {
        extra
            .iter()
            .chain(owner.iter())
            .map(|s| (*s).to_string())
            .collect()
    };
    let mut outputs: Vec<Output> = Vec::new();
    let mut run = |args: Vec<String>| -> Output {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = gitward(&a, dir.path());
        outputs.push(out.clone());
        out
    };
    let text = |o: &Output| String::from_utf8_lossy(&o.stdout).to_string();
    let err = |o: &Output| String::from_utf8_lossy(&o.stderr).to_string();

    for fmt in ["text", "json", "yaml"] {
        let first = run(with(&["diff", "-f", "set.yaml", "-o", fmt]));
        assert_eq!(first.status.code(), Some(1), "{}", err(&first));
    }
    let apply = run(with(&[
        "apply",
        "-f",
        "set.yaml",
        "--inventory-file",
        "inv.json",
    ]));
    assert!(apply.status.success(), "{}", err(&apply));
    for fmt in ["text", "json", "yaml"] {
        let same = run(with(&[
            "diff",
            "-f",
            "set.yaml",
            "-o",
            fmt,
            "--inventory-file",
            "inv.json",
            "--prune",
        ]));
        assert_eq!(
            same.status.code(),
            Some(0),
            "{} {}",
            text(&same),
            err(&same)
        );
        assert_eq!(err(&same), "");
    }
    let same = run(with(&["diff", "-f", "set.yaml"]));
    assert_eq!(text(&same), "");

    for fmt in ["text", "json", "yaml"] {
        let changed = run(with(&[
            "diff",
            "-f",
            "changed.yaml",
            "-o",
            fmt,
            "--color",
            "always",
        ]));
        assert_eq!(changed.status.code(), Some(1), "{}", err(&changed));
        assert!(
            err(&changed).contains("identified at least one change"),
            "{}",
            err(&changed)
        );
    }
    let changed = run(with(&["diff", "-f", "changed.yaml", "--color", "never"]));
    let out = text(&changed);
    assert!(
        out.contains(&format!("► ConfigMap/{ns}/web drifted\n")),
        "{out}"
    );
    assert!(
        out.contains(&format!("► Secret/{ns}/web drifted\n")),
        "{out}"
    );
    assert!(
        out.contains("-  LOG_LEVEL: info\n+  LOG_LEVEL: debug\n"),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "no colour when asked for none");
    let coloured = run(with(&["diff", "-f", "changed.yaml", "--color", "always"]));
    assert!(text(&coloured).contains("\x1b[31m-  LOG_LEVEL: info\x1b[0m"));

    // The ignore rule hides the ConfigMap's change; the Secret still differs.
    let ignored = run(with(&[
        "diff",
        "-f",
        "changed.yaml",
        "--ignore-rules",
        "rules.yaml",
        "-o",
        "json",
    ]));
    let json = text(&ignored);
    assert!(
        json.contains(&format!("\"subject\": \"ConfigMap/{ns}/web\"")),
        "{json}"
    );
    assert!(!json.contains("LOG_LEVEL"), "{json}");
    assert_eq!(ignored.status.code(), Some(1));

    // Exit 2: the API server refuses an object; the error names it, the value redacted.
    let bad = run(with(&["diff", "-f", "bad.yaml"]));
    assert_eq!(bad.status.code(), Some(2), "{}", err(&bad));
    assert!(
        err(&bad).contains(&format!("Secret/{ns}/creds dry-run failed")),
        "{}",
        err(&bad)
    );
    let usage = run(with(&["diff", "-f", "set.yaml", "-o", "xml"]));
    assert_eq!(usage.status.code(), Some(2));
    let missing = run(with(&["diff", "-f", "no-such-file.yaml"]));
    assert_eq!(missing.status.code(), Some(2));

    // Offline: the cluster's objects saved to a file, compared with no cluster at all.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let live: Vec<Value> = rt.block_on(async {
        let c = connect().await;
        let mut out = Vec::new();
        for o in objects(&app(&ns, &group, "info", SECRET_VALUE)) {
            out.extend(c.get(&o).await.expect("get"));
        }
        out
    });
    write("live.yaml", &gitward::yaml::dump_kustomize_docs(&live));
    let offline = |file: &str| {
        Command::new(gitward_bin())
            .args([
                "diff",
                "-f",
                file,
                "--live",
                "live.yaml",
                "--kubeconfig",
                "/nonexistent",
            ])
            .args(owner)
            .current_dir(dir.path())
            .output()
            .expect("run gitward")
    };
    let same = offline("set.yaml");
    assert_eq!(same.status.code(), Some(0), "{}{}", text(&same), err(&same));
    let changed = offline("changed.yaml");
    assert_eq!(changed.status.code(), Some(1), "{}", err(&changed));
    let out = text(&changed);
    assert!(
        out.contains("-  LOG_LEVEL: info\n+  LOG_LEVEL: debug\n"),
        "{out}"
    );
    assert!(
        out.contains("-  password: '*** (before)'\n+  password: '*** (after)'\n"),
        "{out}"
    );
    outputs.push(same);
    outputs.push(changed);

    for o in &outputs {
        for stream in [&o.stdout, &o.stderr] {
            let s = String::from_utf8_lossy(stream);
            for secret in [SECRET_VALUE, SECRET_B64, "rotated-secret-value"] {
                assert!(!s.contains(secret), "secret leaked: {s}");
            }
        }
    }
}
