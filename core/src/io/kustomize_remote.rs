//! The shell's [`Fetcher`] for kustomize builds: remote bases and components cloned
//! through the Git source ([`crate::io::git`]), remote files fetched with an HTTP GET,
//! remote `helmCharts` pulled through the Helm repository and OCI sources.
//!
//! What kustomize v5.7.1 does, and how this follows it:
//!
//! - A repository is fetched as kustomize's `ClonerUsingGitExec` runs git: `git fetch
//!   --depth=1 <repo> <ref>` (`HEAD` when no `?ref=`/`?version=` is given), then `git
//!   checkout FETCH_HEAD`, then `git submodule update --init --recursive` unless
//!   `?submodules=false`, each command within `?timeout=` (27 s by default). Here the
//!   ref is resolved against the remote's advertisement as git's fetch resolves a short
//!   name (the name itself, then `refs/<name>`, `refs/tags/<name>`, `refs/heads/<name>`,
//!   `refs/remotes/<name>`, `refs/remotes/<name>/HEAD`), a full commit id is fetched as
//!   such, and the whole fetch (listing, pack, checkout, submodules) runs within the
//!   timeout. The checkout holds the files only (no `.git`) and is removed when the last
//!   build holding its tree is done.
//! - A remote file is fetched as kustomize's loader does (`http.Client.Get`, any 2xx
//!   answer is the content), but with a size bound ([`RemoteOptions::max_file_bytes`])
//!   and a timeout kustomize does not have, and never with credentials.
//! - A remote chart is fetched as `helm pull` would (`--repo` for an `http(s)` chart
//!   repository, an `oci://` reference otherwise; the latest version when none is
//!   given) and unpacked in memory; kustomize would write it into the chart home.
//!
//! Credentials for a repository come from [`RemoteOptions::auth`], a function of the
//! clone URL, so that each host gets only its own; [`RemoteOptions::from_env`] reads
//! them as git would for kustomize (the git credential store, `GIT_SSL_CAINFO`) plus
//! gitward's `GITWARD_*` variables (as `gitward source` reads them) for ssh. No error names a credential: URLs are
//! shown without user information and every git error has passed the Git source's
//! redactor.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::io::git::{Auth, FetchOptions, FetchOutcome, GitError, GitSource, Limits, Secret};
use crate::kustomize::remote::RepoSpec;
use crate::kustomize::{ChartPull, FetchFailure, FetchFailureKind, Fetcher, SharedTree};
use crate::source::git::GitRef;
use crate::tree::{DirTree, EntryKind, FileTree, RelPath, TreeError};

/// Credentials for one clone URL.
pub type AuthFn = Arc<dyn Fn(&str) -> Auth + Send + Sync>;

/// How the shell fetches remote inputs of a kustomize build.
#[derive(Clone)]
#[non_exhaustive]
pub struct RemoteOptions {
    /// The credentials and TLS settings for a repository, given its clone URL.
    pub auth: AuthFn,
    /// Extra CA certificates (PEM) trusted, besides the system's roots, for GETs of
    /// remote files and for charts.
    pub http_ca_pem: Option<Vec<u8>>,
    /// The largest remote file accepted (default 16 MiB).
    pub max_file_bytes: u64,
    /// The timeout of a remote file GET (default 60 s).
    pub http_timeout: Duration,
    /// Size bounds of a clone.
    pub git_limits: Limits,
    /// Where checkouts go (the system's temporary directory by default).
    pub scratch_dir: Option<PathBuf>,
}

impl Default for RemoteOptions {
    fn default() -> Self {
        RemoteOptions {
            auth: Arc::new(|_| Auth::default()),
            http_ca_pem: None,
            max_file_bytes: 16 << 20,
            http_timeout: Duration::from_secs(60),
            git_limits: Limits::default(),
            scratch_dir: None,
        }
    }
}

impl fmt::Debug for RemoteOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteOptions")
            .field("http_ca_pem", &self.http_ca_pem.as_ref().map(Vec::len))
            .field("max_file_bytes", &self.max_file_bytes)
            .field("http_timeout", &self.http_timeout)
            .field("git_limits", &self.git_limits)
            .field("scratch_dir", &self.scratch_dir)
            .finish_non_exhaustive()
    }
}

