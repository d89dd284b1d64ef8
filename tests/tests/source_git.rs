//! The Git source (`gitward::io::git`) against the real servers of
//! scripts/test-git-servers.sh: every transport (git://, HTTPS with basic auth, a bearer
//! token or a client certificate, ssh with a plain or a passphrase-protected key), every
//! kind of `spec.ref`, refreshes that find the remote unchanged, shallow fetches, sparse
//! checkouts, submodules, signature verification of commits and tags made by the real
//! `git` (gpg and `ssh-keygen -Y sign`), and the refusals: wrong credentials, unknown
//! and changed host keys, untrusted CAs, unsigned or foreign signatures, hostile trees.
//! No secret may appear in any error, `Debug` output or progress report.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use gitward::io::git::{
    Auth, ErrorKind, FetchOptions, FetchOutcome, GitError, GitSource, HostKeyProblem, Progress,
    Verification, fetch, fetch_async, ls_remote,
};
use gitward::source::git::signature::VerificationKeys;
use gitward::source::git::{GitRef, VerifyMode};
use gitward::tree::{FileTree, RelPath, TreeError};
use gitward_tests::{GitServers, RepoUrls, git_servers, unique_name};

// ---------------------------------------------------------------------------------------
// Fixtures

/// Runs a command, panicking with its output when it fails; returns stdout.
fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A bare repository on the servers and a working copy to build its history in.
struct TestRepo {
    urls: RepoUrls,
    work: tempfile::TempDir,
}

impl TestRepo {
    fn new(prefix: &str) -> TestRepo {
        let s = git_servers();
        let urls = s.new_bare_repo(&format!("{}.git", unique_name(prefix)));
        let work = tempfile::tempdir().expect("tempdir");
        let t = TestRepo { urls, work };
        t.git(&["init", "-q", "-b", "main"]);
        t
    }

    fn git_cmd(&self) -> Command {
        let mut c = Command::new("git");
        c.current_dir(self.work.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", self.work.path())
            .args([
                "-c",
                "user.name=gitward-test",
                "-c",
                "user.email=test@gitward.invalid",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "tag.gpgsign=false",
                "-c",
                "protocol.file.allow=always",
            ]);
        c
    }

    fn git(&self, args: &[&str]) -> String {
        run(self.git_cmd().args(args))
    }

    fn write(&self, path: &str, content: &str) {
        let p = self.work.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }

    /// Commits everything with `message`; returns the commit id.
    fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.head()
    }

    /// Commits everything with a fixed committer time (seconds since the epoch).
    fn commit_at(&self, message: &str, when: u64) -> String {
        self.git(&["add", "-A"]);
        run(self
            .git_cmd()
            .env("GIT_COMMITTER_DATE", format!("@{when} +0000"))
            .args(["commit", "-q", "--allow-empty", "-m", message]));
        self.head()
    }

    fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"])
    }

    /// Pushes every branch and tag (and `extra` refspecs) to the bare repository.
    fn push(&self, extra: &[&str]) {
        let path = self.urls.path.display().to_string();
        let mut args = vec!["push", "-q", "-f", &path, "--all"];
        self.git(&args);
        args = vec!["push", "-q", "-f", &path, "--tags"];
        self.git(&args);
        for spec in extra {
            self.git(&["push", "-q", "-f", &path, spec]);
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn known_hosts(s: &GitServers) -> String {
    read(&s.ssh_known_hosts)
}

/// The transports, each with the credentials it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Via {
    Daemon,
    HttpsBasic,
    HttpsBearer,
    HttpsClientCert,
    Ssh,
    SshEncryptedKey,
}

const ALL_VIAS: [Via; 6] = [
    Via::Daemon,
    Via::HttpsBasic,
    Via::HttpsBearer,
    Via::HttpsClientCert,
    Via::Ssh,
    Via::SshEncryptedKey,
];

fn source(urls: &RepoUrls, via: Via, reference: GitRef) -> GitSource {
    let s = git_servers();
    let (url, auth) = match via {
        Via::Daemon => (urls.git.clone(), Auth::default()),
        Via::HttpsBasic => {
            let mut a = Auth::default();
            a.username = Some(s.https_user.clone());
            a.password = Some(s.https_password.as_str().into());
            a.ca_pem = Some(std::fs::read(&s.ca).expect("ca"));
            (urls.https.clone(), a)
        }
        Via::HttpsBearer => {
            let mut a = Auth::default();
            a.bearer_token = Some(s.https_token.as_str().into());
            a.ca_pem = Some(std::fs::read(&s.ca).expect("ca"));
            (urls.https_bearer.clone(), a)
        }
        Via::HttpsClientCert => {
            let mut a = Auth::default();
            a.ca_pem = Some(std::fs::read(&s.ca).expect("ca"));
            a.client_cert_pem = Some(std::fs::read(&s.client_cert).expect("cert"));
            a.client_key_pem = Some(read(&s.client_key).into());
            (urls.https_mtls.clone(), a)
        }
        Via::Ssh => {
            let mut a = Auth::default();
            a.ssh_key_pem = Some(read(&s.ssh_key).into());
            a.known_hosts = Some(known_hosts(s));
            (urls.ssh.clone(), a)
        }
        Via::SshEncryptedKey => {
            let mut a = Auth::default();
            a.ssh_key_pem = Some(read(&s.ssh_key_encrypted).into());
            a.ssh_passphrase = Some(s.ssh_key_passphrase.as_str().into());
            a.known_hosts = Some(known_hosts(s));
            (urls.ssh.clone(), a)
        }
    };
    let mut src = GitSource::new(url, reference);
    src.auth = auth;
    src
}

fn opts() -> FetchOptions {
    // The default selector is the shared Masterminds module.
    FetchOptions::default()
}

/// Fetches into a fresh directory; returns the outcome and the directory.
fn fetch_new(
    src: &GitSource,
    o: &FetchOptions,
) -> (Result<FetchOutcome, GitError>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = fetch(src, &dir.path().join("out"), o);
    (r, dir)
}

fn fetched(src: &GitSource, o: &FetchOptions) -> (gitward::io::git::Checkout, tempfile::TempDir) {
    let (r, dir) = fetch_new(src, o);
    match r {
        Ok(FetchOutcome::Fetched(c)) => (c, dir),
        other => panic!("fetch of {} ({:?}) gave {other:?}", src.url, src.reference),
    }
}

fn failure(src: &GitSource, o: &FetchOptions) -> GitError {
    let (r, dir) = fetch_new(src, o);
    let e = match r {
        Err(e) => e,
        Ok(o) => panic!("fetch of {} must fail, got {o:?}", src.url),
    };
    assert!(
        !dir.path().join("out").exists(),
        "a failed fetch leaves no destination behind"
    );
    e
}

// ---------------------------------------------------------------------------------------
// Transports

#[test]
fn every_transport_fetches_the_default_branch() {
    let s = git_servers();
    let urls = s.test_repo();
    for via in ALL_VIAS {
        let (c, _dir) = fetched(&source(&urls, via, GitRef::default()), &opts());
        assert_eq!(c.revision, format!("main@sha1:{}", s.head), "{via:?}");
        assert_eq!(c.commit, s.head);
        assert_eq!(
            read(&c.path.join("README.md")),
            "# gitward test repository\n",
            "{via:?}"
        );
        assert!(read(&c.path.join("manifests/configmap.yaml")).contains("gitward-smoke"));
        assert!(
            !c.path.join(".git").exists(),
            "no .git in the checkout ({via:?})"
        );
        let tree = c.tree().expect("tree");
        assert!(tree.read(&RelPath::new("README.md").expect("path")).is_ok());
    }
}

#[test]
fn ls_remote_lists_refs_over_every_transport() {
    let s = git_servers();
    for via in ALL_VIAS {
        let refs = ls_remote(&source(&s.test_repo(), via, GitRef::default()), &opts())
            .unwrap_or_else(|e| panic!("{via:?}: {e}"));
        assert_eq!(
            refs.get("refs/heads/main"),
            Some(s.head.as_str()),
            "{via:?}"
        );
        assert_eq!(
            refs.head_symref.as_deref(),
            Some("refs/heads/main"),
            "{via:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_fetch_runs_on_the_blocking_pool() {
    let s = git_servers();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = fetch_async(
        source(&s.test_repo(), Via::HttpsBasic, GitRef::branch("main")),
        dir.path().join("out"),
        opts(),
    )
    .await
    .expect("fetch");
    assert_eq!(out.revision(), format!("main@sha1:{}", s.head));
}

// ---------------------------------------------------------------------------------------
// References

/// A repository with history on main, a second branch, lightweight and annotated tags,
/// a pre-release, a pull-request ref, and a commit that is no tip.
struct RefsRepo {
    repo: TestRepo,
    first: String,
    main: String,
    dev: String,
    v1_0_0: String,
    v1_2_0: String,
    pull: String,
}

fn refs_repo() -> &'static RefsRepo {
    static R: OnceLock<RefsRepo> = OnceLock::new();
    R.get_or_init(|| {
        let repo = TestRepo::new("refs");
        repo.write("app/config.yaml", "version: 0\n");
        let first = repo.commit("first");
        repo.write("app/config.yaml", "version: 1.0.0\n");
        let v1_0_0 = repo.commit("one");
        repo.git(&["tag", "v1.0.0"]);
        repo.write("app/config.yaml", "version: 1.2.0\n");
        let v1_2_0 = repo.commit("one two");
        repo.git(&["tag", "-a", "v1.2.0", "-m", "release 1.2.0"]);
        repo.write("app/config.yaml", "version: 2.0.0-rc.1\n");
        repo.commit("rc");
        repo.git(&["tag", "v2.0.0-rc.1"]);
        repo.git(&["tag", "not-a-version"]);
        repo.write("app/config.yaml", "version: main\n");
        let main = repo.commit("main");
        repo.git(&["checkout", "-q", "-b", "dev", &v1_0_0]);
        repo.write("dev.txt", "dev\n");
        let dev = repo.commit("dev");
        repo.git(&["checkout", "-q", "-b", "pr", &first]);
        repo.write("pr.txt", "pr\n");
        let pull = repo.commit("pull request");
        repo.git(&["checkout", "-q", "main"]);
        repo.git(&["branch", "-D", "pr"]);
        repo.push(&[&format!("{pull}:refs/pull/1/head")]);
        RefsRepo {
            repo,
            first,
            main,
            dev,
            v1_0_0,
            v1_2_0,
            pull,
        }
    })
}

#[test]
fn every_ref_kind_over_every_transport() {
    let r = refs_repo();
    let cases: Vec<(GitRef, String, &str)> = vec![
        (
            GitRef::default(),
            format!("main@sha1:{}", r.main),
            "version: main\n",
        ),
        (
            GitRef::branch("main"),
            format!("main@sha1:{}", r.main),
            "version: main\n",
        ),
        (
            GitRef::branch("dev"),
            format!("dev@sha1:{}", r.dev),
            "version: 1.0.0\n",
        ),
        (
            GitRef::tag("v1.0.0"),
            format!("v1.0.0@sha1:{}", r.v1_0_0),
            "version: 1.0.0\n",
        ),
        // An annotated tag: the revision names the commit, not the tag object.
        (
            GitRef::tag("v1.2.0"),
            format!("v1.2.0@sha1:{}", r.v1_2_0),
            "version: 1.2.0\n",
        ),
        (
            GitRef::semver(">=1.0.0"),
            format!("v1.2.0@sha1:{}", r.v1_2_0),
            "version: 1.2.0\n",
        ),
        (
            GitRef::semver("<1.1.0"),
            format!("v1.0.0@sha1:{}", r.v1_0_0),
            "version: 1.0.0\n",
        ),
        (
            GitRef::semver(">=2.0.0-rc.0"),
            format!(
                "v2.0.0-rc.1@sha1:{}",
                refs_repo().repo.git(&["rev-parse", "v2.0.0-rc.1^{commit}"])
            ),
            "version: 2.0.0-rc.1\n",
        ),
        (
            GitRef::name("refs/pull/1/head"),
            format!("refs/pull/1/head@sha1:{}", r.pull),
            "version: 0\n",
        ),
        (
            GitRef::name("refs/heads/dev"),
            format!("refs/heads/dev@sha1:{}", r.dev),
            "version: 1.0.0\n",
        ),
        (
            GitRef::name("refs/tags/v1.2.0"),
            format!("refs/tags/v1.2.0@sha1:{}", r.v1_2_0),
            "version: 1.2.0\n",
        ),
        // A commit that is a tip, one that is not, and one named with its branch.
        (
            GitRef::commit(&r.main, None),
            format!("sha1:{}", r.main),
            "version: main\n",
        ),
        (
            GitRef::commit(&r.first, None),
            format!("sha1:{}", r.first),
            "version: 0\n",
        ),
        (
            GitRef::commit(&r.v1_2_0, Some("main".into())),
            format!("main@sha1:{}", r.v1_2_0),
            "version: 1.2.0\n",
        ),
    ];
    for via in [Via::Daemon, Via::HttpsBasic, Via::Ssh] {
        for (reference, revision, config) in &cases {
            let (c, _dir) = fetched(&source(&r.repo.urls, via, reference.clone()), &opts());
            assert_eq!(&c.revision, revision, "{via:?} {reference:?}");
            assert_eq!(
                &read(&c.path.join("app/config.yaml")),
                config,
                "{via:?} {reference:?}"
            );
        }
    }
}

#[test]
fn semver_ties_go_to_the_newest_commit() {
    // Versions equal but for build metadata: Flux takes the tag whose commit is newest,
    // whatever the tag names.
    let repo = TestRepo::new("ties");
    repo.write("v.txt", "old\n");
    repo.commit_at("old", 1_700_000_000);
    repo.git(&["tag", "1.0.0+zzz"]);
    repo.write("v.txt", "new\n");
    let newest = repo.commit_at("new", 1_700_100_000);
    repo.git(&["tag", "-a", "v1.0.0+aaa", "-m", "annotated"]);
    repo.write("v.txt", "older\n");
    repo.commit_at("older", 1_600_000_000);
    repo.git(&["tag", "1.0.0"]);
    repo.push(&[]);
    for via in [Via::Daemon, Via::HttpsBasic] {
        let (c, _dir) = fetched(&source(&repo.urls, via, GitRef::semver("^1.0")), &opts());
        assert_eq!(c.revision, format!("v1.0.0+aaa@sha1:{newest}"), "{via:?}");
        assert_eq!(read(&c.path.join("v.txt")), "new\n");
    }
}

#[test]
fn precedence_picks_the_commit_over_everything_else() {
    let r = refs_repo();
    let mut reference = GitRef::commit(&r.v1_0_0, Some("main".into()));
    reference.tag = Some("v1.2.0".into());
    reference.semver = Some(">=1.0.0".into());
    reference.name = Some("refs/pull/1/head".into());
    let (c, _dir) = fetched(&source(&r.repo.urls, Via::Daemon, reference), &opts());
    assert_eq!(c.revision, format!("main@sha1:{}", r.v1_0_0));
    let mut reference = GitRef::name("refs/pull/1/head");
    reference.semver = Some(">=1.0.0".into());
    reference.tag = Some("v1.0.0".into());
    reference.branch = Some("dev".into());
    let (c, _dir) = fetched(&source(&r.repo.urls, Via::Daemon, reference), &opts());
    assert_eq!(c.revision, format!("refs/pull/1/head@sha1:{}", r.pull));
}

#[test]
fn missing_refs_and_repositories_are_not_found() {
    let r = refs_repo();
    for via in [Via::Daemon, Via::HttpsBasic, Via::Ssh] {
        for reference in [
            GitRef::branch("nope"),
            GitRef::tag("v9.9.9"),
            GitRef::semver(">=9.0.0"),
            GitRef::name("refs/pull/9/head"),
            GitRef::commit(
                "0123456789abcdef0123456789abcdef01234567",
                Some("nope".into()),
            ),
        ] {
            let e = failure(&source(&r.repo.urls, via, reference.clone()), &opts());
            assert_eq!(e.kind(), ErrorKind::NotFound, "{via:?} {reference:?}: {e}");
        }
        let e = failure(
            &source(
                &r.repo.urls,
                via,
                GitRef::commit("0123456789abcdef0123456789abcdef01234567", None),
            ),
            &opts(),
        );
        assert_eq!(e.kind(), ErrorKind::NotFound, "{via:?}: {e}");
        assert!(
            e.to_string()
                .contains("0123456789abcdef0123456789abcdef01234567"),
            "{e}"
        );

        let s = git_servers();
        let missing = RepoUrls {
            path: PathBuf::new(),
            git: r.repo.urls.git.replace("/refs-", "/missing-"),
            https: r.repo.urls.https.replace("/refs-", "/missing-"),
            ssh: r.repo.urls.ssh.replace("/refs-", "/missing-"),
            https_bearer: String::new(),
            https_mtls: String::new(),
        };
        let e = failure(&source(&missing, via, GitRef::default()), &opts());
        assert_eq!(e.kind(), ErrorKind::NotFound, "{via:?}: {e}");
        let _ = s;
    }
    let e = failure(
        &source(&r.repo.urls, Via::Daemon, GitRef::semver("not a range")),
        &opts(),
    );
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    let e = failure(
        &source(&r.repo.urls, Via::Daemon, GitRef::branch("bad..name")),
        &opts(),
    );
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
}

// ---------------------------------------------------------------------------------------
// Refresh

#[test]
fn refresh_of_an_unchanged_remote_fetches_nothing() {
    let repo = TestRepo::new("refresh");
    repo.write("a.txt", "1\n");
    let first = repo.commit("first");
    repo.git(&["tag", "v1.0.0"]);
    repo.push(&[]);
    for via in ALL_VIAS {
        for reference in [
            GitRef::default(),
            GitRef::branch("main"),
            GitRef::tag("v1.0.0"),
            GitRef::semver(">=1.0.0"),
            GitRef::name("refs/heads/main"),
            GitRef::commit(&first, None),
        ] {
            let src = source(&repo.urls, via, reference.clone());
            let (c, _dir) = fetched(&src, &opts());
            let mut o = opts();
            o.last_revision = Some(c.revision.clone());
            let dir = tempfile::tempdir().expect("tempdir");
            let dest = dir.path().join("out");
            let again = fetch(&src, &dest, &o).expect("refresh");
            assert_eq!(
                again,
                FetchOutcome::Unchanged {
                    revision: c.revision.clone()
                },
                "{via:?} {reference:?}"
            );
            assert!(!dest.exists(), "an unchanged refresh writes nothing");
        }
    }
    // A revision in Flux's old format counts too.
    let src = source(&repo.urls, Via::Daemon, GitRef::branch("main"));
    let mut o = opts();
    o.last_revision = Some(format!("main/{first}"));
    let (r, _dir) = fetch_new(&src, &o);
    assert!(matches!(r, Ok(FetchOutcome::Unchanged { .. })), "{r:?}");

    // A new commit is fetched.
    repo.write("a.txt", "2\n");
    let second = repo.commit("second");
    repo.push(&[]);
    for via in ALL_VIAS {
        let mut o = opts();
        o.last_revision = Some(format!("main@sha1:{first}"));
        let (c, _dir) = fetched(&source(&repo.urls, via, GitRef::branch("main")), &o);
        assert_eq!(c.revision, format!("main@sha1:{second}"));
        assert_eq!(read(&c.path.join("a.txt")), "2\n");
    }
}

// ---------------------------------------------------------------------------------------
// Shallow, sparse, submodules

/// Bytes a fetch receives, as its progress reports them.
fn received_bytes(src: &GitSource, shallow: bool) -> u64 {
    let seen = Arc::new(Mutex::new(0u64));
    let s2 = Arc::clone(&seen);
    let mut o = opts();
    o.shallow = shallow;
    o.progress = Some(Arc::new(move |p: &Progress| {
        let mut m = s2.lock().expect("lock");
        *m = (*m).max(p.received_bytes);
    }));
    let (_c, _dir) = fetched(src, &o);
    *seen.lock().expect("lock")
}

#[test]
fn fetches_are_shallow() {
    let repo = TestRepo::new("shallow");
    for i in 0..30u32 {
        // Incompressible content, different in every commit.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ u64::from(i + 1);
        let noise: String = (0..4000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from(b'a' + (x % 26) as u8)
            })
            .collect();
        repo.write("data.txt", &noise);
        repo.commit(&format!("commit {i}"));
    }
    repo.push(&[]);
    for via in [Via::Daemon, Via::HttpsBasic, Via::Ssh] {
        let src = source(&repo.urls, via, GitRef::branch("main"));
        let shallow = received_bytes(&src, true);
        let full = received_bytes(&src, false);
        assert!(shallow > 0, "{via:?}");
        assert!(
            shallow * 5 < full,
            "{via:?}: shallow fetch received {shallow} bytes, full {full}"
        );
    }
}

#[test]
fn sparse_checkout_writes_only_the_directories_asked_for() {
    let repo = TestRepo::new("sparse");
    repo.write("apps/a.yaml", "a\n");
    repo.write("apps/deep/b.yaml", "b\n");
    repo.write("infra/c.yaml", "c\n");
    repo.write("top.yaml", "top\n");
    repo.commit("tree");
    repo.push(&[]);
    for via in [Via::Daemon, Via::HttpsBasic] {
        let mut src = source(&repo.urls, via, GitRef::branch("main"));
        src.sparse_checkout = vec!["./apps".into()];
        let (c, _dir) = fetched(&src, &opts());
        assert!(c.path.join("apps/a.yaml").exists(), "{via:?}");
        assert!(c.path.join("apps/deep/b.yaml").exists(), "{via:?}");
        assert!(!c.path.join("infra").exists(), "{via:?}");
        assert!(!c.path.join("top.yaml").exists(), "{via:?}");
    }
    let mut src = source(&repo.urls, Via::Daemon, GitRef::branch("main"));
    src.sparse_checkout = vec!["../outside".into()];
    assert_eq!(failure(&src, &opts()).kind(), ErrorKind::InvalidInput);
}

#[test]
fn submodules_are_checked_out_when_asked() {
    let sub = TestRepo::new("sub");
    sub.write("lib.yaml", "lib: v1\n");
    sub.commit("lib v1");
    sub.push(&[]);
    sub.write("lib.yaml", "lib: v2\n");
    sub.commit("lib v2");
    sub.push(&[]);
    let pinned = sub.git(&["rev-parse", "HEAD~1"]);

    let sup = TestRepo::new("super");
    sup.write("app.yaml", "app\n");
    // A relative URL, resolved against whichever transport the superproject came over.
    let sub_name = sub
        .urls
        .path
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    sup.git(&[
        "submodule",
        "add",
        "-q",
        &sub.urls.path.display().to_string(),
        "vendor/lib",
    ]);
    sup.git(&[
        "config",
        "-f",
        ".gitmodules",
        "submodule.vendor/lib.url",
        &format!("../{sub_name}"),
    ]);
    run(Command::new("git")
        .current_dir(sup.work.path().join("vendor/lib"))
        .args(["checkout", "-q", &pinned]));
    sup.commit("with submodule");
    sup.push(&[]);

    for via in [Via::Daemon, Via::HttpsBasic, Via::Ssh] {
        let mut src = source(&sup.urls, via, GitRef::branch("main"));
        let (c, _dir) = fetched(&src, &opts());
        assert!(c.path.join("vendor/lib").is_dir(), "{via:?}");
        assert!(!c.path.join("vendor/lib/lib.yaml").exists(), "{via:?}");
        src.recurse_submodules = true;
        let (c, _dir) = fetched(&src, &opts());
        assert_eq!(
            read(&c.path.join("vendor/lib/lib.yaml")),
            "lib: v1\n",
            "{via:?}"
        );
        assert!(!c.path.join("vendor/lib/.git").exists(), "{via:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Auth refusals

#[test]
fn wrong_credentials_are_refused() {
    let s = git_servers();
    let urls = s.test_repo();

    let mut src = source(&urls, Via::HttpsBasic, GitRef::default());
    src.auth.password = Some("wrong-password".into());
    let e = failure(&src, &opts());
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    assert!(matches!(e, GitError::Auth { .. }), "{e:?}");

    let mut src = source(&urls, Via::HttpsBasic, GitRef::default());
    src.auth.username = None;
    src.auth.password = None;
    assert!(matches!(failure(&src, &opts()), GitError::Auth { .. }));

    let mut src = source(&urls, Via::HttpsBearer, GitRef::default());
    src.auth.bearer_token = Some("wrong-token".into());
    assert!(matches!(failure(&src, &opts()), GitError::Auth { .. }));

    // Basic auth and a token together are contradictory.
    let mut src = source(&urls, Via::HttpsBearer, GitRef::default());
    src.auth.username = Some("u".into());
    assert_eq!(failure(&src, &opts()).kind(), ErrorKind::InvalidInput);

    // The client-certificate server without a certificate.
    let mut src = source(&urls, Via::HttpsClientCert, GitRef::default());
    src.auth.client_cert_pem = None;
    src.auth.client_key_pem = None;
    let e = failure(&src, &opts());
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");

    // An ssh key the server does not know; a wrong passphrase.
    let dir = tempfile::tempdir().expect("tempdir");
    let stranger = dir.path().join("stranger");
    run(Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&stranger));
    let mut src = source(&urls, Via::Ssh, GitRef::default());
    src.auth.ssh_key_pem = Some(read(&stranger).into());
    let e = failure(&src, &opts());
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    let mut src = source(&urls, Via::SshEncryptedKey, GitRef::default());
    src.auth.ssh_passphrase = Some("wrong-passphrase".into());
    let e = failure(&src, &opts());
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    let mut src = source(&urls, Via::SshEncryptedKey, GitRef::default());
    src.auth.ssh_passphrase = None;
    assert_eq!(failure(&src, &opts()).kind(), ErrorKind::Auth);
}

#[test]
fn untrusted_tls_servers_are_refused() {
    let s = git_servers();
    let mut src = source(&s.test_repo(), Via::HttpsBasic, GitRef::default());
    src.auth.ca_pem = None;
    let e = failure(&src, &opts());
    assert!(matches!(e, GitError::Tls { .. }), "{e:?}");
    // Another CA is no better.
    let dir = tempfile::tempdir().expect("tempdir");
    run(Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=other",
        ])
        .arg("-keyout")
        .arg(dir.path().join("k"))
        .arg("-out")
        .arg(dir.path().join("c")));
    src.auth.ca_pem = Some(std::fs::read(dir.path().join("c")).expect("ca"));
    let e = failure(&src, &opts());
    assert!(matches!(e, GitError::Tls { .. }), "{e:?}");
}

#[test]
fn ssh_host_keys_are_checked() {
    let s = git_servers();
    let urls = s.test_repo();

    // Listed with another key: changed.
    let mut src = source(&urls, Via::Ssh, GitRef::default());
    src.auth.known_hosts = Some(s.known_hosts_line(&s.ssh_decoy_pubkey));
    let e = failure(&src, &opts());
    assert!(
        matches!(
            &e,
            GitError::HostKey {
                problem: HostKeyProblem::Changed { .. },
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .contains(&format!("[127.0.0.1]:{}", s.ssh_port)),
        "{e}"
    );

    // Not listed: unknown.
    src.auth.known_hosts = Some(format!("[127.0.0.1]:1 {}", read(&s.ssh_host_pubkey)));
    let e = failure(&src, &opts());
    assert!(
        matches!(
            &e,
            GitError::HostKey {
                problem: HostKeyProblem::Unknown { .. },
                ..
            }
        ),
        "{e:?}"
    );

    // Revoked.
    src.auth.known_hosts = Some(format!(
        "{}@revoked * {}",
        known_hosts(s),
        read(&s.ssh_host_pubkey)
    ));
    let e = failure(&src, &opts());
    assert!(
        matches!(
            &e,
            GitError::HostKey {
                problem: HostKeyProblem::Revoked { .. },
                ..
            }
        ),
        "{e:?}"
    );

    // No known_hosts at all: refused before connecting.
    src.auth.known_hosts = None;
    let e = failure(&src, &opts());
    assert!(
        matches!(
            &e,
            GitError::HostKey {
                problem: HostKeyProblem::NoKnownHosts,
                ..
            }
        ),
        "{e:?}"
    );

    // Unless the caller explicitly opts out.
    src.auth.insecure_skip_host_key_check = true;
    let (c, _dir) = fetched(&src, &opts());
    assert_eq!(c.commit, s.head);
}

// ---------------------------------------------------------------------------------------
// Verification

/// A gpg home with a signing key (and a second, untrusted one), and ssh signing keys.
struct Signers {
    _dir: tempfile::TempDir,
    gnupg: PathBuf,
    gpg_fpr: String,
    gpg_other_fpr: String,
    gpg_public: String,
    ssh_key: PathBuf,
    ssh_other_key: PathBuf,
    ssh_public: String,
}

impl Drop for Signers {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", &self.gnupg)
            .args(["--kill", "gpg-agent"])
            .output();
    }
}

fn signers() -> &'static Signers {
    static S: OnceLock<Signers> = OnceLock::new();
    S.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let gnupg = dir.path().join("gnupg");
        std::fs::create_dir_all(&gnupg).expect("gnupg");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&gnupg, std::fs::Permissions::from_mode(0o700))
                .expect("chmod");
        }
        let gpg = |args: &[&str]| {
            run(Command::new("gpg")
                .env("GNUPGHOME", &gnupg)
                .args(["--batch", "--quiet"])
                .args(args))
        };
        gpg(&[
            "--passphrase",
            "",
            "--quick-gen-key",
            "Signer <signer@gitward.invalid>",
            "ed25519",
            "sign",
            "never",
        ]);
        gpg(&[
            "--passphrase",
            "",
            "--quick-gen-key",
            "Other <other@gitward.invalid>",
            "ed25519",
            "sign",
            "never",
        ]);
        let fprs = |uid: &str| -> String {
            let out = gpg(&["--with-colons", "--list-keys", uid]);
            out.lines()
                .find(|l| l.starts_with("fpr:"))
                .and_then(|l| l.split(':').nth(9))
                .expect("fingerprint")
                .to_owned()
        };
        let gpg_fpr = fprs("signer@gitward.invalid");
        let gpg_other_fpr = fprs("other@gitward.invalid");
        let gpg_public = gpg(&["--armor", "--export", &gpg_fpr]);
        let ssh_key = dir.path().join("ssh_signing");
        let ssh_other_key = dir.path().join("ssh_other");
        for k in [&ssh_key, &ssh_other_key] {
            run(Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", "signer", "-f"])
                .arg(k));
        }
        let ssh_public = read(&ssh_key.with_extension("pub"));
        Signers {
            gnupg,
            gpg_fpr,
            gpg_other_fpr,
            gpg_public,
            ssh_key,
            ssh_other_key,
            ssh_public,
            _dir: dir,
        }
    })
}

