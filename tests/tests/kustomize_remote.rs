//! Remote kustomize inputs against the real servers: bases and components cloned over
//! HTTPS (test CA, basic auth from git's credential store) and ssh (key, known_hosts),
//! files fetched over HTTP(S), charts pulled from the Helm repository. Every successful
//! build is compared byte for byte with `kubectl kustomize` of the reference tools
//! (kubectl v1.35, kustomize v5.7.1) on the same inputs, whose git is given the same
//! credentials (a temporary `HOME` with a credential store, `GIT_SSL_CAINFO`,
//! `GIT_SSH_COMMAND`). Refusals are compared with kustomize's messages, and no output may
//! hold a credential.
//!
//! Uses the `gitward` binary built next to this test (`GITWARD_BIN` overrides) and the
//! reference kubectl (`GITWARD_REF_KUBECTL`, else `KUBECTL`, else
//! `~/.cache/gitward-reference/kubectl/kubectl` as `/work/shared/tools/reference-tools.sh`
//! installs it).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gitward_tests::gitward_bin as gitward;
use gitward_tests::{GitServers, RepoUrls, git_servers, helm_repo, unique_name};

fn kubectl() -> PathBuf {
    let p = std::env::var_os("GITWARD_REF_KUBECTL")
        .or_else(|| std::env::var_os("KUBECTL"))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME"))
                .join(".cache/gitward-reference/kubectl/kubectl")
        });
    assert!(
        p.is_file(),
        "the reference kubectl {} is missing: run /work/shared/tools/reference-tools.sh",
        p.display()
    );
    p
}

fn helm3() -> PathBuf {
    let p = std::env::var_os("GITWARD_REF_HELM3")
        .or_else(|| std::env::var_os("HELM3"))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME"))
                .join(".cache/gitward-reference/helm3/helm/helm")
        });
    assert!(
        p.is_file(),
        "the reference helm v3 {} is missing: run /work/shared/tools/reference-tools.sh",
        p.display()
    );
    p
}

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

/// What a build printed.
#[derive(Debug)]
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// A workspace: a `HOME` for both tools' git (credential store), and the inputs.
struct Ws {
    dir: tempfile::TempDir,
    s: &'static GitServers,
}

