//! Git's smart HTTP protocol (version 0), spoken directly over `ureq` and rustls: one
//! `GET info/refs` lists the refs, one `POST git-upload-pack` brings a pack that is
//! streamed into libgit2's indexer. Doing it here rather than through libgit2's HTTP
//! transport gives every source the same TLS stack, per-remote CAs, client certificates
//! and bearer tokens, none of which libgit2 offers per call.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use base64::Engine as _;
use ureq::tls::{Certificate, ClientCert, PemItem, RootCerts, TlsConfig};

use super::{Auth, GitError, Limits, ProgressFn};
use crate::source::git::RemoteRefs;
use crate::source::git::pktline::{self, Advertisement};
use crate::source::git::url::{GitUrl, Scheme};

/// A smart HTTP remote with its credentials and TLS settings applied.
pub(super) struct HttpRemote {
    agent: ureq::Agent,
    base: String,
    shown: String,
    authorization: Option<String>,
    limits: Limits,
    deadline: Option<Instant>,
    advertisement: Option<Advertisement>,
    client_cert: bool,
}

/// The system's root certificates, read once per process (they do not change while it runs).
fn system_roots() -> &'static [Certificate<'static>] {
    static ROOTS: OnceLock<Vec<Certificate<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        rustls_native_certs::load_native_certs()
            .certs
            .into_iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned())
            .collect()
    })
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

        let mut tls = TlsConfig::builder();
        if let Some(ca) = &auth.ca_pem {
            let mut roots: Vec<Certificate<'static>> = system_roots().to_vec();
            let mut n = 0;
            for item in ureq::tls::parse_pem(ca) {
                match item {
                    Ok(PemItem::Certificate(c)) => {
                        roots.push(c);
                        n += 1;
                    }
                    Ok(_) => {}
                    Err(e) => return Err(options(format!("cannot read the CA certificates: {e}"))),
                }
            }
            if n == 0 {
                return Err(options("the CA file holds no certificate".into()));
            }
            tls = tls.root_certs(RootCerts::Specific(Arc::new(roots)));
        } else if !system_roots().is_empty() {
            tls = tls.root_certs(RootCerts::Specific(Arc::new(system_roots().to_vec())));
        } else {
            tls = tls.root_certs(RootCerts::WebPki);
        }
        match (&auth.client_cert_pem, &auth.client_key_pem) {
            (Some(cert), Some(key)) => {
                let mut chain = Vec::new();
                for item in ureq::tls::parse_pem(cert) {
                    match item {
                        Ok(PemItem::Certificate(c)) => chain.push(c),
                        Ok(_) => {}
                        Err(e) => {
                            return Err(options(format!(
                                "cannot read the client certificate: {e}"
                            )));
                        }
                    }
                }
                let mut private = None;
                for item in ureq::tls::parse_pem(key.expose().as_bytes()) {
                    // The key's own parse error could quote it: say only that it failed.
                    match item {
                        Ok(PemItem::PrivateKey(k)) => private = Some(k),
                        Ok(_) => {}
                        Err(_) => return Err(options("cannot read the client key".into())),
                    }
                }
                let private = private
                    .ok_or_else(|| options("the client key file holds no private key".into()))?;
                if chain.is_empty() {
                    return Err(options(
                        "the client certificate file holds no certificate".into(),
                    ));
                }
                tls = tls.client_cert(Some(ClientCert::new_with_certs(&chain, private)));
            }
            (None, None) => {}
            _ => {
                return Err(options(
                    "a client certificate needs both the certificate and its key".into(),
                ));
            }
        }
        let mut config = ureq::Agent::config_builder()
            .tls_config(tls.build())
            .http_status_as_error(false)
            .max_redirects(5)
            // Git servers want a git/ user agent for the smart protocol.
            .user_agent(concat!("git/2.0 (gitward/", env!("CARGO_PKG_VERSION"), ")"));
        if let Some(d) = deadline {
            config = config.timeout_global(Some(d.saturating_duration_since(Instant::now())));
        }
        Ok(HttpRemote {
            agent: config.build().into(),
            base: url.connect_url().trim_end_matches('/').to_owned(),
            shown,
            authorization,
            limits: limits.clone(),
            deadline,
            advertisement: None,
            client_cert: auth.client_cert_pem.is_some(),
        })
    }

    fn map_err(&self, e: ureq::Error) -> GitError {
        let url = self.shown.clone();
        match e {
            ureq::Error::Timeout(_) => GitError::Timeout { url },
            ureq::Error::BodyExceedsLimit(limit) => GitError::TooLarge {
                url,
                what: "response".into(),
                limit,
            },
            ureq::Error::Tls(m) => GitError::Tls {
                url,
                reason: m.to_owned(),
            },
            ureq::Error::Rustls(e) => GitError::Tls {
                url,
                reason: e.to_string(),
            },
            ureq::Error::Pem(e) => GitError::Tls {
                url,
                reason: e.to_string(),
            },
            ureq::Error::Io(io) => {
                if let Some(r) = io.get_ref().and_then(|r| r.downcast_ref::<rustls::Error>()) {
                    return GitError::Tls {
                        url,
                        reason: r.to_string(),
                    };
                }
                if io.kind() == std::io::ErrorKind::TimedOut {
                    return GitError::Timeout { url };
                }
                GitError::Network {
                    url,
                    reason: io.to_string(),
                }
            }
            ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => GitError::Network {
                url,
                reason: e.to_string(),
            },
            other => GitError::Network {
                url,
                reason: other.to_string(),
            },
        }
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
            .agent
            .get(format!("{}/info/refs?service=git-upload-pack", self.base));
        if let Some(a) = &self.authorization {
            req = req.header("Authorization", a);
        }
        let mut resp = req.call().map_err(|e| self.map_err(e))?;
        let status = resp.status().as_u16();
        if status == 400 && !self.client_cert {
            // nginx answers a missing client certificate with 400 and says so.
            let body = resp
                .body_mut()
                .with_config()
                .limit(4096)
                .read_to_vec()
                .unwrap_or_default();
            if String::from_utf8_lossy(&body).contains("SSL certificate") {
                return Err(GitError::Auth {
                    url: self.shown.clone(),
                    reason: "the server wants a TLS client certificate (HTTP 400)".into(),
                });
            }
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
        let body = resp
            .body_mut()
            .with_config()
            .limit(self.limits.max_advertisement_bytes)
            .read_to_vec()
            .map_err(|e| self.map_err(e))?;
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
            .agent
            .post(format!("{}/git-upload-pack", self.base))
            .header("Content-Type", "application/x-git-upload-pack-request")
            .header("Accept", "application/x-git-upload-pack-result");
        if let Some(a) = &self.authorization {
            req = req.header("Authorization", a);
        }
        let resp = req.send(&body[..]).map_err(|e| self.map_err(e))?;
        self.check_status(resp.status().as_u16())?;
        let reader = resp.into_body().into_reader();
        super::pack::receive(
            reader,
            depth.is_some(),
            repo,
            &url,
            self.limits.max_download_bytes,
            self.deadline,
            progress,
        )
    }
}
