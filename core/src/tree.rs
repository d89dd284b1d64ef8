//! Read-only, rooted access to a source tree.
//!
//! Every path is relative to the tree's root. A path that leaves the root — through `..`,
//! an absolute path, or a symbolic link that points outside — is refused with an error
//! naming it. The core reads files only through a [`FileTree`] it is handed.
//!
//! ```
//! use gitward::tree::{FileTree, MemTree, RelPath};
//!
//! let mut t = MemTree::new();
//! t.add_file("base/kustomization.yaml", "resources: [cm.yaml]\n");
//! let p = RelPath::new("base/../base/kustomization.yaml").unwrap();
//! assert_eq!(p.as_str(), "base/kustomization.yaml");
//! assert!(t.read(&p).is_ok());
//! assert!(RelPath::new("../etc/passwd").is_err());
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

/// Why a path could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TreeError {
    /// The path is absolute.
    #[error("absolute path not allowed: {path}")]
    Absolute {
        /// The path as given.
        path: String,
    },
    /// The path leaves the root through `..`.
    #[error("path escapes the root: {path}")]
    Escape {
        /// The path as given.
        path: String,
    },
    /// The path resolves, through a symbolic link, to a place outside the root.
    #[error("symbolic link leaves the root: {path}")]
    SymlinkEscape {
        /// The path inside the tree.
        path: String,
    },
    /// Nothing is there.
    #[error("no such file or directory: {path}")]
    NotFound {
        /// The path inside the tree.
        path: String,
    },
    /// A file was expected and a directory found, or the other way round.
    #[error("{path}: {expected} expected")]
    WrongKind {
        /// The path inside the tree.
        path: String,
        /// What was expected ("file" or "directory").
        expected: &'static str,
    },
    /// Any other I/O failure.
    #[error("{path}: {message}")]
    Io {
        /// The path inside the tree.
        path: String,
        /// The operating system's message.
        message: String,
    },
}

/// A normalised path inside a tree: relative, `/`-separated, no `.` or `..` components.
/// The root itself is the empty path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct RelPath(String);

impl RelPath {
    /// The root.
    pub fn root() -> Self {
        RelPath(String::new())
    }

    /// Normalises `path`; absolute paths and paths that climb above the root are refused.
    pub fn new(path: &str) -> Result<Self, TreeError> {
        Self::root().join(path)
    }

    /// Resolves `rel` against this path (treated as a directory). An absolute `rel`, or
    /// one that climbs above the root, is refused.
    pub fn join(&self, rel: &str) -> Result<Self, TreeError> {
        if rel.starts_with('/') || rel.starts_with('\\') || Path::new(rel).has_root() {
            return Err(TreeError::Absolute {
                path: rel.to_owned(),
            });
        }
        let mut parts: Vec<&str> = if self.0.is_empty() {
            Vec::new()
        } else {
            self.0.split('/').collect()
        };
        for c in rel.split('/') {
            match c {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        return Err(TreeError::Escape {
                            path: if self.0.is_empty() {
                                rel.to_owned()
                            } else {
                                format!("{}/{}", self.0, rel)
                            },
                        });
                    }
                }
                c => parts.push(c),
            }
        }
        Ok(RelPath(parts.join("/")))
    }

    /// The path text (`""` for the root).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The parent directory (the root's parent is the root).
    pub fn parent(&self) -> RelPath {
        match self.0.rsplit_once('/') {
            Some((p, _)) => RelPath(p.to_owned()),
            None => RelPath::root(),
        }
    }

    /// The last component (`""` for the root).
    pub fn file_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or("")
    }

    /// Whether this is the root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `self` is `other` or lies below it.
    pub fn starts_with(&self, other: &RelPath) -> bool {
        other.0.is_empty()
            || self.0 == other.0
            || (self.0.starts_with(&other.0) && self.0.as_bytes().get(other.0.len()) == Some(&b'/'))
    }
}

impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str(".")
        } else {
            f.write_str(&self.0)
        }
    }
}

