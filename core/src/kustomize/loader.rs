//! Loading files relative to a kustomization root, with kustomize's load restrictions and
//! cycle detection between kustomization roots.

use std::sync::Arc;

use super::remote::RepoSpec;
use super::remote::fetch::{FetchFailureKind, RemoteState, SharedTree};
use crate::tree::{EntryKind, FileTree, RelPath};

/// The tree a loader reads: the caller's, or a repository fetched during the build.
#[derive(Clone)]
pub(crate) enum TreeRef<'a> {
    Borrowed(&'a dyn FileTree),
    Shared(SharedTree),
}

impl<'a> std::ops::Deref for TreeRef<'a> {
    type Target = dyn FileTree + 'a;
    fn deref(&self) -> &Self::Target {
        match self {
            TreeRef::Borrowed(t) => *t,
            TreeRef::Shared(t) => &**t,
        }
    }
}

/// A loader rooted at one kustomization directory.
#[derive(Clone)]
pub(crate) struct Loader<'a> {
    pub tree: TreeRef<'a>,
    /// This kustomization's directory.
    pub root: RelPath,
    /// `LoadRestrictionsRootOnly`: files must lie in or below `root`.
    pub root_only: bool,
    /// Roots of the kustomizations that led here (outermost first), for cycle detection.
    pub visited: Vec<RelPath>,
    /// What every loader of one build shares: the fetcher and its cache, or, without a
    /// fetcher, the first remote input met (a file kustomize would fetch over HTTP or a
    /// kustomization it would clone; the build then fails as unsupported, whatever error
    /// the caller wrapped it in).
    pub remote: Arc<RemoteState>,
    /// The cloned repository this loader's tree is (`None` for the caller's tree).
    pub repo: Option<Arc<RepoSpec>>,
    /// The raw URLs of the repositories cloned on the way here, outermost first
    /// (kustomize's `errIfRepoCycle` walk).
    pub repo_chain: Vec<String>,
}

/// Shows a path of the caller's tree as kustomize shows absolute paths.
pub(crate) fn show(p: &RelPath) -> String {
    format!("/{}", p.as_str())
}

/// Go's `http.StatusText` for the statuses a file server answers with.
fn status_text(code: u16) -> &'static str {
    match code {
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Request Entity Too Large",
        414 => "Request URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Requested Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => "",
    }
}

/// The prefix of kustomize's `ErrHTTP` (a non-2xx answer to a GET of a remote file,
/// which ends the accumulation of resources at once).
pub(crate) const HTTP_ERROR: &str = "HTTP Error: ";

/// kustomize's timeout error text starts so (`utils.IsErrTimeout`).
pub(crate) const TIMEOUT_PREFIX: &str = "hit ";

impl<'a> Loader<'a> {
    /// A loader at `root`, which is resolved first: kustomize's roots are confirmed
    /// directories, symbolic links evaluated.
    pub(crate) fn new(
        tree: &'a dyn FileTree,
        root: RelPath,
        root_only: bool,
        remote: Arc<RemoteState>,
    ) -> Self {
        let root = tree.canonical(&root).ok().flatten().unwrap_or(root);
        Loader {
            tree: TreeRef::Borrowed(tree),
            root,
            root_only,
            visited: Vec::new(),
            remote,
            repo: None,
            repo_chain: Vec::new(),
        }
    }

    /// Shows a path of this loader's tree as kustomize shows absolute paths; in a
    /// cloned repository (which kustomize shows under its temporary directory) as
    /// `<clone URL>//<path>`.
    pub(crate) fn show(&self, p: &RelPath) -> String {
        match &self.repo {
            Some(r) => format!("{}//{}", r.clone_spec(), p.as_str()),
            None => show(p),
        }
    }

    /// Whether remote inputs are fetched in this build.
    pub(crate) fn fetches(&self) -> bool {
        self.remote.fetcher.is_some()
    }

