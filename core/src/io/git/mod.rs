//! Git sources as Flux's source-controller fetches them: clone and refresh over
//! `https://` (and `http://`), `ssh://` (and scp-like `user@host:path`), `git://` and
//! local paths, for every kind of `spec.ref`, with shallow fetches, submodules, sparse
//! checkouts and commit/tag signature verification.
//!
//! [`fetch`] (blocking) and [`fetch_async`] (tokio, on the blocking pool) take a
//! [`GitSource`] and a destination directory:
//!
//! 1. the remote's refs are listed (one request: `GET info/refs` over HTTP, the ref
//!    advertisement over ssh/git);
//! 2. the pure core ([`crate::source::git::resolve`]) decides what to fetch and, for
//!    everything but semver ties, which commit that is; if its revision equals
//!    [`FetchOptions::last_revision`] the result is [`FetchOutcome::Unchanged`] and nothing
//!    is downloaded;
//! 3. otherwise the ref is fetched one commit deep (the full branch only when a
//!    `commit` is not its tip) into a scratch repository, the commit and tag signatures are
//!    checked when [`GitSource::verify`] asks, and the tree is checked out into the
//!    destination (only the [`GitSource::sparse_checkout`] directories when given), then
//!    submodules at their recorded commits. The destination holds the files only, no
//!    `.git`.
//!
//! HTTPS goes through the crate's own smart-HTTP client (`http`) on rustls: basic auth
//! or a bearer token, a CA bundle added to the system roots, client certificates.
//! `git://` is spoken directly too (`daemon`); ssh and local paths go through libgit2.
//! ssh host keys are checked against the given `known_hosts`; an unknown, changed or
//! revoked key is refused unless [`Auth::insecure_skip_host_key_check`] is set.
//!
//! Secrets ([`Secret`]: passwords, tokens, private keys, passphrases) never appear in a
//! `Debug` output, an error message or progress: every error is passed through a redactor
//! that knows them before it is returned.

mod daemon;
mod http;
mod libgit;
mod pack;

use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::source::artifact::Artifact;
use crate::source::git::signature::{self, SignatureKind, Signer, VerificationKeys};
use crate::source::git::url::{GitUrl, Scheme, UrlError};
use crate::source::git::{
    GitRef, NoSemver, RefError, RemoteRefs, Resolution, ResolveError, Revision, Strategy,
    TagSelector, VerifyMode, break_semver_tie, resolve, split_revision, transform_revision,
};
use crate::source::walk::{WalkLimits, walk_dir};
use crate::tree::{DirTree, TreeError};

/// A secret string (password, token, private key, passphrase). `Debug` prints
/// `<redacted>`; there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

/// Credentials and trust for a remote (Flux's `spec.secretRef` contents).
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct Auth {
    /// HTTP(S) basic-auth user (also taken from the URL's userinfo).
    pub username: Option<String>,
    /// HTTP(S) basic-auth password (also taken from the URL's userinfo).
    pub password: Option<Secret>,
    /// HTTP(S) bearer token (exclusive with basic auth).
    pub bearer_token: Option<Secret>,
    /// PEM CA certificates trusted for HTTPS, in addition to the system's roots.
    pub ca_pem: Option<Vec<u8>>,
    /// PEM client certificate (chain) for HTTPS.
    pub client_cert_pem: Option<Vec<u8>>,
    /// PEM private key of the client certificate.
    pub client_key_pem: Option<Secret>,
    /// ssh private key (OpenSSH or PEM format).
    pub ssh_key_pem: Option<Secret>,
    /// Passphrase of the ssh private key.
    pub ssh_passphrase: Option<Secret>,
    /// `known_hosts` text the ssh server's key must be listed in.
    pub known_hosts: Option<String>,
    /// Accept any ssh host key (explicit opt-out of host verification).
    pub insecure_skip_host_key_check: bool,
    /// Allow credentials over plain `http://`.
    pub allow_insecure_http: bool,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |b: bool| if b { "<set>" } else { "<unset>" };
        f.debug_struct("Auth")
            .field("username", &self.username)
            .field("password", &set(self.password.is_some()))
            .field("bearer_token", &set(self.bearer_token.is_some()))
            .field("ca_pem", &set(self.ca_pem.is_some()))
            .field("client_cert_pem", &set(self.client_cert_pem.is_some()))
            .field("client_key_pem", &set(self.client_key_pem.is_some()))
            .field("ssh_key_pem", &set(self.ssh_key_pem.is_some()))
            .field("ssh_passphrase", &set(self.ssh_passphrase.is_some()))
            .field("known_hosts", &set(self.known_hosts.is_some()))
            .field(
                "insecure_skip_host_key_check",
                &self.insecure_skip_host_key_check,
            )
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

impl Auth {
    /// Every secret value, for redaction (longest first; whole PEM blocks and each of
    /// their lines).
    fn secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut add = |s: &str| {
            let s = s.trim();
            if s.len() >= 4 {
                out.push(s.to_owned());
            }
        };
        for s in [
            &self.password,
            &self.bearer_token,
            &self.client_key_pem,
            &self.ssh_key_pem,
            &self.ssh_passphrase,
        ]
        .into_iter()
        .flatten()
        {
            add(s.expose());
            for line in s.expose().lines() {
                if !line.starts_with("-----") {
                    add(line);
                }
            }
        }
        out.sort_by_key(|s| std::cmp::Reverse(s.len()));
        out.dedup();
        out
    }
}

/// `spec.verify`: which signatures must be valid, and the keys they are checked with.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Verification {
    /// HEAD, Tag or TagAndHEAD.
    pub mode: VerifyMode,
    /// The trusted public keys.
    pub keys: VerificationKeys,
}