impl TestRepo {
    /// A git command signing with gpg key `fpr`.
    fn gpg_git(&self, fpr: &str, args: &[&str]) -> String {
        let s = signers();
        run(self
            .git_cmd()
            .env("GNUPGHOME", &s.gnupg)
            .args([
                "-c",
                &format!("user.signingkey={fpr}"),
                "-c",
                "gpg.format=openpgp",
            ])
            .args(args))
    }

    /// A git command signing with the ssh key at `key`.
    fn ssh_git(&self, key: &Path, args: &[&str]) -> String {
        run(self
            .git_cmd()
            .args([
                "-c",
                "gpg.format=ssh",
                "-c",
                &format!("user.signingkey={}", key.display()),
            ])
            .args(args))
    }
}

struct SignedRepo {
    repo: TestRepo,
}

/// Branches and tags signed in every way: `gpg` (gpg commit, gpg tag), `ssh` (ssh commit
/// and tag), `unsigned` (plain commit, annotated unsigned tag), `foreign` (signed by the
/// keys nobody trusts), and the lightweight tag `light`.
fn signed_repo() -> &'static SignedRepo {
    static R: OnceLock<SignedRepo> = OnceLock::new();
    R.get_or_init(|| {
        let s = signers();
        let repo = TestRepo::new("signed");
        repo.write("f.txt", "base\n");
        repo.commit("base");
        for branch in ["gpg", "ssh", "unsigned", "foreign-gpg", "foreign-ssh"] {
            repo.git(&["checkout", "-q", "-B", branch, "main"]);
            repo.write("f.txt", &format!("{branch}\n"));
            repo.git(&["add", "-A"]);
            let msg = format!("{branch} commit");
            let tag = format!("{branch}-tag");
            let tmsg = format!("{branch} tag");
            match branch {
                "gpg" => {
                    repo.gpg_git(&s.gpg_fpr, &["commit", "-q", "-S", "-m", &msg]);
                    repo.gpg_git(&s.gpg_fpr, &["tag", "-s", &tag, "-m", &tmsg]);
                }
                "foreign-gpg" => {
                    repo.gpg_git(&s.gpg_other_fpr, &["commit", "-q", "-S", "-m", &msg]);
                    repo.gpg_git(&s.gpg_other_fpr, &["tag", "-s", &tag, "-m", &tmsg]);
                }
                "ssh" => {
                    repo.ssh_git(&s.ssh_key, &["commit", "-q", "-S", "-m", &msg]);
                    repo.ssh_git(&s.ssh_key, &["tag", "-s", &tag, "-m", &tmsg]);
                }
                "foreign-ssh" => {
                    repo.ssh_git(&s.ssh_other_key, &["commit", "-q", "-S", "-m", &msg]);
                    repo.ssh_git(&s.ssh_other_key, &["tag", "-s", &tag, "-m", &tmsg]);
                }
                _ => {
                    repo.git(&["commit", "-q", "-m", &msg]);
                    repo.git(&["tag", "-a", &tag, "-m", &tmsg]);
                }
            }
        }
        repo.git(&["tag", "light", "gpg"]);
        repo.git(&["checkout", "-q", "main"]);
        repo.push(&[]);
        SignedRepo { repo }
    })
}

