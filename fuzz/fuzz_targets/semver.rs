//! Fuzzes version ranges and versions (`gitward::semver`) in both Masterminds releases.
//!
//! Input: a range, then NUL-separated versions. Every range that parses is printed and
//! checked against every version; `matching` orders them.

#![no_main]

use gitward::semver::{Compat, Constraints, Options, Version, matching};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.split('\0');
    let range = parts.next().unwrap_or_default();
    let versions: Vec<&str> = parts.collect();
    for compat in [Compat::V3_5, Compat::V3_4] {
        let opts = Options::default().with_compat(compat);
        for v in &versions {
            if let Ok(v) = Version::parse_with(v, &opts) {
                let _ = (
                    v.to_string(),
                    v.inc_major(),
                    v.inc_patch(),
                    v.set_prerelease(range),
                );
            }
        }
        if let Ok(c) = Constraints::parse_with(range, &opts) {
            let _ = c.to_string();
            let _ = matching(&c, &versions);
        }
    }
});
