//! How `gitward template` treats a chart argument that is not a chart directory, worded
//! as helm v4.1.4 words it (`LocateChart`, then `archive.EnsureArchive`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gitward-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d.canonicalize().unwrap()
}

fn stderr(root: &Path, chart: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gitward"))
        .current_dir(root)
        .args(["template", "r", chart])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn missing_charts_and_non_archives() {
    let root = scratch("chart-ref");
    std::fs::write(root.join("values.yaml"), "a: 1\n").unwrap();
    std::fs::write(root.join("notes.txt"), "hello\n").unwrap();
    std::fs::write(root.join("page.txt"), "<html><body>").unwrap();
    let d = root.display();
    for (chart, want) in [
        ("./nope", "Error: path \"./nope\" not found".to_string()),
        (
            "nope",
            "Error: non-absolute URLs should be in form of repo_name/path_to_chart, got: nope"
                .to_string(),
        ),
        (
            "values.yaml",
            format!(
                "Error: file '{d}/values.yaml' seems to be a YAML file, but expected a gzipped archive"
            ),
        ),
        // The sniffed buffer is 512 bytes, zero-filled past a short file's end.
        (
            "notes.txt",
            format!(
                "Error: file '{d}/notes.txt' does not appear to be a gzipped archive; got 'application/octet-stream'"
            ),
        ),
        (
            "./page.txt",
            format!(
                "Error: file '{d}/page.txt' does not appear to be a gzipped archive; got 'text/html; charset=utf-8'"
            ),
        ),
    ] {
        let (code, err) = stderr(&root, chart);
        assert_eq!(code, 1, "{chart}: {err}");
        assert_eq!(err.lines().next(), Some(want.as_str()), "{chart}");
    }
    // Repositories and URLs are not fetched.
    assert_eq!(stderr(&root, "repo/chart").0, 3);
    assert_eq!(stderr(&root, "oci://example.invalid/c").0, 3);
    let _ = std::fs::remove_dir_all(&root);
}

/// `-n ''` is `default`; without `-n`, `$HELM_NAMESPACE` when set.
#[test]
fn release_namespace_resolution() {
    let root = scratch("namespace");
    std::fs::create_dir_all(root.join("c/templates")).unwrap();
    std::fs::write(
        root.join("c/Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        root.join("c/templates/t.yaml"),
        "ns: {{ .Release.Namespace }}\n",
    )
    .unwrap();
    let ns = |env: Option<&str>, args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gitward"));
        cmd.current_dir(&root)
            .args(["template", "r", "c"])
            .args(args)
            .env_remove("HELM_NAMESPACE");
        if let Some(e) = env {
            cmd.env("HELM_NAMESPACE", e);
        }
        let out = cmd.output().unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .last()
            .unwrap()
            .to_string()
    };
    assert_eq!(ns(None, &[]), "ns: default");
    assert_eq!(ns(None, &["-n", ""]), "ns: default");
    assert_eq!(ns(Some("foo"), &[]), "ns: foo");
    assert_eq!(ns(Some("foo"), &["-n", ""]), "ns: default");
    assert_eq!(ns(Some("foo"), &["-n", "bar"]), "ns: bar");
    assert_eq!(ns(Some(""), &[]), "ns: default");
    let _ = std::fs::remove_dir_all(&root);
}

/// A values file that is a directory fails as Go's `os.ReadFile` does.
#[test]
fn values_file_that_is_a_directory() {
    let root = scratch("values-dir");
    std::fs::create_dir_all(root.join("c/templates")).unwrap();
    std::fs::write(
        root.join("c/Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gitward"))
        .current_dir(&root)
        .args(["template", "r", "c", "-f", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().next(), Some("Error: read .: is a directory"));
    let _ = std::fs::remove_dir_all(&root);
}

/// Flags read as pflag reads them: `--bool=value` with Go's `ParseBool`, an empty
/// `--kube-version=` as none, and usage errors worded as helm's, exit 1.
#[test]
fn flags_parse_and_fail_as_helm() {
    let root = scratch("flags");
    std::fs::create_dir_all(root.join("c/templates")).unwrap();
    std::fs::write(
        root.join("c/Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        root.join("c/templates/t.yaml"),
        "up: {{ .Release.IsUpgrade }}\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_gitward"))
            .current_dir(&root)
            .arg("template")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, out, _) = run(&["r", "c", "--is-upgrade=T", "--kube-version="]);
    assert_eq!((code, out.lines().last()), (0, Some("up: true")));
    let (code, out, _) = run(&["r", "c", "--is-upgrade=0"]);
    assert_eq!((code, out.lines().last()), (0, Some("up: false")));
    for (args, want) in [
        (
            &["r", "c", "--is-upgrade=maybe"][..],
            "Error: invalid argument \"maybe\" for \"--is-upgrade\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax",
        ),
        (
            &["r", "c", "-g=x"][..],
            "Error: invalid argument \"x\" for \"-g, --generate-name\" flag: strconv.ParseBool: parsing \"x\": invalid syntax",
        ),
        (&["r", "c", "--bogus=1"][..], "Error: unknown flag: --bogus"),
        (
            &["r", "c", "-z"][..],
            "Error: unknown shorthand flag: 'z' in -z",
        ),
        (
            &["r", "c", "--set"][..],
            "Error: flag needs an argument: --set",
        ),
        (
            &["r", "c", "-n"][..],
            "Error: flag needs an argument: 'n' in -n",
        ),
        (
            &[][..],
            "Error: \"helm template\" requires at least 1 argument",
        ),
    ] {
        let (code, _, err) = run(args);
        assert_eq!(code, 1, "{args:?}");
        assert_eq!(err.lines().next(), Some(want), "{args:?}");
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// `--api-versions` values are CSV records; an empty one adds nothing.
#[test]
fn api_versions_are_csv_records() {
    let root = scratch("apiversions");
    std::fs::create_dir_all(root.join("c/templates")).unwrap();
    std::fs::write(
        root.join("c/Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        root.join("c/templates/t.yaml"),
        "n: {{ len .Capabilities.APIVersions }}\n",
    )
    .unwrap();
    let n = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_gitward"))
            .current_dir(&root)
            .args(["template", "r", "c"])
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        text.lines()
            .last()
            .unwrap()
            .trim_start_matches("n: ")
            .parse::<usize>()
            .unwrap()
    };
    let base = n(&[]);
    assert_eq!(n(&["--api-versions", ""]), base);
    assert_eq!(n(&["-a", "x.io/v1,y/v1"]), base + 2);
    assert_eq!(n(&["-a", "x,,y"]), base + 3);
    let _ = std::fs::remove_dir_all(&root);
}
