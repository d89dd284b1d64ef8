//! `gitward build kustomization ... --dry-run`: the flux CLI's contract (stdout, `✗`
//! errors with exit 1, the user's directory left untouched).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{scratch, write};
use std::path::Path;
use std::process::Command;

fn run(root: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gitward"))
        .current_dir(root)
        .args(["build", "kustomization"])
        .args(args)
        .env_remove("FLUX_SYSTEM_NAMESPACE")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const FLUX: &str = "\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  targetNamespace: prod
  postBuild:
    substitute:
      replicas: \"2\"
";

#[test]
fn builds_a_directory_without_kustomization_and_leaves_it_untouched() {
    let root = scratch("flux-build");
    write(
        &root,
        "apps/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  replicas: \"${replicas}\"\n",
    );
    write(&root, "clusters/apps.yaml", FLUX);
    let path = root.join("apps");
    let kfile = root.join("clusters/apps.yaml");
    let (code, stdout, stderr) = run(
        &root,
        &[
            "apps",
            "--path",
            path.to_str().unwrap(),
            "--kustomization-file",
            kfile.to_str().unwrap(),
            "--dry-run",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stdout,
        "apiVersion: v1\ndata:\n  replicas: 2\nkind: ConfigMap\nmetadata:\n  labels:\n    kustomize.toolkit.fluxcd.io/name: apps\n    kustomize.toolkit.fluxcd.io/namespace: flux-system\n  name: cfg\n  namespace: prod\n---\n"
    );
    let mut names: Vec<_> = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["cm.yaml"]);
}

/// Builds `apps/` with the Kustomization `name` of `kfile` (relative to `root`).
fn build(root: &Path, name: &str, kfile: &str) -> (Option<i32>, String, String) {
    let path = root.join("apps");
    let kfile = root.join(kfile);
    run(
        root,
        &[
            name,
            "--path",
            path.to_str().unwrap(),
            "--kustomization-file",
            kfile.to_str().unwrap(),
            "--dry-run",
        ],
    )
}

#[test]
fn errors_are_flux_s() {
    let root = scratch("flux-build-errors");
    write(&root, "apps/cm.yaml", "replicas: 2\n");
    write(&root, "clusters/apps.yaml", FLUX);
    let (code, stdout, stderr) = build(&root, "other", "clusters/apps.yaml");
    assert_eq!(code, Some(1));
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with("✗ failed to get kustomization object: failed find kustomization with name 'other' and namespace 'flux-system'"),
        "{stderr}"
    );
    let (code, _, stderr) = build(&root, "apps", "clusters/apps.yaml");
    assert_eq!(code, Some(1));
    assert!(
        stderr.starts_with("✗ failed to generate kustomization.yaml: failed to decode Kubernetes YAML from apps/cm.yaml"),
        "{stderr}"
    );
    let (code, _, stderr) = build(&root, "apps", "clusters/missing.yaml");
    assert_eq!(code, Some(1));
    assert!(
        stderr.starts_with("✗ invalid kustomization file"),
        "{stderr}"
    );
}
