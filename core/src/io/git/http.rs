//! Git's smart HTTP protocol (version 0), spoken directly over the crate's one HTTP stack
//! (`reqwest` on rustls with ring, configured by [`crate::io::http`], the setup the Helm
//! and OCI sources use): one `GET info/refs` lists the refs, one `POST git-upload-pack`
//! brings a pack that is streamed into libgit2's indexer. Doing it here rather than
//! through libgit2's HTTP transport gives every source the same TLS stack, per-remote CAs,
//! client certificates and bearer tokens, none of which libgit2 offers per call.
//!
//! The Git fetch is blocking (it runs on tokio's blocking pool for `fetch_async`), so the
//! client is reqwest's blocking one, which drives the same async client on a runtime
//! thread of its own.

use std::io::Read as _;
use std::time::{Duration, Instant};

use base64::Engine as _;

use super::{Auth, GitError, Limits, ProgressFn};
use crate::io::http::{TlsOptions, rustls_config};
use crate::source::git::RemoteRefs;
use crate::source::git::pktline::{self, Advertisement};
use crate::source::git::url::{GitUrl, Scheme};

/// A smart HTTP remote with its credentials and TLS settings applied.
pub(super) struct HttpRemote {
    client: reqwest::blocking::Client,
    base: String,
    shown: String,
    authorization: Option<String>,
    limits: Limits,
    deadline: Option<Instant>,
    advertisement: Option<Advertisement>,
    client_cert: bool,
}

