//! OCI registries: Flux `OCIRepository` artifacts and Helm charts from `oci://`.
//!
//! A small OCI distribution client on the shared [`http`](super::http) client (rustls on
//! ring, CA and client certificates, bounded reads): `GET /v2/NAME/tags/list` (paginated),
//! `/manifests/REF` and `/blobs/DIGEST`, with the registry's auth challenge answered —
//! anonymous, basic, or the Docker token flow (`WWW-Authenticate: Bearer realm=...`,
//! a token fetched from the realm with the basic credentials if any, then sent as a
//! bearer token). Credentials come from [`OciOptions::credentials`] or, by registry host,
//! from a Docker config JSON ([`OciOptions::docker_config`]).
//!
//! Every manifest and blob is checked against its digest (the reference's, the
//! registry's `Docker-Content-Digest`, the manifest's descriptor) and a mismatch is
//! refused; manifests and blobs are read up to a size limit.
//!
//! Why not the `oci-client` crate: it builds its own `reqwest` client from a
//! configuration that has no client certificate, needs a process-wide crypto provider
//! when built without one, and reads manifests whole whatever their size. The protocol
//! part needed here is small; doing it on the shared client keeps one TLS setup, one
//! crypto provider (ring, as kube) and the size limits.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use super::helm_repo::{FetchedChart, Selector};
use super::http::{
    ClientOptions, ErrorKind, FetchError, ProgressSink, TlsOptions, block_on, client, network,
    read_limited, read_limited_with, redact_url, status_error,
};
use crate::helm;
use crate::source::oci::{
    Challenge, Credentials, DEFAULT_MAX_BLOB_BYTES, DEFAULT_MAX_MANIFEST_BYTES, Descriptor, Digest,
    DockerConfig, HELM_CHART_MEDIA_TYPE, ImageManifest, LayerOperation, LayerSelector,
    MANIFEST_ACCEPT, Manifest, OciError, OciUrl, UnpackLimits, UnpackedEntry, extracted_artifact,
    flux_revision, helm_chart_layer, parse_challenge, parse_manifest, parse_token_response,
    pull_scope, select_layer, tag_to_version, unpack_layer, version_to_tag,
};

/// How to reach a registry.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct OciOptions {
    /// Credentials for the registry (take precedence over the Docker config).
    pub credentials: Option<Credentials>,
    /// A Docker config JSON to find credentials in, by registry host.
    pub docker_config: Option<DockerConfig>,
    /// CA, client certificate and key.
    pub tls: TlsOptions,
    /// Plain HTTP (Flux's `spec.insecure`, Helm's `--plain-http`).
    pub insecure: bool,
    /// Largest manifest read.
    pub max_manifest_bytes: usize,
    /// Largest blob downloaded.
    pub max_blob_bytes: u64,
    /// Bounds on unpacking a layer.
    pub unpack: UnpackLimits,
    /// Most tags listed.
    pub max_tags: usize,
    /// Timeout of each request.
    pub timeout: Duration,
    /// How version ranges are evaluated.
    pub selector: Selector,
    /// Told how blob downloads progress.
    pub progress: Option<ProgressSink>,
    /// `spec.ignore`: rules (`.sourceignore` syntax) applied, after the layer's own
    /// `.sourceignore` files, when an extracted layer is archived for its digest.
    pub ignore: Option<String>,
}

impl Default for OciOptions {
    fn default() -> Self {
        OciOptions {
            credentials: None,
            docker_config: None,
            tls: TlsOptions::default(),
            insecure: false,
            max_manifest_bytes: DEFAULT_MAX_MANIFEST_BYTES,
            max_blob_bytes: DEFAULT_MAX_BLOB_BYTES,
            unpack: UnpackLimits::default(),
            max_tags: 100_000,
            timeout: Duration::from_secs(120),
            selector: crate::source::select::helm_versions,
            ignore: None,
            progress: None,
        }
    }
}

/// Which artifact to pull (`OCIRepository.spec.ref`; Flux's precedence: digest, then
/// semver, then tag, then `latest`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum OciReference {
    /// The `latest` tag.
    #[default]
    Latest,
    /// A tag.
    Tag(String),
    /// The highest tag satisfying a semver range.
    Semver(String),
    /// A manifest digest.
    Digest(Digest),
}

