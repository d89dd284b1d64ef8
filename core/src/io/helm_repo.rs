//! Charts from Helm repositories, as `helm pull --repo` and Flux's `HelmChart` fetch them.
//!
//! * [`fetch_index`] downloads `index.yaml` (with a cache revalidated by `ETag` /
//!   `If-Modified-Since` when [`HelmRepoOptions::cache_dir`] is set) and reads the one
//!   chart asked for with [`parse_chart_index`] (streamed, bounded memory).
//! * [`fetch_chart`] picks the version as Helm does, downloads the `.tgz`, checks it
//!   against the index's `digest` and loads it with the confined chart loader (entries with
//!   `..`, absolute paths or links out of the chart are refused). An `oci://` repository
//!   goes through [`io::oci`](super::oci) instead.
//! * [`dependency_build`] is `helm dependency build` for a chart directory: `Chart.lock`
//!   honoured (its digest checked against `Chart.yaml`), remote dependencies downloaded
//!   into `charts/`, `file://` ones copied.
//!
//! The revision of a fetched chart is its version and its digest the SHA-256 of the
//! archive, as in a Flux `HelmChart` artifact. Basic credentials are sent to the
//! repository's host only (Helm's rule: another scheme, host or port gets none unless
//! [`HelmRepoOptions::pass_credentials_all`]).
//!
//! Every function is async (Tokio); `*_sync` forms run them on a runtime of their own.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::Digest as _;

use super::http::{
    BasicAuth, ClientOptions, ErrorKind, FetchError, ProgressSink, TlsOptions, block_on, client,
    network, read_limited_with, redact_url, status_error, write_atomic,
};
use crate::helm;
use crate::source::helm_index::{
    ChartIndex, ChartVersion, IndexError, IndexOptions, SelectError, parse_chart_index,
    resolve_reference_url, select_version,
};
use crate::source::oci::{Credentials, Digest, DockerConfig};

/// A version selector: `(range, versions) -> position of the highest match` (see
/// [`VersionSelector`](crate::source::helm_index::VersionSelector)).
pub type Selector = fn(&str, &[&str]) -> Result<Option<usize>, String>;

/// Largest chart archive downloaded by default (Helm's own limit on a decompressed chart
/// is 100 MiB).
pub const DEFAULT_MAX_CHART_BYTES: u64 = 100 << 20;

/// How to reach a Helm repository (HTTP or OCI).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HelmRepoOptions {
    /// Basic credentials (`--username`/`--password`); for an OCI repository, used with
    /// the registry's basic or token auth.
    pub auth: Option<BasicAuth>,
    /// Send the credentials to every host, not only the repository's
    /// (`--pass-credentials`).
    pub pass_credentials_all: bool,
    /// CA, client certificate and key.
    pub tls: TlsOptions,
    /// Registry credentials for `oci://` repositories, looked up by registry host.
    pub docker_config: Option<DockerConfig>,
    /// Reach an `oci://` registry over plain HTTP.
    pub insecure: bool,
    /// Where to keep downloaded indexes for revalidation; no caching when `None`.
    pub cache_dir: Option<PathBuf>,
    /// How indexes are read (size limit).
    pub index: IndexOptions,
    /// Largest archive downloaded.
    pub max_chart_bytes: u64,
    /// Timeout of each request.
    pub timeout: Duration,
    /// How version ranges are evaluated.
    pub selector: Selector,
    /// Told how the index and chart downloads progress.
    pub progress: Option<ProgressSink>,
}

impl Default for HelmRepoOptions {
    fn default() -> Self {
        HelmRepoOptions {
            auth: None,
            pass_credentials_all: false,
            tls: TlsOptions::default(),
            docker_config: None,
            insecure: false,
            cache_dir: None,
            index: IndexOptions::default(),
            max_chart_bytes: DEFAULT_MAX_CHART_BYTES,
            timeout: Duration::from_secs(120),
            selector: crate::source::select::helm_versions,
            progress: None,
        }
    }
}

