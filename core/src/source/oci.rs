//! OCI artifacts as Flux's `OCIRepository` and Helm's `oci://` charts see them: references,
//! digests, manifests and media types, Flux's `layerSelector`, the tag a range selects,
//! registry auth challenges and Docker config credentials, and the confined unpacking of a
//! layer. Everything here is pure: the shell (`io::oci`) does the HTTP.
//!
//! ```
//! use gitward::source::oci::{Digest, OciUrl, flux_revision};
//!
//! let url = OciUrl::parse("oci://ghcr.io/stefanprodan/manifests/podinfo")?;
//! assert_eq!(url.registry, "ghcr.io");
//! assert_eq!(url.repository, "stefanprodan/manifests/podinfo");
//! let d = Digest::sha256_of(b"manifest bytes");
//! assert_eq!(flux_revision(Some("6.5.0"), &d), format!("6.5.0@{d}"));
//! # Ok::<(), gitward::source::oci::OciError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;

use base64::Engine as _;
use sha2::Digest as _;

/// Flux's artifact config (`flux push artifact`).
pub const FLUX_CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.flux.config.v1+json";
/// Flux's content layer: a gzipped tarball of the source tree.
pub const FLUX_CONTENT_MEDIA_TYPE: &str = "application/vnd.cncf.flux.content.v1.tar+gzip";
/// The prefix of every Flux content media type (`flux push artifact --reproducible` with a
/// static layer uses `PREFIX.EXT`).
pub const FLUX_CONTENT_MEDIA_TYPE_PREFIX: &str = "application/vnd.cncf.flux.content.v1";
/// Helm's chart config.
pub const HELM_CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.helm.config.v1+json";
/// Helm's chart layer.
pub const HELM_CHART_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
/// Helm's provenance layer.
pub const HELM_PROV_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.provenance.v1.prov";
/// The chart layer media type of Helm before v3.7 (still read, with a warning).
pub const HELM_LEGACY_CHART_MEDIA_TYPE: &str = "application/tar+gzip";
/// OCI image manifest.
pub const OCI_MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index.
pub const OCI_INDEX_MEDIA_TYPE: &str = "application/vnd.oci.image.index.v1+json";
/// Docker image manifest, schema 2.
pub const DOCKER_MANIFEST_MEDIA_TYPE: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list.
pub const DOCKER_LIST_MEDIA_TYPE: &str =
    "application/vnd.docker.distribution.manifest.list.v2+json";

/// The `Accept` header for manifest requests: every manifest kind read here.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json";

/// Largest manifest read (4 MiB: what CNCF distribution accepts on push).
pub const DEFAULT_MAX_MANIFEST_BYTES: usize = 4 << 20;
/// Largest blob (layer, config) downloaded by default.
pub const DEFAULT_MAX_BLOB_BYTES: u64 = 512 << 20;
/// Largest total size of the files a layer unpacks to, by default.
pub const DEFAULT_MAX_UNPACKED_BYTES: u64 = 1 << 30;
/// Most entries a layer may unpack to, by default.
pub const DEFAULT_MAX_ENTRIES: usize = 100_000;

/// What went wrong with an OCI input. Messages name what they are about and never hold
/// credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OciError {
    /// The URL is not `oci://REGISTRY/REPOSITORY` (Flux's wording where it has one).
    #[error("invalid OCI URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// A digest does not parse.
    #[error("invalid digest {digest:?}: {reason}")]
    InvalidDigest {
        /// The digest text.
        digest: String,
        /// Why.
        reason: String,
    },
    /// Content does not hash to its digest.
    #[error("digest mismatch for {what}: expected {expected}, got {actual}")]
    DigestMismatch {
        /// What was checked (`manifest REF`, `layer sha256:...`).
        what: String,
        /// The digest it should have.
        expected: String,
        /// The digest it has.
        actual: String,
    },
    /// A manifest does not parse or is not one this reads.
    #[error("invalid manifest: {reason}")]
    InvalidManifest {
        /// Why.
        reason: String,
    },
    /// A manifest is larger than allowed.
    #[error("manifest is larger than {limit} bytes")]
    ManifestTooLarge {
        /// The limit.
        limit: usize,
    },
    /// No layer to use (Flux's wording).
    #[error("{reason}")]
    Layer {
        /// Why.
        reason: String,
    },
    /// A Docker config JSON does not parse.
    #[error("invalid Docker config: {reason}")]
    DockerConfig {
        /// Why.
        reason: String,
    },
    /// A layer cannot be unpacked (hostile or broken archive, limits).
    #[error("failed to extract layer contents from artifact: {reason}")]
    Unpack {
        /// Why.
        reason: String,
    },
}