fn keys() -> VerificationKeys {
    let s = signers();
    VerificationKeys::from_entries([
        ("signer.asc", s.gpg_public.as_str()),
        ("signer.sshpub", s.ssh_public.as_str()),
    ])
}

fn verifying(reference: GitRef, mode: VerifyMode, via: Via) -> GitSource {
    let mut src = source(&signed_repo().repo.urls, via, reference);
    src.verify = Some(Verification::new(mode, keys()));
    src
}

#[test]
fn signed_commits_and_tags_verify() {
    let s = signers();
    for via in [Via::Daemon, Via::HttpsBasic] {
        for kind in ["gpg", "ssh"] {
            let (c, _dir) = fetched(
                &verifying(GitRef::branch(kind), VerifyMode::Head, via),
                &opts(),
            );
            assert_eq!(c.verified.len(), 1, "{kind}");
            assert!(
                c.verified[0].object.starts_with("commit '"),
                "{:?}",
                c.verified
            );
            let tag = format!("{kind}-tag");
            let (c, _dir) = fetched(&verifying(GitRef::tag(&tag), VerifyMode::Tag, via), &opts());
            assert_eq!(c.verified.len(), 1);
            assert!(
                c.verified[0].object.starts_with(&format!("tag '{tag}@")),
                "{:?}",
                c.verified
            );
            let (c, _dir) = fetched(
                &verifying(GitRef::tag(&tag), VerifyMode::TagAndHead, via),
                &opts(),
            );
            assert_eq!(c.verified.len(), 2, "{:?}", c.verified);
            if kind == "gpg" {
                // The primary key id, as Flux reports it.
                assert!(
                    s.gpg_fpr.ends_with(&c.verified[0].signer.key),
                    "{:?}",
                    c.verified
                );
            } else {
                assert!(
                    c.verified[0].signer.key.starts_with("SHA256:"),
                    "{:?}",
                    c.verified
                );
            }
        }
    }
}

