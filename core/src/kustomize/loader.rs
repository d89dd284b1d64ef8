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
}

/// Shows a tree path as kustomize shows absolute paths.
pub(crate) fn show(p: &RelPath) -> String {
    format!("/{}", p.as_str())
}

impl<'a> Loader<'a> {
    pub(crate) fn new(tree: &'a dyn FileTree, root: RelPath, root_only: bool) -> Self {
        Loader {
            tree,
            root,
            root_only,
            visited: Vec::new(),
        }
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

    /// Reads a file, honouring the load restrictor.
    pub(crate) fn load(&self, path: &str) -> Result<Vec<u8>, String> {
        let p = self.resolve(path)?;
        if self.root_only && !p.starts_with(&self.root) {
            return Err(format!(
                "security; file '{}' is not in or below '{}'",
                show(&p),
                show(&self.root)
            ));
        }
        match self.tree.kind(&p).map_err(|e| e.to_string())? {
            Some(EntryKind::File) => self.tree.read(&p).map_err(|e| e.to_string()),
            Some(EntryKind::Dir) => Err(format!("'{}' must resolve to a file", show(&p))),
            None => Err(format!("open {}: no such file or directory", show(&p))),
        }
    }

    /// A loader for a base or component directory, refusing cycles.
    pub(crate) fn child(&self, path: &str) -> Result<Loader<'a>, String> {
        let p = self.resolve(path)?;
        match self.tree.kind(&p).map_err(|e| e.to_string())? {
            Some(EntryKind::Dir) => {}
            Some(EntryKind::File) => return Err(format!("'{}' must be a directory", show(&p))),
            None => {
                return Err(format!("'{}' doesn't exist", show(&p)));
            }
        }
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
        })
    }
}