impl HelmRepoOptions {
    pub(crate) fn client_options(&self) -> ClientOptions {
        ClientOptions {
            tls: self.tls.clone(),
            timeout: self.timeout,
        }
    }

    pub(crate) fn oci_options(&self) -> super::oci::OciOptions {
        super::oci::OciOptions {
            credentials: self.auth.as_ref().map(|a| Credentials::Basic {
                username: a.username.clone(),
                password: a.password.clone(),
            }),
            docker_config: self.docker_config.clone(),
            tls: self.tls.clone(),
            insecure: self.insecure,
            max_blob_bytes: self.max_chart_bytes,
            timeout: self.timeout,
            selector: self.selector,
            progress: self.progress.clone(),
            ..super::oci::OciOptions::default()
        }
    }
}

/// A chart fetched from a repository.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchedChart {
    /// The chart's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Flux's revision of a `HelmChart` artifact: the chart version.
    pub revision: String,
    /// The SHA-256 of the archive (Flux's artifact digest).
    pub digest: Digest,
    /// Where the archive came from (without user information).
    pub url: String,
    /// The `.tgz`.
    pub archive: Vec<u8>,
    /// Where [`FetchedChart::save`] wrote it.
    pub path: Option<PathBuf>,
    /// What Helm would have logged (invalid index entries skipped, a deprecated media
    /// type).
    pub warnings: Vec<String>,
}

impl FetchedChart {
    /// Writes the archive as `DIR/NAME-VERSION.tgz` (as `helm pull -d DIR`) and returns
    /// its path.
    ///
    /// # Errors
    /// [`ErrorKind::Io`].
    pub fn save(&mut self, dir: &Path) -> Result<PathBuf, FetchError> {
        let file = format!("{}-{}.tgz", self.name, self.version);
        if file.contains('/') || file.contains('\\') || file.starts_with('.') {
            return Err(FetchError::new(
                ErrorKind::Invalid,
                format!("chart name {:?} cannot name a file", self.name),
            ));
        }
        let path = dir.join(file);
        write_atomic(&path, &self.archive)?;
        self.path = Some(path.clone());
        Ok(path)
    }
}

/// An index as fetched.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchedIndex {
    /// What it says about the chart.
    pub index: ChartIndex,
    /// Its URL (without user information).
    pub url: String,
    /// The server answered `304 Not Modified` and the cached copy was used.
    pub not_modified: bool,
    /// The SHA-256 of the index bytes.
    pub digest: Digest,
}

fn not_a_repo(repo_url: &str, e: &dyn std::fmt::Display) -> String {
    format!(
        "looks like {:?} is not a valid chart repository or cannot be reached: {e}",
        redact_url(repo_url)
    )
}

fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => {
            a.scheme() == b.scheme()
                && a.host_str() == b.host_str()
                && a.port_or_known_default() == b.port_or_known_default()
        }
        _ => false,
    }
}

/// What the cache keeps next to an index.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct CacheMeta {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
}

fn cache_paths(dir: &Path, index_url: &str) -> (PathBuf, PathBuf) {
    let key = Digest::sha256_of(redact_url(index_url).as_bytes());
    let stem = &key.hex()[..32];
    (
        dir.join(format!("{stem}-index.yaml")),
        dir.join(format!("{stem}-index.json")),
    )
}

/// Downloads a repository's index (revalidating a cached copy when
/// [`HelmRepoOptions::cache_dir`] is set) and reads what it says about `chart`.
///
/// # Errors
/// [`FetchError`]: network, auth (401/403), not found, an invalid or oversized index.
pub async fn fetch_index(
    repo_url: &str,
    chart: &str,
    opts: &HelmRepoOptions,
) -> Result<FetchedIndex, FetchError> {
    let http = client(&opts.client_options())?;
    fetch_index_with(&http, repo_url, chart, opts).await
}