#[test]
fn unsigned_or_foreign_signatures_are_refused() {
    let via = Via::Daemon;
    let cases = [
        (GitRef::branch("unsigned"), VerifyMode::Head, "commit '"),
        (GitRef::branch("foreign-gpg"), VerifyMode::Head, "commit '"),
        (GitRef::branch("foreign-ssh"), VerifyMode::Head, "commit '"),
        (
            GitRef::tag("unsigned-tag"),
            VerifyMode::Tag,
            "tag 'unsigned-tag@",
        ),
        (
            GitRef::tag("foreign-gpg-tag"),
            VerifyMode::Tag,
            "tag 'foreign-gpg-tag@",
        ),
        (
            GitRef::tag("foreign-ssh-tag"),
            VerifyMode::Tag,
            "tag 'foreign-ssh-tag@",
        ),
        (GitRef::tag("light"), VerifyMode::Tag, "tag 'light'"),
        // The tag is signed, the commit under it is not... it is (gpg): use unsigned's.
        (
            GitRef::tag("unsigned-tag"),
            VerifyMode::TagAndHead,
            "tag 'unsigned-tag@",
        ),
    ];
    for (reference, mode, names) in cases {
        let e = failure(&verifying(reference.clone(), mode, via), &opts());
        assert_eq!(e.kind(), ErrorKind::Verification, "{reference:?}: {e}");
        assert!(
            e.to_string().contains(names),
            "{reference:?} {mode}: the error names the object: {e}"
        );
    }
    // A signed commit but no key of its kind.
    let mut src = verifying(GitRef::branch("gpg"), VerifyMode::Head, via);
    src.verify = Some(Verification::new(
        VerifyMode::Head,
        VerificationKeys::from_entries([("k.sshpub", signers().ssh_public.as_str())]),
    ));
    let e = failure(&src, &opts());
    assert!(e.to_string().contains("no PGP public keys"), "{e}");
    // Tag mode on a branch: there is no tag to verify.
    let e = failure(
        &verifying(GitRef::branch("gpg"), VerifyMode::Tag, via),
        &opts(),
    );
    assert_eq!(e.kind(), ErrorKind::Verification, "{e}");
    assert!(e.to_string().contains("tag reference"), "{e}");
}

