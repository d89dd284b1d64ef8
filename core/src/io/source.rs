//! Source fetches from plain arguments (paths, strings), for the bindings: what
//! `gitward source helm` and `gitward source oci` do, as one call each.
//!
//! [`HelmChartRequest`] and [`OciRequest`] hold what a caller passes (credential and TLS
//! files as paths); [`fetch_helm_chart`] and [`fetch_oci`] read those files, fetch, write
//! the result under the output directory (a new temporary directory when none is given)
//! and return a [`FetchedSource`]: Flux's revision and digest, and the path written.

use std::fmt;
use std::path::{Path, PathBuf};

use super::helm_repo::HelmRepoOptions;
use super::http::{BasicAuth, ErrorKind, FetchError, TlsOptions, block_on};
use super::oci::{OciOptions, OciReference};
use crate::source::oci::{Credentials, Digest, DockerConfig, LayerOperation, LayerSelector};

/// Credentials and TLS as paths and strings. `Debug` does not show the password.
#[derive(Clone, Default)]
pub struct AuthRequest {
    /// Basic auth user.
    pub username: Option<String>,
    /// Basic auth password.
    pub password: Option<String>,
    /// A CA file (PEM) trusted in addition to the system roots (as Flux's `caFile`).
    pub ca_file: Option<PathBuf>,
    /// A client certificate (PEM).
    pub cert_file: Option<PathBuf>,
    /// Its key (PEM).
    pub key_file: Option<PathBuf>,
    /// A Docker config JSON with registry credentials.
    pub registry_config: Option<PathBuf>,
    /// Plain HTTP to OCI registries.
    pub insecure: bool,
}

impl fmt::Debug for AuthRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthRequest")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("ca_file", &self.ca_file)
            .field("cert_file", &self.cert_file)
            .field("key_file", &self.key_file)
            .field("registry_config", &self.registry_config)
            .field("insecure", &self.insecure)
            .finish()
    }
}

fn read(what: &str, p: &Path) -> Result<Vec<u8>, FetchError> {
    std::fs::read(p).map_err(|e| {
        FetchError::new(
            ErrorKind::Io,
            format!(
                "cannot read the {what} {}: {}",
                p.display(),
                super::system::io_text(&e)
            ),
        )
    })
}

impl AuthRequest {
    /// The basic credentials, when both parts are given.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] when only one of them is.
    pub fn basic(&self) -> Result<Option<BasicAuth>, FetchError> {
        match (&self.username, &self.password) {
            (Some(u), Some(p)) => Ok(Some(BasicAuth {
                username: u.clone(),
                password: p.clone(),
            })),
            (None, None) => Ok(None),
            (None, Some(_)) => Err(FetchError::new(
                ErrorKind::Invalid,
                "a password needs a username",
            )),
            (Some(_), None) => Err(FetchError::new(
                ErrorKind::Invalid,
                "a username needs a password",
            )),
        }
    }

    /// The TLS material read from the files.
    ///
    /// # Errors
    /// [`ErrorKind::Io`] for a file that cannot be read.
    pub fn tls(&self) -> Result<TlsOptions, FetchError> {
        Ok(TlsOptions {
            ca_pem: self
                .ca_file
                .as_deref()
                .map(|f| read("CA file", f))
                .transpose()?,
            cert_pem: self
                .cert_file
                .as_deref()
                .map(|f| read("certificate file", f))
                .transpose()?,
            key_pem: self
                .key_file
                .as_deref()
                .map(|f| read("key file", f))
                .transpose()?,
        })
    }

    /// The Docker config, when a file is given.
    ///
    /// # Errors
    /// [`ErrorKind::Io`] or [`ErrorKind::Invalid`].
    pub fn docker_config(&self) -> Result<Option<DockerConfig>, FetchError> {
        match &self.registry_config {
            None => Ok(None),
            Some(f) => DockerConfig::parse(&read("registry config", f)?)
                .map(Some)
                .map_err(|e| FetchError::new(ErrorKind::Invalid, format!("{}: {e}", f.display()))),
        }
    }
}

/// What a fetch produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedSource {
    /// Flux's revision (a chart's version; `TAG@sha256:...` for an OCI artifact).
    pub revision: String,
    /// Flux's artifact digest.
    pub digest: Digest,
    /// The file or directory written.
    pub path: PathBuf,
    /// Where it came from (without user information).
    pub url: String,
    /// What the tools would have warned about.
    pub warnings: Vec<String>,
}

/// `gitward source helm` as arguments.
#[derive(Debug, Clone, Default)]
pub struct HelmChartRequest {
    /// Repository URL (`http(s)://` or `oci://`).
    pub repo_url: String,
    /// Chart name.
    pub chart: String,
    /// Version or range; the latest stable version when `None`.
    pub version: Option<String>,
    /// Directory to write `CHART-VERSION.tgz` into; a new temporary directory when `None`.
    pub output: Option<PathBuf>,
    /// Credentials and TLS.
    pub auth: AuthRequest,
    /// Send credentials to every host (`--pass-credentials`).
    pub pass_credentials: bool,
    /// Where to cache the index.
    pub cache_dir: Option<PathBuf>,
}