async fn fetch_index_with(
    http: &reqwest::Client,
    repo_url: &str,
    chart: &str,
    opts: &HelmRepoOptions,
) -> Result<FetchedIndex, FetchError> {
    let index_url = resolve_reference_url(repo_url, "index.yaml").map_err(|e| {
        FetchError::new(ErrorKind::Invalid, format!("invalid repository URL: {e}")).at(repo_url)
    })?;
    let cache = opts.cache_dir.as_ref().map(|d| cache_paths(d, &index_url));
    let cached_meta: Option<CacheMeta> = cache.as_ref().and_then(|(data, meta)| {
        if !data.is_file() {
            return None;
        }
        let m: CacheMeta = serde_json::from_slice(&std::fs::read(meta).ok()?).ok()?;
        (m.url == redact_url(&index_url)).then_some(m)
    });
    let mut req = http.get(&index_url);
    if let Some(a) = &opts.auth {
        req = req.basic_auth(&a.username, Some(&a.password));
    }
    if let Some(m) = &cached_meta {
        if let Some(e) = &m.etag {
            req = req.header(reqwest::header::IF_NONE_MATCH, e);
        }
        if let Some(l) = &m.last_modified {
            req = req.header(reqwest::header::IF_MODIFIED_SINCE, l);
        }
    }
    let resp = req.send().await.map_err(|e| {
        let inner = network(&index_url, &e);
        FetchError::new(ErrorKind::Network, not_a_repo(repo_url, &inner)).at(repo_url)
    })?;
    let status = resp.status();
    let (bytes, not_modified) =
        if status == reqwest::StatusCode::NOT_MODIFIED && cached_meta.is_some() {
            let Some((data, _)) = &cache else {
                return Err(FetchError::new(ErrorKind::Io, "index cache vanished"));
            };
            let bytes = std::fs::read(data).map_err(|e| {
                FetchError::new(
                    ErrorKind::Io,
                    format!(
                        "cannot read {}: {}",
                        data.display(),
                        super::system::io_text(&e)
                    ),
                )
            })?;
            (bytes, true)
        } else if status.is_success() {
            let header = |h| {
                resp.headers()
                    .get(h)
                    .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                    .map(str::to_owned)
            };
            let etag = header(reqwest::header::ETAG);
            let last_modified = header(reqwest::header::LAST_MODIFIED);
            let bytes = read_limited_with(
                &index_url,
                resp,
                opts.index.max_bytes as u64,
                "index",
                opts.progress.as_ref(),
            )
            .await?;
            if let Some((data, meta)) = &cache {
                // A cache that cannot be written only costs a full download next time.
                if write_atomic(data, &bytes).is_ok() {
                    let m = CacheMeta {
                        url: redact_url(&index_url),
                        etag,
                        last_modified,
                    };
                    if let Ok(j) = serde_json::to_vec(&m) {
                        let _ = write_atomic(meta, &j);
                    }
                }
            }
            (bytes, false)
        } else {
            let inner = status_error(&index_url, status, "failed to fetch");
            return Err(FetchError::new(inner.kind, not_a_repo(repo_url, &inner)).at(repo_url));
        };
    let digest = Digest::sha256_of(&bytes);
    let chart_owned = chart.to_owned();
    let index_opts = opts.index.clone();
    let parsed =
        tokio::task::spawn_blocking(move || parse_chart_index(&bytes, &chart_owned, &index_opts))
            .await
            .map_err(|e| {
                FetchError::new(ErrorKind::Invalid, format!("index reader failed: {e}"))
            })?;
    let index = parsed.map_err(|e| {
        let kind = match e {
            IndexError::TooLarge { .. } => ErrorKind::Limit,
            _ => ErrorKind::Invalid,
        };
        FetchError::new(kind, not_a_repo(repo_url, &e)).at(repo_url)
    })?;
    Ok(FetchedIndex {
        index,
        url: redact_url(&index_url),
        not_modified,
        digest,
    })
}

fn select_err(repo_url: &str, chart: &str, version: Option<&str>, e: &SelectError) -> FetchError {
    let what = match version.filter(|v| !v.is_empty()) {
        Some(v) => format!("chart {chart:?} version {v:?}"),
        None => format!("chart {chart:?}"),
    };
    match e {
        SelectError::InvalidRange { .. } => {
            FetchError::new(ErrorKind::Invalid, format!("{what}: {e}")).at(repo_url)
        }
        _ => FetchError::new(
            ErrorKind::NotFound,
            format!("{what} not found in {} repository", redact_url(repo_url)),
        )
        .at(repo_url),
    }
}

