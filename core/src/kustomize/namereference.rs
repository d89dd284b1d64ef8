//! Name references: after names change (prefixes, suffixes, hashes), every field that
//! refers to a renamed object by name is updated (kustomize's `nameReference` config).

use super::fieldspec::TransformerConfig;
use super::resmap::ResMap;

/// Updates references to renamed objects.
pub(crate) fn fix(_rm: &mut ResMap, _tc: &TransformerConfig) -> Result<(), String> {
    Ok(())
}
