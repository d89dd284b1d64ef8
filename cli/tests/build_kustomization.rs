//! `gitward build kustomization ... --dry-run`: the flux CLI's contract (stdout, `✗`
//! errors with exit 1, the user's directory left untouched).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gitward-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

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

#[test]
fn errors_are_flux_s() {
    let root = scratch("flux-build-errors");
    write(&root, "apps/cm.yaml", "replicas: 2\n");
    write(&root, "clusters/apps.yaml", FLUX);
    let path = root.join("apps");
    let kfile = root.join("clusters/apps.yaml");
    let (code, stdout, stderr) = run(
        &root,
        &[
            "other",
            "--path",
            path.to_str().unwrap(),
            "--kustomization-file",
            kfile.to_str().unwrap(),
            "--dry-run",
        ],
    );
    assert_eq!(code, Some(1));
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with("✗ failed to get kustomization object: failed find kustomization with name 'other' and namespace 'flux-system'"),
        "{stderr}"
    );
    let (code, _, stderr) = run(
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
    assert_eq!(code, Some(1));
    assert!(
        stderr.starts_with("✗ failed to generate kustomization.yaml: failed to decode Kubernetes YAML from apps/cm.yaml"),
        "{stderr}"
    );
    let missing = root.join("clusters/missing.yaml");
    let (code, _, stderr) = run(
        &root,
        &[
            "apps",
            "--path",
            path.to_str().unwrap(),
            "--kustomization-file",
            missing.to_str().unwrap(),
            "--dry-run",
        ],
    );
    assert_eq!(code, Some(1));
    assert!(
        stderr.starts_with("✗ invalid kustomization file"),
        "{stderr}"
    );
}