/// Fetches `chart` at `version` (a version, a range, or the latest stable one when
/// `None`) from the repository at `repo_url` (`http(s)://` or `oci://`).
///
/// # Errors
/// [`FetchError`] naming the repository, chart and version: not found, auth, network, a
/// digest mismatch, an invalid or hostile archive.
pub async fn fetch_chart(
    repo_url: &str,
    chart: &str,
    version: Option<&str>,
    opts: &HelmRepoOptions,
) -> Result<FetchedChart, FetchError> {
    if repo_url.starts_with("oci://") {
        return super::oci::fetch_helm_chart(repo_url, chart, version, &opts.oci_options()).await;
    }
    let http = client(&opts.client_options())?;
    fetch_chart_with(&http, repo_url, chart, version, opts).await
}

async fn fetch_chart_with(
    http: &reqwest::Client,
    repo_url: &str,
    chart: &str,
    version: Option<&str>,
    opts: &HelmRepoOptions,
) -> Result<FetchedChart, FetchError> {
    let fetched = fetch_index_with(http, repo_url, chart, opts).await?;
    let selector = opts.selector;
    let cv = select_version(&fetched.index, version, &selector)
        .map_err(|e| select_err(repo_url, chart, version, &e))?;
    let mut warnings = fetched.index.warnings.clone();
    if let Some(v) = version.filter(|v| !v.is_empty())
        && cv.metadata.version != v
    {
        warnings.push(format!(
            "unable to find exact version requested; falling back to closest available version chart={chart} requested={v} selected={}",
            cv.metadata.version
        ));
    }
    let mut out = download_version(http, repo_url, chart, cv, opts).await?;
    out.warnings = warnings;
    Ok(out)
}

async fn download_version(
    http: &reqwest::Client,
    repo_url: &str,
    chart: &str,
    cv: &ChartVersion,
    opts: &HelmRepoOptions,
) -> Result<FetchedChart, FetchError> {
    let what = format!("chart {chart:?} version {:?}", cv.metadata.version);
    let Some(first) = cv.urls.first() else {
        return Err(FetchError::new(
            ErrorKind::Invalid,
            format!("{what} has no downloadable URLs"),
        )
        .at(repo_url));
    };
    let chart_url = resolve_reference_url(repo_url, first).map_err(|e| {
        FetchError::new(
            ErrorKind::Invalid,
            format!("failed to make chart URL absolute: {e}"),
        )
        .at(repo_url)
    })?;
    let mut req = http.get(&chart_url);
    if let Some(a) = &opts.auth
        && (opts.pass_credentials_all || same_origin(repo_url, &chart_url))
    {
        req = req.basic_auth(&a.username, Some(&a.password));
    }
    let resp = req.send().await.map_err(|e| network(&chart_url, &e))?;
    if !resp.status().is_success() {
        return Err(status_error(
            &chart_url,
            resp.status(),
            &format!("failed to fetch {what}"),
        ));
    }
    let archive = read_limited_with(
        &chart_url,
        resp,
        opts.max_chart_bytes,
        "chart archive",
        opts.progress.as_ref(),
    )
    .await?;
    let digest = Digest::sha256_of(&archive);
    if !cv.digest.is_empty() {
        let expected = cv.digest.trim_start_matches("sha256:").to_ascii_lowercase();
        if expected != digest.hex() {
            return Err(FetchError::new(
                ErrorKind::Digest,
                format!(
                    "{what} from {}: digest mismatch: the index says sha256:{expected}, the archive is {digest}",
                    redact_url(&chart_url)
                ),
            )
            .at(&chart_url));
        }
    }
    let loaded = helm::load_archive(&archive).map_err(|e| {
        FetchError::new(
            if e.kind == helm::ErrorKind::Limit {
                ErrorKind::Limit
            } else {
                ErrorKind::Invalid
            },
            format!("{what} from {}: {}", redact_url(&chart_url), e.message),
        )
        .at(&chart_url)
    })?;
    Ok(FetchedChart {
        name: loaded.metadata.name.clone(),
        version: cv.metadata.version.clone(),
        revision: cv.metadata.version.clone(),
        digest,
        url: redact_url(&chart_url),
        archive,
        path: None,
        warnings: Vec::new(),
    })
}

