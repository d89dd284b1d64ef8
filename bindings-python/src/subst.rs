//! `envsubst`: Flux's post-build variable substitution on a text.

use std::collections::HashMap;

use pyo3::create_exception;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::{GitwardError, with_attrs};

create_exception!(
    gitward,
    SubstitutionError,
    GitwardError,
    "A `${...}` expression could not be substituted (Flux's envsubst message: 'bad \
     substitution', 'missing closing brace', 'unable to parse variable name', 'variable not \
     set (strict mode): \"NAME\"', ...).\n\n\
     Attributes: message (str, the same as str(err))."
);

/// Registers the function and its exception on the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("SubstitutionError", m.py().get_type::<SubstitutionError>())?;
    m.add_function(wrap_pyfunction!(envsubst, m)?)?;
    Ok(())
}

/// Substitutes ``${VAR}`` expressions in ``text`` as Flux's kustomize-controller does for a
/// Kustomization's ``spec.postBuild`` (``fluxcd/pkg/envsubst``: ``${V:-default}``,
/// ``${V/old/new}``, ``${#V}``, ... ; ``$$`` escapes a ``$``), the whole text at once.
///
/// ``variables`` are the only variables that exist. Without ``strict`` an unknown variable
/// is empty; with it, an unknown variable used without a default raises. Raises
/// ``gitward.SubstitutionError`` for a malformed expression.
#[pyfunction]
#[pyo3(signature = (text, variables, *, strict = false))]
fn envsubst(
    py: Python<'_>,
    text: &str,
    variables: HashMap<String, String>,
    strict: bool,
) -> PyResult<String> {
    let input = text.as_bytes().to_vec();
    let out = py.detach(move || {
        gitward::envsubst::eval(&input, strict, |k| variables.get(k).map(|v| v.as_bytes()))
    });
    match out {
        // Every input and value is UTF-8 and the operators keep it so (they only cut bytes
        // at offsets the caller chose: `${V:1:1}` of "é" gives invalid UTF-8, replaced).
        Ok(bytes) => Ok(String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())),
        Err(e) => {
            let text = e.to_string();
            let attrs = [("message", PyString::new(py, &text).into_any())];
            Err(with_attrs(
                py,
                SubstitutionError::new_err(text.clone()),
                &attrs,
            ))
        }
    }
}