impl Ws {
    fn new() -> Ws {
        let s = git_servers();
        let dir = tempfile::tempdir().expect("tempdir");
        let ws = Ws { dir, s };
        std::fs::create_dir_all(ws.home()).expect("home");
        ws
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn write(&self, p: &str, content: &str) {
        let p = self.path(p);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }

    /// Stores the HTTPS credentials as `git credential-store` does, for both tools.
    fn store_credentials(&self, password: &str) {
        let host = self
            .s
            .https_url
            .strip_prefix("https://")
            .and_then(|r| r.split('/').next())
            .expect("host");
        let enc: String = password
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        std::fs::write(
            self.home().join(".git-credentials"),
            format!("https://{}:{enc}@{host}\n", self.s.https_user),
        )
        .expect("credentials");
        std::fs::write(
            self.home().join(".gitconfig"),
            "[credential]\n\thelper = store\n",
        )
        .expect("gitconfig");
    }

    fn env(&self, cmd: &mut Command) {
        let ca = self.s.ca.display().to_string();
        let ssh = format!(
            "ssh -i {} -o IdentitiesOnly=yes -o UserKnownHostsFile={} -o StrictHostKeyChecking=yes -o BatchMode=yes",
            self.s.ssh_key.display(),
            self.s.ssh_known_hosts.display()
        );
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_SSL_CAINFO", &ca)
            .env("SSL_CERT_FILE", &ca)
            .env("GIT_SSH_COMMAND", ssh)
            .env("GITWARD_SSH_KEY", &self.s.ssh_key)
            .env("GITWARD_KNOWN_HOSTS", &self.s.ssh_known_hosts)
            .env("TMPDIR", self.dir.path())
            .current_dir(self.dir.path())
            .stdin(Stdio::null());
    }

    fn gitward(&self, args: &[&str]) -> Out {
        let mut cmd = Command::new(gitward());
        self.env(&mut cmd);
        cmd.arg("kustomize").args(args);
        output(cmd)
    }

    fn kubectl(&self, args: &[&str]) -> Out {
        let mut cmd = Command::new(kubectl());
        self.env(&mut cmd);
        cmd.arg("kustomize").args(args);
        output(cmd)
    }

    /// Both tools on `args`: both succeed with the same bytes.
    fn same(&self, args: &[&str]) -> String {
        let want = self.kubectl(args);
        assert_eq!(want.code, 0, "kubectl kustomize {args:?} failed: {want:?}");
        let got = self.gitward(args);
        assert_eq!(got.code, 0, "gitward kustomize {args:?} failed: {got:?}");
        assert_eq!(got.stdout, want.stdout, "gitward and kubectl differ");
        self.no_secret(&got);
        got.stdout
    }

    /// Both tools fail; gitward with exit 1. Returns (gitward, kubectl).
    fn both_fail(&self, args: &[&str]) -> (Out, Out) {
        let want = self.kubectl(args);
        assert_ne!(
            want.code, 0,
            "kubectl kustomize {args:?} succeeded: {want:?}"
        );
        let got = self.gitward(args);
        assert_eq!(got.code, 1, "gitward kustomize {args:?}: {got:?}");
        self.no_secret(&got);
        (got, want)
    }

    fn no_secret(&self, o: &Out) {
        for secret in [&self.s.https_password, &self.s.ssh_key_passphrase] {
            assert!(
                !o.stdout.contains(secret.as_str()) && !o.stderr.contains(secret.as_str()),
                "a secret was printed: {o:?}"
            );
        }
        let key = std::fs::read_to_string(&self.s.ssh_key).expect("key");
        for line in key
            .lines()
            .filter(|l| !l.starts_with("-----") && l.len() > 16)
        {
            assert!(!o.stderr.contains(line), "the ssh key was printed");
        }
    }
}

fn output(mut cmd: Command) -> Out {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A repository of bases on the servers: `v1.0` (tag), then `main` moves on.
struct BaseRepo {
    urls: RepoUrls,
    _work: tempfile::TempDir,
}

const BASE_K: &str = "resources:\n- cm.yaml\nnamePrefix: remote-\ncommonLabels:\n  from: base\n";

fn cm(name: &str, value: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  key: {value}\n")
}

impl BaseRepo {
    fn new() -> BaseRepo {
        let s = git_servers();
        let urls = s.new_bare_repo(&format!("{}.git", unique_name("kbase")));
        let work = tempfile::tempdir().expect("tempdir");
        let git = |args: &[&str]| {
            run(Command::new("git")
                .current_dir(work.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("HOME", work.path())
                .args([
                    "-c",
                    "user.name=gitward-test",
                    "-c",
                    "user.email=test@gitward.invalid",
                    "-c",
                    "commit.gpgsign=false",
                    "-c",
                    "tag.gpgsign=false",
                ])
                .args(args))
        };
        let write = |p: &str, c: &str| {
            let p = work.path().join(p);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, c).expect("write");
        };
        git(&["init", "-q", "-b", "main"]);
        write("base/kustomization.yaml", BASE_K);
        write("base/cm.yaml", &cm("settings", "v1"));
        // A base that uses a local base of the same repository.
        write(
            "overlay/kustomization.yaml",
            "resources:\n- ../base\n- svc.yaml\nnameSuffix: -ov\n",
        );
        write(
            "overlay/svc.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n",
        );
        write(
            "comp/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nlabels:\n- pairs:\n    component: remote\n",
        );
        write("other/kustomization.yaml", "resources:\n- cm.yaml\n");
        write("other/cm.yaml", &cm("other", "o1"));
        // A base that leaves the repository.
        write("escape/kustomization.yaml", "resources:\n- ../../outside\n");
        write("file.yaml", &cm("plain", "p"));
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", "v1"]);
        git(&["tag", "v1.0"]);
        git(&["tag", "-a", "-m", "annotated", "v1.0-annotated"]);
        write("base/cm.yaml", &cm("settings", "v2"));
        git(&["commit", "-q", "-am", "v2"]);
        git(&["branch", "release"]);
        write("base/cm.yaml", &cm("settings", "v3-main"));
        git(&["commit", "-q", "-am", "v3"]);
        let path = urls.path.display().to_string();
        git(&["push", "-q", "-f", &path, "--all"]);
        git(&["push", "-q", "-f", &path, "--tags"]);
        BaseRepo { urls, _work: work }
    }
}

fn overlay(ws: &Ws, resources: &[String]) {
    let mut k = String::from("resources:\n");
    for r in resources {
        k.push_str(&format!("- {r}\n"));
    }
    ws.write("ov/kustomization.yaml", &k);
}

#[test]
fn https_base_at_tag_branch_and_default_matches_kubectl() {
    let repo = BaseRepo::new();
    let ws = Ws::new();
    ws.store_credentials(&git_servers().https_password);
    let u = &repo.urls.https;
    for (spec, want) in [
        (format!("{u}//base?ref=v1.0"), "key: v1"),
        (format!("{u}//base?ref=v1.0-annotated"), "key: v1"),
        (format!("{u}//base?version=release"), "key: v2"),
        (format!("{u}//base?ref=main"), "key: v3-main"),
        (format!("{u}//base"), "key: v3-main"),
        (
            format!("{u}//overlay?ref=v1.0&timeout=20s&submodules=false"),
            "key: v1",
        ),
        (format!("git::{u}//base?ref=v1.0"), "key: v1"),
    ] {
        overlay(&ws, std::slice::from_ref(&spec));
        let out = ws.same(&["ov"]);
        assert!(out.contains(want), "{spec}: {out}");
    }
}

#[test]
fn same_repository_twice_with_components_and_nested_bases() {
    let repo = BaseRepo::new();
    let ws = Ws::new();
    ws.store_credentials(&git_servers().https_password);
    let u = &repo.urls.https;
    ws.write(
        "ov/kustomization.yaml",
        &format!(
            "resources:\n- {u}//base?ref=v1.0\n- {u}//other?ref=v1.0\n- local.yaml\ncomponents:\n- {u}//comp?ref=v1.0\nnamespace: team\n"
        ),
    );
    ws.write("ov/local.yaml", &cm("local", "l"));
    let out = ws.same(&["ov"]);
    assert!(out.contains("component: remote") && out.contains("name: other"));
    // A remote base whose kustomization names a remote base.
    ws.write(
        "top/kustomization.yaml",
        "resources:\n- ../ov\nnamePrefix: top-\n",
    );
    ws.same(&["top"]);
}

#[test]
fn ssh_base_matches_kubectl() {
    let repo = BaseRepo::new();
    let ws = Ws::new();
    let u = &repo.urls.ssh;
    overlay(&ws, &[format!("{u}//overlay?ref=v1.0")]);
    let out = ws.same(&["ov"]);
    assert!(out.contains("name: remote-settings-ov"), "{out}");
    // An unknown host key is refused.
    let ws2 = Ws::new();
    overlay(&ws2, &[format!("{u}//base?ref=v1.0")]);
    std::fs::write(ws2.path("kh"), "").expect("kh");
    let mut cmd = Command::new(gitward());
    ws2.env(&mut cmd);
    cmd.env("GITWARD_KNOWN_HOSTS", ws2.path("kh"))
        .args(["kustomize", "ov"]);
    let o = output(cmd);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(o.stderr.contains("host key"), "{o:?}");
}

#[test]
fn remote_url_as_build_target() {
    let repo = BaseRepo::new();
    let ws = Ws::new();
    ws.store_credentials(&git_servers().https_password);
    let target = format!("{}//overlay?ref=v1.0", repo.urls.https);
    ws.same(&[target.as_str()]);
}

#[test]
fn refusals_read_like_kustomize() {
    let repo = BaseRepo::new();
    let ws = Ws::new();
    ws.store_credentials(&git_servers().https_password);
    let u = &repo.urls.https;

    overlay(&ws, &[format!("{u}//base?ref=v9")]);
    let (g, k) = ws.both_fail(&["ov"]);
    let want = format!(
        "error: accumulating resources: accumulation err='accumulating resources from '{u}//base?ref=v9': URL is a git repository': failed to run 'git fetch --depth=1 {u} v9': fatal: couldn't find remote ref v9"
    );
    assert!(g.stderr.starts_with(&want), "{g:?}");
    assert!(
        k.stderr
            .contains("URL is a git repository': failed to run '")
            && k.stderr.contains(&format!(
                "fetch --depth=1 {u} v9': fatal: couldn't find remote ref v9"
            )),
        "{k:?}"
    );

    overlay(&ws, &[format!("{u}//nope?ref=v1.0")]);
    let (g, k) = ws.both_fail(&["ov"]);
    assert!(
        g.stderr.contains(&format!(
            "URL is a git repository': evalsymlink failure on '{u}//nope' : lstat {u}//nope: no such file or directory"
        )),
        "{g:?}"
    );
    assert!(k.stderr.contains("evalsymlink failure on '/tmp"), "{k:?}");

    overlay(&ws, &[format!("{u}//file.yaml?ref=v1.0")]);
    let (g, k) = ws.both_fail(&["ov"]);
    assert!(
        g.stderr
            .contains("refers to file 'file.yaml'; expecting directory"),
        "{g:?}"
    );
    assert!(
        k.stderr
            .contains("refers to file 'file.yaml'; expecting directory"),
        "{k:?}"
    );

    overlay(&ws, &[format!("{u}//escape?ref=v1.0")]);
    let (g, _k) = ws.both_fail(&["ov"]);
    assert!(g.stderr.contains("must be within the repo"), "{g:?}");

    // A repository that does not exist.
    let missing = u.replace(".git", "-missing.git");
    overlay(&ws, &[format!("{missing}//base?ref=v1.0")]);
    let (g, _k) = ws.both_fail(&["ov"]);
    assert!(
        g.stderr.contains("failed to run 'git fetch --depth=1 "),
        "{g:?}"
    );

    // git:// is not a URL kustomize clones: both read it as a local path.
    overlay(&ws, &[format!("{}//base?ref=v1.0", repo.urls.git)]);
    let (g, k) = ws.both_fail(&["ov"]);
    assert!(g.stderr.contains("must build at directory"), "{g:?}");
    assert!(k.stderr.contains("must build at directory"), "{k:?}");

    // Wrong credentials: refused, and the password is never printed.
    let ws2 = Ws::new();
    ws2.store_credentials("not-the-password");
    overlay(&ws2, &[format!("{u}//base?ref=v1.0")]);
    let (g, _k) = ws2.both_fail(&["ov"]);
    assert!(g.stderr.contains("authentication"), "{g:?}");
    assert!(!g.stderr.contains("not-the-password"), "{g:?}");
}

#[test]
fn timeout_is_honoured() {
    // A server that accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let _keep = std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in listener.incoming().flatten() {
            held.push(c);
        }
    });
    let ws = Ws::new();
    overlay(
        &ws,
        &[format!(
            "ssh://git@127.0.0.1:{port}/org/repo.git//base?timeout=2"
        )],
    );
    let t = Instant::now();
    let g = ws.gitward(&["ov"]);
    assert_eq!(g.code, 1, "{g:?}");
    assert!(
        t.elapsed() < Duration::from_secs(15),
        "took {:?}",
        t.elapsed()
    );
    assert!(
        g.stderr.contains(&format!(
            "hit 2s timeout running 'git fetch --depth=1 ssh://git@127.0.0.1:{port}/org/repo.git HEAD'"
        )),
        "{g:?}"
    );
    let k = ws.kubectl(&["ov"]);
    assert_ne!(k.code, 0);
    assert!(k.stderr.contains("hit 2s timeout running"), "{k:?}");
}