/// Why the environment cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {path}: {reason}")]
pub struct EnvError {
    /// What the file is for.
    pub what: String,
    /// The file.
    pub path: String,
    /// Why.
    pub reason: String,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn read_file(what: &str, p: &Path) -> Result<Vec<u8>, EnvError> {
    std::fs::read(p).map_err(|e| EnvError {
        what: what.to_owned(),
        path: p.display().to_string(),
        reason: crate::io::system::io_text(&e),
    })
}

fn read_text(what: &str, p: &Path) -> Result<String, EnvError> {
    String::from_utf8(read_file(what, p)?).map_err(|_| EnvError {
        what: what.to_owned(),
        path: p.display().to_string(),
        reason: "not UTF-8 text".into(),
    })
}

/// One entry of git's credential store (`https://user:password@host[:port][/path]`).
#[derive(Clone)]
struct StoredCredential {
    scheme: String,
    host: String,
    path: String,
    username: String,
    password: Secret,
}

/// Reads git's credential store files as `credential_from_url` reads each line:
/// `proto://[user[:password]@]host[:port][/path]`, every part percent-decoded.
fn read_credential_store(text: &str) -> Vec<StoredCredential> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some((scheme, rest)) = line.trim().split_once("://") else {
            continue;
        };
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, host) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        let Some(userinfo) = userinfo else { continue };
        let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
        out.push(StoredCredential {
            scheme: percent_decode(scheme),
            host: percent_decode(host),
            path: percent_decode(path).trim_matches('/').to_owned(),
            username: percent_decode(user),
            password: Secret::new(percent_decode(password)),
        });
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (
                (b[i + 1] as char).to_digit(16),
                (b[i + 2] as char).to_digit(16),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The stored credential git would use for `url`: same scheme and host (with port), and
/// a path that is empty or equal (git's default `credential.useHttpPath=false` ignores
/// the URL's path, so an entry with a path never matches).
fn match_credential<'c>(store: &'c [StoredCredential], url: &str) -> Option<&'c StoredCredential> {
    let u = url::Url::parse(url).ok()?;
    let host = match u.port() {
        Some(p) => format!("{}:{p}", u.host_str()?),
        None => u.host_str()?.to_owned(),
    };
    store
        .iter()
        .find(|c| c.scheme == u.scheme() && c.host == host && c.path.is_empty())
}

