//! `gitward source helm` and `gitward source oci` as a user runs them: every way of
//! giving credentials (flags, environment, standard input, files, a Docker config), right
//! and wrong, and a search of everything the command printed for the secrets.
//!
//! Uses the `gitward` binary built next to this test (`cargo test --workspace` builds it;
//! `GITWARD_BIN` overrides).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use base64::Engine as _;
use gitward_tests::oci_push::{self, Pusher, Which};
use gitward_tests::{helm_repo, registry, unique_name};

fn gitward() -> PathBuf {
    if let Some(p) = std::env::var_os("GITWARD_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("test binary");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let bin = dir.join("gitward");
    assert!(
        bin.is_file(),
        "{} is missing: build it first (cargo build -p gitward-cli) or set GITWARD_BIN",
        bin.display()
    );
    bin
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(gitward());
    cmd.args(args)
        .env_remove("GITWARD_USERNAME")
        .env_remove("GITWARD_PASSWORD")
        .env_remove("GITWARD_PASSWORD_FILE")
        .env_remove("GITWARD_REGISTRY_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run gitward");
    if let (Some(mut i), Some(s)) = (child.stdin.take(), stdin) {
        i.write_all(s.as_bytes()).expect("stdin");
    }
    let out = child.wait_with_output().expect("wait");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn no_output_ever_holds_a_credential() {
    let h = helm_repo();
    let r = registry();
    let ca = h.ca.to_string_lossy().into_owned();
    let wrong = "wrong-Pa55word-x9";
    let dir = tempfile::tempdir().expect("tempdir");
    let pw_file = dir.path().join("password");
    std::fs::write(&pw_file, format!("{}\n", h.password)).expect("password file");
    let reg_pw_file = dir.path().join("registry-password");
    std::fs::write(&reg_pw_file, &r.password).expect("password file");
    let wrong_file = dir.path().join("wrong");
    std::fs::write(&wrong_file, wrong).expect("wrong file");

    let repo = format!("gitward/{}", unique_name("cli"));
    for which in [Which::Basic, Which::Token] {
        let p = Pusher::new(r, which, &repo);
        oci_push::push_flux_artifact(&p, &repo, "v1", &[("a.yaml", b"a: 1\n")]);
    }
    let basic_b64 =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", r.user, r.password));
    let wrong_b64 = base64::engine::general_purpose::STANDARD.encode(format!("{}:{wrong}", r.user));
    let docker_config = dir.path().join("config.json");
    std::fs::write(
        &docker_config,
        format!(
            r#"{{"auths": {{"{}": {{"auth": "{basic_b64}"}}, "{}": {{"auth": "{wrong_b64}"}}}}}}"#,
            r.token, r.secure
        ),
    )
    .expect("docker config");
    let secure = format!("oci://{}/{repo}", r.secure);
    let token = format!("oci://{}/{repo}", r.token);
    let pw_file_s = pw_file.to_string_lossy().into_owned();
    let reg_pw_file_s = reg_pw_file.to_string_lossy().into_owned();
    let wrong_file_s = wrong_file.to_string_lossy().into_owned();
    let docker_config_s = docker_config.to_string_lossy().into_owned();
    let chart = h.chart.as_str();
    let private = h.private_url.as_str();

    // (args, env, stdin, should succeed)
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, Option<&'a str>, bool);
    let cases: Vec<Case<'_>> = vec![
        (
            vec![
                "source",
                "helm",
                private,
                chart,
                "--ca-file",
                &ca,
                "--username",
                &h.user,
                "--password",
                &h.password,
            ],
            vec![],
            None,
            true,
        ),
        (
            vec![
                "source",
                "helm",
                private,
                chart,
                "--ca-file",
                &ca,
                "--username",
                &h.user,
                "--password",
                wrong,
            ],
            vec![],
            None,
            false,
        ),
        (
            vec![
                "source",
                "helm",
                private,
                chart,
                "--ca-file",
                &ca,
                "--username",
                &h.user,
                "--password-stdin",
            ],
            vec![],
            Some(&h.password),
            true,
        ),
        (
            vec![
                "source",
                "helm",
                private,
                chart,
                "--ca-file",
                &ca,
                "--username",
                &h.user,
                "--password-stdin",
            ],
            vec![],
            Some(wrong),
            false,
        ),
        (
            vec![
                "source",
                "helm",
                private,
                chart,
                "--ca-file",
                &ca,
                "--username",
                &h.user,
                "--password-file",
                &pw_file_s,
            ],
            vec![],
            None,
            true,
        ),
        (
            vec!["source", "helm", private, chart, "--ca-file", &ca],
            vec![
                ("GITWARD_USERNAME", &h.user),
                ("GITWARD_PASSWORD", &h.password),
            ],
            None,
            true,
        ),
        (
            vec!["source", "helm", private, chart, "--ca-file", &ca],
            vec![("GITWARD_USERNAME", &h.user), ("GITWARD_PASSWORD", wrong)],
            None,
            false,
        ),
        (
            vec!["source", "helm", private, chart],
            vec![
                ("GITWARD_USERNAME", &h.user),
                ("GITWARD_PASSWORD", &h.password),
            ],
            None,
            false,
        ),
        (
            vec![
                "source",
                "oci",
                &secure,
                "--tag",
                "v1",
                "--ca-file",
                &ca,
                "--username",
                &r.user,
                "--password",
                &r.password,
            ],
            vec![],
            None,
            true,
        ),
        (
            vec![
                "source",
                "oci",
                &secure,
                "--tag",
                "v1",
                "--ca-file",
                &ca,
                "--username",
                &r.user,
                "--password",
                wrong,
            ],
            vec![],
            None,
            false,
        ),
        (
            vec![
                "source",
                "oci",
                &token,
                "--tag",
                "v1",
                "--ca-file",
                &ca,
                "--username",
                &r.user,
                "--password-file",
                &reg_pw_file_s,
            ],
            vec![],
            None,
            true,
        ),
        (
            vec![
                "source",
                "oci",
                &token,
                "--tag",
                "v1",
                "--ca-file",
                &ca,
                "--username",
                &r.user,
                "--password-file",
                &wrong_file_s,
            ],
            vec![],
            None,
            false,
        ),
        (
            vec![
                "source",
                "oci",
                &token,
                "--tag",
                "v1",
                "--ca-file",
                &ca,
                "--registry-config",
                &docker_config_s,
            ],
            vec![],
            None,
            true,
        ),
        (
            vec!["source", "oci", &secure, "--tag", "v1", "--ca-file", &ca],
            vec![("GITWARD_REGISTRY_CONFIG", &docker_config_s)],
            None,
            false,
        ),
        (
            vec!["source", "oci", "--help"],
            vec![
                ("GITWARD_PASSWORD", &r.password),
                ("GITWARD_USERNAME", &r.user),
            ],
            None,
            true,
        ),
        (
            vec!["source", "helm", "--help"],
            vec![("GITWARD_PASSWORD", &h.password)],
            None,
            true,
        ),
    ];
    let secrets = [
        h.password.as_str(),
        r.password.as_str(),
        wrong,
        basic_b64.as_str(),
        wrong_b64.as_str(),
    ];
    for (args, env, stdin, ok) in &cases {
        let out = run(args, env, *stdin);
        let all = format!("{}\n{}", out.stdout, out.stderr);
        for s in secrets {
            assert!(!all.contains(s), "{args:?} printed a secret:\n{all}");
        }
        assert_eq!(out.code == 0, *ok, "{args:?} exit {}:\n{all}", out.code);
        if *ok && !args.contains(&"--help") {
            assert!(
                out.stdout.starts_with("revision: "),
                "{args:?}: {}",
                out.stdout
            );
            assert!(
                out.stdout.contains("\ndigest: sha256:"),
                "{args:?}: {}",
                out.stdout
            );
        }
    }
}

#[test]
fn source_helm_prints_flux_revision_and_digest() {
    let h = helm_repo();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(
        &[
            "source",
            "helm",
            &h.http_url,
            &h.chart,
            "--version",
            "0.1.0",
            "--output",
            &dir.path().to_string_lossy(),
        ],
        &[],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let file = dir.path().join(format!("{}-0.1.0.tgz", h.chart));
    let digest = gitward::source::oci::Digest::sha256_of(&std::fs::read(&file).expect("saved"));
    assert_eq!(
        out.stdout,
        format!(
            "revision: 0.1.0\ndigest: {digest}\npath: {}\n",
            file.display()
        )
    );
    let out = run(&["source", "helm", &h.http_url, "absent"], &[], None);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        format!(
            "Error: chart \"absent\" not found in {} repository\n",
            h.http_url
        )
    );
}

#[test]
fn source_oci_prints_flux_revision_and_digest() {
    let r = registry();
    let repo = format!("gitward/{}", unique_name("cli-oci"));
    let p = Pusher::new(r, Which::Plain, &repo);
    let manifest = oci_push::push_flux_artifact(&p, &repo, "v2", &[("dir/a.yaml", b"a: 1\n")]);
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("out");
    let url = format!("oci://{}/{repo}", r.plain);
    let out = run(
        &[
            "source",
            "oci",
            &url,
            "--tag",
            "v2",
            "--insecure",
            "--output",
            &target.to_string_lossy(),
        ],
        &[],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with(&format!("revision: v2@{manifest}\ndigest: sha256:")),
        "{}",
        out.stdout
    );
    assert_eq!(
        std::fs::read(target.join("dir/a.yaml")).expect("extracted"),
        b"a: 1\n"
    );
    let out = run(
        &["source", "oci", &url, "--digest", &manifest, "--insecure"],
        &[],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with(&format!("revision: {manifest}\n")),
        "{}",
        out.stdout
    );
}