impl Verification {
    /// A verification requirement.
    pub fn new(mode: VerifyMode, keys: VerificationKeys) -> Self {
        Verification { mode, keys }
    }
}

/// What to fetch: a GitRepository's spec, in short. `Debug` shows the URL without
/// userinfo and no secret.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct GitSource {
    /// The remote URL.
    pub url: String,
    /// `spec.ref`.
    pub reference: GitRef,
    /// `spec.secretRef` contents, `known_hosts` and TLS settings.
    pub auth: Auth,
    /// `spec.recurseSubmodules`.
    pub recurse_submodules: bool,
    /// `spec.sparseCheckout`: check out only these directories (a leading `./` is ignored).
    pub sparse_checkout: Vec<String>,
    /// `spec.verify`.
    pub verify: Option<Verification>,
}

impl fmt::Debug for GitSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitSource")
            .field("url", &crate::source::git::url::strip_userinfo(&self.url))
            .field("reference", &self.reference)
            .field("auth", &self.auth)
            .field("recurse_submodules", &self.recurse_submodules)
            .field("sparse_checkout", &self.sparse_checkout)
            .field("verify", &self.verify)
            .finish()
    }
}

impl GitSource {
    /// A source for `url` at `reference`, anonymous.
    pub fn new(url: impl Into<String>, reference: GitRef) -> Self {
        GitSource {
            url: url.into(),
            reference,
            ..GitSource::default()
        }
    }
}

/// Bounds on what a remote may make us download and write.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Limits {
    /// Largest pack accepted (bytes on the wire).
    pub max_download_bytes: u64,
    /// Largest ref advertisement accepted.
    pub max_advertisement_bytes: u64,
    /// Largest total size of the files checked out (per repository).
    pub max_checkout_bytes: u64,
    /// Most entries checked out (per repository).
    pub max_files: u64,
    /// Deepest submodule nesting followed (go-git's default is 10).
    pub max_submodule_depth: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_download_bytes: 2 << 30,
            max_advertisement_bytes: 128 << 20,
            max_checkout_bytes: 4 << 30,
            max_files: 1_000_000,
            max_submodule_depth: 10,
        }
    }
}

/// Where a fetch is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Phase {
    /// Listing the remote's refs.
    #[default]
    Listing,
    /// Receiving objects.
    Receiving,
    /// Indexing the received pack.
    Resolving,
    /// Writing files.
    CheckingOut,
}

/// Progress of a fetch (counts only; never a URL with credentials or server text).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// The phase.
    pub phase: Phase,
    /// Objects received so far (0 when the transport does not count them).
    pub received_objects: u64,
    /// Objects expected (0 when unknown).
    pub total_objects: u64,
    /// Deltas resolved.
    pub indexed_deltas: u64,
    /// Deltas to resolve.
    pub total_deltas: u64,
    /// Bytes received.
    pub received_bytes: u64,
}

/// A progress callback.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// How to fetch.
#[derive(Clone)]
#[non_exhaustive]
pub struct FetchOptions {
    /// The revision of the last successful fetch (any of Flux's formats): when the remote
    /// still resolves to it, nothing is downloaded and [`FetchOutcome::Unchanged`] is
    /// returned. The caller passes only revisions it accepted (verified, when
    /// verification is on).
    pub last_revision: Option<String>,
    /// Selects tags for `semver` refs (the shared Masterminds semver module).
    pub semver: Arc<dyn TagSelector>,
    /// Fetch one commit deep where possible (Flux always does).
    pub shallow: bool,
    /// Give up after this long (Flux's `spec.timeout` defaults to 60 s).
    pub timeout: Option<Duration>,
    /// Size bounds.
    pub limits: Limits,
    /// Called with progress (from the fetching thread).
    pub progress: Option<ProgressFn>,
    /// Where the scratch repository goes (the system's temporary directory by default).
    pub scratch_dir: Option<PathBuf>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            last_revision: None,
            semver: crate::source::git::default_tag_selector(),
            shallow: true,
            timeout: Some(Duration::from_secs(60)),
            limits: Limits::default(),
            progress: None,
            scratch_dir: None,
        }
    }
}

impl fmt::Debug for FetchOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchOptions")
            .field("last_revision", &self.last_revision)
            .field("shallow", &self.shallow)
            .field("timeout", &self.timeout)
            .field("limits", &self.limits)
            .field("progress", &self.progress.is_some())
            .field("scratch_dir", &self.scratch_dir)
            .finish_non_exhaustive()
    }
}

/// The result of a fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchOutcome {
    /// The remote still resolves to [`FetchOptions::last_revision`]; nothing was written.
    Unchanged {
        /// The revision (current format).
        revision: String,
    },
    /// A new checkout.
    Fetched(Checkout),
}

impl FetchOutcome {
    /// The revision, either way.
    pub fn revision(&self) -> &str {
        match self {
            FetchOutcome::Unchanged { revision } => revision,
            FetchOutcome::Fetched(c) => &c.revision,
        }
    }
}

/// A checked-out revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkout {
    /// The revision as Flux prints it.
    pub revision: String,
    /// The commit id.
    pub commit: String,
    /// Where the files are.
    pub path: PathBuf,
    /// The signatures verified (tag first, then commit), with who made them.
    pub verified: Vec<VerifiedObject>,
}

impl Checkout {
    /// The checkout as a confined tree for the engines (symbolic links leaving it are
    /// refused).
    ///
    /// # Errors
    /// The directory is gone.
    pub fn tree(&self) -> Result<DirTree, TreeError> {
        DirTree::new(&self.path)
    }

