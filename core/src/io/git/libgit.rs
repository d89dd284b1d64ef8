//! `ssh://`, `git://` and local remotes through libgit2 (git2): ref listing with
//! `connect` + `ls`, fetches with refspecs and a depth, ssh keys offered once, host keys
//! checked against `known_hosts` by [`check_host_key`].

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Instant;

use git2::{CertificateCheckStatus, Cred, CredentialType, RemoteCallbacks};

use super::{Auth, GitError, HostKeyProblem, Limits, Phase, Progress, ProgressFn};
use crate::source::git::known_hosts::{
    HostKeyVerdict, check_host_key, fingerprint_sha256, host_pattern,
};
use crate::source::git::url::{GitUrl, Scheme};
use crate::source::git::{RemoteRef, RemoteRefs};

/// Flux's user for key auth when the URL names none.
const DEFAULT_SSH_USER: &str = "git";

/// What the callbacks saw, for a precise error afterwards.
#[derive(Default)]
struct Seen {
    host_key: RefCell<Option<GitError>>,
    auth_refused: Cell<bool>,
    key_offered: Cell<bool>,
    too_large: Cell<bool>,
    timed_out: Cell<bool>,
}

/// A libgit2 remote with credentials.
pub(super) struct LibRemote {
    url: GitUrl,
    shown: String,
    auth: Auth,
    limits: Limits,
    deadline: Option<Instant>,
}

impl LibRemote {
    pub(super) fn new(
        url: &GitUrl,
        auth: &Auth,
        limits: &Limits,
        deadline: Option<Instant>,
    ) -> Result<Self, GitError> {
        let shown = url.to_string();
        if url.scheme == Scheme::Ssh
            && auth.known_hosts.is_none()
            && !auth.insecure_skip_host_key_check
        {
            return Err(GitError::HostKey {
                host: host_pattern(&url.host, url.port_or_default()),
                problem: HostKeyProblem::NoKnownHosts,
            });
        }
        Ok(LibRemote {
            url: url.clone(),
            shown,
            auth: auth.clone(),
            limits: limits.clone(),
            deadline,
        })
    }