/// What a pulled artifact holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactContent {
    /// The layer unpacked (`extract`).
    Files(Vec<UnpackedEntry>),
    /// The layer as it is (`copy`).
    Blob(Vec<u8>),
}

/// An artifact pulled from a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OciArtifact {
    /// The repository (`oci://REGISTRY/REPOSITORY`).
    pub url: String,
    /// The tag it was pulled by, if any.
    pub tag: Option<String>,
    /// The manifest's digest.
    pub manifest_digest: Digest,
    /// Flux's revision: `TAG@DIGEST`, or `DIGEST` when pulled by digest.
    pub revision: String,
    /// The digest Flux records for the artifact: for `copy`, the selected layer's blob;
    /// for `extract`, the tarball source-controller archives the extracted files into
    /// (`.sourceignore` files and [`OciOptions::ignore`] applied, modes normalised). The
    /// layer's own digest is [`OciArtifact::layer`]'s.
    pub digest: Digest,
    /// The selected layer.
    pub layer: Descriptor,
    /// The manifest's annotations (Flux copies them to the artifact's metadata).
    pub annotations: BTreeMap<String, String>,
    /// The content.
    pub content: ArtifactContent,
    /// Where [`OciArtifact::save`] wrote it.
    pub path: Option<PathBuf>,
}

impl OciArtifact {
    /// Writes the artifact under `dir`: the files of an extracted layer (`dir` must be
    /// empty or absent), or the blob as `DIR/<manifest digest>.tgz` (Flux's name for a
    /// copied layer). Returns the directory or file written.
    ///
    /// # Errors
    /// [`ErrorKind::Io`]; a non-empty `dir` for files.
    pub fn save(&mut self, dir: &Path) -> Result<PathBuf, FetchError> {
        let io = |p: &Path, e: &std::io::Error| {
            FetchError::new(
                ErrorKind::Io,
                format!(
                    "cannot write {}: {}",
                    p.display(),
                    super::system::io_text(e)
                ),
            )
        };
        let path = match &self.content {
            ArtifactContent::Blob(b) => {
                let p = dir.join(format!("{}.tgz", self.manifest_digest));
                super::http::write_atomic(&p, b)?;
                p
            }
            ArtifactContent::Files(entries) => {
                if dir.exists() {
                    let mut it = std::fs::read_dir(dir).map_err(|e| io(dir, &e))?;
                    if it.next().is_some() {
                        return Err(FetchError::new(
                            ErrorKind::Io,
                            format!("{} is not empty", dir.display()),
                        ));
                    }
                }
                std::fs::create_dir_all(dir).map_err(|e| io(dir, &e))?;
                write_entries(dir, entries).map_err(|(p, e)| io(&p, &e))?;
                dir.to_path_buf()
            }
        };
        self.path = Some(path.clone());
        Ok(path)
    }
}

/// Writes unpacked entries under `dir` (a fresh directory: every path is relative and
/// free of `..`, and no link is ever created, so nothing lands outside it).
fn write_entries(dir: &Path, entries: &[UnpackedEntry]) -> Result<(), (PathBuf, std::io::Error)> {
    use std::os::unix::fs::PermissionsExt as _;
    for e in entries {
        match e {
            UnpackedEntry::Dir { path } => {
                let p = dir.join(path);
                std::fs::create_dir_all(&p).map_err(|e| (p, e))?;
            }
            UnpackedEntry::File { path, mode, data } => {
                let p = dir.join(path);
                if let Some(parent) = p.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| (parent.to_path_buf(), e))?;
                }
                if std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir()) {
                    return Err((p, std::io::Error::other("a directory is in the way")));
                }
                std::fs::write(&p, data).map_err(|e| (p.clone(), e))?;
                // Owner read/write always, as Flux's Untar leaves files usable.
                let perm = std::fs::Permissions::from_mode((mode & 0o777) | 0o600);
                std::fs::set_permissions(&p, perm).map_err(|e| (p, e))?;
            }
        }
    }
    Ok(())
}

