//! The one door through which a build reaches the network: a [`Fetcher`] the shell
//! implements (`gitward::io::kustomize_remote`) and hands in through
//! [`super::super::Options::with_fetcher`]. The pure build calls it where kustomize's
//! loader would clone a repository, GET a file or run `helm pull`, and caches each
//! repository it clones for the rest of the build.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use super::RepoSpec;
use crate::tree::FileTree;

/// A tree a [`Fetcher`] returns: a cloned repository or a pulled chart.
pub type SharedTree = Arc<dyn FileTree>;

/// A chart kustomize would `helm pull` (a `helmCharts` entry with `repo:` whose chart is
/// not in the chart home).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChartPull {
    /// The repository: an `http(s)://` chart repository or an `oci://` registry path.
    pub repo: String,
    /// The chart's name.
    pub name: String,
    /// The version or range (`""`: the latest).
    pub version: String,
}

/// Why a fetch failed, as far as the build's control flow cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchFailureKind {
    /// The server answered an HTTP GET with this non-2xx status.
    HttpStatus(u16),
    /// The time allowed (the repository spec's `timeout`) passed.
    Timeout,
    /// This fetcher does not do this kind of fetch.
    Unsupported,
    /// Anything else (network, authentication, missing ref, limits, ...).
    Other,
}

/// A failed fetch: its kind and a message naming the URL (never a credential), the ref
/// and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FetchFailure {
    /// The kind.
    pub kind: FetchFailureKind,
    /// The message.
    pub message: String,
}

impl FetchFailure {
    /// A failure of `kind` saying `message`.
    pub fn new(kind: FetchFailureKind, message: impl Into<String>) -> Self {
        FetchFailure {
            kind,
            message: message.into(),
        }
    }
}

/// What a build needs from the network. Every method has a default that refuses, so a
/// fetcher implements what it supports.
pub trait Fetcher: Send + Sync {
    /// kustomize's `git.ClonerUsingGitExec`: the repository `repo.clone_spec()` at
    /// `repo.git_ref` (its default branch when empty), one commit deep, with submodules
    /// when `repo.submodules`, within `repo.timeout_nanos`. The tree is the whole
    /// repository (the build goes to `repo.kust_root_path` itself).
    ///
    /// # Errors
    /// The clone failed.
    fn clone_repo(&self, repo: &RepoSpec) -> Result<SharedTree, FetchFailure> {
        Err(FetchFailure::new(
            FetchFailureKind::Unsupported,
            format!("cloning {} is not supported", repo.clone_spec()),
        ))
    }

    /// kustomize's loader's HTTP GET of a remote file: the body of a 2xx answer.
    ///
    /// # Errors
    /// [`FetchFailureKind::HttpStatus`] for another status, anything else for a request
    /// that got no answer.
    fn get(&self, url: &str) -> Result<Vec<u8>, FetchFailure> {
        Err(FetchFailure::new(
            FetchFailureKind::Unsupported,
            format!("fetching {url} is not supported"),
        ))
    }

    /// `helm pull` of a chart: the chart's directory (its `Chart.yaml` at the root).
    ///
    /// # Errors
    /// The pull failed.
    fn pull_chart(&self, chart: &ChartPull) -> Result<SharedTree, FetchFailure> {
        Err(FetchFailure::new(
            FetchFailureKind::Unsupported,
            format!(
                "pulling chart {} {} from {} is not supported",
                chart.name, chart.version, chart.repo
            ),
        ))
    }
}

/// A fetcher in [`crate::kustomize::Options`] (`Debug` names it only).
#[derive(Clone)]
pub struct FetcherHandle(pub Arc<dyn Fetcher>);

impl fmt::Debug for FetcherHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Fetcher")
    }
}

type RepoKey = (String, String, bool);

/// What one build shares across its loaders: the fetcher, the repositories and charts it
/// fetched (each once per build, failures included) and, without a fetcher, the first
/// remote input met.
#[derive(Default)]
pub(crate) struct RemoteState {
    pub fetcher: Option<Arc<dyn Fetcher>>,
    pub hit: OnceLock<String>,
    repos: Mutex<HashMap<RepoKey, Result<SharedTree, FetchFailure>>>,
    charts: Mutex<HashMap<ChartPull, Result<SharedTree, FetchFailure>>>,
}

impl RemoteState {
    pub(crate) fn new(fetcher: Option<Arc<dyn Fetcher>>) -> Self {
        RemoteState {
            fetcher,
            ..Default::default()
        }
    }

    /// The repository, cloned on first use in this build.
    pub(crate) fn repo(
        &self,
        f: &dyn Fetcher,
        spec: &RepoSpec,
    ) -> Result<SharedTree, FetchFailure> {
        let key = (spec.clone_spec(), spec.git_ref.clone(), spec.submodules);
        let mut repos = self.repos.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = repos.get(&key) {
            return r.clone();
        }
        let r = f.clone_repo(spec);
        repos.insert(key, r.clone());
        r
    }

    /// The chart, pulled on first use in this build.
    pub(crate) fn chart(&self, f: &dyn Fetcher, c: &ChartPull) -> Result<SharedTree, FetchFailure> {
        let mut charts = self.charts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = charts.get(c) {
            return r.clone();
        }
        let r = f.pull_chart(c);
        charts.insert(c.clone(), r.clone());
        r
    }
}