/// Writes `files` under a new directory of the Helm repository's web root; returns its
/// HTTPS and HTTP URLs.
fn serve(files: &[(&str, &str)]) -> (String, String) {
    let h = helm_repo();
    let dir = unique_name("kfiles");
    for (p, c) in files {
        let path = h.dir.join(&dir).join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, c).expect("write");
    }
    (
        format!("{}/{dir}", h.url.trim_end_matches('/')),
        format!("{}/{dir}", h.http_url.trim_end_matches('/')),
    )
}

#[test]
fn remote_files_match_kubectl() {
    let (https, http) = serve(&[
        ("cm.yaml", &cm("fetched", "f")),
        (
            "patch.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fetched\ndata:\n  patched: \"yes\"\n",
        ),
    ]);
    let ws = Ws::new();
    ws.write(
        "ov/kustomization.yaml",
        &format!("resources:\n- {https}/cm.yaml\npatches:\n- path: {http}/patch.yaml\n"),
    );
    let out = ws.same(&["ov"]);
    assert!(out.contains("patched: \"yes\""), "{out}");

    // A URL of one path segment is no repository for kustomize: a 404 ends the build.
    let root = helm_repo().url.trim_end_matches('/').to_owned();
    overlay(&ws, &[format!("{root}/{}.yaml", unique_name("missing"))]);
    let (g, k) = ws.both_fail(&["ov"]);
    assert_eq!(g.stderr, k.stderr);
    assert!(
        g.stderr.contains("HTTP Error: status code 404 (Not Found)"),
        "{g:?}"
    );
    // Of two or more, it is: after the 404, kustomize tries to clone it.
    overlay(&ws, &[format!("{https}/missing.yaml")]);
    let (g, k) = ws.both_fail(&["ov"]);
    let head = format!(
        "error: accumulating resources: accumulation err='accumulating resources from '{https}/missing.yaml': URL is a git repository': failed to run '"
    );
    assert!(g.stderr.starts_with(&head), "{g:?}");
    assert!(k.stderr.starts_with(&head), "{k:?}");
}

