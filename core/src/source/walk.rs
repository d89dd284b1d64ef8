//! Reading a directory on disk into the entries [`super::artifact`] packs (the shell side;
//! feature `io`, Unix).
//!
//! The walk sees what `lstat` sees, as Go's `filepath.WalkDir` does: symbolic links are
//! recorded with their target and never followed (a root that is a link is recorded as
//! such, and nothing below it is read), special files are recorded as
//! [`EntryKind::Other`]. Files are opened and checked to be the very file the walk saw
//! (same device and inode, still a regular file), so a file swapped for a link while the
//! walk runs is refused rather than followed. The number of entries and the bytes read are
//! bounded ([`WalkLimits`]).

use std::fs;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::artifact::{Entry, EntryKind};

/// Bounds on what a walk reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WalkLimits {
    /// The most entries (files, directories, links) accepted.
    pub max_entries: usize,
    /// The most file bytes read in total.
    pub max_total_bytes: u64,
}

impl Default for WalkLimits {
    fn default() -> Self {
        WalkLimits {
            max_entries: 1_000_000,
            max_total_bytes: 4 << 30,
        }
    }
}

/// Why a directory could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WalkError {
    /// An I/O failure.
    #[error("{path}: {message}")]
    Io {
        /// The path on disk.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// The tree has more entries or bytes than the limits allow.
    #[error("{path}: tree too large ({what} over the limit of {limit})")]
    TooLarge {
        /// Where the limit was reached.
        path: String,
        /// `entries` or `bytes`.
        what: &'static str,
        /// The limit.
        limit: u64,
    },
    /// A file changed (or was replaced) while it was read.
    #[error("{path}: file changed while it was read")]
    Changed {
        /// The path on disk.
        path: String,
    },
}