    /// Records a remote input and returns the error that reports it.
    pub(crate) fn remote(&self, what: &str, path: &str) -> String {
        let msg = format!("remote {what} {path} must be fetched by the source layer first");
        let _ = self.remote.hit.set(msg.clone());
        msg
    }

    /// kustomize's `httpClientGetContent`: a GET of a remote file.
    fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        let Some(f) = &self.remote.fetcher else {
            return Err(self.remote("file", url));
        };
        f.get(url).map_err(|e| match e.kind {
            FetchFailureKind::HttpStatus(_) if RepoSpec::parse(url).is_ok() => {
                "URL is a git repository".to_owned()
            }
            FetchFailureKind::HttpStatus(code) => {
                format!("{HTTP_ERROR}status code {code} ({})", status_text(code))
            }
            _ => e.message,
        })
    }

    /// kustomize's `newLoaderAtGitClone`, after its `errIfRepoCycle`: the repository
    /// cloned (once per build), the kustomization root in it confirmed a directory.
    fn git_child(&self, spec: RepoSpec, path: &str) -> Result<Loader<'a>, String> {
        let Some(f) = self.remote.fetcher.clone() else {
            return Err(self.remote("kustomization", path));
        };
        for prev in self.repo_chain.iter().rev() {
            if prev.starts_with(&spec.raw) {
                return Err(format!(
                    "cycle detected: URI '{}' referenced by previous URI '{prev}'",
                    spec.raw
                ));
            }
        }
        let tree = self.remote.repo(f.as_ref(), &spec).map_err(|e| e.message)?;
        let spec = Arc::new(spec);
        let abs = format!("{}//{}", spec.clone_spec(), spec.kust_root_path);
        let root = RelPath::new(&spec.kust_root_path).map_err(|_| {
            format!(
                "{abs:?} refers to directory outside of repo {:?}",
                spec.clone_spec()
            )
        })?;
        let mut chain = self.repo_chain.clone();
        chain.push(spec.raw.clone());
        let mut child = Loader {
            tree: TreeRef::Shared(tree),
            root: root.clone(),
            // kustomize's loader at a clone always restricts to its root.
            root_only: true,
            visited: Vec::new(),
            remote: self.remote.clone(),
            repo: Some(spec.clone()),
            repo_chain: chain,
        };
        match child.tree.kind(&root).map_err(|e| e.to_string())? {
            Some(EntryKind::Dir) => {}
            Some(EntryKind::File) => {
                let base = root
                    .as_str()
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                return Err(format!(
                    "'{abs}' refers to file '{base}'; expecting directory"
                ));
            }
            None => return Err(child.evalsymlink_failure(&root)),
        }
        if let Some(real) = child.tree.canonical(&root).map_err(|e| e.to_string())? {
            child.root = real;
        }
        Ok(child)
    }

    /// Resolves a path from the kustomization (relative to its root; absolute paths are
    /// taken from the tree's root).
    pub(crate) fn resolve(&self, path: &str) -> Result<RelPath, String> {
        let r = if let Some(abs) = path.strip_prefix('/') {
            if self.repo.is_some() {
                // An absolute path is never in a cloned repository.
                return Err(format!(
                    "security; file '{path}' is not in or below '{}'",
                    self.show(&self.root)
                ));
            }
            RelPath::new(abs)
        } else {
            self.root.join(path)
        };
        r.map_err(|e| match &self.repo {
            Some(repo) => format!(
                "security; bases in kustomizations found in cloned git repos must be within the repo, but base '{path}' is outside '{}//'",
                repo.clone_spec()
            ),
            None => e.to_string(),
        })
    }

    /// Reads a file, honouring the load restrictor. Under `LoadRestrictionsRootOnly` the
    /// file's resolved location (every symbolic link followed) must lie in or below the
    /// root, as kustomize's `RestrictionRootOnly` checks `EvalSymlinks`' result; the error
    /// names the path as written, joined to the root.
    pub(crate) fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        if super::remote::is_remote_file(path) {
            return self.get(path);
        }
        let p = self.resolve(path)?;
        let outside = || {
            format!(
                "security; file '{}' is not in or below '{}'",
                self.show(&p),
                self.show(&self.root)
            )
        };
        if self.root_only && !p.starts_with(&self.root) {
            return Err(outside());
        }
        match self.tree.kind(&p).map_err(|e| e.to_string())? {
            Some(EntryKind::File) if self.root_only => {
                let real = self
                    .tree
                    .canonical(&p)
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| format!("open {}: no such file or directory", self.show(&p)))?;
                if !real.starts_with(&self.root) {
                    return Err(outside());
                }
                self.tree.read(&real).map_err(|e| e.to_string())
            }
            Some(EntryKind::File) => self.tree.read(&p).map_err(|e| e.to_string()),
            Some(EntryKind::Dir) => Err(format!("'{}' must resolve to a file", self.show(&p))),
            // kustomize resolves links (`filepath.EvalSymlinks`) before the restrictor
            // under RootOnly; without restriction the read itself fails.
            None if self.root_only => Err(self.evalsymlink_failure(&p)),
            None => Err(format!("open {}: no such file or directory", self.show(&p))),
        }
    }

    /// Go's `filepath.EvalSymlinks` error for a missing path, as kustomize wraps it: the
    /// `lstat` names the first component that is not there.
    fn evalsymlink_failure(&self, p: &RelPath) -> String {
        let mut missing = p.clone();
        let mut prefix = RelPath::root();
        for comp in p.as_str().split('/') {
            let Ok(next) = prefix.join(comp) else { break };
            if self.tree.kind(&next).ok().flatten().is_none() {
                missing = next;
                break;
            }
            prefix = next;
        }
        format!(
            "evalsymlink failure on '{}' : lstat {}: no such file or directory",
            self.show(p),
            self.show(&missing)
        )
    }

    /// Whether `path` (relative to the root) is a file this loader may read: what
    /// kustomize's search for the kustomization file accepts (a file whose resolved
    /// location leaves the root does not count under `LoadRestrictionsRootOnly`).
    pub(crate) fn is_loadable_file(&self, path: &RelPath) -> bool {
        if self.tree.kind(path).ok().flatten() != Some(EntryKind::File) {
            return false;
        }
        !self.root_only
            || self
                .tree
                .canonical(path)
                .ok()
                .flatten()
                .is_some_and(|real| real.starts_with(&self.root))
    }

    /// A loader for a base or component directory, refusing cycles. A git URL
    /// (kustomize's `git.NewRepoSpecFromURL` accepts it) is a remote kustomization.
    pub(crate) fn child(&self, path: &str) -> Result<Loader<'a>, String> {
        if path.is_empty() {
            return Err("new root cannot be empty".into());
        }
        if let Ok(spec) = RepoSpec::parse(path) {
            return self.git_child(spec, path);
        }
        let p = self.resolve(path)?;
        match self.tree.kind(&p).map_err(|e| e.to_string())? {
            Some(EntryKind::Dir) => {}
            Some(EntryKind::File) => {
                return Err(format!(
                    "must build at directory: '{}': file is not directory",
                    self.show(&p)
                ));
            }
            None => {
                return Err(format!(
                    "must build at directory: not a valid directory: {}",
                    self.evalsymlink_failure(&p)
                ));
            }
        }
        // The new root is a confirmed directory: links resolved.
        let p = self
            .tree
            .canonical(&p)
            .map_err(|e| e.to_string())?
            .unwrap_or(p);
        let mut chain = self.visited.clone();
        chain.push(self.root.clone());
        for v in &chain {
            if v.starts_with(&p) {
                return Err(format!(
                    "cycle detected: candidate root '{}' contains visited root '{}'",
                    self.show(&p),
                    self.show(v)
                ));
            }
        }
        Ok(Loader {
            tree: self.tree.clone(),
            root: p,
            root_only: self.root_only,
            visited: chain,
            remote: self.remote.clone(),
            repo: self.repo.clone(),
            repo_chain: self.repo_chain.clone(),
        })
    }
}
