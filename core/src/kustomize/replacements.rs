//! `replacements`: copy a value from one object's field into fields of others.

use super::loader::Loader;
use super::resmap::ResMap;
use crate::yaml::Value;

/// Applies replacements (inline ones or `path:` files).
pub(crate) fn apply(_rm: &mut ResMap, _ldr: &Loader<'_>, replacements: &[Value]) -> Result<(), String> {
    if replacements.is_empty() {
        Ok(())
    } else {
        Err("replacements are not supported yet".into())
    }
}
