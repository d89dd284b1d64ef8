//! Smoke tests of the git servers (scripts/test-git-servers.sh) through git2:
//! git daemon, git http-backend behind nginx over HTTPS with basic auth, and sshd.

use std::path::Path;
use std::sync::{Arc, Mutex};

use git2::build::RepoBuilder;
use git2::{FetchOptions, PushOptions, RemoteCallbacks, Repository, Signature};
use gitward_tests::{GitServers, git_servers, ssh_known_hosts_check, unique_name};

fn clone(
    url: &str,
    callbacks: RemoteCallbacks<'static>,
    into: &Path,
) -> Result<Repository, git2::Error> {
    let mut fo = FetchOptions::new();
    fo.remote_callbacks(callbacks);
    RepoBuilder::new().fetch_options(fo).clone(url, into)
}

/// The error of a clone that must fail.
fn clone_err(url: &str, callbacks: RemoteCallbacks<'static>, into: &Path) -> git2::Error {
    match clone(url, callbacks, into) {
        Ok(_) => panic!("clone of {url} succeeded but must fail"),
        Err(e) => e,
    }
}

/// The clone has the commit and content `up` created.
fn assert_is_test_repo(repo: &Repository, servers: &GitServers) {
    let head = repo.head().expect("HEAD");
    assert_eq!(head.shorthand().ok(), Some("main"));
    let commit = head.peel_to_commit().expect("HEAD commit");
    assert_eq!(commit.id().to_string(), servers.head);
    let readme = std::fs::read_to_string(repo.workdir().expect("workdir").join("README.md"))
        .expect("README.md");
    assert_eq!(readme, "# gitward test repository\n");
    let cm = std::fs::read_to_string(
        repo.workdir()
            .expect("workdir")
            .join("manifests/configmap.yaml"),
    )
    .expect("manifests/configmap.yaml");
    assert!(cm.contains("name: gitward-smoke"), "{cm}");
}

#[test]
fn clone_over_git_daemon() {
    let s = git_servers();
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = clone(&s.daemon_url, RemoteCallbacks::new(), dir.path()).expect("clone git://");
    assert_is_test_repo(&repo, s);
}

#[test]
fn clone_over_https_with_basic_auth() {
    let s = git_servers();
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = clone(
        &s.https_url,
        s.https_callbacks(&s.https_user, &s.https_password),
        dir.path(),
    )
    .expect("clone https:// with the right password");
    assert_is_test_repo(&repo, s);
}

#[test]
fn https_refuses_a_wrong_password() {
    let s = git_servers();
    let dir = tempfile::tempdir().expect("tempdir");
    let err = clone_err(
        &s.https_url,
        s.https_callbacks(&s.https_user, "wrong"),
        dir.path(),
    );
    assert!(
        err.message().contains("authentication refused") || err.code() == git2::ErrorCode::Auth,
        "unexpected error: {err} ({:?}/{:?})",
        err.class(),
        err.code()
    );
}

#[test]
fn https_server_is_not_trusted_without_the_test_ca() {
    // Only the test CA vouches for the server: libgit2's own check (system
    // roots) must refuse it, which shows the callback is doing real work.
    let s = git_servers();
    let dir = tempfile::tempdir().expect("tempdir");
    let user = s.https_user.clone();
    let password = s.https_password.clone();
    let mut cb = RemoteCallbacks::new();
    cb.credentials(move |_, _, _| git2::Cred::userpass_plaintext(&user, &password));
    let err = clone_err(&s.https_url, cb, dir.path());
    assert_eq!(
        err.class(),
        git2::ErrorClass::Ssl,
        "unexpected error: {err}"
    );
}

#[test]
fn clone_over_ssh_with_a_known_host() {
    let s = git_servers();
    let dir = tempfile::tempdir().expect("tempdir");
    // A known_hosts file written by the test, with the server's real host key.
    let known_hosts = dir.path().join("known_hosts");
    std::fs::write(&known_hosts, s.known_hosts_line(&s.ssh_host_pubkey)).expect("known_hosts");
    let repo = clone(
        &s.ssh_url,
        s.ssh_callbacks(&known_hosts),
        &dir.path().join("clone"),
    )
    .expect("clone ssh:// with the host key known");
    assert_is_test_repo(&repo, s);
}

