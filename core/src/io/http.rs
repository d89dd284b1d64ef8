//! The HTTP(S) client shared by the Helm repository and OCI registry sources: `reqwest`
//! over rustls, with **ring** as the one crypto provider.
//!
//! ring is the provider kube uses in this workspace (kube 5's `ring` feature, see
//! `cargo tree -e features -i ring`), so a process that talks to a cluster and to
//! registries links one provider. It is passed explicitly to every rustls configuration
//! built here (`ClientConfig::builder_with_provider`) rather than installed as the
//! process default, so nothing here depends on, or changes, global state.
//!
//! Trust: the system's roots, plus the certificates of a CA file when one is given, as
//! Flux's source-controller trusts a `caFile` (`secrets.WithSystemCertPool()` for Helm
//! repositories and OCI registries, go-git's `CABundle` for Git; Helm's own `--ca-file`
//! trusts only that CA). A client certificate and key (PEM) are presented when given. Credentials
//! are never part of an error, a log line or a `Debug` output: URLs are shown without
//! their user information, and [`BasicAuth`] prints its password as `<redacted>`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A username and password. `Debug` does not show the password.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicAuth {
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicAuth")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// TLS material, as PEM bytes (read by the caller from files, environment or a Secret).
/// `Debug` does not show the key.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// CA certificates trusted in addition to the system roots.
    pub ca_pem: Option<Vec<u8>>,
    /// A client certificate chain to present.
    pub cert_pem: Option<Vec<u8>>,
    /// The client certificate's private key.
    pub key_pem: Option<Vec<u8>>,
}

impl fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsOptions")
            .field("ca_pem", &self.ca_pem.as_ref().map(|c| c.len()))
            .field("cert_pem", &self.cert_pem.as_ref().map(|c| c.len()))
            .field("key_pem", &self.key_pem.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// How far a download is (never a URL or a credential: what is downloaded, and sizes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadProgress {
    /// What is downloaded: `index`, `chart archive`, `blob`.
    pub what: &'static str,
    /// Bytes received so far.
    pub received: u64,
    /// The length the server announced, if it did.
    pub total: Option<u64>,
}

/// A callback that receives [`DownloadProgress`] as a body arrives (from the task reading
/// it). `Debug` shows only that it is set.
#[derive(Clone)]
pub struct ProgressSink(
    /// The callback.
    pub Arc<dyn Fn(&DownloadProgress) + Send + Sync>,
);

impl fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressSink")
    }
}

/// What kind of failure a [`FetchError`] is, for callers that branch on it (the bindings'
/// error classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Credentials missing or refused (401/403, a token server's refusal).
    Auth,
    /// The repository, chart, version, tag or blob does not exist.
    NotFound,
    /// Connection, TLS or HTTP failure.
    Network,
    /// Content does not match its digest.
    Digest,
    /// Invalid input (URL, index, manifest, chart, credentials file).
    Invalid,
    /// A size or count limit was hit.
    Limit,
    /// Local file system.
    Io,
}

/// A failure fetching a source. Messages name the URL (without user information), the
/// chart and version where known, and never hold a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FetchError {
    /// The category.
    pub kind: ErrorKind,
    /// The message.
    pub message: String,
    /// The URL concerned (user information removed), when known.
    pub url: Option<String>,
}

impl FetchError {
    /// A new error.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> FetchError {
        FetchError {
            kind,
            message: message.into(),
            url: None,
        }
    }

    /// The same error, about `url`.
    #[must_use]
    pub fn at(mut self, url: &str) -> FetchError {
        self.url = Some(redact_url(url));
        self
    }
}

/// `url` without user information (`https://user:pass@host/` → `https://host/`).
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Client settings.
#[derive(Debug, Clone)]
pub(crate) struct ClientOptions {
    pub tls: TlsOptions,
    pub timeout: Duration,
}

fn invalid(msg: impl Into<String>) -> FetchError {
    FetchError::new(ErrorKind::Invalid, msg)
}

/// The system's root certificates, read once per process (they do not change while it
/// runs; reading them costs milliseconds, which a refresh of an unchanged source should
/// not pay twice).
fn system_roots() -> &'static rustls::RootCertStore {
    static ROOTS: std::sync::OnceLock<rustls::RootCertStore> = std::sync::OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        roots
    })
}

/// The rustls configuration: ring, the system roots plus the CA file's certificates (as
/// Flux's `caFile`: source-controller builds its TLS configurations `WithSystemCertPool`
/// for Git, Helm and OCI sources alike), the client certificate.
pub(crate) fn rustls_config(tls: &TlsOptions) -> Result<rustls::ClientConfig, FetchError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = system_roots().clone();
    if let Some(pem) = &tls.ca_pem {
        let mut n = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|_| invalid("the CA file is not PEM certificates"))?;
            roots
                .add(cert)
                .map_err(|e| invalid(format!("the CA file holds an unusable certificate: {e}")))?;
            n += 1;
        }
        if n == 0 {
            return Err(invalid("the CA file holds no certificate"));
        }
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(format!("TLS configuration: {e}")))?
        .with_root_certificates(roots);
    let mut config = match (&tls.cert_pem, &tls.key_pem) {
        (Some(cert), Some(key)) => {
            let chain: Result<Vec<CertificateDer<'static>>, _> =
                CertificateDer::pem_slice_iter(cert).collect();
            let chain = chain.map_err(|_| invalid("the client certificate is not PEM"))?;
            if chain.is_empty() {
                return Err(invalid("the client certificate file holds no certificate"));
            }
            let key = PrivateKeyDer::from_pem_slice(key)
                .map_err(|_| invalid("the client key is not a PEM private key"))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| invalid(format!("the client certificate and key do not fit: {e}")))?
        }
        (None, None) => builder.with_no_client_auth(),
        _ => {
            return Err(invalid(
                "a client certificate needs both a certificate and a key",
            ));
        }
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// A `reqwest` client with the given TLS material.
pub(crate) fn client(opts: &ClientOptions) -> Result<reqwest::Client, FetchError> {
    reqwest::Client::builder()
        .tls_backend_preconfigured(rustls_config(&opts.tls)?)
        .connect_timeout(Duration::from_secs(30).min(opts.timeout))
        .timeout(opts.timeout)
        .user_agent(concat!("gitward/", env!("CARGO_PKG_VERSION")))
        .no_proxy()
        .build()
        .map_err(|e| invalid(format!("HTTP client: {}", error_chain(&e))))
}

