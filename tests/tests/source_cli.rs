//! `gitward source helm`, `gitward source oci` and `gitward source git` as a user runs
//! them: every way of giving credentials (flags, environment, standard input, files, a
//! Docker config; for Git also bearer tokens and ssh keys), right and wrong, through the
//! one credential surface the three share, and a search of everything the command printed
//! for the secrets.
//!
//! Uses the `gitward` binary built next to this test (`cargo test --workspace` builds it;
//! `GITWARD_BIN` overrides).

use std::io::Write as _;
use std::process::{Command, Stdio};

use base64::Engine as _;
use gitward_tests::gitward_bin as gitward;
use gitward_tests::oci_push::{self, Pusher, Which};
use gitward_tests::{git_servers, helm_repo, registry, unique_name};

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
        .env_remove("GITWARD_CA_FILE")
        .env_remove("GITWARD_CERT_FILE")
        .env_remove("GITWARD_KEY_FILE")
        .env_remove("GITWARD_BEARER_TOKEN")
        .env_remove("GITWARD_BEARER_TOKEN_FILE")
        .env_remove("GITWARD_SSH_KEY")
        .env_remove("GITWARD_SSH_KEY_PASSPHRASE")
        .env_remove("GITWARD_SSH_KEY_PASSPHRASE_FILE")
        .env_remove("GITWARD_KNOWN_HOSTS")
        .env(
            "HOME",
            std::env::temp_dir().join("gitward-source-cli-no-home"),
        )
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
fn source_git_takes_the_same_credentials_and_never_prints_them() {
    let g = git_servers();
    let ca = g.ca.to_string_lossy().into_owned();
    let wrong = "wrong-Git-Pa55word-q7";
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p.to_string_lossy().into_owned()
    };
    let pw_file = write("password", &format!("{}\n", g.https_password));
    let wrong_file = write("wrong", wrong);
    let token_file = write("token", &format!("{}\n", g.https_token));
    let wrong_token_file = write("wrong-token", wrong);
    let passphrase_file = write("passphrase", &format!("{}\n", g.ssh_key_passphrase));
    let ssh_key = g.ssh_key_encrypted.to_string_lossy().into_owned();
    let known_hosts = g.ssh_known_hosts.to_string_lossy().into_owned();
    let cert = g.client_cert.to_string_lossy().into_owned();
    let key = g.client_key.to_string_lossy().into_owned();
    let key_text = std::fs::read_to_string(&g.client_key).expect("client key");
    let ssh_key_text = std::fs::read_to_string(&g.ssh_key_encrypted).expect("ssh key");
    let basic_b64 = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", g.https_user, g.https_password));
    let wrong_b64 =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{wrong}", g.https_user));
    let user = g.https_user.as_str();
    let (https, bearer, mtls, ssh) = (
        g.https_url.as_str(),
        g.https_bearer_url.as_str(),
        g.mtls_url.as_str(),
        g.ssh_url.as_str(),
    );

    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, Option<&'a str>, bool);
    let cases: Vec<Case<'_>> = vec![
        // Flags, standard input, files, environment: the names `source helm|oci` take.
        (
            vec![
                "source",
                "git",
                https,
                "--username",
                user,
                "--password",
                &g.https_password,
                "--ca-file",
                &ca,
            ],
            vec![],
            None,
            true,
        ),
        (
            vec![
                "source",
                "git",
                https,
                "--username",
                user,
                "--password-stdin",
                "--ca-file",
                &ca,
            ],
            vec![],
            Some(&g.https_password),
            true,
        ),
        (
            vec![
                "source",
                "git",
                https,
                "--username",
                user,
                "--password-file",
                &pw_file,
            ],
            vec![("GITWARD_CA_FILE", &ca)],
            None,
            true,
        ),
        (
            vec!["source", "git", https],
            vec![
                ("GITWARD_USERNAME", user),
                ("GITWARD_PASSWORD", &g.https_password),
                ("GITWARD_CA_FILE", &ca),
            ],
            None,
            true,
        ),
        (
            vec!["source", "git", https, "--ca-file", &ca],
            vec![
                ("GITWARD_USERNAME", user),
                ("GITWARD_PASSWORD_FILE", &pw_file),
            ],
            None,
            true,
        ),
        (
            vec![
                "source",
                "git",
                https,
                "--username",
                user,
                "--password",
                wrong,
                "--ca-file",
                &ca,
            ],
            vec![],
            None,
            false,
        ),
        (
            vec![
                "source",
                "git",
                https,
                "--username",
                user,
                "--password-file",
                &wrong_file,
                "--ca-file",
                &ca,
            ],
            vec![],
            None,
            false,
        ),
        // Without the CA: the server is not trusted (the system's roots do not hold it).
        (
            vec![
                "source",
                "git",
                https,
                "--username",
                user,
                "--password-file",
                &pw_file,
            ],
            vec![],
            None,
            false,
        ),
        // Bearer tokens: from a file (flag or variable) or the variable itself.
        (
            vec![
                "source",
                "git",
                bearer,
                "--bearer-token-file",
                &token_file,
                "--ca-file",
                &ca,
            ],
            vec![],
            None,
            true,
        ),
        (
            vec!["source", "git", bearer, "--ca-file", &ca],
            vec![("GITWARD_BEARER_TOKEN", &g.https_token)],
            None,
            true,
        ),
        (
            vec!["source", "git", bearer, "--ca-file", &ca],
            vec![("GITWARD_BEARER_TOKEN_FILE", &wrong_token_file)],
            None,
            false,
        ),
        // Mutual TLS, from the variables.
        (
            vec!["source", "git", mtls],
            vec![
                ("GITWARD_CA_FILE", &ca),
                ("GITWARD_CERT_FILE", &cert),
                ("GITWARD_KEY_FILE", &key),
            ],
            None,
            true,
        ),
        // ssh: an encrypted key and its passphrase, from files or the environment.
        (
            vec![
                "source",
                "git",
                ssh,
                "--ssh-key",
                &ssh_key,
                "--ssh-key-passphrase-file",
                &passphrase_file,
                "--known-hosts",
                &known_hosts,
            ],
            vec![],
            None,
            true,
        ),
        (
            vec!["source", "git", ssh],
            vec![
                ("GITWARD_SSH_KEY", &ssh_key),
                ("GITWARD_SSH_KEY_PASSPHRASE", &g.ssh_key_passphrase),
                ("GITWARD_KNOWN_HOSTS", &known_hosts),
            ],
            None,
            true,
        ),
        (
            vec![
                "source",
                "git",
                ssh,
                "--ssh-key",
                &ssh_key,
                "--known-hosts",
                &known_hosts,
            ],
            vec![("GITWARD_SSH_KEY_PASSPHRASE", wrong)],
            None,
            false,
        ),
        (
            vec!["source", "git", "--help"],
            vec![
                ("GITWARD_PASSWORD", &g.https_password),
                ("GITWARD_BEARER_TOKEN", &g.https_token),
                ("GITWARD_SSH_KEY_PASSPHRASE", &g.ssh_key_passphrase),
            ],
            None,
            true,
        ),
    ];
    let key_lines: Vec<&str> = key_text
        .lines()
        .chain(ssh_key_text.lines())
        .filter(|l| !l.starts_with("-----") && l.len() >= 16)
        .collect();
    let mut secrets = vec![
        g.https_password.as_str(),
        g.https_token.as_str(),
        g.ssh_key_passphrase.as_str(),
        wrong,
        basic_b64.as_str(),
        wrong_b64.as_str(),
    ];
    secrets.extend(key_lines);
    for (args, env, stdin, ok) in &cases {
        let out = run(args, env, *stdin);
        let all = format!("{}\n{}", out.stdout, out.stderr);
        for s in &secrets {
            assert!(!all.contains(s), "{args:?} printed a secret:\n{all}");
        }
        assert_eq!(out.code == 0, *ok, "{args:?} exit {}:\n{all}", out.code);
        if *ok && !args.contains(&"--help") {
            let want = format!("revision: main@sha1:{}\ndigest: sha256:", g.head);
            assert!(out.stdout.starts_with(&want), "{args:?}: {}", out.stdout);
            // Progress is drawn only on a terminal.
            assert_eq!(out.stderr, "", "{args:?}");
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
    assert_eq!(out.stderr, "", "no progress when stderr is not a terminal");
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