#[test]
fn ssh_refuses_an_unknown_host_key() {
    let s = git_servers();
    let dir = tempfile::tempdir().expect("tempdir");
    // known_hosts lists another key for the same address.
    let known_hosts = dir.path().join("known_hosts");
    std::fs::write(&known_hosts, s.known_hosts_line(&s.ssh_decoy_pubkey)).expect("known_hosts");

    // The support crate's check, wrapped to record what it decided.
    let verdicts: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::clone(&verdicts);
    let mut check = ssh_known_hosts_check(&known_hosts, s.ssh_port);
    let (user, key, pubkey) = (s.ssh_user.clone(), s.ssh_key.clone(), s.ssh_pubkey.clone());
    let mut cb = RemoteCallbacks::new();
    cb.credentials(move |_, _, _| git2::Cred::ssh_key(&user, Some(&pubkey), &key, None));
    cb.certificate_check(move |cert, host| {
        let r = check(cert, host);
        let verdict = match &r {
            Ok(_) => "accepted".to_owned(),
            Err(e) => e.message().to_owned(),
        };
        seen.lock().expect("lock").push(verdict);
        r
    });

    let err = clone_err(&s.ssh_url, cb, &dir.path().join("clone"));
    assert_eq!(
        err.class(),
        git2::ErrorClass::Ssh,
        "unexpected error: {err}"
    );
    let verdicts = verdicts.lock().expect("lock");
    assert_eq!(verdicts.len(), 1, "{verdicts:?}");
    assert!(
        verdicts[0].contains("is not in known_hosts"),
        "{verdicts:?}"
    );
    assert!(!dir.path().join("clone").join("README.md").exists());
}

#[test]
fn push_over_ssh_and_https_then_fetch_over_git_daemon() {
    let s = git_servers();
    let urls = s.new_bare_repo(&format!("{}.git", unique_name("push")));
    let dir = tempfile::tempdir().expect("tempdir");
    let known_hosts = dir.path().join("known_hosts");
    std::fs::write(&known_hosts, s.known_hosts_line(&s.ssh_host_pubkey)).expect("known_hosts");

    // A local repository with one commit.
    let local = Repository::init(dir.path().join("local")).expect("init");
    let sig = Signature::now("gitward-test", "test@gitward.invalid").expect("signature");
    std::fs::write(dir.path().join("local/file.txt"), "pushed\n").expect("write");
    let mut index = local.index().expect("index");
    index.add_path(Path::new("file.txt")).expect("add");
    let tree = local
        .find_tree(index.write_tree().expect("tree"))
        .expect("tree");
    let first = local
        .commit(Some("refs/heads/main"), &sig, &sig, "first", &tree, &[])
        .expect("commit");

    // Push main over ssh.
    let mut po = PushOptions::new();
    po.remote_callbacks(s.ssh_callbacks(&known_hosts));
    local
        .remote_anonymous(&urls.ssh)
        .expect("remote")
        .push(&["refs/heads/main:refs/heads/main"], Some(&mut po))
        .expect("push over ssh");

    // Push a second commit over HTTPS.
    let parent = local.find_commit(first).expect("commit");
    let second = local
        .commit(
            Some("refs/heads/main"),
            &sig,
            &sig,
            "second",
            &tree,
            &[&parent],
        )
        .expect("commit");
    let mut po = PushOptions::new();
    po.remote_callbacks(s.https_callbacks(&s.https_user, &s.https_password));
    local
        .remote_anonymous(&urls.https)
        .expect("remote")
        .push(&["refs/heads/main:refs/heads/main"], Some(&mut po))
        .expect("push over https");

    // The server's repository has it, and git:// serves it.
    let bare = Repository::open_bare(&urls.path).expect("open bare");
    assert_eq!(bare.refname_to_id("refs/heads/main").expect("main"), second);
    let fetched = clone(
        &urls.git,
        RemoteCallbacks::new(),
        &dir.path().join("fetched"),
    )
    .expect("clone git://");
    assert_eq!(fetched.head().expect("HEAD").target(), Some(second));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("fetched/file.txt")).expect("file"),
        "pushed\n"
    );
}