    /// The artifact source-controller packs from this checkout: every `.sourceignore`,
    /// then `spec_ignore` (`GitRepository.spec.ignore`), over its default exclusions,
    /// modes normalised ([`Artifact::from_git_checkout`]). The directory is read with
    /// `lstat` (links are never followed) within `limits`; [`Artifact::pack`] gives the
    /// tarball and the digest Flux records.
    ///
    /// # Errors
    /// [`GitError::Artifact`]: the directory cannot be read, is over the limits, or holds a
    /// `.sourceignore` link leaving it.
    pub fn artifact(
        &self,
        spec_ignore: Option<&str>,
        limits: &WalkLimits,
    ) -> Result<Artifact, GitError> {
        let err = |reason: String| GitError::Artifact {
            path: self.path.display().to_string(),
            reason,
        };
        let entries = walk_dir(&self.path, limits).map_err(|e| err(e.to_string()))?;
        Artifact::from_git_checkout(&entries, spec_ignore).map_err(|e| err(e.to_string()))
    }
}

/// A verified object and its signer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedObject {
    /// `commit '<id>'` or `tag '<name>@<id>'`.
    pub object: String,
    /// Who signed it.
    pub signer: Signer,
}

/// Why a problem with an ssh host key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostKeyProblem {
    /// No `known_hosts` was given and the check was not turned off.
    #[error(
        "no known_hosts was given; pass the server's host key, or turn host key checking off explicitly"
    )]
    NoKnownHosts,
    /// The server sent no usable key.
    #[error("the server sent no host key")]
    NoKey,
    /// The host is not in `known_hosts`.
    #[error("the host is not in known_hosts (its key is {fingerprint})")]
    Unknown {
        /// The presented key's fingerprint.
        fingerprint: String,
    },
    /// The host is listed with another key.
    #[error(
        "the host key changed: known_hosts lists another key (the server presented {fingerprint})"
    )]
    Changed {
        /// The presented key's fingerprint.
        fingerprint: String,
    },
    /// The key is revoked.
    #[error("the host key {fingerprint} is marked @revoked")]
    Revoked {
        /// The presented key's fingerprint.
        fingerprint: String,
    },
}

/// What went wrong. Messages name the URL (without credentials) and the ref, never a
/// secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GitError {
    /// The URL cannot be used.
    #[error(transparent)]
    Url(UrlError),
    /// The `spec.ref` cannot be used.
    #[error("{url}: {source}")]
    Ref {
        /// The URL.
        url: String,
        /// Why.
        source: RefError,
    },
    /// Contradictory or unreadable options (credentials, TLS files).
    #[error("{url}: {reason}")]
    Options {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The server refused the credentials (or wanted some).
    #[error("authentication to {url} failed: {reason}")]
    Auth {
        /// The URL.
        url: String,
        /// What the server or transport said.
        reason: String,
    },
    /// The ssh server's host key is not trusted.
    #[error("host key verification failed for {host}: {problem}")]
    HostKey {
        /// `host` or `[host]:port`.
        host: String,
        /// Why.
        problem: HostKeyProblem,
    },
    /// TLS failed (untrusted certificate, client certificate refused).
    #[error("TLS error talking to {url}: {reason}")]
    Tls {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The repository does not exist (or is not visible with these credentials).
    #[error("repository not found: {url}")]
    RepositoryNotFound {
        /// The URL.
        url: String,
    },
    /// The ref cannot be resolved on the remote.
    #[error("{url}: {source}")]
    Resolve {
        /// The URL.
        url: String,
        /// Why.
        source: ResolveError,
    },
    /// The commit is not in the fetched history.
    #[error("{url}: unable to resolve commit object for '{commit}'")]
    CommitNotFound {
        /// The URL.
        url: String,
        /// The commit.
        commit: String,
    },
    /// A signature check failed.
    #[error("signature verification of {object} failed: {reason}")]
    Verification {
        /// `commit '<id>'` or `tag '<name>@<id>'`.
        object: String,
        /// Why.
        reason: String,
    },
    /// The verification mode cannot apply (Tag mode without a tag).
    #[error("{0}")]
    VerificationMode(String),
    /// The connection failed.
    #[error("cannot reach {url}: {reason}")]
    Network {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The server reported an error.
    #[error("{url}: remote error: {message}")]
    Remote {
        /// The URL.
        url: String,
        /// The server's message.
        message: String,
    },
    /// The server's answer is not the protocol.
    #[error("unexpected answer from {url}: {reason}")]
    Protocol {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// Something exceeds a [`Limits`] bound.
    #[error("{url}: the {what} exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// What (`pack`, `checkout`, `response`, `number of files`).
        what: String,
        /// The bound.
        limit: u64,
    },
    /// The timeout passed.
    #[error("timed out fetching {url}")]
    Timeout {
        /// The URL.
        url: String,
    },
    /// A local file problem.
    #[error("{path}: {reason}")]
    Io {
        /// The path.
        path: String,
        /// Why.
        reason: String,
    },
    /// The checkout could not be read or packed into an artifact.
    #[error("cannot pack the artifact of {path}: {reason}")]
    Artifact {
        /// The checkout directory.
        path: String,
        /// Why.
        reason: String,
    },
    /// libgit2 reported something else.
    #[error("git error for {url}: {reason}")]
    Git {
        /// The URL.
        url: String,
        /// libgit2's message.
        reason: String,
    },
}

/// The broad kind of a [`GitError`], for callers (and bindings) that branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Credentials refused, or the ssh host or TLS server not trusted.
    Auth,
    /// Repository, ref, tag or commit not found; no semver match.
    NotFound,
    /// Signature verification failed.
    Verification,
    /// Connection, timeout, protocol or server errors.
    Network,
    /// Invalid URL, ref or options.
    InvalidInput,
    /// Local file system problems, size limits, other libgit2 errors.
    Other,
}

impl ErrorKind {
    /// A stable name: `auth`, `not_found`, `verification`, `network`, `invalid_input`, `other`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Auth => "auth",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Verification => "verification",
            ErrorKind::Network => "network",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Other => "other",
        }
    }
}