    fn callbacks<'a>(
        &'a self,
        seen: &'a Rc<Seen>,
        progress: Option<&'a ProgressFn>,
    ) -> RemoteCallbacks<'a> {
        let mut cb = RemoteCallbacks::new();
        if self.url.scheme == Scheme::Ssh {
            let asked = Cell::new(false);
            let seen_c = Rc::clone(seen);
            cb.credentials(move |_url, user_from_url, allowed| {
                let user = self
                    .url
                    .user
                    .as_deref()
                    .or(user_from_url)
                    .unwrap_or(DEFAULT_SSH_USER);
                if allowed.contains(CredentialType::USERNAME) {
                    return Cred::username(user);
                }
                if asked.replace(true) {
                    seen_c.auth_refused.set(true);
                    return Err(git2::Error::from_str("the server refused the ssh key"));
                }
                if !allowed.contains(CredentialType::SSH_KEY) {
                    seen_c.auth_refused.set(true);
                    return Err(git2::Error::from_str(
                        "the server accepts no ssh key authentication",
                    ));
                }
                seen_c.key_offered.set(true);
                let Some(key) = &self.auth.ssh_key_pem else {
                    seen_c.auth_refused.set(true);
                    return Err(git2::Error::from_str("no ssh private key was given"));
                };
                Cred::ssh_key_from_memory(
                    user,
                    None,
                    key.expose(),
                    self.auth.ssh_passphrase.as_ref().map(|p| p.expose()),
                )
                .map_err(|_| {
                    seen_c.auth_refused.set(true);
                    git2::Error::from_str(
                        "cannot use the ssh private key (wrong passphrase or unsupported format)",
                    )
                })
            });
            let seen_h = Rc::clone(seen);
            let port = self.url.port_or_default();
            cb.certificate_check(move |cert, host| {
                if self.auth.insecure_skip_host_key_check {
                    return Ok(CertificateCheckStatus::CertificateOk);
                }
                let pattern = host_pattern(host, port);
                let fail = |problem: HostKeyProblem| {
                    let msg = problem.to_string();
                    *seen_h.host_key.borrow_mut() = Some(GitError::HostKey {
                        host: pattern.clone(),
                        problem,
                    });
                    Err(git2::Error::from_str(&msg))
                };
                let Some(blob) = cert.as_hostkey().and_then(|h| h.hostkey()) else {
                    return fail(HostKeyProblem::NoKey);
                };
                let known = self.auth.known_hosts.as_deref().unwrap_or_default();
                let fingerprint = fingerprint_sha256(blob);
                match check_host_key(known, host, port, blob) {
                    HostKeyVerdict::Known => Ok(CertificateCheckStatus::CertificateOk),
                    HostKeyVerdict::Unknown => fail(HostKeyProblem::Unknown { fingerprint }),
                    HostKeyVerdict::Changed => fail(HostKeyProblem::Changed { fingerprint }),
                    HostKeyVerdict::Revoked => fail(HostKeyProblem::Revoked { fingerprint }),
                }
            });
        }
        let seen_p = Rc::clone(seen);
        let limit = self.limits.max_download_bytes;
        let deadline = self.deadline;
        cb.transfer_progress(move |p| {
            if p.received_bytes() as u64 > limit {
                seen_p.too_large.set(true);
                return false;
            }
            if deadline.is_some_and(|d| Instant::now() > d) {
                seen_p.timed_out.set(true);
                return false;
            }
            if let Some(f) = progress {
                f(&Progress {
                    phase: if p.received_objects() < p.total_objects() {
                        Phase::Receiving
                    } else {
                        Phase::Resolving
                    },
                    received_objects: p.received_objects() as u64,
                    total_objects: p.total_objects() as u64,
                    indexed_deltas: p.indexed_deltas() as u64,
                    total_deltas: p.total_deltas() as u64,
                    received_bytes: p.received_bytes() as u64,
                });
            }
            true
        });
        cb
    }

    /// Turns a libgit2 error into ours, preferring what the callbacks recorded.
    fn map_err(&self, e: &git2::Error, seen: &Seen) -> GitError {
        let url = self.shown.clone();
        if let Some(err) = seen.host_key.borrow_mut().take() {
            return err;
        }
        if seen.too_large.get() {
            return GitError::TooLarge {
                url,
                what: "pack".into(),
                limit: self.limits.max_download_bytes,
            };
        }
        if seen.timed_out.get() {
            return GitError::Timeout { url };
        }
        let msg = e.message().to_owned();
        if seen.auth_refused.get() || e.code() == git2::ErrorCode::Auth {
            return GitError::Auth { url, reason: msg };
        }
        let lower = msg.to_ascii_lowercase();
        if seen.key_offered.get() && lower.contains("private key") {
            return GitError::Auth {
                url,
                reason: "cannot use the ssh private key (wrong or missing passphrase, or an unsupported format)".into(),
            };
        }
        if seen.key_offered.get() && lower.contains("authenticat") {
            return GitError::Auth { url, reason: msg };
        }
        if lower.contains("not found")
            || lower.contains("no such repository")
            || lower.contains("does not appear to be a git repository")
            || lower.contains("not exported")
            || lower.contains("could not find repository")
            || lower.contains("no such file or directory") && self.url.scheme == Scheme::File
        {
            return GitError::RepositoryNotFound { url };
        }
        match e.class() {
            git2::ErrorClass::Net
            | git2::ErrorClass::Os
            | git2::ErrorClass::Ssh
            | git2::ErrorClass::Http => GitError::Network { url, reason: msg },
            _ => GitError::Git { url, reason: msg },
        }
    }

    /// Lists the remote's refs.
    pub(super) fn list(&mut self) -> Result<RemoteRefs, GitError> {
        let seen = Rc::new(Seen::default());
        let mut remote =
            git2::Remote::create_detached(self.url.connect_url()).map_err(|e| GitError::Git {
                url: self.shown.clone(),
                reason: e.message().to_owned(),
            })?;
        let conn = remote
            .connect_auth(
                git2::Direction::Fetch,
                Some(self.callbacks(&seen, None)),
                None,
            )
            .map_err(|e| self.map_err(&e, &seen))?;
        refs_of(&conn).map_err(|e| self.map_err(&e, &seen))
    }

    /// Lists the refs and, when `decide` returns refspecs (and a depth), fetches them into
    /// `repo` over the same connection: one ssh handshake instead of two. Returns the refs
    /// and whether a fetch happened.
    pub(super) fn list_and_fetch<F>(
        &mut self,
        repo: &git2::Repository,
        progress: Option<&ProgressFn>,
        decide: F,
    ) -> Result<(RemoteRefs, bool), GitError>
    where
        F: FnOnce(&RemoteRefs) -> Option<(Vec<String>, Option<u32>)>,
    {
        let seen = Rc::new(Seen::default());
        let mut remote = repo
            .remote_anonymous(&self.url.connect_url())
            .map_err(|e| GitError::Git {
                url: self.shown.clone(),
                reason: e.message().to_owned(),
            })?;
        let mut conn = remote
            .connect_auth(
                git2::Direction::Fetch,
                Some(self.callbacks(&seen, None)),
                None,
            )
            .map_err(|e| self.map_err(&e, &seen))?;
        let refs = refs_of(&conn).map_err(|e| self.map_err(&e, &seen))?;
        let Some((specs, depth)) = decide(&refs) else {
            return Ok((refs, false));
        };
        let mut fo = self.fetch_options(&seen, progress, depth);
        let r = conn.remote();
        r.download(&specs, Some(&mut fo))
            .and_then(|()| {
                r.update_tips(
                    None,
                    git2::RemoteUpdateFlags::empty(),
                    git2::AutotagOption::None,
                    None,
                )
            })
            .map_err(|e| self.map_err(&e, &seen))?;
        Ok((refs, true))
    }

    fn fetch_options<'a>(
        &'a self,
        seen: &'a Rc<Seen>,
        progress: Option<&'a ProgressFn>,
        depth: Option<u32>,
    ) -> git2::FetchOptions<'a> {
        let mut fo = git2::FetchOptions::new();
        fo.remote_callbacks(self.callbacks(seen, progress));
        fo.download_tags(git2::AutotagOption::None);
        fo.update_fetchhead(false);
        if let Some(d) = depth.filter(|_| self.url.scheme != Scheme::File) {
            fo.depth(i32::try_from(d).unwrap_or(i32::MAX));
        }
        fo
    }

    /// Fetches refspecs into `repo`, `depth` commits deep when given.
    pub(super) fn fetch(
        &mut self,
        repo: &git2::Repository,
        refspecs: &[String],
        depth: Option<u32>,
        progress: Option<&ProgressFn>,
    ) -> Result<(), GitError> {
        let seen = Rc::new(Seen::default());
        let mut remote = repo
            .remote_anonymous(&self.url.connect_url())
            .map_err(|e| GitError::Git {
                url: self.shown.clone(),
                reason: e.message().to_owned(),
            })?;
        let mut fo = self.fetch_options(&seen, progress, depth);
        remote
            .fetch(refspecs, Some(&mut fo), None)
            .map_err(|e| self.map_err(&e, &seen))
    }
}

/// The advertised refs of a connected remote, with `HEAD`'s target.
fn refs_of(conn: &git2::RemoteConnection<'_, '_, '_>) -> Result<RemoteRefs, git2::Error> {
    let mut refs = RemoteRefs::default();
    for h in conn.list()? {
        if h.name() == "HEAD"
            && let Some(t) = h.symref_target()
        {
            refs.head_symref = Some(t.to_owned());
        }
        refs.refs.push(RemoteRef {
            name: h.name().to_owned(),
            oid: h.oid().to_string(),
        });
    }
    if refs.head_symref.is_none()
        && let Ok(buf) = conn.default_branch()
        && let Ok(s) = buf.as_str()
    {
        refs.head_symref = Some(s.to_owned());
    }
    Ok(refs)
}
