//! `gitward template --output-dir`, checked against what helm v4.1.4 writes for the same
//! chart (the expectations below were compared with `helm template --output-dir`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{scratch, write};
use std::path::Path;
use std::process::Command;

fn chart(root: &Path) {
    write(
        root,
        "c/Chart.yaml",
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    );
    write(
        root,
        "c/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second\n",
    );
    write(
        root,
        "c/templates/hook.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: h\n  annotations:\n    helm.sh/hook: pre-install\n",
    );
    write(
        root,
        "c/templates/tests/t.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\n",
    );
    write(
        root,
        "c/crds/crd.yaml",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: xs.example.com\n",
    );
}

fn run(root: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gitward"))
        .current_dir(root)
        .arg("template")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap()
}

#[test]
fn files_records_and_stdout_are_helms() {
    let root = scratch("outdir");
    chart(&root);
    let (ok, stdout, _) = run(&root, &["r1", "c", "--output-dir", "out", "--include-crds"]);
    assert!(ok);
    assert_eq!(
        stdout,
        "wrote out/c/crds/crd.yaml\nwrote out/c/templates/cm.yaml\nwrote out/c/templates/cm.yaml\nwrote out/c/templates/hook.yaml\nwrote out/c/templates/tests/t.yaml\n\n"
    );
    assert_eq!(
        read(&root, "out/c/templates/cm.yaml"),
        "---\n# Source: c/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r1\n---\n# Source: c/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second\n"
    );
    assert!(read(&root, "out/c/crds/crd.yaml").starts_with("---\n# Source: c/crds/crd.yaml\n"));

    // A second run truncates manifests but appends hooks to files that exist, as Helm does.
    let (ok, _, _) = run(&root, &["r1", "c", "--output-dir", "out"]);
    assert!(ok);
    assert_eq!(
        read(&root, "out/c/templates/cm.yaml")
            .matches("# Source")
            .count(),
        2
    );
    assert_eq!(
        read(&root, "out/c/templates/hook.yaml")
            .matches("# Source")
            .count(),
        2
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn release_name_skip_tests_and_show_only() {
    let root = scratch("outdir-flags");
    chart(&root);
    let (ok, stdout, _) = run(
        &root,
        &[
            "r1",
            "c",
            "--output-dir",
            "./out/",
            "--release-name",
            "--skip-tests",
        ],
    );
    assert!(ok);
    assert_eq!(
        stdout,
        "wrote out/r1/c/templates/cm.yaml\nwrote out/r1/c/templates/cm.yaml\nwrote out/r1/c/templates/hook.yaml\n\n"
    );
    assert!(!root.join("out/r1/c/templates/tests").exists());
    // Helm matches --show-only against what is left on standard output: nothing.
    let (ok, _, stderr) = run(
        &root,
        &[
            "r1",
            "c",
            "--output-dir",
            "o2",
            "--show-only",
            "templates/cm.yaml",
        ],
    );
    assert!(!ok);
    assert!(
        stderr.contains("could not find template templates/cm.yaml in chart"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&root).unwrap();
}