/// The text of an error and its sources, without URLs (reqwest's own text names the URL,
/// which may carry user information; the caller names the redacted URL instead).
pub(crate) fn error_chain(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let top = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else if e.is_body() || e.is_decode() {
        "reading the response failed".to_owned()
    } else if e.is_redirect() {
        "too many redirects".to_owned()
    } else {
        "request failed".to_owned()
    };
    parts.push(top);
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) && !text.contains("://") {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// A network error about `url`.
pub(crate) fn network(url: &str, e: &reqwest::Error) -> FetchError {
    let u = redact_url(url);
    FetchError::new(ErrorKind::Network, format!("{u}: {}", error_chain(e))).at(url)
}

/// An error for a non-success HTTP status.
pub(crate) fn status_error(url: &str, status: reqwest::StatusCode, what: &str) -> FetchError {
    let u = redact_url(url);
    let kind = match status.as_u16() {
        401 | 403 => ErrorKind::Auth,
        404 => ErrorKind::NotFound,
        _ => ErrorKind::Network,
    };
    let text = match status.as_u16() {
        401 => format!("{what}: {u}: 401 Unauthorized (missing or wrong credentials)"),
        403 => format!("{what}: {u}: 403 Forbidden"),
        404 => format!("{what}: {u}: 404 Not Found"),
        _ => format!("{what}: {u}: {status}"),
    };
    FetchError::new(kind, text).at(url)
}

/// Reads a response body, refusing more than `limit` bytes (before reading them when the
/// server announces a length).
pub(crate) async fn read_limited(
    url: &str,
    resp: reqwest::Response,
    limit: u64,
    what: &'static str,
) -> Result<Vec<u8>, FetchError> {
    read_limited_with(url, resp, limit, what, None).await
}

/// [`read_limited`], reporting progress to `progress` as chunks arrive.
pub(crate) async fn read_limited_with(
    url: &str,
    mut resp: reqwest::Response,
    limit: u64,
    what: &'static str,
    progress: Option<&ProgressSink>,
) -> Result<Vec<u8>, FetchError> {
    let too_large = || {
        FetchError::new(
            ErrorKind::Limit,
            format!("{what} at {} is larger than {limit} bytes", redact_url(url)),
        )
        .at(url)
    };
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let cap = resp.content_length().unwrap_or(0).min(limit).min(64 << 20);
    let mut out = Vec::with_capacity(usize::try_from(cap).unwrap_or(0));
    while let Some(chunk) = resp.chunk().await.map_err(|e| network(url, &e))? {
        if out.len() as u64 + chunk.len() as u64 > limit {
            return Err(too_large());
        }
        out.extend_from_slice(&chunk);
        if let Some(p) = progress {
            (p.0)(&DownloadProgress {
                what,
                received: out.len() as u64,
                total: resp.content_length(),
            });
        }
    }
    Ok(out)
}

/// Runs a future to completion on a runtime of its own: the sync forms of the source
/// functions (CLI, bindings' `_sync`/`Sync` verbs). Must not be called from within a
/// Tokio runtime.
pub fn block_on<F: std::future::Future>(f: F) -> Result<F::Output, FetchError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| FetchError::new(ErrorKind::Io, format!("cannot start a runtime: {e}")))?;
    Ok(rt.block_on(f))
}

/// Writes `data` to `path` through a temporary file in the same directory, so a reader
/// never sees a partial file.
pub(crate) fn write_atomic(path: &std::path::Path, data: &[u8]) -> Result<(), FetchError> {
    let io = |e: std::io::Error| {
        FetchError::new(
            ErrorKind::Io,
            format!(
                "cannot write {}: {}",
                path.display(),
                super::system::io_text(&e)
            ),
        )
    };
    let dir = path.parent().unwrap_or_else(|| std::path::Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, data).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_user_information() {
        assert_eq!(
            redact_url("https://alice:s3cret@h.example/charts"),
            "https://h.example/charts"
        );
        assert_eq!(redact_url("https://h.example/x"), "https://h.example/x");
        assert_eq!(redact_url("not a url"), "not a url");
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let a = BasicAuth {
            username: "u".into(),
            password: "p4ss".into(),
        };
        let t = TlsOptions {
            key_pem: Some(b"KEYMATERIAL".to_vec()),
            ..TlsOptions::default()
        };
        let shown = format!("{a:?} {t:?}");
        assert!(
            !shown.contains("p4ss") && !shown.contains("KEYMATERIAL"),
            "{shown}"
        );
    }

    #[test]
    fn bad_tls_material_is_refused_clearly() {
        let e = rustls_config(&TlsOptions {
            ca_pem: Some(b"nothing".to_vec()),
            ..TlsOptions::default()
        })
        .expect_err("no CA");
        assert_eq!(e.kind, ErrorKind::Invalid);
        let e = rustls_config(&TlsOptions {
            cert_pem: Some(b"x".to_vec()),
            ..TlsOptions::default()
        })
        .expect_err("no key");
        assert!(e.message.contains("both"), "{e}");
    }
}