impl GitError {
    /// The broad kind.
    pub fn kind(&self) -> ErrorKind {
        match self {
            GitError::Auth { .. } | GitError::HostKey { .. } | GitError::Tls { .. } => {
                ErrorKind::Auth
            }
            GitError::RepositoryNotFound { .. } | GitError::CommitNotFound { .. } => {
                ErrorKind::NotFound
            }
            GitError::Resolve { source, .. } => match source {
                ResolveError::Semver { .. } => ErrorKind::InvalidInput,
                _ => ErrorKind::NotFound,
            },
            GitError::Verification { .. } | GitError::VerificationMode(_) => {
                ErrorKind::Verification
            }
            GitError::Network { .. }
            | GitError::Remote { .. }
            | GitError::Protocol { .. }
            | GitError::Timeout { .. } => ErrorKind::Network,
            GitError::Url(_) | GitError::Ref { .. } | GitError::Options { .. } => {
                ErrorKind::InvalidInput
            }
            GitError::TooLarge { .. }
            | GitError::Io { .. }
            | GitError::Artifact { .. }
            | GitError::Git { .. } => ErrorKind::Other,
        }
    }

    /// The remote's URL (without credentials), when the error concerns one.
    pub fn url(&self) -> Option<&str> {
        match self {
            GitError::Url(e) => Some(&e.url),
            GitError::Ref { url, .. }
            | GitError::Options { url, .. }
            | GitError::Auth { url, .. }
            | GitError::Tls { url, .. }
            | GitError::RepositoryNotFound { url }
            | GitError::Resolve { url, .. }
            | GitError::CommitNotFound { url, .. }
            | GitError::Network { url, .. }
            | GitError::Remote { url, .. }
            | GitError::Protocol { url, .. }
            | GitError::TooLarge { url, .. }
            | GitError::Timeout { url }
            | GitError::Git { url, .. } => Some(url),
            GitError::HostKey { .. }
            | GitError::Verification { .. }
            | GitError::VerificationMode(_)
            | GitError::Artifact { .. }
            | GitError::Io { .. } => None,
        }
    }

    /// Replaces every occurrence of a secret in the error's text.
    fn redacted(self, secrets: &[String]) -> GitError {
        if secrets.is_empty() {
            return self;
        }
        let r = |s: String| -> String {
            let mut s = s;
            for secret in secrets {
                if s.contains(secret.as_str()) {
                    s = s.replace(secret.as_str(), "<redacted>");
                }
            }
            s
        };
        match self {
            GitError::Url(e) => GitError::Url(UrlError {
                url: r(e.url),
                reason: r(e.reason),
            }),
            GitError::Ref { url, source } => GitError::Ref {
                url: r(url),
                source,
            },
            GitError::Options { url, reason } => GitError::Options {
                url: r(url),
                reason: r(reason),
            },
            GitError::Auth { url, reason } => GitError::Auth {
                url: r(url),
                reason: r(reason),
            },
            GitError::Tls { url, reason } => GitError::Tls {
                url: r(url),
                reason: r(reason),
            },
            GitError::RepositoryNotFound { url } => GitError::RepositoryNotFound { url: r(url) },
            GitError::Resolve { url, source } => GitError::Resolve {
                url: r(url),
                source,
            },
            GitError::CommitNotFound { url, commit } => GitError::CommitNotFound {
                url: r(url),
                commit,
            },
            GitError::Verification { object, reason } => GitError::Verification {
                object,
                reason: r(reason),
            },
            GitError::VerificationMode(m) => GitError::VerificationMode(r(m)),
            GitError::Network { url, reason } => GitError::Network {
                url: r(url),
                reason: r(reason),
            },
            GitError::Remote { url, message } => GitError::Remote {
                url: r(url),
                message: r(message),
            },
            GitError::Protocol { url, reason } => GitError::Protocol {
                url: r(url),
                reason: r(reason),
            },
            GitError::TooLarge { url, what, limit } => GitError::TooLarge {
                url: r(url),
                what,
                limit,
            },
            GitError::Timeout { url } => GitError::Timeout { url: r(url) },
            GitError::Io { path, reason } => GitError::Io {
                path,
                reason: r(reason),
            },
            GitError::Git { url, reason } => GitError::Git {
                url: r(url),
                reason: r(reason),
            },
            e @ (GitError::HostKey { .. } | GitError::Artifact { .. }) => e,
        }
    }
}

/// One of the transports.
enum Remote {
    Http(http::HttpRemote),
    Daemon(daemon::DaemonRemote),
    Lib(libgit::LibRemote),
}

impl Remote {
    fn open(
        url: &GitUrl,
        auth: &Auth,
        limits: &Limits,
        deadline: Option<Instant>,
    ) -> Result<Remote, GitError> {
        Ok(match url.scheme {
            Scheme::Https | Scheme::Http => {
                Remote::Http(http::HttpRemote::new(url, auth, limits, deadline)?)
            }
            Scheme::Git => Remote::Daemon(daemon::DaemonRemote::new(url, limits, deadline)),
            Scheme::Ssh | Scheme::File => {
                Remote::Lib(libgit::LibRemote::new(url, auth, limits, deadline)?)
            }
        })
    }