// ---------------------------------------------------------------------------------------
// Digests.

/// A content digest, `ALGORITHM:HEX` (`sha256` or `sha512`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: DigestAlgorithm,
    hex: String,
}

/// A digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DigestAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
}

impl Digest {
    /// Parses `sha256:<64 hex>` or `sha512:<128 hex>` (lowercase hex, as the OCI spec
    /// requires).
    ///
    /// # Errors
    /// [`OciError::InvalidDigest`].
    pub fn parse(s: &str) -> Result<Digest, OciError> {
        let err = |reason: &str| OciError::InvalidDigest {
            digest: s.to_owned(),
            reason: reason.to_owned(),
        };
        let (alg, hex) = s.split_once(':').ok_or_else(|| err("no algorithm"))?;
        let (algorithm, len) = match alg {
            "sha256" => (DigestAlgorithm::Sha256, 64),
            "sha512" => (DigestAlgorithm::Sha512, 128),
            _ => return Err(err("unsupported algorithm")),
        };
        if hex.len() != len
            || !hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(err("malformed hex"));
        }
        Ok(Digest {
            algorithm,
            hex: hex.to_owned(),
        })
    }

    /// The SHA-256 digest of `bytes`.
    pub fn sha256_of(bytes: &[u8]) -> Digest {
        Digest {
            algorithm: DigestAlgorithm::Sha256,
            hex: hex(&sha2::Sha256::digest(bytes)),
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> DigestAlgorithm {
        self.algorithm
    }

    /// The hex part.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// A hasher computing a digest of this algorithm over streamed bytes.
    pub fn hasher(&self) -> Hasher {
        Hasher::new(self.algorithm)
    }

    /// Checks `bytes` against this digest.
    ///
    /// # Errors
    /// [`OciError::DigestMismatch`] naming `what`.
    pub fn verify(&self, bytes: &[u8], what: &str) -> Result<(), OciError> {
        let mut h = self.hasher();
        h.update(bytes);
        h.verify(self, what)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let alg = match self.algorithm {
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha512 => "sha512",
        };
        write!(f, "{alg}:{}", self.hex)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

/// A running digest computation.
#[derive(Clone)]
pub struct Hasher {
    inner: HasherInner,
}

#[derive(Clone)]
enum HasherInner {
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
}

impl Hasher {
    /// A hasher for `algorithm`.
    pub fn new(algorithm: DigestAlgorithm) -> Hasher {
        Hasher {
            inner: match algorithm {
                DigestAlgorithm::Sha256 => HasherInner::Sha256(sha2::Sha256::new()),
                DigestAlgorithm::Sha512 => HasherInner::Sha512(sha2::Sha512::new()),
            },
        }
    }

    /// Adds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        match &mut self.inner {
            HasherInner::Sha256(h) => h.update(bytes),
            HasherInner::Sha512(h) => h.update(bytes),
        }
    }

    /// The digest of what was added.
    pub fn finish(self) -> Digest {
        match self.inner {
            HasherInner::Sha256(h) => Digest {
                algorithm: DigestAlgorithm::Sha256,
                hex: hex(&h.finalize()),
            },
            HasherInner::Sha512(h) => Digest {
                algorithm: DigestAlgorithm::Sha512,
                hex: hex(&h.finalize()),
            },
        }
    }

    /// Checks what was added against `expected`.
    ///
    /// # Errors
    /// [`OciError::DigestMismatch`] naming `what`.
    pub fn verify(self, expected: &Digest, what: &str) -> Result<(), OciError> {
        let actual = self.finish();
        if &actual == expected {
            Ok(())
        } else {
            Err(OciError::DigestMismatch {
                what: what.to_owned(),
                expected: expected.to_string(),
                actual: actual.to_string(),
            })
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

// ---------------------------------------------------------------------------------------
// References.

/// The registry Docker Hub references default to, as go-containerregistry names it.
pub const DOCKER_HUB_REGISTRY: &str = "index.docker.io";

/// A repository given as `oci://REGISTRY/REPOSITORY` (an `OCIRepository`'s `spec.url`, a
/// `HelmRepository` of type `oci`), optionally with a tag and/or digest as Helm accepts
/// them on `oci://` chart references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OciUrl {
    /// The registry host, with its port if any (`ghcr.io`, `127.0.0.1:5000`); Docker Hub
    /// is [`DOCKER_HUB_REGISTRY`].
    pub registry: String,
    /// The repository path (`org/app`), `library/` prefixed for Docker Hub's official
    /// images.
    pub repository: String,
    /// A tag after the last path segment (`:1.2.3`), if any.
    pub tag: Option<String>,
    /// A digest (`@sha256:...`), if any.
    pub digest: Option<Digest>,
}

impl OciUrl {
    /// Parses an `oci://` URL as go-containerregistry's `name.NewRepository` (and Helm's
    /// reference parser, for a trailing `:tag` and `@digest`) read it.
    ///
    /// # Errors
    /// [`OciError::InvalidUrl`].
    pub fn parse(url: &str) -> Result<OciUrl, OciError> {
        let err = |reason: &str| OciError::InvalidUrl {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let rest = url
            .strip_prefix("oci://")
            .ok_or_else(|| err("URL must be in format 'oci://<domain>/<org>/<repo>'"))?;
        let (rest, digest) = match rest.rsplit_once('@') {
            Some((r, d)) => (r, Some(Digest::parse(d).map_err(|e| err(&e.to_string()))?)),
            None => (rest, None),
        };
        let (rest, tag) = match rest.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => (r, Some(t.to_owned())),
            _ => (rest, None),
        };
        let (first, path) = match rest.split_once('/') {
            Some((f, p)) => (f, Some(p)),
            None => (rest, None),
        };
        let is_registry = first.contains('.') || first.contains(':') || first == "localhost";
        let (registry, repository) = match (is_registry, path) {
            (true, Some(p)) => (first.to_owned(), p.to_owned()),
            (true, None) => return Err(err("URL has no repository")),
            (false, _) => {
                let repo = if rest.contains('/') {
                    rest.to_owned()
                } else {
                    format!("library/{rest}")
                };
                (DOCKER_HUB_REGISTRY.to_owned(), repo)
            }
        };
        let registry = if registry == "docker.io" {
            DOCKER_HUB_REGISTRY.to_owned()
        } else {
            registry
        };
        if registry.is_empty()
            || registry.contains(|c: char| c.is_whitespace() || c == '?' || c == '#')
        {
            return Err(err("invalid registry"));
        }
        if !valid_repository(&repository) {
            return Err(err(
                "repository can only contain the characters `abcdefghijklmnopqrstuvwxyz0123456789_-./`",
            ));
        }
        if let Some(t) = &tag
            && !valid_tag(t)
        {
            return Err(err(
                "tag can only contain the characters `abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.` and be at most 128 characters",
            ));
        }
        Ok(OciUrl {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// `oci://REGISTRY/REPOSITORY` with `/NAME` appended (a chart of a Helm OCI
    /// repository).
    ///
    /// # Errors
    /// When the result is not a valid repository.
    pub fn join(&self, name: &str) -> Result<OciUrl, OciError> {
        let repository = format!("{}/{}", self.repository.trim_end_matches('/'), name);
        if !valid_repository(&repository) {
            return Err(OciError::InvalidUrl {
                url: format!("oci://{}/{repository}", self.registry),
                reason: "invalid repository name".to_owned(),
            });
        }
        Ok(OciUrl {
            registry: self.registry.clone(),
            repository,
            tag: None,
            digest: None,
        })
    }

    /// `REGISTRY/REPOSITORY`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }
}

impl fmt::Display for OciUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "oci://{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// The distribution spec's repository name grammar:
/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`.
fn valid_repository(repo: &str) -> bool {
    !repo.is_empty()
        && repo.len() <= 255
        && repo.split('/').all(|c| {
            let b = c.as_bytes();
            let alnum = |x: &u8| x.is_ascii_lowercase() || x.is_ascii_digit();
            if b.is_empty() || !alnum(&b[0]) || !alnum(&b[b.len() - 1]) {
                return false;
            }
            let mut i = 0;
            while i < b.len() {
                if alnum(&b[i]) {
                    i += 1;
                    continue;
                }
                // A separator: `.`, `_`, `__` or a run of `-`.
                let start = i;
                match b[i] {
                    b'.' => i += 1,
                    b'_' => {
                        i += 1;
                        if b.get(i) == Some(&b'_') {
                            i += 1;
                        }
                    }
                    b'-' => {
                        while b.get(i) == Some(&b'-') {
                            i += 1;
                        }
                    }
                    _ => return false,
                }
                if i == start || !b.get(i).is_some_and(alnum) {
                    return false;
                }
            }
            true
        })
}

/// `[\w][\w.-]{0,127}`.
fn valid_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    let word = |x: &u8| x.is_ascii_alphanumeric() || *x == b'_';
    !b.is_empty()
        && b.len() <= 128
        && word(&b[0])
        && b.iter().all(|x| word(x) || *x == b'.' || *x == b'-')
}

/// Flux's revision of an `OCIRepository` artifact: `TAG@DIGEST`, or `DIGEST` when pulled
/// by digest. The digest is the manifest's.
pub fn flux_revision(tag: Option<&str>, manifest_digest: &Digest) -> String {
    match tag {
        Some(t) => format!("{t}@{manifest_digest}"),
        None => manifest_digest.to_string(),
    }
}

/// How OCI tags map to chart versions: Helm pushes `1.0.0+build` as the tag
/// `1.0.0_build` (`+` is not allowed in tags).
pub fn tag_to_version(tag: &str) -> String {
    tag.replace('_', "+")
}

/// The tag a chart version is pushed under (`+` becomes `_`).
pub fn version_to_tag(version: &str) -> String {
    version.replace('+', "_")
}

// ---------------------------------------------------------------------------------------
// Manifests.

/// A content descriptor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Descriptor {
    /// `mediaType`.
    #[serde(rename = "mediaType", default)]
    pub media_type: String,
    /// `digest`, as written.
    pub digest: String,
    /// `size`.
    #[serde(default)]
    pub size: i64,
    /// `annotations`.
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
    /// `artifactType`.
    #[serde(rename = "artifactType", default)]
    pub artifact_type: Option<String>,
}

impl Descriptor {
    /// The parsed digest.
    ///
    /// # Errors
    /// [`OciError::InvalidDigest`].
    pub fn parsed_digest(&self) -> Result<Digest, OciError> {
        Digest::parse(&self.digest)
    }
}

/// An image manifest (OCI or Docker schema 2).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ImageManifest {
    /// `schemaVersion` (2).
    #[serde(rename = "schemaVersion")]
    pub schema_version: i64,
    /// `mediaType`, when written.
    #[serde(rename = "mediaType", default)]
    pub media_type: Option<String>,
    /// `artifactType`.
    #[serde(rename = "artifactType", default)]
    pub artifact_type: Option<String>,
    /// `config`.
    pub config: Descriptor,
    /// `layers`.
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    /// `annotations`.
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// An image index (OCI) or manifest list (Docker).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ImageIndex {
    /// `schemaVersion` (2).
    #[serde(rename = "schemaVersion")]
    pub schema_version: i64,
    /// `mediaType`, when written.
    #[serde(rename = "mediaType", default)]
    pub media_type: Option<String>,
    /// `manifests`.
    pub manifests: Vec<Descriptor>,
}

/// A manifest of either kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manifest {
    /// An image manifest.
    Image(ImageManifest),
    /// An index.
    Index(ImageIndex),
}

/// Parses manifest bytes. `content_type` is the response's `Content-Type`, used when the
/// document does not say its own media type.
///
/// # Errors
/// [`OciError::ManifestTooLarge`] over `max_bytes`, [`OciError::InvalidManifest`].
pub fn parse_manifest(
    bytes: &[u8],
    content_type: Option<&str>,
    max_bytes: usize,
) -> Result<Manifest, OciError> {
    if bytes.len() > max_bytes {
        return Err(OciError::ManifestTooLarge { limit: max_bytes });
    }
    let invalid = |reason: String| OciError::InvalidManifest { reason };
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "schemaVersion", default)]
        schema_version: i64,
        #[serde(rename = "mediaType", default)]
        media_type: Option<String>,
        #[serde(default)]
        manifests: Option<serde::de::IgnoredAny>,
    }
    let probe: Probe = serde_json::from_slice(bytes).map_err(|e| invalid(e.to_string()))?;
    if probe.schema_version != 2 {
        return Err(invalid(format!(
            "unsupported schema version {}",
            probe.schema_version
        )));
    }
    let ct = content_type.map(|c| c.split(';').next().unwrap_or(c).trim());
    let media = probe.media_type.as_deref().or(ct).unwrap_or("");
    let is_index = match media {
        OCI_INDEX_MEDIA_TYPE | DOCKER_LIST_MEDIA_TYPE => true,
        OCI_MANIFEST_MEDIA_TYPE | DOCKER_MANIFEST_MEDIA_TYPE => false,
        _ => probe.manifests.is_some(),
    };
    if is_index {
        serde_json::from_slice(bytes)
            .map(Manifest::Index)
            .map_err(|e| invalid(e.to_string()))
    } else {
        serde_json::from_slice(bytes)
            .map(Manifest::Image)
            .map_err(|e| invalid(e.to_string()))
    }
}

/// What to do with the selected layer (`spec.layerSelector.operation`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LayerOperation {
    /// Unpack the gzipped tarball (the default).
    #[default]
    Extract,
    /// Keep the blob as it is.
    Copy,
}

impl LayerOperation {
    /// `extract` or `copy`, as Flux spells them.
    ///
    /// # Errors
    /// Flux's `unsupported layer operation` text.
    pub fn parse(s: &str) -> Result<LayerOperation, OciError> {
        match s {
            "extract" | "" => Ok(LayerOperation::Extract),
            "copy" => Ok(LayerOperation::Copy),
            _ => Err(OciError::Layer {
                reason: format!("unsupported layer operation: {s}"),
            }),
        }
    }
}

/// Flux's `spec.layerSelector`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerSelector {
    /// The media type of the layer to use; the first layer when `None`.
    pub media_type: Option<String>,
    /// What to do with it.
    pub operation: LayerOperation,
}

/// `OCIRepositoryReconciler.selectLayer`: the first layer of the wanted media type, or the
/// first layer when none is asked for.
///
/// # Errors
/// [`OciError::Layer`] with Flux's texts.
pub fn select_layer<'m>(
    manifest: &'m ImageManifest,
    selector: &LayerSelector,
) -> Result<&'m Descriptor, OciError> {
    if manifest.layers.is_empty() {
        return Err(OciError::Layer {
            reason: "no layers found in artifact".to_owned(),
        });
    }
    match selector.media_type.as_deref().filter(|m| !m.is_empty()) {
        None => Ok(&manifest.layers[0]),
        Some(m) => manifest
            .layers
            .iter()
            .find(|l| l.media_type == m)
            .ok_or_else(|| OciError::Layer {
                reason: format!("failed to find layer with media type '{m}' in artifact"),
            }),
    }
}

/// The chart layer of a Helm chart manifest (`registry.Client.Pull`): the config must be
/// Helm's, the layer is the chart layer (or the legacy one, with a warning).
///
/// # Errors
/// [`OciError::Layer`] with Helm's texts.
pub fn helm_chart_layer(
    manifest: &ImageManifest,
) -> Result<(&Descriptor, Option<String>), OciError> {
    if manifest.config.media_type != HELM_CONFIG_MEDIA_TYPE {
        return Err(OciError::Layer {
            reason: format!("could not load config with mediatype {HELM_CONFIG_MEDIA_TYPE}"),
        });
    }
    let mut found = None;
    let mut warning = None;
    for l in &manifest.layers {
        match l.media_type.as_str() {
            HELM_CHART_MEDIA_TYPE => {
                found = Some(l);
                warning = None;
            }
            HELM_LEGACY_CHART_MEDIA_TYPE => {
                found = Some(l);
                warning = Some(format!(
                    "chart media type {HELM_LEGACY_CHART_MEDIA_TYPE} is deprecated"
                ));
            }
            _ => {}
        }
    }
    found.map(|l| (l, warning)).ok_or_else(|| OciError::Layer {
        reason: format!("manifest does not contain a layer with mediatype {HELM_CHART_MEDIA_TYPE}"),
    })
}

// ---------------------------------------------------------------------------------------
// Registry auth.

/// A `WWW-Authenticate` challenge from a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    /// `Basic realm="..."`.
    Basic,
    /// `Bearer realm="...",service="...",scope="..."` (the Docker token flow).
    Bearer {
        /// Where to get a token.
        realm: String,
        /// `service`, if given.
        service: Option<String>,
        /// `scope`, if given.
        scope: Option<String>,
        /// `error` (`insufficient_scope`), if given.
        error: Option<String>,
    },
}

/// Parses a `WWW-Authenticate` header value (the first challenge it holds).
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, params) = header.split_once(' ').unwrap_or((header, ""));
    if scheme.eq_ignore_ascii_case("basic") {
        return Some(Challenge::Basic);
    }
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    let b = params.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i] == b',' || b[i] == b' ') {
            i += 1;
        }
        let ks = i;
        while i < b.len() && b[i] != b'=' {
            i += 1;
        }
        let key = params[ks..i].trim().to_ascii_lowercase();
        i += 1;
        let mut value = String::new();
        if i < b.len() && b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' && i + 1 < b.len() {
                    i += 1;
                }
                let ch_end = next_char_end(params, i);
                value.push_str(&params[i..ch_end]);
                i = ch_end;
            }
            i += 1;
        } else {
            let vs = i.min(b.len());
            while i < b.len() && b[i] != b',' {
                i += 1;
            }
            value = params[vs..i.min(b.len())].trim().to_owned();
        }
        if !key.is_empty() {
            map.insert(key, value);
        }
    }
    Some(Challenge::Bearer {
        realm: map.remove("realm")?,
        service: map.remove("service"),
        scope: map.remove("scope"),
        error: map.remove("error"),
    })
}

fn next_char_end(s: &str, i: usize) -> usize {
    let mut j = i + 1;
    while j < s.len() && !s.is_char_boundary(j) {
        j += 1;
    }
    j.min(s.len())
}

/// The token in a token server's response (`token`, else `access_token`).
///
/// # Errors
/// When the response is not JSON or holds no token (the message does not repeat the
/// body, which may hold secrets).
pub fn parse_token_response(body: &[u8]) -> Result<String, String> {
    #[derive(serde::Deserialize)]
    struct T {
        #[serde(default)]
        token: Option<String>,
        #[serde(default)]
        access_token: Option<String>,
    }
    let t: T = serde_json::from_slice(body).map_err(|_| "token response is not JSON".to_owned())?;
    t.token
        .filter(|s| !s.is_empty())
        .or(t.access_token.filter(|s| !s.is_empty()))
        .ok_or_else(|| "token response holds no token".to_owned())
}

/// The scope to ask a token for: `repository:NAME:pull`.
pub fn pull_scope(repository: &str) -> String {
    format!("repository:{repository}:pull")
}

/// Registry credentials. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// Username and password (basic auth, or exchanged for a token).
    Basic {
        /// Username.
        username: String,
        /// Password.
        password: String,
    },
    /// A bearer token used as is (Docker config `registrytoken`).
    Bearer {
        /// The token.
        token: String,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Credentials::Bearer { .. } => f
                .debug_struct("Bearer")
                .field("token", &"<redacted>")
                .finish(),
        }
    }
}

impl Credentials {
    /// The `Authorization` value for basic auth, or the token for bearer.
    pub fn basic_header(&self) -> Option<String> {
        match self {
            Credentials::Basic { username, password } => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
            )),
            Credentials::Bearer { .. } => None,
        }
    }
}

/// A Docker config JSON (`~/.docker/config.json`, a `kubernetes.io/dockerconfigjson`
/// Secret's `.dockerconfigjson`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct DockerConfig {
    /// `auths`, by the key as written.
    auths: Vec<(String, AuthEntry)>,
}

impl fmt::Debug for DockerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DockerConfig")
            .field(
                "auths",
                &self
                    .auths
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

#[derive(Clone, Default, PartialEq, Eq, serde::Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default, rename = "identitytoken")]
    identity_token: Option<String>,
    #[serde(default, rename = "registrytoken")]
    registry_token: Option<String>,
}

impl DockerConfig {
    /// Parses a Docker config JSON. Both the modern form (`{"auths": {...}}`) and the
    /// legacy `.dockercfg` form (the map of registries itself) are read.
    ///
    /// # Errors
    /// [`OciError::DockerConfig`] (without the file's contents).
    pub fn parse(bytes: &[u8]) -> Result<DockerConfig, OciError> {
        let err = |reason: &str| OciError::DockerConfig {
            reason: reason.to_owned(),
        };
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|_| err("not valid JSON"))?;
        let serde_json::Value::Object(mut top) = v else {
            return Err(err("not a JSON object"));
        };
        let auths = match top.remove("auths") {
            Some(serde_json::Value::Object(a)) => a,
            Some(serde_json::Value::Null) | None => {
                // Legacy .dockercfg: the registries at the top, if they look like entries.
                top.into_iter().filter(|(_, v)| v.is_object()).collect()
            }
            Some(_) => return Err(err("\"auths\" is not an object")),
        };
        let mut out = Vec::with_capacity(auths.len());
        for (k, v) in auths {
            let e: AuthEntry = serde_json::from_value(v)
                .map_err(|_| err(&format!("the entry for {k:?} is malformed")))?;
            out.push((k, e));
        }
        Ok(DockerConfig { auths: out })
    }

    /// The registries the config names, as written.
    pub fn registries(&self) -> impl Iterator<Item = &str> {
        self.auths.iter().map(|(k, _)| k.as_str())
    }

    /// The credentials for `registry` (a host with its port, as in [`OciUrl::registry`]),
    /// found as Docker finds them: the key as written, then any key that names the same
    /// host once its scheme and path are removed (`https://host/v1/`); Docker Hub under
    /// `https://index.docker.io/v1/`, `index.docker.io` or `docker.io`.
    ///
    /// # Errors
    /// [`OciError::DockerConfig`] when the entry's `auth` is not base64 of `user:password`,
    /// or holds only an `identitytoken` (OAuth2 refresh tokens are not supported).
    pub fn credentials_for(&self, registry: &str) -> Result<Option<Credentials>, OciError> {
        let hub = registry == DOCKER_HUB_REGISTRY || registry == "docker.io";
        let wanted: Vec<&str> = if hub {
            vec![
                "https://index.docker.io/v1/",
                DOCKER_HUB_REGISTRY,
                "docker.io",
            ]
        } else {
            vec![registry]
        };
        let entry = wanted
            .iter()
            .find_map(|w| self.auths.iter().find(|(k, _)| k == w))
            .or_else(|| {
                wanted.iter().find_map(|w| {
                    self.auths
                        .iter()
                        .find(|(k, _)| convert_to_hostname(k) == convert_to_hostname(w))
                })
            });
        let Some((key, e)) = entry else {
            return Ok(None);
        };
        let err = |reason: String| OciError::DockerConfig { reason };
        if let Some(t) = e.registry_token.as_deref().filter(|t| !t.is_empty()) {
            return Ok(Some(Credentials::Bearer {
                token: t.to_owned(),
            }));
        }
        let (mut username, mut password) = (
            e.username.clone().unwrap_or_default(),
            e.password.clone().unwrap_or_default(),
        );
        if let Some(auth) = e.auth.as_deref().filter(|a| !a.is_empty()) {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| err(format!("the auth of {key:?} is not base64 text")))?;
            let (u, p) = decoded
                .split_once(':')
                .ok_or_else(|| err(format!("the auth of {key:?} is not user:password")))?;
            username = u.to_owned();
            password = p.trim_end_matches('\n').to_owned();
        }
        if username.is_empty() && password.is_empty() {
            if e.identity_token.as_deref().is_some_and(|t| !t.is_empty()) {
                return Err(err(format!(
                    "the entry for {key:?} holds an identity token, which is not supported"
                )));
            }
            return Ok(None);
        }
        Ok(Some(Credentials::Basic { username, password }))
    }
}

/// Docker's `ConvertToHostname`: the host of a registry key written as a URL.
fn convert_to_hostname(key: &str) -> &str {
    let s = key
        .strip_prefix("http://")
        .or_else(|| key.strip_prefix("https://"))
        .unwrap_or(key);
    s.split('/').next().unwrap_or(s)
}

// ---------------------------------------------------------------------------------------
// Unpacking a layer.

/// Bounds on unpacking a layer.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct UnpackLimits {
    /// Largest total size of the files.
    pub max_bytes: u64,
    /// Most entries.
    pub max_entries: usize,
}

impl Default for UnpackLimits {
    fn default() -> Self {
        UnpackLimits {
            max_bytes: DEFAULT_MAX_UNPACKED_BYTES,
            max_entries: DEFAULT_MAX_ENTRIES,
        }
    }
}

/// An entry of an unpacked layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnpackedEntry {
    /// A directory.
    Dir {
        /// Its path, `/`-separated, relative, normalised.
        path: String,
    },
    /// A regular file.
    File {
        /// Its path, `/`-separated, relative, normalised.
        path: String,
        /// Permission bits from the archive.
        mode: u32,
        /// Contents.
        data: Vec<u8>,
    },
}

/// Unpacks a gzipped tarball as Flux's `tar.Untar` does for `OCIRepository` (symbolic
/// links skipped), with the confinement and limits it lacks: an entry whose path is
/// absolute, holds a `..` component or a backslash is refused, as are device files and
/// archives beyond `limits` (a decompression bomb stops at the limit, without reading
/// further). Hard links become empty files, as with Go's extraction.
///
/// # Errors
/// [`OciError::Unpack`].
pub fn unpack_layer(gz: &[u8], limits: &UnpackLimits) -> Result<Vec<UnpackedEntry>, OciError> {
    let err = |reason: String| OciError::Unpack { reason };
    if !gz.starts_with(b"\x1f\x8b") {
        return Err(err(
            "requires gzip-compressed body: gzip: invalid header".to_owned()
        ));
    }
    let decoder = flate2::read::GzDecoder::new(gz);
    let mut archive = tar::Archive::new(decoder);
    let entries = archive
        .entries()
        .map_err(|e| err(format!("tar error: {e}")))?;
    let mut out = Vec::new();
    let mut total: u64 = 0;
    for (n, entry) in entries.enumerate() {
        if n >= limits.max_entries {
            return Err(err(format!(
                "archive has more than {} entries",
                limits.max_entries
            )));
        }
        let mut entry = entry.map_err(|e| err(format!("tar error: {e}")))?;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let et = entry.header().entry_type();
        if et.is_pax_global_extensions()
            || et.is_pax_local_extensions()
            || et.is_gnu_longname()
            || et.is_gnu_longlink()
        {
            continue;
        }
        let path = confined_path(&raw)
            .ok_or_else(|| err(format!("tar contained invalid name error {raw:?}")))?;
        if et.is_symlink() {
            continue;
        }
        if et.is_dir() {
            if !path.is_empty() {
                out.push(UnpackedEntry::Dir { path });
            }
            continue;
        }
        if path.is_empty() {
            return Err(err(format!("tar contained invalid name error {raw:?}")));
        }
        if et.is_hard_link() {
            out.push(UnpackedEntry::File {
                path,
                mode: entry.header().mode().unwrap_or(0o644) & 0o777,
                data: Vec::new(),
            });
            continue;
        }
        if !(et.is_file() || et.is_contiguous()) {
            return Err(err(format!(
                "tar file entry {raw} contained unsupported file type"
            )));
        }
        let size = entry.header().size().unwrap_or(0);
        let room = limits.max_bytes.saturating_sub(total);
        if size > room {
            return Err(err(format!(
                "tar {raw:?} is bigger than max archive size of {} bytes",
                limits.max_bytes
            )));
        }
        let mut data = Vec::with_capacity(usize::try_from(size.min(1 << 20)).unwrap_or(0));
        (&mut entry)
            .take(room.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| err(format!("tar error: {e}")))?;
        let got = data.len() as u64;
        if got > room {
            return Err(err(format!(
                "tar {raw:?} is bigger than max archive size of {} bytes",
                limits.max_bytes
            )));
        }
        total += got;
        out.push(UnpackedEntry::File {
            path,
            mode: entry.header().mode().unwrap_or(0o644) & 0o777,
            data,
        });
    }
    Ok(out)
}

/// The artifact source-controller stores for an `OCIRepository` whose layer is extracted:
/// the unpacked files, as `tar.Untar` leaves them on disk (a later entry for a path
/// replaces an earlier one; directories implied by a file exist), archived as for a Git
/// source: every `.sourceignore`, then `spec_ignore` (`OCIRepository.spec.ignore`), over
/// the default exclusions, modes normalised. Its [`Artifact::pack`] digest is the one Flux
/// records for the artifact (not the layer blob's).
///
/// # Errors
/// [`ArtifactError`]: a path that is a file and a directory at once.
///
/// [`Artifact::pack`]: super::artifact::Artifact::pack
pub fn extracted_artifact(
    entries: &[UnpackedEntry],
    spec_ignore: Option<&str>,
) -> Result<super::artifact::Artifact, super::artifact::ArtifactError> {
    use super::artifact::{Artifact, ArtifactError, Entry, EntryKind};
    use std::collections::HashMap;
    let mut out: Vec<Entry> = vec![Entry::dir("", 0o755)];
    let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
    index.insert(Vec::new(), 0);
    let conflict = |path: &[u8]| ArtifactError::Duplicate {
        path: String::from_utf8_lossy(path).into_owned(),
    };
    for e in entries {
        let (path, file) = match e {
            UnpackedEntry::Dir { path } => (path.as_bytes(), None),
            UnpackedEntry::File { path, mode, data } => (path.as_bytes(), Some((*mode, data))),
        };
        // Parents first (`os.MkdirAll`).
        let mut end = 0;
        while let Some(i) = path[end..].iter().position(|&b| b == b'/') {
            let parent = &path[..end + i];
            match index.get(parent) {
                Some(&j) if out[j].kind != EntryKind::Dir => return Err(conflict(parent)),
                Some(_) => {}
                None => {
                    index.insert(parent.to_vec(), out.len());
                    out.push(Entry::dir(parent.to_vec(), 0o755));
                }
            }
            end += i + 1;
        }
        match (index.get(path).copied(), file) {
            (None, None) => {
                index.insert(path.to_vec(), out.len());
                out.push(Entry::dir(path.to_vec(), 0o755));
            }
            (None, Some((mode, data))) => {
                index.insert(path.to_vec(), out.len());
                out.push(Entry::file(path.to_vec(), mode, data.clone()));
            }
            (Some(j), None) if out[j].kind == EntryKind::Dir => {}
            (Some(j), Some((mode, data))) if out[j].kind == EntryKind::File => {
                out[j] = Entry::file(path.to_vec(), mode, data.clone());
            }
            (Some(_), _) => return Err(conflict(path)),
        }
    }
    Artifact::from_git_checkout(&out, spec_ignore)
}

/// A tar entry name made relative and normalised, or `None` when it leaves the root
/// (absolute, `..`, a drive letter or a backslash). `.` and empty components drop out.
fn confined_path(raw: &str) -> Option<String> {
    if raw.is_empty() || raw.starts_with('/') || raw.contains('\\') {
        return None;
    }
    let b = raw.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for c in raw.split('/') {
        match c {
            "" | "." => {}
            ".." => return None,
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests;