fn io_err(path: &Path, e: &std::io::Error) -> WalkError {
    WalkError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn kind_of(path: &Path, meta: &fs::Metadata) -> Result<EntryKind, WalkError> {
    let ft = meta.file_type();
    Ok(if ft.is_symlink() {
        let target = fs::read_link(path).map_err(|e| io_err(path, &e))?;
        EntryKind::Symlink {
            target: target.as_os_str().as_bytes().to_vec(),
        }
    } else if ft.is_dir() {
        EntryKind::Dir
    } else if ft.is_file() {
        EntryKind::File
    } else {
        EntryKind::Other
    })
}

/// Reads a regular file that `lstat` reported as `meta`, refusing a different file.
fn read_file(
    path: &Path,
    meta: &fs::Metadata,
    budget: &mut u64,
    limit: u64,
) -> Result<Vec<u8>, WalkError> {
    let f = fs::File::open(path).map_err(|e| io_err(path, &e))?;
    let now = f.metadata().map_err(|e| io_err(path, &e))?;
    if !now.file_type().is_file() || now.dev() != meta.dev() || now.ino() != meta.ino() {
        return Err(WalkError::Changed {
            path: path.display().to_string(),
        });
    }
    let size = meta.len();
    if size > *budget {
        return Err(WalkError::TooLarge {
            path: path.display().to_string(),
            what: "bytes",
            limit,
        });
    }
    let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    f.take(size.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|e| io_err(path, &e))?;
    if data.len() as u64 != size {
        // Go's tar writer fails too ("write too long" / "missed writing").
        return Err(WalkError::Changed {
            path: path.display().to_string(),
        });
    }
    *budget -= size;
    Ok(data)
}

/// The entries of the tree at `root` (the root first, as the entry with the empty path;
/// then in `filepath.WalkDir` order), with file contents, modes and link targets.
pub fn walk_dir(root: &Path, limits: &WalkLimits) -> Result<Vec<Entry>, WalkError> {
    let meta = fs::symlink_metadata(root).map_err(|e| io_err(root, &e))?;
    let kind = kind_of(root, &meta)?;
    let mut budget = limits.max_total_bytes;
    let mut out = Vec::new();
    let root_entry = |kind: EntryKind, data: Vec<u8>| Entry {
        path: Vec::new(),
        kind,
        mode: meta.mode() & 0o7777,
        data,
    };
    match kind {
        EntryKind::Dir => out.push(root_entry(EntryKind::Dir, Vec::new())),
        EntryKind::File => {
            let data = read_file(root, &meta, &mut budget, limits.max_total_bytes)?;
            out.push(root_entry(EntryKind::File, data));
            return Ok(out);
        }
        other => {
            out.push(root_entry(other, Vec::new()));
            return Ok(out);
        }
    }
    // Every directory is listed once (no recursion); the entries are sorted into walk
    // order at the end.
    let mut stack: Vec<(PathBuf, Vec<u8>)> = vec![(root.to_path_buf(), Vec::new())];
    while let Some((dir, rel)) = stack.pop() {
        let mut names: Vec<std::ffi::OsString> = Vec::new();
        for d in fs::read_dir(&dir).map_err(|e| io_err(&dir, &e))? {
            let d = d.map_err(|e| io_err(&dir, &e))?;
            names.push(d.file_name());
            if out.len() + names.len() > limits.max_entries {
                return Err(WalkError::TooLarge {
                    path: dir.display().to_string(),
                    what: "entries",
                    limit: limits.max_entries as u64,
                });
            }
        }
        names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        let mut subdirs = Vec::new();
        for name in names {
            let path = dir.join(&name);
            let mut child = rel.clone();
            if !child.is_empty() {
                child.push(b'/');
            }
            child.extend_from_slice(name.as_bytes());
            let meta = fs::symlink_metadata(&path).map_err(|e| io_err(&path, &e))?;
            let kind = kind_of(&path, &meta)?;
            let data = if kind == EntryKind::File {
                read_file(&path, &meta, &mut budget, limits.max_total_bytes)?
            } else {
                Vec::new()
            };
            if kind == EntryKind::Dir {
                subdirs.push((path, child.clone()));
            }
            out.push(Entry {
                path: child,
                kind,
                mode: meta.mode() & 0o7777,
                data,
            });
        }
        stack.extend(subdirs);
    }
    // Walk order: a directory's contents right after it, names sorted byte-wise.
    let mut keyed: Vec<(Vec<Vec<u8>>, Entry)> = out
        .into_iter()
        .map(|e| {
            let k = if e.path.is_empty() {
                Vec::new()
            } else {
                e.path.split(|&b| b == b'/').map(<[u8]>::to_vec).collect()
            };
            (k, e)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(keyed.into_iter().map(|(_, e)| e).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn walks_without_following_links() {
        let base = std::env::temp_dir().join(format!("gitward-walk-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        let root = base.join("root");
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::create_dir_all(base.join("outside")).unwrap();
        fs::write(base.join("outside/secret"), "s").unwrap();
        fs::write(root.join("a/b/x.yaml"), "x").unwrap();
        fs::write(root.join("a-c"), "y").unwrap();
        fs::set_permissions(root.join("a-c"), fs::Permissions::from_mode(0o4755)).unwrap();
        std::os::unix::fs::symlink(base.join("outside"), root.join("out")).unwrap();
        std::os::unix::fs::symlink("../outside/secret", root.join("a/leak")).unwrap();
        let entries = walk_dir(&root, &WalkLimits::default()).unwrap();
        let names: Vec<String> = entries
            .iter()
            .map(|e| String::from_utf8_lossy(&e.path).into_owned())
            .collect();
        assert_eq!(
            names,
            ["", "a", "a/b", "a/b/x.yaml", "a/leak", "a-c", "out"]
        );
        assert!(matches!(entries[4].kind, EntryKind::Symlink { .. }));
        assert_eq!(entries[5].mode, 0o4755);
        assert!(entries.iter().all(|e| e.data != b"s"));
        let small = WalkLimits {
            max_entries: 3,
            ..WalkLimits::default()
        };
        assert!(matches!(
            walk_dir(&root, &small),
            Err(WalkError::TooLarge { .. })
        ));
        let tiny = WalkLimits {
            max_total_bytes: 1,
            ..WalkLimits::default()
        };
        assert!(matches!(
            walk_dir(&root, &tiny),
            Err(WalkError::TooLarge { .. })
        ));
        // A root that is a link is recorded, not followed.
        let link_root = walk_dir(&root.join("out"), &WalkLimits::default()).unwrap();
        assert_eq!(link_root.len(), 1);
        fs::remove_dir_all(&base).unwrap();
    }
}