// ---------------------------------------------------------------------------------------
// Hostile trees and limits

#[test]
fn symlinks_out_of_the_checkout_are_confined() {
    let repo = TestRepo::new("hostile");
    repo.write("ok.yaml", "ok\n");
    std::os::unix::fs::symlink("/etc/passwd", repo.work.path().join("passwd")).expect("symlink");
    std::os::unix::fs::symlink("../../../../../../etc", repo.work.path().join("etc"))
        .expect("symlink");
    std::os::unix::fs::symlink("ok.yaml", repo.work.path().join("inside")).expect("symlink");
    repo.commit("links");
    repo.push(&[]);
    let (c, _dir) = fetched(
        &source(&repo.urls, Via::Daemon, GitRef::branch("main")),
        &opts(),
    );
    let tree = c.tree().expect("tree");
    let p = |s: &str| RelPath::new(s).expect("path");
    assert_eq!(tree.read(&p("inside")).expect("inside link"), b"ok\n");
    assert!(matches!(
        tree.read(&p("passwd")),
        Err(TreeError::SymlinkEscape { .. })
    ));
    assert!(matches!(
        tree.read(&p("etc/hostname")),
        Err(TreeError::SymlinkEscape { .. })
    ));
    // The artifact packs no link at all (source-controller skips them), so nothing from
    // outside the checkout ends up in it.
    let artifact = c
        .artifact(None, &gitward::source::walk::WalkLimits::default())
        .expect("artifact");
    let names: Vec<&[u8]> = artifact.members().iter().map(|m| &m.path[..]).collect();
    assert_eq!(names, [&b""[..], b"ok.yaml"], "{names:?}");
}

