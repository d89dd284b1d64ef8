//! Loading files relative to a kustomization root, with kustomize's load restrictions and
//! cycle detection between kustomization roots.

use crate::tree::{EntryKind, FileTree, RelPath};

/// A loader rooted at one kustomization directory.
#[derive(Clone)]
pub(crate) struct Loader<'a> {
    pub tree: &'a dyn FileTree,
    /// This kustomization's directory.
    pub root: RelPath,
    /// `LoadRestrictionsRootOnly`: files must lie in or below `root`.
    pub root_only: bool,
    /// Roots of the kustomizations that led here (outermost first), for cycle detection.
    pub visited: Vec<RelPath>,
    /// The first remote input the build met (shared by every loader of one build): a
    /// file kustomize would fetch over HTTP or a kustomization it would clone. The build
    /// then fails as unsupported, whatever error the caller wrapped it in.
    pub remote_hit: std::sync::Arc<std::sync::OnceLock<String>>,
}

/// Shows a tree path as kustomize shows absolute paths.
pub(crate) fn show(p: &RelPath) -> String {
    format!("/{}", p.as_str())
}

impl<'a> Loader<'a> {
    /// A loader at `root`, which is resolved first: kustomize's roots are confirmed
    /// directories, symbolic links evaluated.
    pub(crate) fn new(tree: &'a dyn FileTree, root: RelPath, root_only: bool) -> Self {
        let root = tree.canonical(&root).ok().flatten().unwrap_or(root);
        Loader {
            tree,
            root,
            root_only,
            visited: Vec::new(),
            remote_hit: Default::default(),
        }
    }

    /// Records a remote input and returns the error that reports it.
    pub(crate) fn remote(&self, what: &str, path: &str) -> String {
        let msg = format!("remote {what} {path} must be fetched by the source layer first");
        let _ = self.remote_hit.set(msg.clone());
        msg
    }

    /// Resolves a path from the kustomization (relative to its root; absolute paths are
    /// taken from the tree's root).
    pub(crate) fn resolve(&self, path: &str) -> Result<RelPath, String> {
        let r = if let Some(abs) = path.strip_prefix('/') {
            RelPath::new(abs)
        } else {
            self.root.join(path)
        };
        r.map_err(|e| e.to_string())
    }

    /// Reads a file, honouring the load restrictor. Under `LoadRestrictionsRootOnly` the
    /// file's resolved location (every symbolic link followed) must lie in or below the
    /// root, as kustomize's `RestrictionRootOnly` checks `EvalSymlinks`' result; the error
    /// names the path as written, joined to the root.
    pub(crate) fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        if super::remote::is_remote_file(path) {
            return Err(self.remote("file", path));
        }
        let p = self.resolve(path)?;
        let outside = || {
            format!(
                "security; file '{}' is not in or below '{}'",
                show(&p),
                show(&self.root)
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
                    .ok_or_else(|| format!("open {}: no such file or directory", show(&p)))?;
                if !real.starts_with(&self.root) {
                    return Err(outside());
                }
                self.tree.read(&real).map_err(|e| e.to_string())
            }
            Some(EntryKind::File) => self.tree.read(&p).map_err(|e| e.to_string()),
            Some(EntryKind::Dir) => Err(format!("'{}' must resolve to a file", show(&p))),
            // kustomize resolves links (`filepath.EvalSymlinks`) before the restrictor
            // under RootOnly; without restriction the read itself fails.
            None if self.root_only => Err(self.evalsymlink_failure(&p)),
            None => Err(format!("open {}: no such file or directory", show(&p))),
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
            show(p),
            show(&missing)
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
        if super::remote::RepoSpec::parse(path).is_ok() {
            return Err(self.remote("kustomization", path));
        }
        let p = self.resolve(path)?;
        match self.tree.kind(&p).map_err(|e| e.to_string())? {
            Some(EntryKind::Dir) => {}
            Some(EntryKind::File) => {
                return Err(format!(
                    "must build at directory: '{}': file is not directory",
                    show(&p)
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
                    show(&p),
                    show(v)
                ));
            }
        }
        Ok(Loader {
            tree: self.tree,
            root: p,
            root_only: self.root_only,
            visited: chain,
            remote_hit: self.remote_hit.clone(),
        })
    }
}