/// [`fetch_chart`] on a runtime of its own.
///
/// # Errors
/// As [`fetch_chart`].
pub fn fetch_chart_sync(
    repo_url: &str,
    chart: &str,
    version: Option<&str>,
    opts: &HelmRepoOptions,
) -> Result<FetchedChart, FetchError> {
    block_on(fetch_chart(repo_url, chart, version, opts))?
}

// ---------------------------------------------------------------------------------------
// helm dependency build

/// Credentials for one dependency repository of [`dependency_build`].
#[derive(Debug, Clone)]
pub struct RepoCredentials {
    /// The repository URL as the chart names it (trailing `/` ignored).
    pub url: String,
    /// Its credentials.
    pub auth: BasicAuth,
}

/// How [`dependency_build`] reaches the dependencies' repositories.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DependencyOptions {
    /// Shared settings (TLS, Docker config for `oci://`, cache, limits, selector). Its
    /// `auth` is not used: credentials go only to the repository they are for.
    pub repo: HelmRepoOptions,
    /// Credentials by repository URL.
    pub credentials: Vec<RepoCredentials>,
    /// The directory `file://` dependencies must stay inside (the checkout root); the
    /// chart directory's parent when `None`.
    pub root: Option<PathBuf>,
}

/// One dependency [`dependency_build`] supplied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltDependency {
    /// Its name (or alias).
    pub name: String,
    /// Its version.
    pub version: String,
    /// Where it came from (repository URL or `file://` path).
    pub repository: String,
    /// What was written under `charts/`.
    pub path: PathBuf,
    /// The archive's digest (remote dependencies).
    pub digest: Option<Digest>,
}

/// What [`dependency_build`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DependencyBuild {
    /// Dependencies written to `charts/`.
    pub built: Vec<BuiltDependency>,
    /// Dependencies already present in `charts/`, left alone.
    pub present: Vec<String>,
    /// Whether `Chart.lock` gave the versions.
    pub locked: bool,
}