    fn list(&mut self) -> Result<RemoteRefs, GitError> {
        match self {
            Remote::Http(r) => r.list(),
            Remote::Daemon(r) => r.list(),
            Remote::Lib(r) => r.list(),
        }
    }

    /// Fetches `wants` (ref name to create, object id) into `repo`; refs are created
    /// under their own names.
    fn fetch(
        &mut self,
        repo: &git2::Repository,
        url: &str,
        wants: &[(String, String)],
        depth: Option<u32>,
        progress: Option<&ProgressFn>,
    ) -> Result<(), GitError> {
        match self {
            Remote::Http(_) | Remote::Daemon(_) => {
                let oids: Vec<String> = wants.iter().map(|(_, o)| o.clone()).collect();
                let shallow = match self {
                    Remote::Http(r) => r.fetch(repo, &oids, depth, progress)?,
                    Remote::Daemon(r) => r.fetch(repo, &oids, depth, progress)?,
                    Remote::Lib(_) => Vec::new(),
                };
                if !shallow.is_empty() {
                    let text: String = shallow.iter().map(|s| format!("{s}\n")).collect();
                    std::fs::write(repo.path().join("shallow"), text).map_err(|e| {
                        GitError::Io {
                            path: repo.path().display().to_string(),
                            reason: e.to_string(),
                        }
                    })?;
                }
                for (name, oid) in wants {
                    let id = git2::Oid::from_str(oid).map_err(|e| git_err(url, &e))?;
                    if repo.odb().map_err(|e| git_err(url, &e))?.exists(id) {
                        repo.reference(name, id, true, "fetch")
                            .map_err(|e| git_err(url, &e))?;
                    }
                }
                Ok(())
            }
            Remote::Lib(r) => {
                let specs: Vec<String> = wants
                    .iter()
                    .map(|(name, oid)| {
                        if name.starts_with("refs/gitward/") {
                            format!("+{oid}:{name}")
                        } else {
                            format!("+{name}:{name}")
                        }
                    })
                    .collect();
                r.fetch(repo, &specs, depth, progress)
            }
        }
    }
}

fn git_err(url: &str, e: &git2::Error) -> GitError {
    GitError::Git {
        url: url.to_owned(),
        reason: e.message().to_owned(),
    }
}