#[test]
fn the_artifact_follows_sourceignore_and_spec_ignore() {
    let repo = TestRepo::new("ignore");
    repo.write(".sourceignore", "secret/\n");
    repo.write("app/deploy.yaml", "kind: A\n");
    repo.write("app/.sourceignore", "*.md\n");
    repo.write("app/notes.md", "notes\n");
    repo.write("secret/key.yaml", "k\n");
    repo.write("logo.png", "png\n");
    repo.write("tests/t.yaml", "t\n");
    repo.commit("ignore rules");
    repo.push(&[]);
    let (c, _dir) = fetched(
        &source(&repo.urls, Via::Daemon, GitRef::branch("main")),
        &opts(),
    );
    let limits = gitward::source::walk::WalkLimits::default();
    let names = |spec: Option<&str>| -> Vec<String> {
        let a = c.artifact(spec, &limits).expect("artifact");
        a.members()
            .iter()
            .map(|m| String::from_utf8_lossy(&m.path).into_owned())
            .collect()
    };
    // With rules present, source-controller keeps only the VCS exclusions as defaults
    // (so `logo.png` stays), and each `.sourceignore` applies below its directory.
    assert_eq!(
        names(None),
        [
            "",
            ".sourceignore",
            "app",
            "app/.sourceignore",
            "app/deploy.yaml",
            "logo.png",
            "tests",
            "tests/t.yaml"
        ]
    );
    let with_spec = names(Some("tests/\n*.png\n"));
    assert_eq!(
        with_spec,
        [
            "",
            ".sourceignore",
            "app",
            "app/.sourceignore",
            "app/deploy.yaml"
        ]
    );
    let packed = c
        .artifact(None, &limits)
        .expect("artifact")
        .pack()
        .expect("pack");
    let again = c
        .artifact(None, &limits)
        .expect("artifact")
        .pack()
        .expect("pack");
    assert_eq!(packed, again, "reproducible");
}

