//! Where the `gitward` binary under test is.

use std::path::PathBuf;

/// The `gitward` binary: `$GITWARD_BIN`, else `gitward` next to the test binary's
/// directory (`target/<profile>/gitward`, built by `cargo build -p gitward-cli`).
///
/// # Panics
/// When the binary is missing (build it first).
pub fn gitward_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("GITWARD_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("test binary");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let bin = dir.join("gitward");
    assert!(
        bin.is_file(),
        "{} is missing: build it first (cargo build -p gitward-cli) or set GITWARD_BIN",
        bin.display()
    );
    bin
}