fn oci_err(e: OciError, url: &str) -> FetchError {
    let kind = match e {
        OciError::DigestMismatch { .. } => ErrorKind::Digest,
        OciError::ManifestTooLarge { .. } => ErrorKind::Limit,
        OciError::Unpack { ref reason }
            if reason.contains("bigger than") || reason.contains("more than") =>
        {
            ErrorKind::Limit
        }
        _ => ErrorKind::Invalid,
    };
    FetchError::new(kind, e.to_string()).at(url)
}

/// A registry session: one repository, its auth state.
struct Session {
    http: reqwest::Client,
    base: String,
    url: OciUrl,
    credentials: Option<Credentials>,
    /// The `Authorization` value that worked last.
    auth: Mutex<Option<String>>,
    progress: Option<ProgressSink>,
}

impl Session {
    fn new(url: &OciUrl, opts: &OciOptions) -> Result<Session, FetchError> {
        let http = client(&ClientOptions {
            tls: opts.tls.clone(),
            timeout: opts.timeout,
        })?;
        let scheme = if opts.insecure { "http" } else { "https" };
        let credentials = match &opts.credentials {
            Some(c) => Some(c.clone()),
            None => match &opts.docker_config {
                Some(cfg) => cfg
                    .credentials_for(&url.registry)
                    .map_err(|e| oci_err(e, &url.to_string()))?,
                None => None,
            },
        };
        let initial = match &credentials {
            Some(Credentials::Bearer { token }) => Some(format!("Bearer {token}")),
            _ => None,
        };
        Ok(Session {
            http,
            base: format!("{scheme}://{}/v2/{}", url.registry, url.repository),
            url: url.clone(),
            credentials,
            auth: Mutex::new(initial),
            progress: opts.progress.clone(),
        })
    }

    fn current_auth(&self) -> Option<String> {
        self.auth.lock().ok().and_then(|a| a.clone())
    }

    fn set_auth(&self, value: String) {
        if let Ok(mut a) = self.auth.lock() {
            *a = Some(value);
        }
    }

    /// GET `base + path`, answering an auth challenge once.
    async fn get(&self, path: &str, accept: &str) -> Result<reqwest::Response, FetchError> {
        let url = format!("{}{path}", self.base);
        let send = |auth: Option<String>| {
            let mut req = self.http.get(&url).header(reqwest::header::ACCEPT, accept);
            if let Some(a) = auth {
                req = req.header(reqwest::header::AUTHORIZATION, a);
            }
            req.send()
        };
        let resp = send(self.current_auth())
            .await
            .map_err(|e| network(&url, &e))?;
        if resp.status() != reqwest::StatusCode::UNAUTHORIZED {
            return Ok(resp);
        }
        let challenge = resp
            .headers()
            .get(reqwest::header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_challenge);
        let auth = match challenge {
            Some(Challenge::Basic) => match self
                .credentials
                .as_ref()
                .and_then(Credentials::basic_header)
            {
                Some(h) => h,
                None => return Err(self.auth_error(&url, "the registry requires credentials")),
            },
            Some(Challenge::Bearer {
                realm,
                service,
                scope,
                ..
            }) => {
                let scope = scope.unwrap_or_else(|| pull_scope(&self.url.repository));
                format!(
                    "Bearer {}",
                    self.token(&realm, service.as_deref(), &scope).await?
                )
            }
            None => return Err(self.auth_error(&url, "the registry refused the request")),
        };
        let resp = send(Some(auth.clone()))
            .await
            .map_err(|e| network(&url, &e))?;
        if matches!(resp.status().as_u16(), 401 | 403) {
            return Err(self.auth_error(
                &url,
                if self.credentials.is_some() {
                    "the registry refused the credentials"
                } else {
                    "the registry requires credentials"
                },
            ));
        }
        self.set_auth(auth);
        Ok(resp)
    }

    fn auth_error(&self, url: &str, why: &str) -> FetchError {
        FetchError::new(
            ErrorKind::Auth,
            format!("{}: authentication failed: {why}", self.url),
        )
        .at(url)
    }

