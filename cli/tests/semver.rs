//! `gitward semver [--] RANGE [VERSION...]`: the contract of the semver conformance corpus
//! (`shared/conformance/semver/README.md`); the expectations match its Go reference
//! (`tools/semver-ref`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ffi::OsStr;
use std::process::{Command, Output};

fn semver<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_gitward"))
        .arg("semver")
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> &str {
    std::str::from_utf8(&o.stdout).unwrap()
}

#[test]
fn prints_matching_versions_as_given_highest_first() {
    let o = semver([
        "--",
        ">=1.2 <3",
        "1.2.3+b",
        "latest",
        "v2",
        "1.2.3",
        "v1.2.3+a",
        "3.0.0",
        "2.0.0-rc.1",
        "01.5",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "v2\n01.5\n1.2.3+b\n1.2.3\nv1.2.3+a\n");
    assert!(o.stderr.is_empty());
}

#[test]
fn nothing_matching_is_success_with_no_output() {
    let o = semver(["--", "^9", "1.0.0"]);
    assert_eq!((o.status.code(), stdout(&o)), (Some(0), ""));
    let o = semver(["1.x"]);
    assert_eq!((o.status.code(), stdout(&o)), (Some(0), ""));
}

#[test]
fn an_invalid_range_exits_1_with_a_message() {
    for range in ["", "1.2.3 ||", "==1", "- 1.2.3", "-1.2.3", "--"] {
        let o = semver(["--", range, "1.2.3"]);
        assert_eq!(o.status.code(), Some(1), "{range:?}");
        assert_eq!(stdout(&o), "");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.starts_with("invalid range "), "{err}");
    }
    let o = semver(["-1.2.3", "1.2.3"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn dashes_after_the_range_are_versions() {
    let o = semver(["1.0", "-h", "--help", "--", "1.0.5", "-1"]);
    assert_eq!((o.status.code(), stdout(&o)), (Some(0), "1.0.5\n"));
}

#[test]
fn help_only_when_it_is_the_only_argument() {
    for flag in ["--help", "-h"] {
        let o = semver([flag]);
        assert_eq!(o.status.code(), Some(0));
        assert!(stdout(&o).contains("Usage: gitward semver <RANGE> [VERSION]..."));
    }
    let o = semver(["--", "--help"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn a_missing_range_is_a_usage_error() {
    assert_eq!(semver::<[&str; 0], &str>([]).status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn arguments_that_are_not_utf8_are_not_versions() {
    use std::os::unix::ffi::OsStrExt;
    let bad = OsStr::from_bytes(b"1.2.3\xff");
    let o = semver([
        OsStr::new("--"),
        OsStr::new(">=1"),
        bad,
        OsStr::new("1.0.0"),
    ]);
    assert_eq!((o.status.code(), stdout(&o)), (Some(0), "1.0.0\n"));
    let o = semver([OsStr::new("--"), bad]);
    assert_eq!(o.status.code(), Some(1));
}