impl HttpRemote {
    pub(super) fn new(
        url: &GitUrl,
        auth: &Auth,
        limits: &Limits,
        deadline: Option<Instant>,
    ) -> Result<HttpRemote, GitError> {
        let shown = url.to_string();
        let options = |reason: String| GitError::Options {
            url: shown.clone(),
            reason,
        };
        let user = auth.username.clone().or_else(|| url.user.clone());
        let password = auth
            .password
            .as_ref()
            .map(|s| s.expose().to_owned())
            .or_else(|| url.password().map(str::to_owned));
        let has_basic = user.is_some() || password.is_some();
        if has_basic && auth.bearer_token.is_some() {
            return Err(options(
                "basic auth and bearer token cannot be set at the same time".into(),
            ));
        }
        if url.scheme == Scheme::Http
            && (has_basic || auth.bearer_token.is_some())
            && !auth.allow_insecure_http
        {
            return Err(options(
                "credentials over plain HTTP are refused (allow them explicitly to send them in the clear)"
                    .into(),
            ));
        }
        let authorization = if let Some(t) = &auth.bearer_token {
            Some(format!("Bearer {}", t.expose()))
        } else if has_basic {
            let pair = format!(
                "{}:{}",
                user.as_deref().unwrap_or_default(),
                password.as_deref().unwrap_or_default()
            );
            Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            ))
        } else {
            None
        };
        if auth.client_cert_pem.is_some() != auth.client_key_pem.is_some() {
            return Err(options(
                "a client certificate needs both the certificate and its key".into(),
            ));
        }
        // The shared TLS setup: ring, the system roots plus the CA file (Flux's `caFile`
        // semantics), the client certificate. Its messages never quote key material.
        let tls = TlsOptions {
            ca_pem: auth.ca_pem.clone(),
            cert_pem: auth.client_cert_pem.clone(),
            key_pem: auth
                .client_key_pem
                .as_ref()
                .map(|k| k.expose().as_bytes().to_vec()),
        };
        let config = rustls_config(&tls).map_err(|e| options(e.message))?;
        let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let client = reqwest::blocking::Client::builder()
            .tls_backend_preconfigured(config)
            .connect_timeout(
                remaining
                    .unwrap_or(Duration::from_secs(30))
                    .min(Duration::from_secs(30)),
            )
            // Whole requests are bounded by the deadline (checked again while the pack
            // streams in); no deadline means no timeout.
            .timeout(remaining)
            .redirect(reqwest::redirect::Policy::limited(5))
            .no_proxy()
            // Git servers want a git/ user agent for the smart protocol.
            .user_agent(concat!("git/2.0 (gitward/", env!("CARGO_PKG_VERSION"), ")"))
            .build()
            .map_err(|e| options(format!("HTTP client: {}", crate::io::http::error_chain(&e))))?;
        Ok(HttpRemote {
            client,
            base: url.connect_url().trim_end_matches('/').to_owned(),
            shown,
            authorization,
            limits: limits.clone(),
            deadline,
            advertisement: None,
            client_cert: auth.client_cert_pem.is_some(),
        })
    }

    fn map_err(&self, e: &reqwest::Error) -> GitError {
        let url = self.shown.clone();
        if e.is_timeout() {
            return GitError::Timeout { url };
        }
        // A TLS failure (untrusted server, refused client certificate) names rustls'
        // reason; reqwest's own text is not used (it quotes the URL).
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            if let Some(r) = s.downcast_ref::<rustls::Error>() {
                return GitError::Tls {
                    url,
                    reason: r.to_string(),
                };
            }
            if let Some(io) = s.downcast_ref::<std::io::Error>() {
                if let Some(r) = io.get_ref().and_then(|r| r.downcast_ref::<rustls::Error>()) {
                    return GitError::Tls {
                        url,
                        reason: r.to_string(),
                    };
                }
                if io.kind() == std::io::ErrorKind::TimedOut {
                    return GitError::Timeout { url };
                }
            }
            // Wrapped where it cannot be downcast (hyper's connector boxes it): rustls'
            // own wording.
            let text = s.to_string();
            if text.starts_with("invalid peer certificate")
                || text.starts_with("received fatal alert")
                || text.starts_with("peer sent no certificates")
                || text.starts_with("peer is incompatible")
            {
                return GitError::Tls { url, reason: text };
            }
            source = s.source();
        }
        GitError::Network {
            url,
            reason: crate::io::http::error_chain(e),
        }
    }

    fn io_err(&self, e: &std::io::Error) -> GitError {
        let url = self.shown.clone();
        if let Some(re) = e.get_ref().and_then(|r| r.downcast_ref::<reqwest::Error>()) {
            return self.map_err(re);
        }
        if e.kind() == std::io::ErrorKind::TimedOut {
            return GitError::Timeout { url };
        }
        GitError::Network {
            url,
            reason: e.to_string(),
        }
    }

    /// Reads at most `limit` bytes of a body; more is an error.
    fn read_limited(
        &self,
        resp: reqwest::blocking::Response,
        limit: u64,
    ) -> Result<Vec<u8>, GitError> {
        if resp.content_length().is_some_and(|n| n > limit) {
            return Err(GitError::TooLarge {
                url: self.shown.clone(),
                what: "response".into(),
                limit,
            });
        }
        let mut body = Vec::new();
        resp.take(limit.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(|e| self.io_err(&e))?;
        if body.len() as u64 > limit {
            return Err(GitError::TooLarge {
                url: self.shown.clone(),
                what: "response".into(),
                limit,
            });
        }
        Ok(body)
    }

    fn check_status(&self, status: u16) -> Result<(), GitError> {
        let url = self.shown.clone();
        match status {
            200 => Ok(()),
            401 => Err(GitError::Auth {
                url,
                reason: if self.authorization.is_some() {
                    "the server refused the credentials (HTTP 401)".into()
                } else {
                    "the server wants credentials (HTTP 401)".into()
                },
            }),
            403 => Err(GitError::Auth {
                url,
                reason: "access denied (HTTP 403)".into(),
            }),
            404 => Err(GitError::RepositoryNotFound { url }),
            s => Err(GitError::Protocol {
                url,
                reason: format!("HTTP status {s}"),
            }),
        }
    }

    /// Lists the remote's refs (`GET info/refs?service=git-upload-pack`).
    pub(super) fn list(&mut self) -> Result<RemoteRefs, GitError> {
        let mut req = self
            .client
            .get(format!("{}/info/refs?service=git-upload-pack", self.base));
        if let Some(a) = &self.authorization {
            req = req.header("Authorization", a);
        }
        let resp = req.send().map_err(|e| self.map_err(&e))?;
        let status = resp.status().as_u16();
        if status == 400 && !self.client_cert {
            // nginx answers a missing client certificate with 400 and says so.
            let body = self.read_limited(resp, 4096).unwrap_or_default();
            if String::from_utf8_lossy(&body).contains("SSL certificate") {
                return Err(GitError::Auth {
                    url: self.shown.clone(),
                    reason: "the server wants a TLS client certificate (HTTP 400)".into(),
                });
            }
            return self.check_status(status).map(|()| RemoteRefs::default());
        }
        self.check_status(status)?;
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if ctype != "application/x-git-upload-pack-advertisement" {
            return Err(GitError::Protocol {
                url: self.shown.clone(),
                reason: format!(
                    "not a smart Git HTTP server (content type '{ctype}'; the dumb protocol is not supported)"
                ),
            });
        }
        let body = self.read_limited(resp, self.limits.max_advertisement_bytes)?;
        let adv = pktline::parse_advertisement(&body, true).map_err(|e| GitError::Protocol {
            url: self.shown.clone(),
            reason: e.to_string(),
        })?;
        let refs = adv.refs.clone();
        self.advertisement = Some(adv);
        Ok(refs)
    }

    /// Fetches `wants` (object ids) into `repo`, `depth` commits deep when given; returns
    /// the shallow commits (to record in `shallow`).
    pub(super) fn fetch(
        &mut self,
        repo: &git2::Repository,
        wants: &[String],
        depth: Option<u32>,
        progress: Option<&ProgressFn>,
    ) -> Result<Vec<String>, GitError> {
        let url = self.shown.clone();
        let adv = match &self.advertisement {
            Some(a) => a.clone(),
            None => {
                self.list()?;
                self.advertisement.clone().unwrap_or_default()
            }
        };
        let mut caps: Vec<&str> = Vec::new();
        for c in ["side-band-64k", "ofs-delta", "no-progress"] {
            if adv.has(c) {
                caps.push(c);
            }
        }
        let depth = match depth {
            Some(d) if adv.has("shallow") => {
                caps.push("shallow");
                Some(d)
            }
            _ => None,
        };
        if !adv.has("side-band-64k") {
            return Err(GitError::Protocol {
                url,
                reason: "the server does not offer side-band-64k".into(),
            });
        }
        let agent = concat!("agent=gitward/", env!("CARGO_PKG_VERSION"));
        caps.push(agent);
        let body =
            pktline::upload_pack_request(wants, &caps, depth).map_err(|e| GitError::Protocol {
                url: url.clone(),
                reason: e.to_string(),
            })?;
        let mut req = self
            .client
            .post(format!("{}/git-upload-pack", self.base))
            .header("Content-Type", "application/x-git-upload-pack-request")
            .header("Accept", "application/x-git-upload-pack-result")
            .body(body);
        if let Some(a) = &self.authorization {
            req = req.header("Authorization", a);
        }
        let resp = req.send().map_err(|e| self.map_err(&e))?;
        self.check_status(resp.status().as_u16())?;
        super::pack::receive(
            resp,
            depth.is_some(),
            repo,
            &url,
            self.limits.max_download_bytes,
            self.deadline,
            progress,
        )
    }
}