    /// The Docker token flow: a token for `scope` from `realm`.
    async fn token(
        &self,
        realm: &str,
        service: Option<&str>,
        scope: &str,
    ) -> Result<String, FetchError> {
        let mut url = url::Url::parse(realm).map_err(|_| {
            FetchError::new(
                ErrorKind::Invalid,
                format!("{}: invalid token realm", self.url),
            )
        })?;
        {
            let mut q = url.query_pairs_mut();
            if let Some(s) = service {
                q.append_pair("service", s);
            }
            q.append_pair("scope", scope);
        }
        let mut req = self.http.get(url.as_str());
        if let Some(Credentials::Basic { username, password }) = &self.credentials {
            req = req.basic_auth(username, Some(password));
        }
        let resp = req.send().await.map_err(|e| network(realm, &e))?;
        if matches!(resp.status().as_u16(), 401 | 403) {
            return Err(FetchError::new(
                ErrorKind::Auth,
                format!(
                    "{}: authentication failed: the token server {} refused the credentials",
                    self.url,
                    redact_url(realm)
                ),
            )
            .at(realm));
        }
        if !resp.status().is_success() {
            return Err(status_error(realm, resp.status(), "token request failed"));
        }
        let body = read_limited(realm, resp, 1 << 20, "token response").await?;
        parse_token_response(&body)
            .map_err(|e| FetchError::new(ErrorKind::Auth, format!("{}: {e}", self.url)).at(realm))
    }

    /// Every tag of the repository (following `Link: <...>; rel="next"`).
    async fn tags(&self, max: usize) -> Result<Vec<String>, FetchError> {
        #[derive(serde::Deserialize)]
        struct Tags {
            #[serde(default)]
            tags: Option<Vec<String>>,
        }
        let mut out = Vec::new();
        let mut path = "/tags/list?n=1000".to_owned();
        for _ in 0..10_000 {
            let url = format!("{}{path}", self.base);
            let resp = self.get(&path, "application/json").await?;
            if !resp.status().is_success() {
                return Err(status_error(&url, resp.status(), "listing tags failed"));
            }
            let next = resp
                .headers()
                .get(reqwest::header::LINK)
                .and_then(|v| v.to_str().ok())
                .and_then(next_link);
            let body = read_limited(&url, resp, 16 << 20, "tag list").await?;
            let t: Tags = serde_json::from_slice(&body).map_err(|e| {
                FetchError::new(
                    ErrorKind::Invalid,
                    format!("{}: invalid tag list: {e}", self.url),
                )
            })?;
            out.extend(t.tags.unwrap_or_default());
            if out.len() > max {
                return Err(FetchError::new(
                    ErrorKind::Limit,
                    format!("{} has more than {max} tags", self.url),
                ));
            }
            // The next page, as a path below /v2/NAME (the registry gives an absolute path
            // or URL; only its query matters).
            match next {
                Some(n) => match n.split_once('?') {
                    Some((_, q)) => path = format!("/tags/list?{q}"),
                    None => break,
                },
                None => break,
            }
        }
        Ok(out)
    }

    /// A manifest by tag or digest, checked against its digest.
    async fn manifest(
        &self,
        reference: &str,
        max: usize,
    ) -> Result<(Manifest, Digest, Vec<u8>), FetchError> {
        let path = format!("/manifests/{reference}");
        let url = format!("{}{path}", self.base);
        let resp = self.get(&path, MANIFEST_ACCEPT).await?;
        if !resp.status().is_success() {
            let what = format!("fetching the manifest of {}:{reference}", self.url);
            return Err(status_error(&url, resp.status(), &what));
        }
        let header_digest = resp
            .headers()
            .get("Docker-Content-Digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = read_limited(&url, resp, max as u64, "manifest").await?;
        let what = format!("the manifest of {}:{reference}", self.url);
        let digest = match Digest::parse(reference) {
            Ok(d) => {
                d.verify(&bytes, &what).map_err(|e| oci_err(e, &url))?;
                d
            }
            Err(_) => Digest::sha256_of(&bytes),
        };
        if let Some(h) = header_digest
            && let Ok(hd) = Digest::parse(&h)
            && hd.algorithm() == digest.algorithm()
            && hd != digest
        {
            return Err(oci_err(
                OciError::DigestMismatch {
                    what,
                    expected: hd.to_string(),
                    actual: digest.to_string(),
                },
                &url,
            ));
        }
        let m =
            parse_manifest(&bytes, content_type.as_deref(), max).map_err(|e| oci_err(e, &url))?;
        Ok((m, digest, bytes))
    }

    /// A blob, checked against its descriptor.
    async fn blob(&self, d: &Descriptor, max: u64) -> Result<Vec<u8>, FetchError> {
        let digest = d
            .parsed_digest()
            .map_err(|e| oci_err(e, &self.url.to_string()))?;
        if d.size > 0 && d.size as u64 > max {
            return Err(FetchError::new(
                ErrorKind::Limit,
                format!("{}: blob {digest} is larger than {max} bytes", self.url),
            ));
        }
        let path = format!("/blobs/{digest}");
        let url = format!("{}{path}", self.base);
        let resp = self.get(&path, "*/*").await?;
        if !resp.status().is_success() {
            return Err(status_error(
                &url,
                resp.status(),
                &format!("fetching blob {digest}"),
            ));
        }
        let bytes = read_limited_with(&url, resp, max, "blob", self.progress.as_ref()).await?;
        digest
            .verify(&bytes, &format!("blob {digest} of {}", self.url))
            .map_err(|e| oci_err(e, &url))?;
        if d.size >= 0 && bytes.len() as u64 != d.size as u64 {
            return Err(FetchError::new(
                ErrorKind::Digest,
                format!(
                    "{}: blob {digest} is {} bytes, the manifest says {}",
                    self.url,
                    bytes.len(),
                    d.size
                ),
            )
            .at(&url));
        }
        Ok(bytes)
    }
}

/// The target of `Link: <URL>; rel="next"`.
fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        params.contains("rel=\"next\"").then(|| {
            target
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned()
        })
    })
}