fn io_err(path: &Path, e: &std::io::Error) -> GitError {
    GitError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Fetches `source` into `dest` (created; it must not exist or be an empty directory),
/// or finds it unchanged since [`FetchOptions::last_revision`].
///
/// # Errors
/// See [`GitError`]; the destination is removed again if this call created it.
pub fn fetch(
    source: &GitSource,
    dest: &Path,
    opts: &FetchOptions,
) -> Result<FetchOutcome, GitError> {
    let secrets = source.auth.secrets();
    let deadline = opts.timeout.map(|t| Instant::now() + t);
    let created = !dest.exists();
    let result = fetch_inner(source, dest, opts, deadline, 0);
    if result.is_err() && created {
        let _ = std::fs::remove_dir_all(dest);
    }
    result.map_err(|e| e.redacted(&secrets))
}

/// [`fetch`] on tokio's blocking pool.
///
/// # Errors
/// As [`fetch`].
pub async fn fetch_async(
    source: GitSource,
    dest: PathBuf,
    opts: FetchOptions,
) -> Result<FetchOutcome, GitError> {
    let shown = dest.display().to_string();
    tokio::task::spawn_blocking(move || fetch(&source, &dest, &opts))
        .await
        .map_err(|e| GitError::Io {
            path: shown,
            reason: format!("the fetch task failed: {e}"),
        })?
}

/// Lists a remote's refs (`git ls-remote`), with the source's credentials.
///
/// # Errors
/// As [`fetch`].
pub fn ls_remote(source: &GitSource, opts: &FetchOptions) -> Result<RemoteRefs, GitError> {
    let secrets = source.auth.secrets();
    let url = GitUrl::parse(&source.url).map_err(GitError::Url)?;
    let deadline = opts.timeout.map(|t| Instant::now() + t);
    Remote::open(&url, &source.auth, &opts.limits, deadline)
        .and_then(|mut r| r.list())
        .map_err(|e| e.redacted(&secrets))
}

fn fetch_inner(
    source: &GitSource,
    dest: &Path,
    opts: &FetchOptions,
    deadline: Option<Instant>,
    depth: u32,
) -> Result<FetchOutcome, GitError> {
    let url = GitUrl::parse(&source.url).map_err(GitError::Url)?;
    let shown = url.to_string();
    let strategy = source.reference.strategy().map_err(|e| GitError::Ref {
        url: shown.clone(),
        source: e,
    })?;
    for dir in &source.sparse_checkout {
        sparse_dir(dir).map_err(|reason| GitError::Options {
            url: shown.clone(),
            reason,
        })?;
    }
    let last = opts.last_revision.as_deref().map(transform_revision);

    // A commit id never moves: the same commit (on the same branch) is unchanged without
    // asking the remote.
    if let (Strategy::Commit { commit, branch }, Some(last)) = (&strategy, &last) {
        let (pointer, hash) = split_revision(last);
        if hash == commit && pointer == branch.as_deref() {
            return Ok(FetchOutcome::Unchanged {
                revision: last.clone(),
            });
        }
    }

    let report = |phase: Phase| {
        if let Some(p) = &opts.progress {
            p(&Progress {
                phase,
                ..Progress::default()
            });
        }
    };
    report(Phase::Listing);
    let mut remote = Remote::open(&url, &source.auth, &opts.limits, deadline)?;
    let shallow = opts.shallow.then_some(1);
    let progress = opts.progress.as_ref();
    let unchanged = |res: &Resolution| match (&last, res.revision()) {
        (Some(last), Some(rev)) => *last == rev.to_string(),
        _ => false,
    };
    // libgit2 remotes (ssh): list and, in the common case, fetch over one connection.
    let mut early = None;
    let (refs, prefetched) = if let Remote::Lib(lib) = &mut remote {
        let (repo, dir) = scratch_repo(opts, &shown)?;
        let listed = lib.list_and_fetch(&repo, progress, |refs| {
            let res = resolve(&strategy, refs, opts.semver.as_ref()).ok()?;
            if unchanged(&res) || !simple_fetch(&strategy, &res) {
                return None;
            }
            let specs = res.fetch.iter().map(|n| format!("+{n}:{n}")).collect();
            Some((specs, shallow))
        })?;
        early = Some((repo, dir));
        listed
    } else {
        (remote.list()?, false)
    };
    let res = resolve(&strategy, &refs, opts.semver.as_ref()).map_err(|e| GitError::Resolve {
        url: shown.clone(),
        source: e,
    })?;
    if unchanged(&res) {
        return Ok(FetchOutcome::Unchanged {
            revision: last.unwrap_or_default(),
        });
    }

    prepare_dest(dest)?;
    let (repo, _scratch) = match early {
        Some(r) => r,
        None => scratch_repo(opts, &shown)?,
    };

    let fetched = fetch_objects(
        &mut remote,
        &repo,
        &shown,
        &strategy,
        &refs,
        res,
        shallow,
        progress,
        prefetched,
    )?;
    let commit = repo
        .find_commit(fetched.commit)
        .map_err(|_| GitError::CommitNotFound {
            url: shown.clone(),
            commit: fetched.commit.to_string(),
        })?;
    let revision = Revision {
        reference: fetched.resolution.reference.clone(),
        commit: commit.id().to_string(),
        absolute: fetched.resolution.absolute,
    }
    .to_string();

    let verified = match &source.verify {
        Some(v) => verify(&repo, &shown, &commit, fetched.tag.as_ref(), v)?,
        None => Vec::new(),
    };

    report(Phase::CheckingOut);
    let tree = commit.tree().map_err(|e| git_err(&shown, &e))?;
    let sparse: Vec<String> = source
        .sparse_checkout
        .iter()
        .filter_map(|d| sparse_dir(d).ok())
        .filter(|d| !d.is_empty())
        .collect();
    check_size(&repo, &tree, &sparse, &shown, &opts.limits)?;
    // The scratch repository's work tree is the destination, without a `.git` link there.
    repo.set_workdir(dest, false)
        .map_err(|e| git_err(&shown, &e))?;
    let mut co = git2::build::CheckoutBuilder::new();
    co.force().recreate_missing(true);
    for d in &sparse {
        co.path(d.as_str());
    }
    repo.checkout_tree(tree.as_object(), Some(&mut co))
        .map_err(|e| git_err(&shown, &e))?;

    if source.recurse_submodules {
        submodules(
            source, &url, &repo, &tree, dest, &sparse, opts, deadline, depth,
        )?;
    }

    Ok(FetchOutcome::Fetched(Checkout {
        revision,
        commit: commit.id().to_string(),
        path: dest.to_path_buf(),
        verified,
    }))
}

/// A bare scratch repository in a temporary directory (removed when dropped).
fn scratch_repo(
    opts: &FetchOptions,
    url: &str,
) -> Result<(git2::Repository, tempfile::TempDir), GitError> {
    let dir = match &opts.scratch_dir {
        Some(d) => tempfile::Builder::new()
            .prefix(".gitward-git-")
            .tempdir_in(d),
        None => tempfile::Builder::new().prefix("gitward-git-").tempdir(),
    }
    .map_err(|e| GitError::Io {
        path: opts.scratch_dir.as_ref().map_or_else(
            || "temporary directory".to_owned(),
            |d| d.display().to_string(),
        ),
        reason: e.to_string(),
    })?;
    let repo = git2::Repository::init_bare(dir.path()).map_err(|e| git_err(url, &e))?;
    Ok((repo, dir))
}

/// Whether the fetch is one request for `res.fetch` (every case but semver ties and a
/// commit that is no tip), which a libgit2 remote can do on its listing connection.
fn simple_fetch(strategy: &Strategy, res: &Resolution) -> bool {
    res.semver_ties.is_empty()
        && (res.commit_is_tip || !matches!(strategy, Strategy::Commit { .. }))
}

/// A sparse checkout directory, normalised (`./` and trailing `/` removed); refused if it
/// leaves the root.
fn sparse_dir(dir: &str) -> Result<String, String> {
    let d = dir.trim_start_matches("./").trim_end_matches('/');
    if Path::new(d)
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(format!(
            "sparse checkout directory '{dir}' must be a relative path inside the repository"
        ));
    }
    Ok(d.to_owned())
}

fn in_sparse(path: &str, sparse: &[String]) -> bool {
    sparse.is_empty()
        || sparse.iter().any(|d| {
            path == d || path.starts_with(&format!("{d}/")) || d.starts_with(&format!("{path}/"))
        })
}

fn prepare_dest(dest: &Path) -> Result<(), GitError> {
    match std::fs::read_dir(dest) {
        Ok(mut rd) => {
            if rd.next().is_some() {
                return Err(GitError::Io {
                    path: dest.display().to_string(),
                    reason: "the destination exists and is not empty".into(),
                });
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dest).map_err(|e| io_err(dest, &e))
        }
        Err(e) => Err(io_err(dest, &e)),
    }
}

