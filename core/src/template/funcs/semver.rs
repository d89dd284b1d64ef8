//! Sprig's `semver` and `semverCompare`, on [`crate::semver`] with Masterminds v3.4.0's
//! behaviour (the release Helm v4.1.4 links: no length limits, unquoted messages).

use std::rc::Rc;

use super::PT::*;
use super::{Add, Builtin, FnError, FnResult, s};
use crate::semver::{Compat, Constraints, Options, Version};
use crate::template::value::Val;

/// Masterminds v3.4.0, as Helm v4.1.4 and its Sprig functions use it.
pub(crate) fn helm_options() -> Options {
    Options::default().with_compat(Compat::V3_4)
}

/// `semver.NewVersion` (v3.4.0).
pub(crate) fn parse_version(v: &str) -> Result<Version, String> {
    Version::parse_with(v, &helm_options()).map_err(|e| e.to_string())
}

/// `semver.NewConstraint` (v3.4.0).
pub(crate) fn parse_constraint(c: &str) -> Result<Constraints, String> {
    Constraints::parse_with(c, &helm_options()).map_err(|e| e.to_string())
}

pub(crate) fn register(add: &mut Add<'_>) {
    add(
        "semver",
        &[Str],
        false,
        Builtin::Fn(|_, a| {
            parse_version(s(&a[0]))
                .map(|v| Val::Semver(Rc::new(v)))
                .map_err(FnError::msg)
        }),
    );
    add(
        "semverCompare",
        &[Str, Str],
        false,
        Builtin::Fn(semver_compare),
    );
}

/// Sprig's `semverCompare`: `NewConstraint` first, then `NewVersion`, then `Check`.
fn semver_compare(_: &mut super::Cx<'_>, a: Vec<Val>) -> FnResult {
    let c = parse_constraint(s(&a[0])).map_err(FnError::msg)?;
    let v = parse_version(s(&a[1])).map_err(FnError::msg)?;
    Ok(Val::Bool(c.check(&v)))
}