/// `helm dependency build` for the chart directory `chart_dir`, as Flux's source-controller
/// runs it for a chart from Git: every dependency that `charts/` does not already hold is
/// fetched — from its `http(s)://` or `oci://` repository at the version `Chart.lock`
/// pins (the lock's digest must match `Chart.yaml`, as Helm checks), or the highest
/// version satisfying the `Chart.yaml` range when there is no lock — and written to
/// `charts/NAME-VERSION.tgz`; a `file://` dependency is copied into `charts/NAME/` when its
/// version satisfies the range. Repository aliases (`@name`, `alias:name`) need Helm's
/// repository configuration and are refused.
///
/// # Errors
/// [`FetchError`] naming the dependency: an out-of-sync lock, a missing repository
/// version, auth, network, digest, an invalid archive, a `file://` path leaving the root.
pub async fn dependency_build(
    chart_dir: &Path,
    opts: &DependencyOptions,
) -> Result<DependencyBuild, FetchError> {
    let io_err = |p: &Path, e: &std::io::Error| {
        FetchError::new(
            ErrorKind::Io,
            format!("{}: {}", p.display(), super::system::io_text(e)),
        )
    };
    let chart_dir = std::fs::canonicalize(chart_dir).map_err(|e| io_err(chart_dir, &e))?;
    let parent = chart_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| chart_dir.clone());
    let name = chart_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tree = crate::tree::DirTree::new(&parent)
        .map_err(|e| FetchError::new(ErrorKind::Io, e.to_string()))?;
    let rel = crate::tree::RelPath::new(&name)
        .map_err(|e| FetchError::new(ErrorKind::Invalid, e.to_string()))?;
    let chart = helm::load_chart(&tree, &rel)
        .map_err(|e| FetchError::new(ErrorKind::Invalid, e.message))?;
    let reqs = chart.metadata.dependencies.clone();
    let mut out = DependencyBuild::default();
    // Each dependency to supply, with the alias its Chart.yaml entry gives it. Helm writes
    // a lock's entries in the order of Chart.yaml's, without aliases.
    let wanted: Vec<(Option<String>, helm::Dependency)> = match &chart.lock {
        None => reqs
            .iter()
            .flatten()
            .map(|r| ((!r.alias.is_empty()).then(|| r.alias.clone()), r.clone()))
            .collect(),
        Some(lock) => {
            out.locked = true;
            let lock_file = if chart.metadata.api_version == "v1" {
                ("requirements.lock", "requirements.yaml")
            } else {
                ("Chart.lock", "Chart.yaml")
            };
            let (digest, locked) = helm::lock_dependencies(lock).map_err(|e| {
                FetchError::new(
                    ErrorKind::Invalid,
                    format!("cannot read {}: {e}", lock_file.0),
                )
            })?;
            if helm::hash_requirements(&reqs, &locked) != digest {
                return Err(FetchError::new(
                    ErrorKind::Invalid,
                    format!(
                        "the lock file ({}) is out of sync with the dependencies file ({}). Please update the dependencies",
                        lock_file.0, lock_file.1
                    ),
                ));
            }
            locked
                .into_iter()
                .enumerate()
                .filter_map(|(i, d)| {
                    let d = d?;
                    let alias = match reqs.get(i) {
                        Some(Some(r)) if r.name == d.name && !r.alias.is_empty() => {
                            Some(r.alias.clone())
                        }
                        _ => (!d.alias.is_empty()).then(|| d.alias.clone()),
                    };
                    Some((alias, d))
                })
                .collect()
        }
    };
    let charts_dir = chart_dir.join("charts");
    let http = client(&opts.repo.client_options())?;
    for (alias, dep) in &wanted {
        let shown = alias.clone().unwrap_or_else(|| dep.name.clone());
        // Present: `charts/` holds the chart at a version the entry accepts.
        let present = chart.dependencies.iter().any(|c| {
            c.name() == dep.name
                && (dep.version.is_empty()
                    || (opts.repo.selector)(&dep.version, &[c.metadata.version.as_str()])
                        .is_ok_and(|m| m.is_some()))
        });
        if present {
            out.present.push(shown);
            continue;
        }
        let repo = dep.repository.trim();
        if repo.is_empty() {
            return Err(FetchError::new(
                ErrorKind::NotFound,
                format!(
                    "dependency {:?} did not declare a repository and charts/ does not hold it",
                    dep.name
                ),
            ));
        }
        if repo.starts_with('@') || repo.starts_with("alias:") {
            return Err(FetchError::new(
                ErrorKind::Invalid,
                format!(
                    "dependency {:?}: repository alias {repo:?} needs Helm's repository configuration; name the repository by its URL",
                    dep.name
                ),
            ));
        }
        if let Some(path) = repo.strip_prefix("file://") {
            let root = opts.root.clone().unwrap_or_else(|| parent.clone());
            let built = copy_local_dependency(&chart_dir, &root, path, dep, &charts_dir, opts)?;
            out.built.push(built);
            continue;
        }
        let mut repo_opts = opts.repo.clone();
        repo_opts.auth = opts
            .credentials
            .iter()
            .find(|c| c.url.trim_end_matches('/') == repo.trim_end_matches('/'))
            .map(|c| c.auth.clone());
        let version = (!dep.version.is_empty()).then_some(dep.version.as_str());
        let fetched = if repo.starts_with("oci://") {
            super::oci::fetch_helm_chart(repo, &dep.name, version, &repo_opts.oci_options()).await
        } else {
            fetch_chart_with(&http, repo, &dep.name, version, &repo_opts).await
        }
        .map_err(|e| FetchError {
            message: format!("dependency {:?}: {}", dep.name, e.message),
            ..e
        })?;
        let mut fetched = fetched;
        let path = fetched.save(&charts_dir)?;
        out.built.push(BuiltDependency {
            name: shown,
            version: fetched.version.clone(),
            repository: redact_url(repo),
            path,
            digest: Some(fetched.digest.clone()),
        });
    }
    Ok(out)
}

