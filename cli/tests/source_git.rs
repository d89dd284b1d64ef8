//! `gitward source git` against the real git servers: the revision and artifact digest
//! printed, the artifact written, refreshes that find the remote unchanged, credentials
//! from flags, standard input, files and the environment (never echoed), host key checks
//! and the explicit opt-out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use gitward_tests::git_servers;

fn gitward(args: &[&str], envs: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gitward"));
    cmd.args(args)
        .env_remove("GITWARD_PASSWORD")
        .env_remove("GITWARD_USERNAME")
        .env_remove("GITWARD_CA_FILE")
        .env("HOME", std::env::temp_dir().join("gitward-cli-no-home"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The `revision:` and `digest:` lines of a fetch (and nothing before them).
fn revision_and_digest(out: &Output) -> (String, String) {
    let stdout = text(&out.stdout);
    let mut lines = stdout.lines();
    let rev = lines.next().and_then(|l| l.strip_prefix("revision: "));
    let digest = lines.next().and_then(|l| l.strip_prefix("digest: "));
    match (rev, digest) {
        (Some(r), Some(d)) if d.starts_with("sha256:") && d.len() == 71 => {
            (r.to_owned(), d.to_owned())
        }
        _ => panic!("unexpected output: {stdout}\nstderr: {}", text(&out.stderr)),
    }
}

#[test]
fn prints_the_revision_over_each_transport() {
    let s = git_servers();
    let ca = s.ca.display().to_string();
    let kh = s.ssh_known_hosts.display().to_string();
    let key = s.ssh_key.display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let out_dir = out_dir.to_str().unwrap();
    let expected = format!("main@sha1:{}", s.head);
    let artifact = dir.path().join("artifact.tgz");
    let artifact = artifact.to_str().unwrap();

    let out = gitward(
        &[
            "source",
            "git",
            &s.daemon_url,
            "--output",
            out_dir,
            "--artifact",
            artifact,
        ],
        &[],
        None,
    );
    let (rev, digest) = revision_and_digest(&out);
    assert_eq!(rev, expected);
    assert_eq!(
        text(&out.stdout),
        format!("revision: {rev}\ndigest: {digest}\npath: {out_dir}\nartifact: {artifact}\n")
    );
    assert!(dir.path().join("out/README.md").exists());
    // The tarball written is the one digested, and holds the checkout's files.
    let bytes = std::fs::read(artifact).unwrap();
    assert_eq!(gitward::source::artifact::digest(&bytes), digest);
    let unpacked = gitward::source::artifact::Artifact::from_tarball(
        &bytes,
        Some(&digest),
        &gitward::source::artifact::UntarLimits::default(),
    )
    .unwrap();
    let files: Vec<String> = unpacked
        .members()
        .iter()
        .filter(|m| m.kind == gitward::source::artifact::EntryKind::File)
        .map(|m| String::from_utf8_lossy(&m.path).into_owned())
        .collect();
    assert_eq!(files, ["README.md", "manifests/configmap.yaml"]);
    assert!(
        out.stderr.is_empty(),
        "no progress when stderr is not a terminal"
    );

    let out = gitward(
        &[
            "source",
            "git",
            &s.https_url,
            "--branch",
            "main",
            "--username",
            &s.https_user,
            "--password-stdin",
            "--ca-file",
            &ca,
        ],
        &[],
        Some(&format!("{}\n", s.https_password)),
    );
    assert_eq!(
        revision_and_digest(&out),
        (expected.clone(), digest.clone())
    );

    // The same variables as `source helm|oci`.
    let out = gitward(
        &["source", "git", &s.https_url],
        &[
            ("GITWARD_USERNAME", &s.https_user),
            ("GITWARD_PASSWORD", &s.https_password),
            ("GITWARD_CA_FILE", &ca),
        ],
        None,
    );
    assert_eq!(
        revision_and_digest(&out),
        (expected.clone(), digest.clone())
    );

    // A password file, and the spec.ignore rules changing the artifact.
    let pw = dir.path().join("password");
    std::fs::write(&pw, format!("{}\n", s.https_password)).unwrap();
    let out = gitward(
        &[
            "source",
            "git",
            &s.https_url,
            "--username",
            &s.https_user,
            "--password-file",
            pw.to_str().unwrap(),
            "--ca-file",
            &ca,
            "--ignore",
            "README.md",
        ],
        &[],
        None,
    );
    let (rev, ignored) = revision_and_digest(&out);
    assert_eq!(rev, expected);
    assert_ne!(ignored, digest, "--ignore changes the artifact");

    let cert = s.client_cert.display().to_string();
    let ckey = s.client_key.display().to_string();
    let out = gitward(
        &[
            "source",
            "git",
            &s.mtls_url,
            "--ca-file",
            &ca,
            "--cert-file",
            &cert,
            "--key-file",
            &ckey,
        ],
        &[],
        None,
    );
    assert_eq!(
        revision_and_digest(&out),
        (expected.clone(), digest.clone())
    );

    let out = gitward(
        &[
            "source",
            "git",
            &s.ssh_url,
            "--ssh-key",
            &key,
            "--known-hosts",
            &kh,
        ],
        &[],
        None,
    );
    assert_eq!(
        revision_and_digest(&out),
        (expected.clone(), digest.clone())
    );

    // Unchanged since the last revision.
    let last = format!("main@sha1:{}", s.head);
    let out = gitward(
        &["source", "git", &s.daemon_url, "--last-revision", &last],
        &[],
        None,
    );
    assert_eq!(text(&out.stdout), format!("revision: {last} (unchanged)\n"));
}

#[test]
fn failures_exit_1_without_echoing_credentials() {
    let s = git_servers();
    let ca = s.ca.display().to_string();
    let out = gitward(
        &[
            "source",
            "git",
            &s.https_url,
            "--username",
            "gitward",
            "--password",
            "hunter2-cli-secret",
            "--ca-file",
            &ca,
        ],
        &[],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("authentication"), "{err}");
    assert!(
        !err.contains("hunter2-cli-secret") && !text(&out.stdout).contains("hunter2-cli-secret")
    );

    // An unknown host key is refused; the opt-out must be explicit.
    let key = s.ssh_key.display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let kh = dir.path().join("known_hosts");
    std::fs::write(&kh, s.known_hosts_line(&s.ssh_decoy_pubkey)).unwrap();
    let kh = kh.display().to_string();
    let out = gitward(
        &[
            "source",
            "git",
            &s.ssh_url,
            "--ssh-key",
            &key,
            "--known-hosts",
            &kh,
        ],
        &[],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("host key"),
        "{}",
        text(&out.stderr)
    );
    let out = gitward(
        &[
            "source",
            "git",
            &s.ssh_url,
            "--ssh-key",
            &key,
            "--insecure-skip-host-key-check",
        ],
        &[],
        None,
    );
    assert_eq!(revision_and_digest(&out).0, format!("main@sha1:{}", s.head));

    // Not a branch there.
    let out = gitward(
        &["source", "git", &s.daemon_url, "--branch", "nope"],
        &[],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("branch 'nope' not found"),
        "{}",
        text(&out.stderr)
    );

    // Exclusive reference flags.
    let out = gitward(
        &[
            "source",
            "git",
            &s.daemon_url,
            "--tag",
            "a",
            "--semver",
            "b",
        ],
        &[],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
}