#[test]
fn remote_helm_charts_match_kubectl() {
    let h = helm_repo();
    let ws = Ws::new();
    for (repo, version) in [
        (h.http_url.clone(), "0.1.0"),
        (h.url.clone(), "0.2.0"),
        (h.url.clone(), ""),
    ] {
        let version_line = if version.is_empty() {
            String::new()
        } else {
            format!("  version: {version}\n")
        };
        let k = format!(
            "helmCharts:\n- name: {}\n  repo: {repo}\n{version_line}  releaseName: rel\n  valuesInline:\n    extra: inline\n",
            h.chart
        );
        // kubectl writes the pulled chart into the chart home: each tool gets a copy.
        ws.write("k1/kustomization.yaml", &k);
        ws.write("k2/kustomization.yaml", &k);
        let helm = helm3().display().to_string();
        let want = ws.kubectl(&["--enable-helm", "--helm-command", &helm, "k1"]);
        assert_eq!(want.code, 0, "{want:?}");
        let got = ws.gitward(&["--enable-helm", "k2"]);
        assert_eq!(got.code, 0, "{got:?}");
        assert_eq!(got.stdout, want.stdout, "{repo} {version}");
        assert!(
            !ws.path("k2/charts").exists(),
            "gitward wrote into the chart home"
        );
        let _ = std::fs::remove_dir_all(ws.path("k1"));
        let _ = std::fs::remove_dir_all(ws.path("k2"));
    }
}