/// A `file://` dependency: the chart directory at `path` (relative to the chart), which
/// must stay inside `root`, copied into `charts/NAME/`.
fn copy_local_dependency(
    chart_dir: &Path,
    root: &Path,
    path: &str,
    dep: &helm::Dependency,
    charts_dir: &Path,
    opts: &DependencyOptions,
) -> Result<BuiltDependency, FetchError> {
    let refuse = |why: &str| {
        FetchError::new(
            ErrorKind::Invalid,
            format!("dependency {:?} (file://{path}): {why}", dep.name),
        )
    };
    let root = std::fs::canonicalize(root).map_err(|_| refuse("the root does not exist"))?;
    let target = if Path::new(path).is_absolute() {
        PathBuf::from(path)
    } else {
        chart_dir.join(path)
    };
    let target = std::fs::canonicalize(&target).map_err(|_| refuse("no chart found there"))?;
    let rel = target
        .strip_prefix(&root)
        .map_err(|_| refuse("the path leaves the repository root"))?;
    let rel_text = rel.to_string_lossy().replace('\\', "/");
    let tree = crate::tree::DirTree::new(&root)
        .map_err(|e| FetchError::new(ErrorKind::Io, e.to_string()))?;
    let rel_path = crate::tree::RelPath::new(if rel_text.is_empty() { "." } else { &rel_text })
        .map_err(|e| refuse(&e.to_string()))?;
    let sub = helm::load_chart(&tree, &rel_path).map_err(|e| refuse(&e.message))?;
    if !dep.version.is_empty() {
        let matched = (opts.repo.selector)(&dep.version, &[sub.metadata.version.as_str()])
            .map_err(|e| {
                refuse(&format!(
                    "invalid version/constraint format {:?}: {e}",
                    dep.version
                ))
            })?;
        if matched.is_none() {
            return Err(refuse(&format!(
                "can't get a valid version for constraint '{}'",
                dep.version
            )));
        }
    }
    let dest = charts_dir.join(&dep.name);
    copy_tree(&tree, &rel_path, &dest).map_err(|e| refuse(&e))?;
    Ok(BuiltDependency {
        name: dep.name.clone(),
        version: sub.metadata.version,
        repository: format!("file://{path}"),
        path: dest,
        digest: None,
    })
}

fn copy_tree(
    tree: &crate::tree::DirTree,
    from: &crate::tree::RelPath,
    to: &Path,
) -> Result<(), String> {
    use crate::tree::{EntryKind, FileTree as _};
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for name in tree.list(from).map_err(|e| e.to_string())? {
        let p = from.join(&name).map_err(|e| e.to_string())?;
        match tree.kind(&p).map_err(|e| e.to_string())? {
            Some(EntryKind::Dir) => copy_tree(tree, &p, &to.join(&name))?,
            Some(EntryKind::File) => {
                let data = tree.read(&p).map_err(|e| e.to_string())?;
                std::fs::write(to.join(&name), data).map_err(|e| e.to_string())?;
            }
            None => {}
        }
    }
    Ok(())
}

/// [`dependency_build`] on a runtime of its own.
///
/// # Errors
/// As [`dependency_build`].
pub fn dependency_build_sync(
    chart_dir: &Path,
    opts: &DependencyOptions,
) -> Result<DependencyBuild, FetchError> {
    block_on(dependency_build(chart_dir, opts))?
}

/// The SHA-256 of bytes in hex (used by tests and callers comparing archives).
pub fn sha256_hex(bytes: &[u8]) -> String {
    let sum = sha2::Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in sum {
        s.push_str(&format!("{b:02x}"));
    }
    s
}