/// What is at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
}

/// Read-only access to a rooted tree of files.
pub trait FileTree: Send + Sync {
    /// The bytes of a file.
    fn read(&self, path: &RelPath) -> Result<Vec<u8>, TreeError>;
    /// What is at `path`, or `None` when nothing is.
    fn kind(&self, path: &RelPath) -> Result<Option<EntryKind>, TreeError>;
    /// The names in a directory, sorted.
    fn list(&self, dir: &RelPath) -> Result<Vec<String>, TreeError>;

    /// `path` with every symbolic link on it resolved, as a path of this tree (the path
    /// itself in a tree without links), or `None` when nothing is there. Confinement
    /// checks compare these resolved paths, as kustomize's load restrictor compares
    /// `filepath.EvalSymlinks` results.
    fn canonical(&self, path: &RelPath) -> Result<Option<RelPath>, TreeError> {
        Ok(self.kind(path)?.map(|_| path.clone()))
    }

    /// The text of a file (lossy for invalid UTF-8 is not done: invalid text is an error).
    fn read_to_string(&self, path: &RelPath) -> Result<String, TreeError> {
        String::from_utf8(self.read(path)?).map_err(|_| TreeError::Io {
            path: path.to_string(),
            message: "file is not valid UTF-8".into(),
        })
    }
}

/// A tree in memory (tests, archives, fetched artifacts).
#[derive(Debug, Clone, Default)]
pub struct MemTree {
    files: BTreeMap<String, Vec<u8>>,
}

impl MemTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a file; its directories exist implicitly. A path that is not a
    /// valid [`RelPath`] is refused.
    pub fn add_file(&mut self, path: &str, content: impl Into<Vec<u8>>) -> Result<(), TreeError> {
        let p = RelPath::new(path)?;
        if p.is_root() {
            return Err(TreeError::WrongKind {
                path: path.to_owned(),
                expected: "file",
            });
        }
        self.files.insert(p.0, content.into());
        Ok(())
    }
}

impl FileTree for MemTree {
    fn read(&self, path: &RelPath) -> Result<Vec<u8>, TreeError> {
        match self.files.get(path.as_str()) {
            Some(b) => Ok(b.clone()),
            None if self.kind(path)? == Some(EntryKind::Dir) => Err(TreeError::WrongKind {
                path: path.to_string(),
                expected: "file",
            }),
            None => Err(TreeError::NotFound {
                path: path.to_string(),
            }),
        }
    }

    fn kind(&self, path: &RelPath) -> Result<Option<EntryKind>, TreeError> {
        if self.files.contains_key(path.as_str()) {
            return Ok(Some(EntryKind::File));
        }
        if path.is_root() {
            return Ok(Some(EntryKind::Dir));
        }
        let prefix = format!("{}/", path.as_str());
        let is_dir = self
            .files
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(&prefix));
        Ok(is_dir.then_some(EntryKind::Dir))
    }

    fn list(&self, dir: &RelPath) -> Result<Vec<String>, TreeError> {
        match self.kind(dir)? {
            Some(EntryKind::Dir) => {}
            Some(EntryKind::File) => {
                return Err(TreeError::WrongKind {
                    path: dir.to_string(),
                    expected: "directory",
                });
            }
            None => {
                return Err(TreeError::NotFound {
                    path: dir.to_string(),
                });
            }
        }
        let prefix = if dir.is_root() {
            String::new()
        } else {
            format!("{}/", dir.as_str())
        };
        let mut names: Vec<String> = Vec::new();
        for k in self.files.range(prefix.clone()..) {
            let Some(rest) = k.0.strip_prefix(&prefix) else {
                break;
            };
            let name = rest.split('/').next().unwrap_or(rest);
            if names.last().map(String::as_str) != Some(name) {
                names.push(name.to_owned());
            }
        }
        names.dedup();
        Ok(names)
    }
}

