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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::kustomize::{ErrorKind, Options, build};
    use crate::tree::{MemTree, RelPath};

    /// Repositories and files in memory; counts clones.
    #[derive(Default)]
    struct Fake {
        repos: HashMap<String, MemTree>,
        files: HashMap<String, (u16, String)>,
        clones: AtomicUsize,
    }

    impl Fetcher for Fake {
        fn clone_repo(&self, repo: &RepoSpec) -> Result<SharedTree, FetchFailure> {
            self.clones.fetch_add(1, Ordering::SeqCst);
            let key = format!("{}@{}", repo.clone_spec(), repo.git_ref);
            match self.repos.get(&key) {
                Some(t) => Ok(Arc::new(t.clone())),
                None => Err(FetchFailure::new(
                    FetchFailureKind::Other,
                    format!("failed to run 'git fetch --depth=1 {key}'"),
                )),
            }
        }
        fn get(&self, url: &str) -> Result<Vec<u8>, FetchFailure> {
            match self.files.get(url) {
                Some((200, body)) => Ok(body.clone().into_bytes()),
                Some((code, _)) => Err(FetchFailure::new(
                    FetchFailureKind::HttpStatus(*code),
                    format!("status {code}"),
                )),
                None => Err(FetchFailure::new(
                    FetchFailureKind::Other,
                    format!("Get \"{url}\": no such host"),
                )),
            }
        }
    }

    const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n";

    fn repo(files: &[(&str, &str)]) -> MemTree {
        let mut t = MemTree::new();
        for (p, c) in files {
            t.add_file(p, c.as_bytes().to_vec()).expect("add");
        }
        t
    }

    fn run(fake: Fake, k: &str) -> (Result<String, crate::kustomize::Error>, usize) {
        let fake = Arc::new(fake);
        let local = repo(&[("ov/kustomization.yaml", k)]);
        let opts = Options::default().with_fetcher(fake.clone());
        let out = build(&local, &RelPath::new("ov").expect("path"), &opts).map(|o| o.to_yaml());
        (out, fake.clones.load(Ordering::SeqCst))
    }

    #[test]
    fn one_clone_per_repository_and_ref() {
        let mut fake = Fake::default();
        fake.repos.insert(
            "https://example.com/org/repo@v1".into(),
            repo(&[
                (
                    "a/kustomization.yaml",
                    "resources:\n- cm.yaml\nnamePrefix: a-\n",
                ),
                ("a/cm.yaml", CM),
                (
                    "b/kustomization.yaml",
                    "resources:\n- ../a\nnamePrefix: b-\n",
                ),
            ]),
        );
        let (out, clones) = run(
            fake,
            "resources:\n- https://example.com/org/repo//a?ref=v1\n- https://example.com/org/repo//b?ref=v1\n",
        );
        let out = out.expect("build");
        assert!(
            out.contains("name: a-cm") && out.contains("name: b-a-cm"),
            "{out}"
        );
        assert_eq!(clones, 1);
    }

    #[test]
    fn remote_root_restricts_loads_and_bases() {
        let mut fake = Fake::default();
        fake.repos.insert(
            "https://example.com/org/repo@".into(),
            repo(&[
                ("a/kustomization.yaml", "resources:\n- ../cm.yaml\n"),
                ("cm.yaml", CM),
                ("up/kustomization.yaml", "resources:\n- ../../x\n"),
            ]),
        );
        let (out, _) = run(fake, "resources:\n- https://example.com/org/repo//a\n");
        let e = out.expect_err("outside the root");
        assert!(
            e.message
                .contains("security; file 'https://example.com/org/repo//cm.yaml' is not in or below 'https://example.com/org/repo//a'"),
            "{e}"
        );
    }

    #[test]
    fn missing_directory_and_file_roots() {
        let mut fake = Fake::default();
        fake.repos.insert(
            "https://example.com/org/repo@".into(),
            repo(&[("x.yaml", CM)]),
        );
        let (out, _) = run(fake, "resources:\n- https://example.com/org/repo//x.yaml\n");
        let e = out.expect_err("a file");
        assert!(
            e.message.contains("'https://example.com/org/repo//x.yaml' refers to file 'x.yaml'; expecting directory"),
            "{e}"
        );
        let mut fake = Fake::default();
        fake.repos.insert(
            "https://example.com/org/repo@".into(),
            repo(&[("x.yaml", CM)]),
        );
        let (out, _) = run(fake, "resources:\n- https://example.com/org/repo//nope\n");
        let e = out.expect_err("missing");
        assert!(
            e.message.contains("evalsymlink failure on 'https://example.com/org/repo//nope' : lstat https://example.com/org/repo//nope: no such file or directory"),
            "{e}"
        );
        assert_eq!(e.kind, ErrorKind::Load);
    }

    #[test]
    fn repository_cycles_are_refused() {
        let mut fake = Fake::default();
        fake.repos.insert(
            "https://example.com/org/repo@".into(),
            repo(&[(
                "a/kustomization.yaml",
                "resources:\n- https://example.com/org/repo//a\n",
            )]),
        );
        let (out, _) = run(fake, "resources:\n- https://example.com/org/repo//a\n");
        let e = out.expect_err("cycle");
        assert!(
            e.message.contains("cycle detected: URI 'https://example.com/org/repo//a' referenced by previous URI 'https://example.com/org/repo//a'"),
            "{e}"
        );
    }

    #[test]
    fn http_files_and_errors() {
        let mut fake = Fake::default();
        fake.files
            .insert("https://example.com/cm.yaml".into(), (200, CM.into()));
        fake.files
            .insert("https://example.com/gone.yaml".into(), (404, String::new()));
        let (out, clones) = run(fake, "resources:\n- https://example.com/cm.yaml\n");
        assert!(out.expect("build").contains("name: cm"));
        assert_eq!(clones, 0);
        let mut fake = Fake::default();
        fake.files
            .insert("https://example.com/gone.yaml".into(), (404, String::new()));
        let (out, clones) = run(fake, "resources:\n- https://example.com/gone.yaml\n");
        assert_eq!(
            out.expect_err("404").message,
            "accumulating resources: accumulating resources from 'https://example.com/gone.yaml': HTTP Error: status code 404 (Not Found)"
        );
        assert_eq!(clones, 0);
        // A URL that is also a repository is cloned after an error status.
        let mut fake = Fake::default();
        fake.files
            .insert("https://example.com/org/repo".into(), (401, String::new()));
        fake.repos.insert(
            "https://example.com/org/repo@".into(),
            repo(&[
                ("kustomization.yaml", "resources:\n- cm.yaml\n"),
                ("cm.yaml", CM),
            ]),
        );
        let (out, clones) = run(fake, "resources:\n- https://example.com/org/repo\n");
        assert!(out.expect("clone").contains("name: cm"));
        assert_eq!(clones, 1);
    }

    #[test]
    fn without_a_fetcher_remote_inputs_are_unsupported() {
        let local = repo(&[(
            "ov/kustomization.yaml",
            "resources:\n- https://example.com/org/repo//a\n",
        )]);
        let e = build(
            &local,
            &RelPath::new("ov").expect("path"),
            &Options::default(),
        )
        .expect_err("unsupported");
        assert_eq!(e.kind, ErrorKind::Unsupported);
    }
}
