//! Helpers shared by the CLI tests: scratch directories and files in them.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// A fresh, empty directory under the temporary directory, unique to this test process.
pub fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gitward-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes `text` at `rel` below `root`, creating the directories on the way.
pub fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}