/// A directory on disk, confined to its root: symbolic links are followed only while
/// they stay inside the root.
///
/// A `DirTree` remembers where each directory it has walked through resolved to (links
/// followed and checked), so that reading many files of one directory looks at each
/// leading directory once, not once per file. Open a new `DirTree` to see directories or
/// links changed since; files themselves are looked up on every call.
#[derive(Debug, Clone)]
pub struct DirTree {
    root: PathBuf,
    /// Resolved directories: a path of this tree (no trailing slash) to its real location,
    /// checked to be inside the root.
    dirs: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, PathBuf>>>,
}

impl DirTree {
    /// Opens a directory as a tree root.
    pub fn new(root: impl AsRef<Path>) -> Result<Self, TreeError> {
        let shown = root.as_ref().display().to_string();
        let root = std::fs::canonicalize(root.as_ref()).map_err(|e| io_err(&shown, &e))?;
        if !root.is_dir() {
            return Err(TreeError::WrongKind {
                path: shown,
                expected: "directory",
            });
        }
        Ok(DirTree {
            root,
            dirs: Default::default(),
        })
    }

    /// The canonical root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The real location of `path`, after checking that it stays inside the root, and
    /// whether it is a directory. `Ok(None)` when nothing is there.
    fn resolve(&self, path: &RelPath) -> Result<Option<(PathBuf, bool)>, TreeError> {
        let text = path.as_str();
        if text.is_empty() {
            return Ok(Some((self.root.clone(), true)));
        }
        // The directory part comes from the cache when an earlier path went through it.
        let (mut cur, rest) = match text.rfind('/') {
            Some(slash) => {
                let known = self
                    .dirs
                    .lock()
                    .ok()
                    .and_then(|d| d.get(&text[..slash]).cloned());
                match known {
                    Some(dir) => (dir, &text[slash + 1..]),
                    None => (self.root.clone(), text),
                }
            }
            None => (self.root.clone(), text),
        };
        // Walk component by component so a dangling or escaping link is reported as such.
        let mut is_dir = true;
        let mut walked = text.len() - rest.len();
        let mut learned: Vec<(usize, PathBuf)> = Vec::new();
        for (i, comp) in Path::new(rest).components().enumerate() {
            let Component::Normal(c) = comp else {
                return Err(TreeError::Escape {
                    path: path.to_string(),
                });
            };
            if i > 0 && is_dir {
                // The prefix before this component has been walked through: a directory.
                learned.push((walked - 1, cur.clone()));
            }
            walked += c.len() + 1;
            cur.push(c);
            match std::fs::symlink_metadata(&cur) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(io_err(&path.to_string(), &e)),
                Ok(md) if md.file_type().is_symlink() => {
                    let real = match std::fs::canonicalize(&cur) {
                        Ok(r) => r,
                        // A dangling link: nothing is there.
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                        Err(e) => return Err(io_err(&path.to_string(), &e)),
                    };
                    if !real.starts_with(&self.root) {
                        return Err(TreeError::SymlinkEscape {
                            path: path.to_string(),
                        });
                    }
                    is_dir = real.is_dir();
                    cur = real;
                }
                Ok(md) => is_dir = md.is_dir(),
            }
        }
        if !learned.is_empty()
            && let Ok(mut dirs) = self.dirs.lock()
        {
            for (end, real) in learned {
                dirs.insert(text[..end].to_owned(), real);
            }
        }
        Ok(Some((cur, is_dir)))
    }
}

fn io_err(path: &str, e: &std::io::Error) -> TreeError {
    if e.kind() == std::io::ErrorKind::NotFound {
        TreeError::NotFound {
            path: path.to_owned(),
        }
    } else {
        TreeError::Io {
            path: path.to_owned(),
            message: e.to_string(),
        }
    }
}

impl FileTree for DirTree {
    fn canonical(&self, path: &RelPath) -> Result<Option<RelPath>, TreeError> {
        let Some((real, _)) = self.resolve(path)? else {
            return Ok(None);
        };
        let rel = real
            .strip_prefix(&self.root)
            .map_err(|_| TreeError::SymlinkEscape {
                path: path.to_string(),
            })?;
        let text = rel.to_str().ok_or_else(|| TreeError::Io {
            path: path.to_string(),
            message: "path is not valid UTF-8".into(),
        })?;
        RelPath::new(text).map(Some)
    }