#[test]
fn size_limits_are_enforced() {
    let repo = TestRepo::new("big");
    // Incompressible: a xorshift stream.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let big: String = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'a' + (x % 26) as u8)
        })
        .collect();
    repo.write("big.txt", &big);
    repo.commit("big");
    repo.push(&[]);
    for via in [Via::Daemon, Via::HttpsBasic] {
        let src = source(&repo.urls, via, GitRef::branch("main"));
        let mut o = opts();
        o.limits.max_checkout_bytes = 100_000;
        let e = failure(&src, &o);
        assert!(matches!(&e, GitError::TooLarge { .. }), "{via:?}: {e:?}");
        let mut o = opts();
        o.limits.max_download_bytes = 10_000;
        let e = failure(&src, &o);
        assert!(matches!(&e, GitError::TooLarge { .. }), "{via:?}: {e:?}");
        let mut o = opts();
        o.limits.max_files = 0;
        let e = failure(&src, &o);
        assert!(matches!(&e, GitError::TooLarge { .. }), "{via:?}: {e:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Secrets

#[test]
fn no_secret_in_any_error_or_debug_output() {
    let s = git_servers();
    let urls = s.test_repo();
    let key = read(&s.ssh_key);
    let enc_key = read(&s.ssh_key_encrypted);
    let client_key = read(&s.client_key);
    let mut secrets: Vec<String> = vec![
        s.https_password.clone(),
        s.https_token.clone(),
        s.ssh_key_passphrase.clone(),
        "wrong-password-7731".into(),
        "wrong-token-7731".into(),
        "wrong-passphrase-7731".into(),
        "url-password-7731".into(),
    ];
    for pem in [&key, &enc_key, &client_key] {
        secrets.extend(
            pem.lines()
                .filter(|l| !l.starts_with("-----") && l.len() > 16)
                .map(str::to_owned),
        );
    }

    let mut outputs = Vec::new();
    let progress_log = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&progress_log);
    let mut o = opts();
    o.progress = Some(Arc::new(move |p: &Progress| {
        log.lock().expect("lock").push(format!("{p:?}"));
    }));

    let mut sources = Vec::new();
    for via in ALL_VIAS {
        sources.push(source(&urls, via, GitRef::default()));
    }
    let mut bad = source(&urls, Via::HttpsBasic, GitRef::default());
    bad.auth.password = Some("wrong-password-7731".into());
    sources.push(bad);
    let mut bad = source(&urls, Via::HttpsBearer, GitRef::default());
    bad.auth.bearer_token = Some("wrong-token-7731".into());
    sources.push(bad);
    let mut bad = source(&urls, Via::SshEncryptedKey, GitRef::default());
    bad.auth.ssh_passphrase = Some("wrong-passphrase-7731".into());
    sources.push(bad);
    let mut bad = source(&urls, Via::Ssh, GitRef::default());
    bad.auth.known_hosts = Some(s.known_hosts_line(&s.ssh_decoy_pubkey));
    sources.push(bad);
    // Credentials in the URL itself.
    let mut bad = source(&urls, Via::HttpsBasic, GitRef::default());
    bad.url = urls
        .https
        .replace("https://", "https://gitward:url-password-7731@");
    bad.auth.username = None;
    bad.auth.password = None;
    sources.push(bad);
    let mut bad = source(&urls, Via::HttpsBasic, GitRef::branch("missing"));
    bad.auth.password = Some("wrong-password-7731".into());
    sources.push(bad);
    let mut bad = source(&urls, Via::HttpsBasic, GitRef::default());
    bad.url = "ftp://gitward:url-password-7731@127.0.0.1/x".into();
    sources.push(bad);
    let mut bad = source(&urls, Via::HttpsBasic, GitRef::default());
    bad.url = urls
        .https
        .replace("https://", "http://gitward:url-password-7731@");
    sources.push(bad);

    for src in &sources {
        outputs.push(format!("{src:?}"));
        outputs.push(format!("{:?}", src.auth));
        let (r, _dir) = fetch_new(src, &o);
        match r {
            Ok(out) => outputs.push(format!("{out:?}")),
            Err(e) => {
                outputs.push(e.to_string());
                outputs.push(format!("{e:?}"));
            }
        }
        if let Err(e) = ls_remote(src, &o) {
            outputs.push(e.to_string());
            outputs.push(format!("{e:?}"));
        }
    }
    outputs.extend(progress_log.lock().expect("lock").iter().cloned());
    assert!(outputs.len() > 40);
    for out in &outputs {
        for secret in &secrets {
            assert!(
                !out.contains(secret.as_str()),
                "a secret leaked into: {out}"
            );
        }
    }
}