fn image_manifest(m: Manifest, url: &str) -> Result<ImageManifest, FetchError> {
    match m {
        Manifest::Image(i) => Ok(i),
        Manifest::Index(_) => Err(FetchError::new(
            ErrorKind::Invalid,
            format!("{url}: the reference is an image index, not an artifact manifest"),
        )
        .at(url)),
    }
}

/// Lists a repository's tags.
///
/// # Errors
/// Auth, network, not found.
pub async fn list_tags(url: &str, opts: &OciOptions) -> Result<Vec<String>, FetchError> {
    let u = OciUrl::parse(url).map_err(|e| oci_err(e, url))?;
    Session::new(&u, opts)?.tags(opts.max_tags).await
}

/// Pulls an artifact as Flux's `OCIRepository` does: `url` is `oci://REGISTRY/REPO`
/// without a tag; `reference` picks the manifest; `layer` the layer and what to do with
/// it.
///
/// # Errors
/// [`FetchError`]: an invalid URL (with a tag), no tag matching the range, auth,
/// network, a digest mismatch, a missing layer, a hostile or oversized layer.
pub async fn fetch_artifact(
    url: &str,
    reference: &OciReference,
    layer: &LayerSelector,
    opts: &OciOptions,
) -> Result<OciArtifact, FetchError> {
    let u = OciUrl::parse(url).map_err(|e| oci_err(e, url))?;
    if let Some(t) = &u.tag {
        return Err(FetchError::new(
            ErrorKind::Invalid,
            format!("URL validation failed for '{url}': URL must not contain a tag; remove ':{t}'"),
        ));
    }
    if u.digest.is_some() {
        return Err(FetchError::new(
            ErrorKind::Invalid,
            format!(
                "URL validation failed for '{url}': URL must not contain a digest; use the digest reference"
            ),
        ));
    }
    let session = Session::new(&u, opts)?;
    let (tag, reference_text) = match reference {
        OciReference::Digest(d) => (None, d.to_string()),
        OciReference::Tag(t) => (Some(t.clone()), t.clone()),
        OciReference::Latest => (Some("latest".to_owned()), "latest".to_owned()),
        OciReference::Semver(range) => {
            let tags = session.tags(opts.max_tags).await?;
            let helm = layer.media_type.as_deref() == Some(HELM_CHART_MEDIA_TYPE);
            let versions: Vec<String> = tags
                .iter()
                .map(|t| if helm { tag_to_version(t) } else { t.clone() })
                .collect();
            let refs: Vec<&str> = versions.iter().map(String::as_str).collect();
            let i = (opts.selector)(range, &refs).map_err(|e| {
                FetchError::new(
                    ErrorKind::Invalid,
                    format!("failed to determine the artifact tag for '{url}': semver '{range}' parse error: {e}"),
                )
            })?;
            let Some(i) = i else {
                return Err(FetchError::new(
                    ErrorKind::NotFound,
                    format!("failed to determine the artifact tag for '{url}': no match found for semver: {range}"),
                )
                .at(url));
            };
            let t = tags[i].clone();
            (Some(t.clone()), t)
        }
    };
    let (manifest, manifest_digest, _) = session
        .manifest(&reference_text, opts.max_manifest_bytes)
        .await?;
    let manifest = image_manifest(manifest, url)?;
    let selected = select_layer(&manifest, layer)
        .map_err(|e| oci_err(e, url))?
        .clone();
    let blob = session.blob(&selected, opts.max_blob_bytes).await?;
    let (digest, content) = match layer.operation {
        LayerOperation::Copy => (Digest::sha256_of(&blob), ArtifactContent::Blob(blob)),
        LayerOperation::Extract => {
            // source-controller untars the layer and archives the files as it archives a
            // Git checkout; the artifact's digest is that tarball's.
            let limits = opts.unpack;
            let ignore = opts.ignore.clone();
            let at = url.to_owned();
            let (files, packed) = tokio::task::spawn_blocking(move || {
                let url = at.as_str();
                let files = unpack_layer(&blob, &limits).map_err(|e| oci_err(e, url))?;
                let packed = extracted_artifact(&files, ignore.as_deref())
                    .and_then(|a| a.pack())
                    .map_err(|e| {
                        FetchError::new(
                            ErrorKind::Invalid,
                            format!("cannot archive the layer of {}: {e}", redact_url(url)),
                        )
                        .at(url)
                    })?;
                Ok::<_, FetchError>((files, packed.digest))
            })
            .await
            .map_err(|e| FetchError::new(ErrorKind::Invalid, format!("unpacking failed: {e}")))??;
            let digest = Digest::parse(&packed).map_err(|e| {
                FetchError::new(ErrorKind::Invalid, format!("artifact digest: {e}"))
            })?;
            (digest, ArtifactContent::Files(files))
        }
    };
    Ok(OciArtifact {
        url: u.to_string(),
        revision: flux_revision(tag.as_deref(), &manifest_digest),
        tag,
        manifest_digest,
        digest,
        layer: selected,
        annotations: manifest.annotations.unwrap_or_default(),
        content,
        path: None,
    })
}