    fn read(&self, path: &RelPath) -> Result<Vec<u8>, TreeError> {
        let (real, is_dir) = self.resolve(path)?.ok_or_else(|| TreeError::NotFound {
            path: path.to_string(),
        })?;
        if is_dir {
            return Err(TreeError::WrongKind {
                path: path.to_string(),
                expected: "file",
            });
        }
        std::fs::read(&real).map_err(|e| io_err(&path.to_string(), &e))
    }

    fn kind(&self, path: &RelPath) -> Result<Option<EntryKind>, TreeError> {
        Ok(match self.resolve(path)? {
            None => None,
            Some((_, true)) => Some(EntryKind::Dir),
            Some((_, false)) => Some(EntryKind::File),
        })
    }

    fn list(&self, dir: &RelPath) -> Result<Vec<String>, TreeError> {
        let (real, _) = self.resolve(dir)?.ok_or_else(|| TreeError::NotFound {
            path: dir.to_string(),
        })?;
        let rd = std::fs::read_dir(&real).map_err(|e| io_err(&dir.to_string(), &e))?;
        let mut names = Vec::new();
        for ent in rd {
            let ent = ent.map_err(|e| io_err(&dir.to_string(), &e))?;
            names.push(ent.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names)
    }
}

/// A view of a tree that refuses every path whose resolved location (symbolic links
/// followed, see [`FileTree::canonical`]) is not in or below `within`: what a Helm chart
/// or any other confined input is read through when the underlying tree is wider.
/// Paths keep the underlying tree's names, so errors name the same files.
pub struct Confined<'a> {
    inner: &'a dyn FileTree,
    within: RelPath,
}

impl<'a> Confined<'a> {
    /// Confines `inner` to `within`, which is itself resolved first (a directory reached
    /// through a link is confined to where the link points).
    pub fn new(inner: &'a dyn FileTree, within: &RelPath) -> Result<Self, TreeError> {
        let within = inner
            .canonical(within)?
            .ok_or_else(|| TreeError::NotFound {
                path: within.to_string(),
            })?;
        Ok(Confined { inner, within })
    }

    /// The resolved directory everything must lie in.
    pub fn within(&self) -> &RelPath {
        &self.within
    }

    /// The resolved path, refused when it leaves `within`.
    fn check(&self, path: &RelPath) -> Result<Option<RelPath>, TreeError> {
        match self.inner.canonical(path)? {
            Some(real) if !real.starts_with(&self.within) => Err(TreeError::SymlinkEscape {
                path: path.to_string(),
            }),
            other => Ok(other),
        }
    }
}

