//! `envsubst` / `envsubstSync`: Flux's post-build variable substitution on a text.

use std::collections::HashMap;

use napi::bindgen_prelude::{AsyncTask, FromNapiValue, JsObjectValue, JsValue, Object, Unknown};
use napi::{Env, Error, JsError, Result, ScopedTask, ValueType};
use napi_derive::napi;

use crate::{OptionReader, arg_type, invalid_value, throwable};

/// Options of `envsubst` / `envsubstSync`.
/// (This declares the TypeScript interface; the addon reads the object field by field.)
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct EnvsubstOptions {
    /// Fail on an unknown variable used without a default.
    pub strict: Option<bool>,
}

/// What a substitution needs, read from JS.
pub struct Substitution {
    text: String,
    vars: HashMap<String, String>,
    strict: bool,
}

fn args(
    env: &Env,
    text: Unknown<'_>,
    variables: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<Substitution> {
    let text = match text.get_type()? {
        ValueType::String => String::from_unknown(text)?,
        t => {
            let message = format!("expected a text string, got {}", arg_type(&text, t)?);
            return Err(invalid_value(env, "", message));
        }
    };
    let t = variables.get_type()?;
    if t != ValueType::Object || variables.is_array()? {
        let message = format!(
            "expected a variables object, got {}",
            arg_type(&variables, t)?
        );
        return Err(invalid_value(env, "variables", message));
    }
    let obj = Object::from_unknown(variables)?;
    let mut vars = HashMap::new();
    for name in Object::keys(&obj)? {
        let v: Unknown<'_> = obj.get_named_property(&name)?;
        match v.get_type()? {
            ValueType::String => {
                vars.insert(name, String::from_unknown(v)?);
            }
            t => {
                let message = format!("expected a string, got {}", arg_type(&v, t)?);
                return Err(invalid_value(env, &format!("variables.{name}"), message));
            }
        }
    }
    let strict = OptionReader::new(env, options)?.boolean("strict")?;
    Ok(Substitution { text, vars, strict })
}

fn run(s: &Substitution) -> std::result::Result<String, gitward::envsubst::EnvsubstError> {
    gitward::envsubst::eval(s.text.as_bytes(), s.strict, |k| {
        s.vars.get(k).map(String::as_bytes)
    })
    .map(|b| {
        String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    })
}

/// The result as JS: the text, or an `Error` with `code` `'ENVSUBST'`.
fn outcome(
    env: &Env,
    out: std::result::Result<String, gitward::envsubst::EnvsubstError>,
) -> Result<String> {
    out.map_err(|e| {
        let js = JsError::from(Error::new("ENVSUBST", e.to_string())).into_unknown(*env);
        Object::from_unknown(js)
            .map(|o| throwable(o, &[]))
            .unwrap_or_else(|e| e)
    })
}

/// Substitutes `${VAR}` expressions in `text` as Flux's kustomize-controller does for a
/// Kustomization's `spec.postBuild` (`${V:-default}`, `${V/old/new}`, `${#V}`, ...; `$$`
/// escapes a `$`), the whole text at once. `variables` are the only variables that exist;
/// an unknown one is empty unless `strict`.
///
/// Throws an `Error` with `code` `'ENVSUBST'` (Flux's message) for a malformed expression
/// or, in strict mode, an unset variable; a `TypeError` with `code` `'INVALID_VALUE'` for
/// a bad argument.
#[napi(
    ts_args_type = "text: string, variables: Record<string, string>, options?: EnvsubstOptions | undefined | null"
)]
pub fn envsubst_sync(
    env: &Env,
    text: Unknown<'_>,
    variables: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<String> {
    let s = args(env, text, variables, options)?;
    outcome(env, run(&s))
}

/// A substitution on the libuv thread pool.
pub struct EnvsubstTask {
    s: Substitution,
}

impl<'task> ScopedTask<'task> for EnvsubstTask {
    type Output = std::result::Result<String, gitward::envsubst::EnvsubstError>;
    type JsValue = String;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(run(&self.s))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        outcome(env, output)
    }
}

/// `envsubstSync` on the libuv thread pool: the Promise rejects with its errors.
#[napi(
    ts_args_type = "text: string, variables: Record<string, string>, options?: EnvsubstOptions | undefined | null",
    ts_return_type = "Promise<string>"
)]
pub fn envsubst(
    env: &Env,
    text: Unknown<'_>,
    variables: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<AsyncTask<EnvsubstTask>> {
    let s = args(env, text, variables, options)?;
    Ok(AsyncTask::new(EnvsubstTask { s }))
}