struct Fetched {
    resolution: Resolution,
    commit: git2::Oid,
    /// The tag the commit was reached through: (short name, tag ref's target).
    tag: Option<(String, git2::Oid)>,
}

#[allow(clippy::too_many_arguments)]
fn fetch_objects(
    remote: &mut Remote,
    repo: &git2::Repository,
    url: &str,
    strategy: &Strategy,
    refs: &RemoteRefs,
    mut res: Resolution,
    shallow: Option<u32>,
    progress: Option<&ProgressFn>,
    prefetched: bool,
) -> Result<Fetched, GitError> {
    let oid_of = |name: &str| refs.get(name).map(str::to_owned);
    let wants_for = |names: &[String]| -> Vec<(String, String)> {
        names
            .iter()
            .filter_map(|n| oid_of(n).map(|o| (n.clone(), o)))
            .collect()
    };
    let parse = |s: &str| git2::Oid::from_str(s).map_err(|e| git_err(url, &e));

    // Semver ties: fetch every tied tag, the newest commit wins.
    if !res.semver_ties.is_empty() {
        remote.fetch(repo, url, &wants_for(&res.fetch), shallow, progress)?;
        let mut times = Vec::new();
        for t in &res.semver_ties {
            let id = repo
                .refname_to_id(&format!("refs/tags/{t}"))
                .map_err(|e| git_err(url, &e))?;
            let c = repo
                .find_object(id, None)
                .and_then(|o| o.peel_to_commit())
                .map_err(|e| git_err(url, &e))?;
            times.push((t.clone(), c.committer().when().seconds()));
        }
        let winner = break_semver_tie(&times).unwrap_or_default().to_owned();
        res = resolve(&Strategy::Tag(winner), refs, &NoSemver).map_err(|e| GitError::Resolve {
            url: url.to_owned(),
            source: e,
        })?;
        return finish(repo, url, res);
    }

    let commit = res.commit.clone().unwrap_or_default();
    if simple_fetch(strategy, &res) {
        if !prefetched {
            remote.fetch(repo, url, &wants_for(&res.fetch), shallow, progress)?;
        }
        return finish(repo, url, res);
    }

    // A commit that is not a tip: the whole branch, or (no branch) the commit itself if
    // the server lets us ask for it, else every branch.
    if let Strategy::Commit {
        branch: Some(_), ..
    } = strategy
    {
        remote.fetch(repo, url, &wants_for(&res.fetch), None, progress)?;
        return finish(repo, url, res);
    }
    let direct = remote.fetch(
        repo,
        url,
        &[("refs/gitward/commit".to_owned(), commit.clone())],
        shallow,
        progress,
    );
    let have = |repo: &git2::Repository| {
        parse(&commit)
            .map(|id| repo.find_commit(id).is_ok())
            .unwrap_or(false)
    };
    if direct.is_err() || !have(repo) {
        let heads: Vec<String> = refs
            .refs
            .iter()
            .filter(|r| r.name.starts_with("refs/heads/"))
            .map(|r| r.name.clone())
            .collect();
        if heads.is_empty() {
            return Err(GitError::CommitNotFound {
                url: url.to_owned(),
                commit,
            });
        }
        remote.fetch(repo, url, &wants_for(&heads), None, progress)?;
    }
    finish(repo, url, res)
}

fn finish(repo: &git2::Repository, url: &str, res: Resolution) -> Result<Fetched, GitError> {
    let commit_str = res.commit.clone().unwrap_or_default();
    let commit = git2::Oid::from_str(&commit_str).map_err(|_| GitError::CommitNotFound {
        url: url.to_owned(),
        commit: commit_str.clone(),
    })?;
    let tag = match &res.tag {
        Some(t) => {
            let id = repo
                .refname_to_id(&format!("refs/tags/{t}"))
                .map_err(|e| git_err(url, &e))?;
            Some((t.clone(), id))
        }
        None => None,
    };
    Ok(Fetched {
        resolution: res,
        commit,
        tag,
    })
}

fn verify(
    repo: &git2::Repository,
    url: &str,
    commit: &git2::Commit<'_>,
    tag: Option<&(String, git2::Oid)>,
    v: &Verification,
) -> Result<Vec<VerifiedObject>, GitError> {
    let odb = repo.odb().map_err(|e| git_err(url, &e))?;
    let mut out = Vec::new();
    if v.mode.verify_tag() {
        let Some((name, id)) = tag else {
            return Err(GitError::VerificationMode(
                "cannot verify tag object's signature if a tag reference is not specified".into(),
            ));
        };
        let obj = odb.read(*id).map_err(|e| git_err(url, &e))?;
        if obj.kind() != git2::ObjectType::Tag {
            return Err(GitError::Verification {
                object: format!("tag '{name}'"),
                reason: format!(
                    "cannot verify signature of tag '{name}' since it is not signed (a lightweight tag)"
                ),
            });
        }
        let object = format!("tag '{name}@{id}'");
        let signed = signature::split_tag(obj.data());
        if SignatureKind::of(&signed.signature) == SignatureKind::Empty {
            return Err(GitError::Verification {
                reason: format!(
                    "cannot verify signature of tag '{name}@{id}' since it is not signed"
                ),
                object,
            });
        }
        let signer =
            signature::verify(&signed.signature, &signed.payload, &v.keys).map_err(|e| {
                GitError::Verification {
                    object: object.clone(),
                    reason: e.to_string(),
                }
            })?;
        out.push(VerifiedObject { object, signer });
    }
    if v.mode.verify_head() {
        let obj = odb.read(commit.id()).map_err(|e| git_err(url, &e))?;
        let object = format!("commit '{}'", commit.id());
        let signed = signature::split_commit(obj.data());
        let signer =
            signature::verify(&signed.signature, &signed.payload, &v.keys).map_err(|e| {
                GitError::Verification {
                    object: object.clone(),
                    reason: e.to_string(),
                }
            })?;
        out.push(VerifiedObject { object, signer });
    }
    Ok(out)
}