impl FileTree for Confined<'_> {
    fn read(&self, path: &RelPath) -> Result<Vec<u8>, TreeError> {
        let real = self.check(path)?.ok_or_else(|| TreeError::NotFound {
            path: path.to_string(),
        })?;
        self.inner.read(&real)
    }

    fn kind(&self, path: &RelPath) -> Result<Option<EntryKind>, TreeError> {
        match self.check(path)? {
            None => Ok(None),
            Some(real) => self.inner.kind(&real),
        }
    }

    fn list(&self, dir: &RelPath) -> Result<Vec<String>, TreeError> {
        let real = self.check(dir)?.ok_or_else(|| TreeError::NotFound {
            path: dir.to_string(),
        })?;
        self.inner.list(&real)
    }

    fn canonical(&self, path: &RelPath) -> Result<Option<RelPath>, TreeError> {
        self.check(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relpath_normalises_and_refuses_escapes() {
        assert_eq!(RelPath::new("a/./b//c/../d").expect("ok").as_str(), "a/b/d");
        assert_eq!(RelPath::new("").expect("ok"), RelPath::root());
        assert!(matches!(
            RelPath::new("a/../../x"),
            Err(TreeError::Escape { .. })
        ));
        assert!(matches!(
            RelPath::new("/etc/passwd"),
            Err(TreeError::Absolute { .. })
        ));
        let base = RelPath::new("overlays/prod").expect("ok");
        assert_eq!(base.join("../../base").expect("ok").as_str(), "base");
        assert!(base.join("../../../x").is_err());
        assert_eq!(base.parent().as_str(), "overlays");
        assert_eq!(base.file_name(), "prod");
        assert!(base.starts_with(&RelPath::new("overlays").expect("ok")));
        assert!(
            !RelPath::new("overlaysx")
                .expect("ok")
                .starts_with(&RelPath::new("overlays").expect("ok"))
        );
    }

    #[test]
    fn memtree_lists_and_reads() {
        let mut t = MemTree::new();
        t.add_file("a/x.yaml", "x").expect("add");
        t.add_file("a/b/y.yaml", "y").expect("add");
        t.add_file("z", "z").expect("add");
        let root = RelPath::root();
        assert_eq!(t.list(&root).expect("list"), ["a", "z"]);
        let a = RelPath::new("a").expect("ok");
        assert_eq!(t.list(&a).expect("list"), ["b", "x.yaml"]);
        assert_eq!(t.kind(&a).expect("kind"), Some(EntryKind::Dir));
        assert_eq!(
            t.read_to_string(&RelPath::new("a/b/y.yaml").expect("ok"))
                .expect("read"),
            "y"
        );
        assert!(matches!(t.read(&a), Err(TreeError::WrongKind { .. })));
        assert!(matches!(
            t.read(&RelPath::new("nope").expect("ok")),
            Err(TreeError::NotFound { .. })
        ));
        assert!(t.add_file("../evil", "x").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn dirtree_refuses_symlinks_out_of_the_root() {
        let base = std::env::temp_dir().join(format!("gitward-tree-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let root = base.join("root");
        std::fs::create_dir_all(root.join("sub")).expect("mkdir");
        std::fs::write(base.join("secret"), "s").expect("write");
        std::fs::write(root.join("sub/ok.yaml"), "ok").expect("write");
        std::os::unix::fs::symlink(base.join("secret"), root.join("out")).expect("link");
        std::os::unix::fs::symlink("sub/ok.yaml", root.join("in")).expect("link");
        std::os::unix::fs::symlink(&base, root.join("updir")).expect("link");
        let t = DirTree::new(&root).expect("open");
        let p = |s: &str| RelPath::new(s).expect("ok");
        assert_eq!(t.read(&p("sub/ok.yaml")).expect("read"), b"ok");
        assert_eq!(t.read(&p("in")).expect("read inside link"), b"ok");
        assert!(matches!(
            t.read(&p("out")),
            Err(TreeError::SymlinkEscape { .. })
        ));
        assert!(matches!(
            t.read(&p("updir/secret")),
            Err(TreeError::SymlinkEscape { .. })
        ));
        assert!(matches!(
            t.read(&p("missing")),
            Err(TreeError::NotFound { .. })
        ));
        assert_eq!(
            t.list(&RelPath::root()).expect("list"),
            ["in", "out", "sub", "updir"]
        );
        let _ = std::fs::remove_dir_all(&base);
    }

    /// The directories a `DirTree` remembers give the same answers as a first walk: files
    /// under a linked directory, a second file of a remembered directory, and an escaping
    /// link next to remembered directories.
    #[cfg(unix)]
    #[test]
    fn dirtree_remembered_directories_answer_as_a_first_walk() {
        let base = std::env::temp_dir().join(format!("gitward-dircache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(base.join("root/a/b")).expect("mkdir");
        std::fs::write(base.join("secret"), "s").expect("write");
        std::fs::write(base.join("root/a/b/one.yaml"), "1").expect("write");
        std::fs::write(base.join("root/a/b/two.yaml"), "2").expect("write");
        std::os::unix::fs::symlink("a/b", base.join("root/alias")).expect("link");
        std::os::unix::fs::symlink(base.join("secret"), base.join("root/a/b/leak")).expect("link");
        std::os::unix::fs::symlink(&base, base.join("root/a/up")).expect("link");
        let t = DirTree::new(base.join("root")).expect("open");
        let p = |s: &str| RelPath::new(s).expect("ok");
        for _ in 0..2 {
            assert_eq!(t.read(&p("a/b/one.yaml")).expect("read"), b"1");
            assert_eq!(t.read(&p("a/b/two.yaml")).expect("read"), b"2");
            assert_eq!(t.read(&p("alias/two.yaml")).expect("read"), b"2");
            assert_eq!(t.kind(&p("a/b")).expect("kind"), Some(EntryKind::Dir));
            assert_eq!(t.kind(&p("alias")).expect("kind"), Some(EntryKind::Dir));
            assert_eq!(
                t.kind(&p("alias/one.yaml")).expect("kind"),
                Some(EntryKind::File)
            );
            assert_eq!(t.kind(&p("a/b/none")).expect("kind"), None);
            assert_eq!(
                t.canonical(&p("alias/one.yaml")).expect("ok"),
                Some(p("a/b/one.yaml"))
            );
            assert!(matches!(
                t.read(&p("alias")),
                Err(TreeError::WrongKind { .. })
            ));
            for leaving in [
                "a/b/leak",
                "alias/leak",
                "a/up/secret",
                "a/up/root/a/b/one.yaml",
            ] {
                assert!(
                    matches!(t.read(&p(leaving)), Err(TreeError::SymlinkEscape { .. })),
                    "{leaving} was read"
                );
            }
        }
        let _ = std::fs::remove_dir_all(&base);
    }

    #[cfg(unix)]
    #[test]
    fn canonical_resolves_links_and_confined_refuses_what_leaves() {
        let base = std::env::temp_dir().join(format!("gitward-canon-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(base.join("k/sub")).expect("mkdir");
        std::fs::create_dir_all(base.join("out")).expect("mkdir");
        std::fs::write(base.join("out/secret"), "s").expect("write");
        std::fs::write(base.join("k/sub/ok.yaml"), "ok").expect("write");
        std::os::unix::fs::symlink("../out/secret", base.join("k/leak")).expect("link");
        std::os::unix::fs::symlink("../out", base.join("k/etc")).expect("link");
        std::os::unix::fs::symlink("sub", base.join("k/alias")).expect("link");
        let t = DirTree::new(&base).expect("open");
        let p = |s: &str| RelPath::new(s).expect("ok");
        assert_eq!(
            t.canonical(&p("k/leak")).expect("ok"),
            Some(p("out/secret"))
        );
        assert_eq!(
            t.canonical(&p("k/etc/secret")).expect("ok"),
            Some(p("out/secret"))
        );
        assert_eq!(
            t.canonical(&p("k/alias/ok.yaml")).expect("ok"),
            Some(p("k/sub/ok.yaml"))
        );
        assert_eq!(t.canonical(&p("k/missing")).expect("ok"), None);

        let c = Confined::new(&t, &p("k")).expect("confine");
        assert_eq!(c.read(&p("k/alias/ok.yaml")).expect("inside"), b"ok");
        for leaving in ["k/leak", "k/etc/secret", "k/etc", "out/secret"] {
            assert!(
                matches!(c.read(&p(leaving)), Err(TreeError::SymlinkEscape { .. })),
                "{leaving} was read"
            );
            assert!(c.kind(&p(leaving)).is_err(), "{leaving} was seen");
        }
        assert!(matches!(
            c.list(&p("k/etc")),
            Err(TreeError::SymlinkEscape { .. })
        ));
        assert_eq!(c.kind(&p("k/missing")).expect("ok"), None);
        // Confining to a linked directory confines to where it points.
        let via = Confined::new(&t, &p("k/alias")).expect("confine");
        assert_eq!(via.within(), &p("k/sub"));
        let _ = std::fs::remove_dir_all(&base);
    }
}