impl RemoteOptions {
    /// Options read from the environment, as kustomize's git would find its settings,
    /// for the CLI and the bindings:
    ///
    /// - HTTPS user and password: git's credential store (`$HOME/.git-credentials`,
    ///   then `$XDG_CONFIG_HOME/git/credentials`), matched on scheme, host and port,
    ///   as `git credential-store` matches them;
    /// - CA certificates: `GITWARD_CA_FILE`, else `GIT_SSL_CAINFO` (also trusted for
    ///   remote files and charts); client certificate: `GITWARD_CERT_FILE` and
    ///   `GITWARD_KEY_FILE`;
    /// - ssh: the key in `GITWARD_SSH_KEY` (a file), its passphrase in
    ///   `GITWARD_SSH_KEY_PASSPHRASE`, host keys from `GITWARD_KNOWN_HOSTS` (a
    ///   file; default `~/.ssh/known_hosts`).
    ///
    /// # Errors
    /// A file named by a variable cannot be read.
    pub fn from_env() -> Result<RemoteOptions, EnvError> {
        let mut base = Auth::default();
        let file = |var: &str| env(var).map(PathBuf::from);
        let ca_file = file("GITWARD_CA_FILE").or_else(|| file("GIT_SSL_CAINFO"));
        if let Some(p) = &ca_file {
            base.ca_pem = Some(read_file("CA file", p)?);
        }
        if let (Some(c), Some(k)) = (file("GITWARD_CERT_FILE"), file("GITWARD_KEY_FILE")) {
            base.client_cert_pem = Some(read_file("certificate file", &c)?);
            base.client_key_pem = Some(read_text("key file", &k)?.into());
        }
        if let Some(p) = file("GITWARD_SSH_KEY") {
            base.ssh_key_pem = Some(read_text("ssh key", &p)?.into());
        }
        base.ssh_passphrase = env("GITWARD_SSH_KEY_PASSPHRASE").map(Secret::from);
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let known_hosts = file("GITWARD_KNOWN_HOSTS").or_else(|| {
            home.as_ref()
                .map(|h| h.join(".ssh/known_hosts"))
                .filter(|p| p.is_file())
        });
        if let Some(p) = known_hosts {
            base.known_hosts = Some(read_text("known_hosts file", &p)?);
        }
        let mut store = Vec::new();
        let xdg = env("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".config")));
        for p in [
            home.as_ref().map(|h| h.join(".git-credentials")),
            xdg.map(|x| x.join("git/credentials")),
        ]
        .into_iter()
        .flatten()
        {
            if p.is_file() {
                store.extend(read_credential_store(&read_text("git credentials", &p)?));
            }
        }
        let http_ca_pem = base.ca_pem.clone();
        let auth: AuthFn = Arc::new(move |url: &str| {
            let mut a = base.clone();
            if let Some(c) = match_credential(&store, url) {
                a.username = Some(c.username.clone());
                a.password = Some(c.password.clone());
            }
            a
        });
        Ok(RemoteOptions {
            auth,
            http_ca_pem,
            ..RemoteOptions::default()
        })
    }
}

/// The shell's [`Fetcher`]: see the module documentation.
#[derive(Debug, Clone, Default)]
pub struct RemoteFetcher {
    opts: RemoteOptions,
}

impl RemoteFetcher {
    /// A fetcher with these options.
    pub fn new(opts: RemoteOptions) -> Self {
        RemoteFetcher { opts }
    }
}

/// A checkout that is removed when its tree is dropped.
struct CheckoutTree {
    tree: DirTree,
    _dir: tempfile::TempDir,
}

impl FileTree for CheckoutTree {
    fn read(&self, path: &RelPath) -> Result<Vec<u8>, TreeError> {
        self.tree.read(path)
    }
    fn kind(&self, path: &RelPath) -> Result<Option<EntryKind>, TreeError> {
        self.tree.kind(path)
    }
    fn list(&self, dir: &RelPath) -> Result<Vec<String>, TreeError> {
        self.tree.list(dir)
    }
    fn canonical(&self, path: &RelPath) -> Result<Option<RelPath>, TreeError> {
        self.tree.canonical(path)
    }
}

/// Go's `time.Duration.String` for the timeouts kustomize prints.
pub(crate) fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let neg = nanos < 0;
    let u = nanos.unsigned_abs();
    let sign = if neg { "-" } else { "" };
    let frac = |v: u64, unit: u64| -> String {
        let whole = v / unit;
        let rest = v % unit;
        if rest == 0 {
            return whole.to_string();
        }
        let digits = unit.to_string().len() - 1;
        let f = format!("{rest:0digits$}");
        format!("{whole}.{}", f.trim_end_matches('0'))
    };
    if u < 1_000 {
        return format!("{sign}{u}ns");
    }
    if u < 1_000_000 {
        return format!("{sign}{}µs", frac(u, 1_000));
    }
    if u < 1_000_000_000 {
        return format!("{sign}{}ms", frac(u, 1_000_000));
    }
    let secs_total = u / 1_000_000_000;
    let sub = u % 1_000_000_000;
    let h = secs_total / 3600;
    let m = (secs_total % 3600) / 60;
    let s = frac((secs_total % 60) * 1_000_000_000 + sub, 1_000_000_000);
    let mut out = String::from(sign);
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if h > 0 || m > 0 {
        out.push_str(&format!("{m}m"));
    }
    out.push_str(&format!("{s}s"));
    out
}

/// git's rules for a short ref name on the remote (`ref_rev_parse_rules`).
fn dwim_ref(refs: &crate::source::git::RemoteRefs, name: &str) -> Option<String> {
    let candidates = [
        name.to_owned(),
        format!("refs/{name}"),
        format!("refs/tags/{name}"),
        format!("refs/heads/{name}"),
        format!("refs/remotes/{name}"),
        format!("refs/remotes/{name}/HEAD"),
    ];
    candidates
        .into_iter()
        .find(|c| c.starts_with("refs/") && refs.get(c).is_some())
}