/// [`fetch_artifact`] on a runtime of its own.
///
/// # Errors
/// As [`fetch_artifact`].
pub fn fetch_artifact_sync(
    url: &str,
    reference: &OciReference,
    layer: &LayerSelector,
    opts: &OciOptions,
) -> Result<OciArtifact, FetchError> {
    block_on(fetch_artifact(url, reference, layer, opts))?
}

/// A Helm chart from an OCI repository, as `helm pull oci://REPO/CHART --version V` gets
/// it (`registry.Client.ValidateReference`): a version that is itself a version is used
/// as the tag (`+` written `_`); otherwise the tags that are strict semantic versions are
/// listed, and an exact one or the highest satisfying the range (`*` without a version)
/// wins. A digest in the URL pins the manifest (and must match the tag when both are
/// given). The chart layer is checked against its digest and loaded with the confined
/// chart loader.
///
/// # Errors
/// [`FetchError`] naming the chart and version.
pub async fn fetch_helm_chart(
    repo_url: &str,
    chart: &str,
    version: Option<&str>,
    opts: &OciOptions,
) -> Result<FetchedChart, FetchError> {
    let base = OciUrl::parse(repo_url).map_err(|e| oci_err(e, repo_url))?;
    let u = if chart.is_empty() {
        base.clone()
    } else {
        if base.tag.is_some() || base.digest.is_some() {
            return Err(FetchError::new(
                ErrorKind::Invalid,
                format!("{repo_url}: a repository URL cannot carry a tag or digest"),
            ));
        }
        base.join(chart).map_err(|e| oci_err(e, repo_url))?
    };
    let shown = OciUrl {
        tag: None,
        digest: None,
        ..u.clone()
    }
    .to_string();
    let version = version.filter(|v| !v.is_empty());
    let session = Session::new(&u, opts)?;
    let mut version_text = match (version, &u.tag) {
        (Some(v), Some(t)) if tag_to_version(t) != v => {
            return Err(FetchError::new(
                ErrorKind::Invalid,
                format!(
                    "chart reference and version mismatch: {v} is not {}",
                    tag_to_version(t)
                ),
            ));
        }
        (Some(v), _) => Some(v.to_owned()),
        (None, Some(t)) => Some(tag_to_version(t)),
        (None, None) => None,
    };
    let reference = if let Some(d) = &u.digest {
        if let Some(v) = &version_text {
            // The tag must point at the digest, when it exists.
            if let Ok((_, td, _)) = session
                .manifest(&version_to_tag(v), opts.max_manifest_bytes)
                .await
                && &td != d
            {
                return Err(FetchError::new(
                    ErrorKind::Digest,
                    format!("chart reference digest mismatch: {td} is not {d}"),
                )
                .at(&shown));
            }
        }
        d.to_string()
    } else {
        let tag_version = match &version_text {
            Some(v) if crate::source::select::is_version(v) => v.clone(),
            other => {
                let tags = session.tags(opts.max_tags).await?;
                let mut versions: Vec<String> = tags
                    .iter()
                    .map(|t| tag_to_version(t))
                    .filter(|v| crate::source::select::is_strict_version(v))
                    .collect();
                if versions.is_empty() {
                    return Err(FetchError::new(
                        ErrorKind::NotFound,
                        format!("unable to locate any tags in provided repository: {shown}"),
                    )
                    .at(&shown));
                }
                versions.sort();
                versions.dedup();
                let wanted = other.clone().unwrap_or_default();
                if let Some(exact) = versions.iter().find(|v| **v == wanted) {
                    exact.clone()
                } else {
                    let refs: Vec<&str> = versions.iter().map(String::as_str).collect();
                    let range = if wanted.is_empty() {
                        "*"
                    } else {
                        wanted.as_str()
                    };
                    let i = (opts.selector)(range, &refs).map_err(|e| {
                        FetchError::new(
                            ErrorKind::Invalid,
                            format!("chart {chart:?}: invalid version range {range:?}: {e}"),
                        )
                    })?;
                    match i {
                        Some(i) => versions[i].clone(),
                        None => {
                            return Err(FetchError::new(
                                ErrorKind::NotFound,
                                format!("could not locate a version matching provided version string {wanted}"),
                            )
                            .at(&shown));
                        }
                    }
                }
            }
        };
        version_text = Some(tag_version.clone());
        version_to_tag(&tag_version)
    };
    let (manifest, manifest_digest, _) = session
        .manifest(&reference, opts.max_manifest_bytes)
        .await?;
    let manifest = image_manifest(manifest, &shown)?;
    let (layer, warning) = helm_chart_layer(&manifest).map_err(|e| oci_err(e, &shown))?;
    let archive = session.blob(layer, opts.max_blob_bytes).await?;
    let loaded = helm::load_archive(&archive).map_err(|e| {
        FetchError::new(
            if e.kind == helm::ErrorKind::Limit {
                ErrorKind::Limit
            } else {
                ErrorKind::Invalid
            },
            format!("chart {shown} ({manifest_digest}): {}", e.message),
        )
        .at(&shown)
    })?;
    let version = loaded.metadata.version.clone();
    let _ = version_text;
    Ok(FetchedChart {
        name: loaded.metadata.name.clone(),
        revision: version.clone(),
        version,
        digest: Digest::sha256_of(&archive),
        url: shown,
        archive,
        path: None,
        warnings: warning.into_iter().collect(),
    })
}

/// [`fetch_helm_chart`] on a runtime of its own.
///
/// # Errors
/// As [`fetch_helm_chart`].
pub fn fetch_helm_chart_sync(
    repo_url: &str,
    chart: &str,
    version: Option<&str>,
    opts: &OciOptions,
) -> Result<FetchedChart, FetchError> {
    block_on(fetch_helm_chart(repo_url, chart, version, opts))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers() {
        assert_eq!(
            next_link("</v2/a/tags/list?last=x&n=2>; rel=\"next\""),
            Some("/v2/a/tags/list?last=x&n=2".to_owned())
        );
        assert_eq!(next_link("<x>; rel=\"prev\""), None);
    }
}
