//! `vars`: `$(NAME)` references replaced by values read from objects.

use super::fieldspec::TransformerConfig;
use super::resmap::ResMap;
use crate::yaml::Value;

/// Resolves vars.
pub(crate) fn resolve(_rm: &mut ResMap, vars: &[Value], _tc: &TransformerConfig) -> Result<(), String> {
    if vars.is_empty() {
        Ok(())
    } else {
        Err("vars are not supported yet".into())
    }
}