/// `gitward source oci` as arguments.
#[derive(Debug, Clone, Default)]
pub struct OciRequest {
    /// `oci://REGISTRY/REPOSITORY`.
    pub url: String,
    /// Which manifest.
    pub reference: OciReference,
    /// Which layer, extracted or copied.
    pub layer: LayerSelector,
    /// Directory to write into (must be empty for extracted files); a new temporary
    /// directory when `None`.
    pub output: Option<PathBuf>,
    /// Credentials and TLS.
    pub auth: AuthRequest,
    /// `spec.ignore` for an extracted layer's artifact (`.sourceignore` syntax).
    pub ignore: Option<String>,
}

impl OciRequest {
    /// Builds the reference from the options callers have (`tag`, `semver`, `digest`: at
    /// most one; `latest` when none) and the layer selector from `media_type` and
    /// `operation` (`extract` or `copy`).
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] for conflicting references, a bad digest or operation.
    pub fn reference_from(
        tag: Option<String>,
        semver: Option<String>,
        digest: Option<&str>,
    ) -> Result<OciReference, FetchError> {
        let invalid = |m: String| FetchError::new(ErrorKind::Invalid, m);
        match (tag, semver, digest) {
            (None, None, None) => Ok(OciReference::Latest),
            (Some(t), None, None) => Ok(OciReference::Tag(t)),
            (None, Some(s), None) => Ok(OciReference::Semver(s)),
            (None, None, Some(d)) => Digest::parse(d)
                .map(OciReference::Digest)
                .map_err(|e| invalid(e.to_string())),
            _ => Err(invalid(
                "give at most one of tag, semver and digest".to_owned(),
            )),
        }
    }

    /// A layer selector from a media type and `extract` / `copy`.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] for another operation.
    pub fn layer_from(
        media_type: Option<String>,
        operation: Option<&str>,
    ) -> Result<LayerSelector, FetchError> {
        Ok(LayerSelector {
            media_type,
            operation: LayerOperation::parse(operation.unwrap_or("extract"))
                .map_err(|e| FetchError::new(ErrorKind::Invalid, e.to_string()))?,
        })
    }
}

/// A new, empty directory under the system's temporary directory.
fn temp_dir(prefix: &str) -> Result<PathBuf, FetchError> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let base = std::env::temp_dir();
    for _ in 0..100 {
        let n = N.fetch_add(1, Ordering::Relaxed);
        let nanos = super::system::now().subsec_nanos();
        let p = base.join(format!("{prefix}-{}-{n}-{nanos}", std::process::id()));
        match std::fs::create_dir(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(FetchError::new(
                    ErrorKind::Io,
                    format!("cannot create a directory in {}: {e}", base.display()),
                ));
            }
        }
    }
    Err(FetchError::new(
        ErrorKind::Io,
        "cannot create a temporary directory",
    ))
}

/// Fetches a chart and writes it under the output directory.
///
/// # Errors
/// [`FetchError`].
pub async fn fetch_helm_chart(req: &HelmChartRequest) -> Result<FetchedSource, FetchError> {
    let opts = HelmRepoOptions {
        auth: req.auth.basic()?,
        tls: req.auth.tls()?,
        docker_config: req.auth.docker_config()?,
        insecure: req.auth.insecure,
        pass_credentials_all: req.pass_credentials,
        cache_dir: req.cache_dir.clone(),
        ..HelmRepoOptions::default()
    };
    let mut chart =
        super::helm_repo::fetch_chart(&req.repo_url, &req.chart, req.version.as_deref(), &opts)
            .await?;
    let dir = match &req.output {
        Some(d) => d.clone(),
        None => temp_dir("gitward-chart")?,
    };
    let path = chart.save(&dir)?;
    Ok(FetchedSource {
        revision: chart.revision,
        digest: chart.digest,
        path,
        url: chart.url,
        warnings: chart.warnings,
    })
}

/// Pulls an artifact and writes it under the output directory.
///
/// # Errors
/// [`FetchError`].
pub async fn fetch_oci(req: &OciRequest) -> Result<FetchedSource, FetchError> {
    let opts = OciOptions {
        credentials: req.auth.basic()?.map(|b| Credentials::Basic {
            username: b.username,
            password: b.password,
        }),
        tls: req.auth.tls()?,
        docker_config: req.auth.docker_config()?,
        insecure: req.auth.insecure,
        ignore: req.ignore.clone(),
        ..OciOptions::default()
    };
    let mut artifact =
        super::oci::fetch_artifact(&req.url, &req.reference, &req.layer, &opts).await?;
    let dir = match &req.output {
        Some(d) => d.clone(),
        None => temp_dir("gitward-oci")?,
    };
    let path = artifact.save(&dir)?;
    Ok(FetchedSource {
        revision: artifact.revision,
        digest: artifact.digest,
        path,
        url: artifact.url,
        warnings: Vec::new(),
    })
}

/// [`fetch_helm_chart`] on a runtime of its own.
///
/// # Errors
/// As [`fetch_helm_chart`].
pub fn fetch_helm_chart_sync(req: &HelmChartRequest) -> Result<FetchedSource, FetchError> {
    block_on(fetch_helm_chart(req))?
}

/// [`fetch_oci`] on a runtime of its own.
///
/// # Errors
/// As [`fetch_oci`].
pub fn fetch_oci_sync(req: &OciRequest) -> Result<FetchedSource, FetchError> {
    block_on(fetch_oci(req))?
}
