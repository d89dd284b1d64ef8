//! The version selector the shell uses for chart versions and OCI tags.
//!
//! [`helm_versions`] is what [`helm_index::select_version`](super::helm_index::select_version)
//! and the OCI tag selection call: Masterminds/semver v3 in Helm's v3.4.0 mode (the
//! crate's [`semver`](crate::semver) module, `Constraints::parse_with` with
//! `Compat::V3_4`, then `select_highest`), as `IndexFile.Get` and Flux evaluate ranges.

use crate::semver::{Compat, Constraints, Options, Version, select_highest};

fn helm_options() -> Options {
    Options::default().with_compat(Compat::V3_4)
}

/// Picks the highest version satisfying `range` among `versions` (its position), as
/// Masterminds v3.4.0 does: inputs that are not versions are skipped, pre-releases match
/// only a range that names one, and equal versions keep their order (the first wins).
///
/// # Errors
/// The range's parse error, worded as Masterminds words it.
pub fn helm_versions(range: &str, versions: &[&str]) -> Result<Option<usize>, String> {
    let c = Constraints::parse_with(range, &helm_options()).map_err(|e| e.to_string())?;
    Ok(select_highest(&c, versions).map(|m| m.index))
}

/// Whether `s` parses as a version (Masterminds' `NewVersion`, which takes a `v` prefix and
/// missing minor or patch).
pub fn is_version(s: &str) -> bool {
    Version::parse_with(s, &helm_options()).is_ok()
}

/// Whether `s` is a strict semantic version (Masterminds' `StrictNewVersion`: `X.Y.Z`,
/// no `v`, no leading zeros, optional pre-release and build metadata).
pub fn is_strict_version(s: &str) -> bool {
    let (rest, meta) = match s.split_once('+') {
        Some((r, m)) => (r, Some(m)),
        None => (s, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let ident_ok =
        |i: &str| !i.is_empty() && i.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
        })
        && pre.is_none_or(|p| {
            p.split('.').all(|i| {
                ident_ok(i)
                    && !(i.len() > 1 && i.starts_with('0') && i.bytes().all(|b| b.is_ascii_digit()))
            })
        })
        && meta.is_none_or(|m| m.split('.').all(ident_ok))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_is_the_highest_stable_version() {
        let v = [
            "0.1.0",
            "0.10.0",
            "0.9.0",
            "1.0.0-rc.1",
            "latest",
            "v0.11.0",
        ];
        assert_eq!(helm_versions("*", &v), Ok(Some(5)));
        assert_eq!(helm_versions("*", &["1.0.0-rc.1"]), Ok(None));
    }

    #[test]
    fn version_checks() {
        assert!(is_version("v1.2") && is_version("1.2.3-rc.1+b") && !is_version("latest"));
        assert!(is_strict_version("1.2.3") && is_strict_version("1.2.3-rc.1+build.5"));
        assert!(
            !is_strict_version("v1.2.3")
                && !is_strict_version("1.2")
                && !is_strict_version("01.2.3")
        );
        assert!(!is_strict_version("1.2.3-01"));
    }

    #[test]
    fn ranges_exact_versions_and_refusals() {
        let v = ["0.1.0", "0.2.0+build", "1.0.0-rc.2", "1.0.0-rc.10"];
        assert_eq!(helm_versions("0.2.0", &v), Ok(Some(1)));
        assert_eq!(helm_versions("=1.0.0-rc.10", &v), Ok(Some(3)));
        assert_eq!(helm_versions("0.3.0", &v), Ok(None));
        assert_eq!(helm_versions(">=0.1.0", &v), Ok(Some(1)));
        assert_eq!(helm_versions(">=0.1.0-0", &v), Ok(Some(3)));
        assert_eq!(helm_versions("^0.1", &v), Ok(Some(0)));
        assert!(helm_versions("not a range", &v).is_err());
    }
}