#[test]
fn library_caches_a_repository_within_a_build() {
    use gitward::kustomize::{
        ChartPull, FetchFailure, Fetcher, Options, SharedTree, build, remote::RepoSpec,
    };
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counting {
        inner: gitward::io::kustomize_remote::RemoteFetcher,
        clones: AtomicUsize,
        seen: Mutex<Vec<String>>,
    }
    impl Fetcher for Counting {
        fn clone_repo(&self, repo: &RepoSpec) -> Result<SharedTree, FetchFailure> {
            self.clones.fetch_add(1, Ordering::SeqCst);
            self.seen.lock().expect("lock").push(repo.raw.clone());
            self.inner.clone_repo(repo)
        }
        fn get(&self, url: &str) -> Result<Vec<u8>, FetchFailure> {
            self.inner.get(url)
        }
        fn pull_chart(&self, c: &ChartPull) -> Result<SharedTree, FetchFailure> {
            self.inner.pull_chart(c)
        }
    }
    let repo = BaseRepo::new();
    let s = git_servers();
    let ws = Ws::new();
    let u = &repo.urls.ssh;
    ws.write(
        "ov/kustomization.yaml",
        &format!(
            "resources:\n- {u}//base?ref=v1.0\n- {u}//other?ref=v1.0\n- {u}//overlay?ref=main\n"
        ),
    );
    let mut ro = gitward::io::kustomize_remote::RemoteOptions::default();
    let key = std::fs::read_to_string(&s.ssh_key).expect("key");
    let kh = std::fs::read_to_string(&s.ssh_known_hosts).expect("kh");
    ro.auth = std::sync::Arc::new(move |_url: &str| {
        let mut a = gitward::io::git::Auth::default();
        a.ssh_key_pem = Some(key.clone().into());
        a.known_hosts = Some(kh.clone());
        a
    });
    let counting = std::sync::Arc::new(Counting {
        inner: gitward::io::kustomize_remote::RemoteFetcher::new(ro),
        clones: AtomicUsize::new(0),
        seen: Mutex::new(Vec::new()),
    });
    let tree = gitward::tree::DirTree::new(ws.dir.path()).expect("tree");
    let opts = Options::default().with_fetcher(counting.clone());
    let out = build(
        &tree,
        &gitward::tree::RelPath::new("ov").expect("path"),
        &opts,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.resources.len(), 4, "{}", out.to_yaml());
    // v1.0 once for two bases, main once.
    assert_eq!(
        counting.clones.load(Ordering::SeqCst),
        2,
        "{:?}",
        counting.seen
    );
    // Without a fetcher the same build is unsupported.
    let e = build(
        &tree,
        &gitward::tree::RelPath::new("ov").expect("path"),
        &Options::default(),
    )
    .expect_err("no fetcher");
    assert_eq!(e.kind, gitward::kustomize::ErrorKind::Unsupported);
}