fn is_full_hex(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `url` without a password (the user stays: kustomize shows `ssh://git@host/...`).
fn without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Why [`clone_blocking`] failed.
enum CloneError {
    Git(GitError),
    NoRef(String),
    Local(String),
}

/// Resolves `wanted` as git's fetch would and fetches it into a new checkout.
fn clone_blocking(
    mut source: GitSource,
    mut fopts: FetchOptions,
    wanted: &str,
    deadline: Instant,
    scratch: Option<PathBuf>,
) -> Result<SharedTree, CloneError> {
    if wanted == "HEAD" {
        // The remote's default branch.
    } else if is_full_hex(wanted) {
        source.reference.commit = Some(wanted.to_owned());
    } else {
        let refs = crate::io::git::ls_remote(&source, &fopts).map_err(CloneError::Git)?;
        match dwim_ref(&refs, wanted) {
            Some(full) => source.reference.name = Some(full),
            None => return Err(CloneError::NoRef(wanted.to_owned())),
        }
        fopts.timeout = Some(deadline.saturating_duration_since(Instant::now()));
    }
    let dir = match &scratch {
        Some(d) => tempfile::Builder::new().prefix("kustomize-").tempdir_in(d),
        None => tempfile::Builder::new().prefix("kustomize-").tempdir(),
    }
    .map_err(|e| CloneError::Local(format!("cannot create a directory: {e}")))?;
    let dest = dir.path().join("repo");
    let outcome = crate::io::git::fetch(&source, &dest, &fopts).map_err(CloneError::Git)?;
    let FetchOutcome::Fetched(checkout) = outcome else {
        return Err(CloneError::Local("nothing was fetched".into()));
    };
    let tree = checkout
        .tree()
        .map_err(|e| CloneError::Local(e.to_string()))?;
    Ok(Arc::new(CheckoutTree { tree, _dir: dir }))
}

impl RemoteFetcher {
    /// The clone, or the message kustomize's cloner would give. The clone runs on a
    /// thread of its own so that the timeout holds even where a transport cannot be
    /// interrupted (libgit2's ssh handshake with a server that never answers): past the
    /// deadline the thread is left to finish or fail on its own, and its checkout is
    /// removed when it does, as kustomize's `TimedCall` leaves its goroutine.
    fn clone_inner(&self, spec: &RepoSpec) -> Result<SharedTree, FetchFailure> {
        let url = spec.clone_spec();
        let shown = without_password(&url);
        let wanted = if spec.git_ref.is_empty() {
            "HEAD".to_owned()
        } else {
            spec.git_ref.clone()
        };
        let git_fetch = format!("git fetch --depth=1 {shown} {wanted}");
        let timeout = Duration::from_nanos(u64::try_from(spec.timeout_nanos.max(1)).unwrap_or(1));
        let deadline = Instant::now() + timeout;
        let timed_out = || {
            FetchFailure::new(
                FetchFailureKind::Timeout,
                format!(
                    "hit {} timeout running '{git_fetch}'",
                    go_duration(spec.timeout_nanos)
                ),
            )
        };
        let mut source = GitSource::new(url.clone(), GitRef::default());
        source.auth = (self.opts.auth)(&url);
        source.recurse_submodules = spec.submodules;
        let fopts = FetchOptions {
            shallow: true,
            timeout: Some(timeout),
            limits: self.opts.git_limits.clone(),
            scratch_dir: self.opts.scratch_dir.clone(),
            ..FetchOptions::default()
        };
        let scratch = self.opts.scratch_dir.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let worker = std::thread::Builder::new()
            .name("gitward-kustomize-clone".into())
            .spawn(move || {
                let _ = tx.send(clone_blocking(source, fopts, &wanted, deadline, scratch));
            })
            .map_err(|e| {
                FetchFailure::new(
                    FetchFailureKind::Other,
                    format!("cannot start the clone of {shown}: {e}"),
                )
            })?;
        let outcome = match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(r) => {
                let _ = worker.join();
                r
            }
            Err(_) => return Err(timed_out()),
        };
        match outcome {
            Ok(tree) => Ok(tree),
            Err(CloneError::Git(GitError::Timeout { .. })) => Err(timed_out()),
            Err(_) if Instant::now() >= deadline => Err(timed_out()),
            Err(CloneError::Git(e)) => Err(FetchFailure::new(
                FetchFailureKind::Other,
                format!("failed to run '{git_fetch}': {e}"),
            )),
            Err(CloneError::NoRef(r)) => Err(FetchFailure::new(
                FetchFailureKind::Other,
                format!("failed to run '{git_fetch}': fatal: couldn't find remote ref {r}"),
            )),
            Err(CloneError::Local(m)) => Err(FetchFailure::new(
                FetchFailureKind::Other,
                format!("{shown}: {m}"),
            )),
        }
    }

    fn get_inner(&self, url: &str) -> Result<Vec<u8>, FetchFailure> {
        let shown = crate::io::http::redact_url(url);
        let other = |reason: String| {
            FetchFailure::new(
                FetchFailureKind::Other,
                format!("Get \"{shown}\": {reason}"),
            )
        };
        let client =
            http_client(self.opts.http_ca_pem.as_deref(), self.opts.http_timeout).map_err(other)?;
        let resp = client
            .get(url)
            .send()
            .map_err(|e| other(reqwest_reason(&e)))?;
        let status = resp.status().as_u16();
        if !(200..=299).contains(&status) {
            return Err(FetchFailure::new(
                FetchFailureKind::HttpStatus(status),
                format!("Get \"{shown}\": status code {status}"),
            ));
        }
        let limit = self.opts.max_file_bytes;
        let mut body = Vec::new();
        let read = std::io::Read::read_to_end(
            &mut std::io::Read::take(resp, limit.saturating_add(1)),
            &mut body,
        )
        .map_err(|e| other(e.to_string()))?;
        if read as u64 > limit {
            return Err(other(format!("the file is larger than {limit} bytes")));
        }
        Ok(body)
    }
}

