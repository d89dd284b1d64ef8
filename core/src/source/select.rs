//! The version selector the shell uses for chart versions and OCI tags.
//!
//! [`helm_versions`] is what [`helm_index::select_version`](super::helm_index::select_version)
//! and the OCI tag selection call. It is meant to be Masterminds/semver v3 in Helm's
//! v3.4.0 mode — the crate's `semver` module (`Constraints::parse_with` with
//! `Compat::V3_4`, then `select_highest`) — and is a **stand-in** until that module is
//! merged: it understands `*` (the highest version that is not a pre-release) and a full
//! version `X.Y.Z[-pre][+meta]` (that version, build metadata ignored), and refuses other
//! ranges with a clear error. Only this function changes when the semver module lands.

/// Picks the highest version satisfying `range` among `versions` (see the module
/// documentation for what the stand-in understands).
///
/// # Errors
/// A range the stand-in cannot evaluate.
pub fn helm_versions(range: &str, versions: &[&str]) -> Result<Option<usize>, String> {
    let range = range.trim();
    let exact = if range == "*" || range.is_empty() {
        None
    } else {
        let r = range.strip_prefix('=').unwrap_or(range).trim();
        match Loose::parse(r) {
            Some(v) if v.full => Some(v),
            _ => {
                return Err(format!(
                    "version range {range:?} is not supported yet (only \"*\" and exact versions until the semver module is wired in)"
                ));
            }
        }
    };
    let mut best: Option<(usize, Loose)> = None;
    for (i, text) in versions.iter().enumerate() {
        let Some(v) = Loose::parse(text) else {
            continue;
        };
        let ok = match &exact {
            None => v.pre.is_empty(),
            Some(want) => v.cmp_precedence(want) == std::cmp::Ordering::Equal,
        };
        if ok
            && best
                .as_ref()
                .is_none_or(|(_, b)| v.cmp_precedence(b) == std::cmp::Ordering::Greater)
        {
            best = Some((i, v));
        }
    }
    Ok(best.map(|(i, _)| i))
}

/// Whether `s` parses as a version (Masterminds' `NewVersion`, which takes a `v` prefix and
/// missing minor or patch). Stand-in for the semver module, like [`helm_versions`].
pub fn is_version(s: &str) -> bool {
    Loose::parse(s).is_some()
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

/// A version as Masterminds' `NewVersion` coerces it: `v` prefix, missing minor/patch.
struct Loose {
    nums: [u64; 3],
    pre: Vec<String>,
    /// Major, minor and patch were all written.
    full: bool,
}

impl Loose {
    fn parse(s: &str) -> Option<Loose> {
        let s = s.strip_prefix('v').unwrap_or(s);
        let s = s.split_once('+').map_or(s, |(a, _)| a);
        let (core, pre) = match s.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (s, None),
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return None;
        }
        let mut nums = [0u64; 3];
        for (i, p) in parts.iter().enumerate() {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            nums[i] = p.parse().ok()?;
        }
        let pre: Vec<String> = match pre {
            None => Vec::new(),
            Some(p) => {
                let ids: Vec<String> = p.split('.').map(str::to_owned).collect();
                if ids.iter().any(|i| {
                    i.is_empty() || !i.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                }) {
                    return None;
                }
                ids
            }
        };
        Some(Loose {
            nums,
            pre,
            full: parts.len() == 3,
        })
    }

    fn cmp_precedence(&self, other: &Loose) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        match self.nums.cmp(&other.nums) {
            Ordering::Equal => {}
            o => return o,
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            _ => {}
        }
        for (a, b) in self.pre.iter().zip(&other.pre) {
            let o = match (a.parse::<u64>(), b.parse::<u64>()) {
                (Ok(x), Ok(y)) => x.cmp(&y),
                (Ok(_), Err(_)) => Ordering::Less,
                (Err(_), Ok(_)) => Ordering::Greater,
                _ => a.cmp(b),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        self.pre.len().cmp(&other.pre.len())
    }
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
    fn exact_versions_and_refusals() {
        let v = ["0.1.0", "0.2.0+build", "1.0.0-rc.2", "1.0.0-rc.10"];
        assert_eq!(helm_versions("0.2.0", &v), Ok(Some(1)));
        assert_eq!(helm_versions("=1.0.0-rc.10", &v), Ok(Some(3)));
        assert_eq!(helm_versions("0.3.0", &v), Ok(None));
        assert!(helm_versions(">=0.1.0", &v).is_err());
        assert!(helm_versions("0.1", &v).is_err());
    }
}