/// Refuses a tree whose checkout would exceed the size or file-count bounds.
fn check_size(
    repo: &git2::Repository,
    tree: &git2::Tree<'_>,
    sparse: &[String],
    url: &str,
    limits: &Limits,
) -> Result<(), GitError> {
    let odb = repo.odb().map_err(|e| git_err(url, &e))?;
    let (mut bytes, mut files) = (0u64, 0u64);
    let mut failure = None;
    tree.walk(git2::TreeWalkMode::PreOrder, |root, entry| {
        let path = format!("{root}{}", entry.name().unwrap_or_default());
        if !in_sparse(&path, sparse) {
            return git2::TreeWalkResult::Skip;
        }
        files += 1;
        if entry.kind() == Some(git2::ObjectType::Blob)
            && let Ok((size, _)) = odb.read_header(entry.id())
        {
            bytes += size as u64;
        }
        if files > limits.max_files {
            failure = Some(GitError::TooLarge {
                url: url.to_owned(),
                what: "number of files".into(),
                limit: limits.max_files,
            });
            return git2::TreeWalkResult::Abort;
        }
        if bytes > limits.max_checkout_bytes {
            failure = Some(GitError::TooLarge {
                url: url.to_owned(),
                what: "checkout".into(),
                limit: limits.max_checkout_bytes,
            });
            return git2::TreeWalkResult::Abort;
        }
        git2::TreeWalkResult::Ok
    })
    .ok();
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Checks out the submodules recorded in `tree` (gitlinks with a `.gitmodules` entry) at
/// their commits, with the same credentials, as go-git's recursive clone does.
#[allow(clippy::too_many_arguments)]
fn submodules(
    source: &GitSource,
    url: &GitUrl,
    repo: &git2::Repository,
    tree: &git2::Tree<'_>,
    dest: &Path,
    sparse: &[String],
    opts: &FetchOptions,
    deadline: Option<Instant>,
    depth: u32,
) -> Result<(), GitError> {
    let shown = url.to_string();
    let mut links = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |root, entry| {
        let path = format!("{root}{}", entry.name().unwrap_or_default());
        if !in_sparse(&path, sparse) {
            return git2::TreeWalkResult::Skip;
        }
        if entry.kind() == Some(git2::ObjectType::Commit) {
            links.push((path, entry.id()));
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(|e| git_err(&shown, &e))?;
    if links.is_empty() {
        return Ok(());
    }
    if depth >= opts.limits.max_submodule_depth {
        return Err(GitError::Options {
            url: shown,
            reason: format!(
                "submodules nest deeper than {} levels",
                opts.limits.max_submodule_depth
            ),
        });
    }
    // .gitmodules from the commit itself, parsed as a git config file.
    let gm = tree
        .get_path(Path::new(".gitmodules"))
        .and_then(|e| e.to_object(repo))
        .and_then(|o| o.peel_to_blob())
        .map_err(|_| GitError::Options {
            url: shown.clone(),
            reason: "the commit has submodules but no .gitmodules".into(),
        })?;
    let scratch = tempfile::NamedTempFile::new().map_err(|e| GitError::Io {
        path: "temporary file".into(),
        reason: e.to_string(),
    })?;
    std::fs::write(scratch.path(), gm.content()).map_err(|e| io_err(scratch.path(), &e))?;
    let cfg = git2::Config::open(scratch.path()).map_err(|e| git_err(&shown, &e))?;
    let mut paths: Vec<(String, String)> = Vec::new(); // (name, path)
    let mut urls: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    if let Ok(mut entries) = cfg.entries(Some(r"submodule\..*\.(path|url)")) {
        while let Some(Ok(e)) = entries.next() {
            let (Ok(key), Ok(value)) = (e.name(), e.value()) else {
                continue;
            };
            let Some(rest) = key.strip_prefix("submodule.") else {
                continue;
            };
            if let Some(name) = rest.strip_suffix(".path") {
                paths.push((name.to_owned(), value.to_owned()));
            } else if let Some(name) = rest.strip_suffix(".url") {
                urls.insert(name.to_owned(), value.to_owned());
            }
        }
    }
    let root = std::fs::canonicalize(dest).map_err(|e| io_err(dest, &e))?;
    for (path, id) in links {
        let Some((name, _)) = paths.iter().find(|(_, p)| p.trim_end_matches('/') == path) else {
            continue;
        };
        let Some(sub_url) = urls.get(name) else {
            continue;
        };
        if Path::new(&path)
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(GitError::Options {
                url: shown,
                reason: format!("submodule path '{path}' leaves the repository"),
            });
        }
        let target = dest.join(&path);
        // The directory libgit2 left for the gitlink must be inside the checkout.
        if let Ok(real) = std::fs::canonicalize(&target)
            && !real.starts_with(&root)
        {
            return Err(GitError::Options {
                url: shown,
                reason: format!("submodule path '{path}' leaves the repository"),
            });
        }
        let sub = GitSource {
            url: url.join_relative(sub_url),
            reference: GitRef::commit(id.to_string(), None),
            auth: source.auth.clone(),
            recurse_submodules: true,
            sparse_checkout: Vec::new(),
            verify: None,
        };
        let sub_opts = FetchOptions {
            last_revision: None,
            ..opts.clone()
        };
        fetch_inner(&sub, &target, &sub_opts, deadline, depth + 1)?;
    }
    Ok(())
}