fn reqwest_reason(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".into();
    }
    if e.is_redirect() {
        return "stopped after too many redirects".into();
    }
    // reqwest's own text names the URL, which may carry user information: the chain of
    // causes without it.
    crate::io::http::error_chain(e)
}

/// A GET agent: the system's roots plus `ca`, no credentials, errors as statuses.
/// A blocking client on the one HTTP stack (`io::http`'s rustls configuration: the system
/// roots plus `ca`), no credentials, at most 10 redirects, one deadline per request.
fn http_client(ca: Option<&[u8]>, timeout: Duration) -> Result<reqwest::blocking::Client, String> {
    let tls = crate::io::http::TlsOptions {
        ca_pem: ca.map(<[u8]>::to_vec),
        cert_pem: None,
        key_pem: None,
    };
    let config = crate::io::http::rustls_config(&tls).map_err(|e| e.message)?;
    reqwest::blocking::Client::builder()
        .tls_backend_preconfigured(config)
        .redirect(reqwest::redirect::Policy::limited(10))
        .timeout(timeout)
        .no_proxy()
        .user_agent(concat!("gitward/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("HTTP client: {}", crate::io::http::error_chain(&e)))
}

impl Fetcher for RemoteFetcher {
    fn clone_repo(&self, repo: &RepoSpec) -> Result<SharedTree, FetchFailure> {
        self.clone_inner(repo)
    }

    fn get(&self, url: &str) -> Result<Vec<u8>, FetchFailure> {
        self.get_inner(url)
    }

    fn pull_chart(&self, chart: &ChartPull) -> Result<SharedTree, FetchFailure> {
        self.pull_inner(chart)
    }
}

impl RemoteFetcher {
    fn pull_inner(&self, c: &ChartPull) -> Result<SharedTree, FetchFailure> {
        let fail = |m: String| FetchFailure::new(FetchFailureKind::Other, m);
        let tls = crate::io::http::TlsOptions {
            ca_pem: self.opts.http_ca_pem.clone(),
            ..Default::default()
        };
        let version = (!c.version.is_empty()).then(|| c.version.clone());
        let archive = if c.repo.starts_with("oci://") {
            let url = c.repo.trim_end_matches('/');
            let o = crate::io::oci::OciOptions {
                tls,
                ..Default::default()
            };
            crate::io::oci::fetch_helm_chart_sync(url, &c.name, version.as_deref(), &o)
                .map_err(|e| fail(format!("helm pull {url}/{}: {e}", c.name)))?
                .archive
        } else {
            let o = crate::io::helm_repo::HelmRepoOptions {
                tls,
                ..Default::default()
            };
            crate::io::helm_repo::fetch_chart_sync(&c.repo, &c.name, version.as_deref(), &o)
                .map_err(|e| {
                    fail(format!(
                        "helm pull --repo {} {}: {e}",
                        crate::io::http::redact_url(&c.repo),
                        c.name
                    ))
                })?
                .archive
        };
        // `helm pull --untar`: the archive's files, `<name>/...`, confined and bounded.
        let entries = crate::source::oci::unpack_layer(
            &archive,
            &crate::source::oci::UnpackLimits::default(),
        )
        .map_err(|e| fail(format!("chart {} from {}: {e}", c.name, c.repo)))?;
        let mut tree = crate::tree::MemTree::new();
        for e in entries {
            if let crate::source::oci::UnpackedEntry::File { path, data, .. } = e {
                tree.add_file(&path, data)
                    .map_err(|e| fail(format!("chart {} from {}: {e}", c.name, c.repo)))?;
            }
        }
        Ok(Arc::new(tree))
    }
}
