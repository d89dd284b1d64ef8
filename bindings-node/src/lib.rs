//! Node.js bindings for gitward's pure core (a Node-API addon).
//!
//! This crate only converts. JS data becomes [`Value`]s, the core parses or prints, and the
//! result (or the core's error, with its kind and position) goes back to JS.
//!
//! Conversion rules (JS → [`Value`], for `dumpManifests`):
//!
//! | JS                                        | Value                                      |
//! |-------------------------------------------|--------------------------------------------|
//! | `null`                                    | `Null`                                     |
//! | `undefined` as an object property         | the property is left out (as `JSON.stringify` does) |
//! | `undefined` anywhere else                 | `INVALID_VALUE` error                      |
//! | boolean                                   | `Bool`                                     |
//! | number, integral, in `[-2^63, 2^63)`      | `Int`                                      |
//! | number, integral, in `[2^63, 2^64)`       | `UInt`                                     |
//! | other finite number                       | `Float` (what Go reads from `JSON.stringify`'s output) |
//! | `NaN`, `±Infinity`                        | `INVALID_VALUE` error                      |
//! | bigint in int64 / uint64 range            | `Int` / `UInt`; outside both: `INVALID_VALUE` |
//! | string                                    | `String`                                   |
//! | array                                     | `Seq`                                      |
//! | plain object (prototype `Object.prototype` or `null`) | `Map` of its own enumerable string keys |
//! | anything else (function, symbol, `Map`, `Date`, class instance, ...) | `INVALID_VALUE` error |
//!
//! Nesting deeper than the core's parse bound ([`ParseOptions::max_depth`]) is an
//! `INVALID_VALUE` error too, which also stops self-referencing objects.
//!
//! The other way (`parseManifests`): integers within `Number.MAX_SAFE_INTEGER` become
//! numbers, larger ones (beyond ±(2^53 − 1), including every uint64) become `BigInt`s so
//! that no digit is lost; floats become numbers; maps become plain objects whose keys are
//! defined as own data properties (a `__proto__` key stays a key, as with `JSON.parse`).
//!
//! Errors are JS errors with a `code`:
//! * `YAML_SYNTAX`, `YAML_DUPLICATE_KEY`, `YAML_UNKNOWN_ANCHOR`, `YAML_ALIAS_LIMIT`,
//!   `YAML_DEPTH_LIMIT`, `YAML_SIZE_LIMIT`, `YAML_UNSUPPORTED` (`Error`, with `kind` — the
//!   same name in snake_case —, 1-based `line` and `column` (0 when unknown) and `reason`,
//!   the message without its position);
//! * `INVALID_VALUE` (`TypeError`, with `path`, e.g. `[0].metadata.labels`, or
//!   `options.reorder` for an option);
//! * `KUSTOMIZE_BUILD` (`Error`, with `kind` — the core's `ErrorKind` in snake_case — and
//!   `path`, the directory built as given);
//! * `HELM_TEMPLATE` (`Error`, with `kind`, `chart` and `file`, `null` when unknown);
//! * `HEALTH` (`Error`, with `kind`: `'lookup'`, `'accessor'`, `'conditions'`,
//!   `'unknown_phase'`, `'malformed'`, `'not_an_object'`) where kstatus cannot compute a
//!   status.
//! * `SOURCE_AUTH`, `SOURCE_NOT_FOUND`, `SOURCE_NETWORK`, `SOURCE_DIGEST`,
//!   `SOURCE_INVALID`, `SOURCE_LIMIT`, `SOURCE_IO` (`Error`, with `kind` and `url`, the
//!   URL without user information or `null`; never a credential) from `fetchHelmChart`
//!   and `fetchOci`; `SOURCE_AUTH`, `SOURCE_NOT_FOUND`, `SOURCE_VERIFICATION`,
//!   `SOURCE_NETWORK`, `SOURCE_INVALID_INPUT`, `SOURCE_OTHER` from `fetchGit` (the same
//!   shape; `url` is `null` when the error concerns no remote).
//!
//! Builds read the file system through the core's `DirTree` rooted at `/`, exactly as the
//! CLI does. The `*Sync` functions block the calling thread; the others return a Promise
//! and run on the libuv thread pool (napi `AsyncTask`), converting on the JS thread.

pub mod cluster;
pub mod subst;

use std::fmt::Write as _;

use gitward::tree::{DirTree, RelPath};
use gitward::yaml::{self, Number, ParseOptions, Value};
use gitward::{helm, kustomize};
use napi::bindgen_prelude::{
    Array, AsyncTask, BigInt, FromNapiValue, JsObjectValue, JsValue, KeyCollectionMode,
    KeyConversion, KeyFilter, Null, Object, Property, ToNapiValue, Unknown,
};
use napi::{Env, Error, JsError, JsTypeError, Result, ScopedTask, ValueType};
use napi_derive::napi;

/// Largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;
/// 2^63 and 2^64 as floats (both exact).
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;
/// How much of a path the error message shows; the `path` property always has all of it.
const MAX_PATH_IN_MESSAGE: usize = 200;

/// The core error's kind as a stable snake_case name (`DuplicateKey` → `"duplicate_key"`).
/// Works for every kind enum of the core (their `Debug` is the variant name).
fn kind_name(kind: impl std::fmt::Debug) -> String {
    let mut out = String::new();
    for (i, c) in format!("{kind:?}").chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// A JS error object with extra properties, handed to napi to throw as it is.
fn throwable(mut error: Object<'_>, props: &[(&str, Unknown<'_>)]) -> Error {
    for (name, value) in props {
        if let Err(e) = error.set_named_property(name, *value) {
            return e;
        }
    }
    Error::from(error.to_unknown())
}

/// The core's YAML error as a JS `Error` with `code`, `kind`, `line`, `column`, `reason`.
fn yaml_error(env: &Env, e: yaml::YamlError) -> Error {
    let kind = kind_name(e.kind);
    let code = format!("YAML_{}", kind.to_ascii_uppercase());
    let js = JsError::from(Error::new(code, e.to_string())).into_unknown(*env);
    let build = || -> Result<Error> {
        let line = u32::try_from(e.line).unwrap_or(u32::MAX);
        let column = u32::try_from(e.column).unwrap_or(u32::MAX);
        Ok(throwable(
            Object::from_unknown(js)?,
            &[
                ("kind", kind.as_str().into_unknown(env)?),
                ("line", line.into_unknown(env)?),
                ("column", column.into_unknown(env)?),
                ("reason", e.message.as_str().into_unknown(env)?),
            ],
        ))
    };
    build().unwrap_or_else(|e| e)
}

/// One step of the path to an unconvertible value.
enum Step {
    Index(u32),
    Key(String),
}

/// Why a JS value could not be converted: a message and the path to it (innermost step
/// first while unwinding), or an error from napi (or a throwing getter) passed through.
enum ConvError {
    Invalid { message: String, path: Vec<Step> },
    Napi(Error),
}

impl From<Error> for ConvError {
    fn from(e: Error) -> Self {
        ConvError::Napi(e)
    }
}

impl ConvError {
    fn invalid(message: impl Into<String>) -> Self {
        ConvError::Invalid {
            message: message.into(),
            path: Vec::new(),
        }
    }

    fn at(mut self, step: Step) -> Self {
        if let ConvError::Invalid { path, .. } = &mut self {
            path.push(step);
        }
        self
    }

    /// A `TypeError` with `code: 'INVALID_VALUE'` and `path`.
    fn into_error(self, env: &Env) -> Error {
        match self {
            ConvError::Napi(e) => e,
            ConvError::Invalid { message, path } => {
                invalid_value(env, &format_path(&path), message)
            }
        }
    }
}

/// A `TypeError` with `code: 'INVALID_VALUE'` and `path` (`''` for the argument itself).
fn invalid_value(env: &Env, path: &str, message: String) -> Error {
    let text = match path.char_indices().nth(MAX_PATH_IN_MESSAGE) {
        _ if path.is_empty() => message,
        None => format!("{path}: {message}"),
        // A runaway path (a self-referencing object) is cut in the message only.
        Some((cut, _)) => format!("{}...: {message}", &path[..cut]),
    };
    let js = JsTypeError::from(Error::new("INVALID_VALUE", text)).into_unknown(*env);
    let build = || -> Result<Error> {
        Ok(throwable(
            Object::from_unknown(js)?,
            &[("path", path.into_unknown(env)?)],
        ))
    };
    build().unwrap_or_else(|e| e)
}

/// `[0].metadata.labels["app.kubernetes.io/name"]` from steps stored innermost first.
fn format_path(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps.iter().rev() {
        // Writing to a String cannot fail.
        let _ = match step {
            Step::Index(i) => write!(out, "[{i}]"),
            Step::Key(k) if is_identifier(k) => write!(out, ".{k}"),
            Step::Key(k) => write!(out, "[{k:?}]"),
        };
    }
    out
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// What every conversion of one call shares.
struct Ctx<'env> {
    env: &'env Env,
    /// `Object.prototype` of this realm, to recognise plain objects.
    object_prototype: Unknown<'env>,
    max_depth: usize,
}

fn number_value(f: f64) -> std::result::Result<Value, ConvError> {
    if !f.is_finite() {
        let name = match f {
            f if f.is_nan() => "NaN",
            f if f > 0.0 => "Infinity",
            _ => "-Infinity",
        };
        return Err(ConvError::invalid(format!(
            "{name} has no YAML/JSON representation"
        )));
    }
    // The casts are exact: `f` is integral and inside the target range.
    if f.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(&f) {
        return Ok(Value::Number(Number::Int(f as i64)));
    }
    if f.fract() == 0.0 && (TWO_POW_63..TWO_POW_64).contains(&f) {
        return Ok(Value::Number(Number::UInt(f as u64)));
    }
    Ok(Value::Number(Number::Float(f)))
}

fn bigint_value(b: &BigInt) -> std::result::Result<Value, ConvError> {
    let significant = b.words.iter().rposition(|w| *w != 0).map_or(0, |i| i + 1);
    let low = b.words.first().copied().unwrap_or(0);
    let value = match (significant <= 1, b.sign_bit) {
        (true, false) => match i64::try_from(low) {
            Ok(i) => Some(Number::Int(i)),
            Err(_) => Some(Number::UInt(low)),
        },
        (true, true) => 0i64.checked_sub_unsigned(low).map(Number::Int),
        (false, _) => None,
    };
    value
        .map(Value::Number)
        .ok_or_else(|| ConvError::invalid("bigint out of range: must fit in int64 or uint64"))
}

/// JS → [`Value`]. `depth` counts the containers above `v`.
fn to_value(ctx: &Ctx<'_>, v: Unknown<'_>, depth: usize) -> std::result::Result<Value, ConvError> {
    match v.get_type()? {
        ValueType::Null => Ok(Value::Null),
        ValueType::Boolean => Ok(Value::Bool(bool::from_unknown(v)?)),
        ValueType::Number => number_value(f64::from_unknown(v)?),
        ValueType::BigInt => bigint_value(&BigInt::from_unknown(v)?),
        ValueType::String => Ok(Value::String(String::from_unknown(v)?)),
        ValueType::Object => {
            if depth >= ctx.max_depth {
                return Err(ConvError::invalid(format!(
                    "nesting deeper than {} levels (or an object that contains itself)",
                    ctx.max_depth
                )));
            }
            if v.is_array()? {
                return seq_value(ctx, &Array::from_unknown(v)?, depth).map(Value::Seq);
            }
            let obj = Object::from_unknown(v)?;
            let proto = obj.get_prototype()?;
            let plain = proto.get_type()? == ValueType::Null
                || ctx.env.strict_equals(proto, ctx.object_prototype)?;
            if !plain {
                return Err(ConvError::invalid(format!(
                    "unsupported object {} (expected a plain object or an array)",
                    describe(&obj)?
                )));
            }
            map_value(ctx, &obj, depth)
        }
        other => Err(ConvError::invalid(format!(
            "unsupported type {} (expected null, boolean, number, bigint, string, array or \
             plain object)",
            js_type_name(other)
        ))),
    }
}

fn seq_value(
    ctx: &Ctx<'_>,
    arr: &Array<'_>,
    depth: usize,
) -> std::result::Result<Vec<Value>, ConvError> {
    let mut seq = Vec::with_capacity(arr.len() as usize);
    for i in 0..arr.len() {
        let item: Unknown<'_> = arr.get_element(i)?;
        let value = match item.get_type()? {
            ValueType::Undefined => Err(ConvError::invalid(
                "undefined is not allowed in an array (use null)",
            )),
            _ => to_value(ctx, item, depth + 1),
        };
        seq.push(value.map_err(|e| e.at(Step::Index(i)))?);
    }
    Ok(seq)
}

fn map_value(
    ctx: &Ctx<'_>,
    obj: &Object<'_>,
    depth: usize,
) -> std::result::Result<Value, ConvError> {
    let keys = obj.get_all_property_names(
        KeyCollectionMode::OwnOnly,
        KeyFilter::Enumerable,
        KeyConversion::NumbersToStrings,
    )?;
    let count = keys.get_array_length()?;
    let mut map = yaml::Map::with_capacity_and_hasher(count as usize, Default::default());
    for i in 0..count {
        let key: Unknown<'_> = keys.get_element(i)?;
        if key.get_type()? != ValueType::String {
            continue; // symbol keys are not data (JSON.stringify skips them too)
        }
        // Looked up by the JS string itself: a key may hold a NUL, which a C name cannot.
        let item: Unknown<'_> = obj.get_property(key)?;
        let key = String::from_unknown(key)?;
        if item.get_type()? == ValueType::Undefined {
            continue;
        }
        match to_value(ctx, item, depth + 1) {
            Ok(value) => {
                map.insert(key, value);
            }
            Err(e) => return Err(e.at(Step::Key(key))),
        }
    }
    Ok(Value::Map(map))
}

/// `Map`, `Date`, `Foo`... for an error message: the constructor's name when there is one.
/// (An exception from a `constructor` getter propagates like any other.)
fn describe(obj: &Object<'_>) -> Result<String> {
    let ctor: Unknown<'_> = obj.get_named_property("constructor")?;
    if ctor.get_type()? != ValueType::Function {
        return Ok("without a constructor".to_owned());
    }
    let name: Unknown<'_> = Object::from_unknown(ctor)?.get_named_property("name")?;
    let name = match name.get_type()? {
        ValueType::String => String::from_unknown(name)?,
        _ => String::new(),
    };
    Ok(match name.is_empty() {
        true => "of an anonymous class".to_owned(),
        false => name,
    })
}

fn js_type_name(t: ValueType) -> &'static str {
    match t {
        ValueType::Undefined => "undefined",
        ValueType::Function => "function",
        ValueType::Symbol => "symbol",
        ValueType::External => "external",
        _ => "unknown",
    }
}

/// "a string", "a non-array object", ... for an argument of the wrong type.
fn type_phrase(t: ValueType) -> &'static str {
    match t {
        ValueType::Object => "a non-array object",
        ValueType::Null => "null",
        ValueType::Boolean => "a boolean",
        ValueType::Number => "a number",
        ValueType::BigInt => "a bigint",
        ValueType::String => "a string",
        t => js_type_name(t),
    }
}

/// [`Value`] → JS.
fn to_js<'env>(env: &'env Env, value: &Value) -> Result<Unknown<'env>> {
    match value {
        Value::Null => Null.into_unknown(env),
        Value::Bool(b) => b.into_unknown(env),
        Value::Number(Number::Int(i)) if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(i) => {
            i.into_unknown(env)
        }
        Value::Number(Number::Int(i)) => BigInt::from(*i).into_unknown(env),
        Value::Number(Number::UInt(u)) => match i64::try_from(*u) {
            Ok(i) if i <= MAX_SAFE_INTEGER => i.into_unknown(env),
            _ => BigInt::from(*u).into_unknown(env),
        },
        Value::Number(Number::Float(f)) => f.into_unknown(env),
        Value::String(s) => s.as_str().into_unknown(env),
        Value::Seq(items) => {
            let len = u32::try_from(items.len())
                .map_err(|_| Error::from_reason("sequence too long for a JS array"))?;
            let mut arr = env.create_array(len)?;
            for (i, item) in (0..len).zip(items) {
                arr.set(i, to_js(env, item)?)?;
            }
            arr.into_unknown(env)
        }
        Value::Map(map) => {
            let mut obj = Object::new(env)?;
            // Defined, not assigned: a `__proto__` key becomes an own property, as in
            // `JSON.parse`, instead of reaching the prototype setter.
            let mut props = Vec::with_capacity(map.len());
            for (k, v) in map {
                props.push(
                    Property::new()
                        .with_name(env, k.as_str())?
                        .with_value(&to_js(env, v)?),
                );
            }
            obj.define_properties(&props)?;
            obj.into_unknown(env)
        }
    }
}

/// Parses a multi-document YAML stream the way kustomize reads resource files.
///
/// Empty and comment-only documents are skipped; scalars resolve as kustomize resolves
/// them (`0777` is 511, `yes` is the string `"yes"`). Integers beyond
/// `Number.MAX_SAFE_INTEGER` come back as `bigint`.
///
/// Throws an `Error` with `code` `'YAML_SYNTAX'`, `'YAML_DUPLICATE_KEY'`, ... and `kind`,
/// `line`, `column`, `reason` on malformed or unsupported input.
#[napi(ts_args_type = "text: string", ts_return_type = "Array<unknown>")]
pub fn parse_manifests<'env>(env: &'env Env, text: Unknown<'_>) -> Result<Unknown<'env>> {
    let text = match text.get_type()? {
        ValueType::String => String::from_unknown(text)?,
        other => {
            let message = format!("expected a string of YAML, got {}", type_phrase(other));
            return Err(ConvError::invalid(message).into_error(env));
        }
    };
    let docs = yaml::parse_kustomize_docs(&text).map_err(|e| yaml_error(env, e))?;
    to_js(env, &Value::Seq(docs))
}

/// Prints documents as kustomize prints them: keys sorted, strings quoted where YAML would
/// read them as something else, documents separated by `---`.
///
/// Throws a `TypeError` with `code` `'INVALID_VALUE'` and `path` for a value with no
/// YAML/JSON counterpart.
#[napi(ts_args_type = "objs: Array<Record<string, unknown>>")]
pub fn dump_manifests(env: &Env, objs: Unknown<'_>) -> Result<String> {
    let ctx = Ctx {
        env,
        object_prototype: Object::new(env)?.get_prototype()?,
        max_depth: ParseOptions::kustomize().max_depth,
    };
    let docs = match objs.get_type()? {
        ValueType::Object if objs.is_array()? => Array::from_unknown(objs)?,
        other => {
            let message = format!("expected an array of documents, got {}", type_phrase(other));
            return Err(ConvError::invalid(message).into_error(env));
        }
    };
    match seq_value(&ctx, &docs, 0) {
        Ok(docs) => Ok(yaml::dump_kustomize_docs(&docs)),
        Err(e) => Err(e.into_error(env)),
    }
}

// --- builds --------------------------------------------------------------------------------

/// Reads the options object of a build: `undefined`/`null` or a plain object whose fields
/// are checked one by one (`INVALID_VALUE` with `path` `options.NAME` otherwise).
struct OptionReader<'env> {
    env: &'env Env,
    obj: Option<Object<'env>>,
}

impl<'env> OptionReader<'env> {
    fn new(env: &'env Env, options: Option<Unknown<'env>>) -> Result<Self> {
        let obj = match options {
            None => None,
            Some(v) => match v.get_type()? {
                ValueType::Undefined | ValueType::Null => None,
                ValueType::Object if !v.is_array()? => Some(Object::from_unknown(v)?),
                other => {
                    let message =
                        format!("expected an options object, got {}", arg_type(&v, other)?);
                    return Err(invalid_value(env, "options", message));
                }
            },
        };
        Ok(OptionReader { env, obj })
    }

    /// The field's value, `None` when absent, `undefined` or `null`.
    fn get(&self, name: &str) -> Result<Option<Unknown<'env>>> {
        let Some(obj) = &self.obj else {
            return Ok(None);
        };
        let v: Unknown<'env> = obj.get_named_property(name)?;
        Ok(match v.get_type()? {
            ValueType::Undefined | ValueType::Null => None,
            _ => Some(v),
        })
    }

    fn wrong(&self, path: &str, expected: &str, v: &Unknown<'_>, t: ValueType) -> Result<Error> {
        let message = format!("expected {expected}, got {}", arg_type(v, t)?);
        Ok(invalid_value(self.env, path, message))
    }

    fn string(&self, name: &str) -> Result<Option<String>> {
        let Some(v) = self.get(name)? else {
            return Ok(None);
        };
        match v.get_type()? {
            ValueType::String => Ok(Some(String::from_unknown(v)?)),
            t => Err(self.wrong(&format!("options.{name}"), "a string", &v, t)?),
        }
    }

    fn boolean(&self, name: &str) -> Result<bool> {
        let Some(v) = self.get(name)? else {
            return Ok(false);
        };
        match v.get_type()? {
            ValueType::Boolean => bool::from_unknown(v),
            t => Err(self.wrong(&format!("options.{name}"), "a boolean", &v, t)?),
        }
    }

    fn strings(&self, name: &str) -> Result<Vec<String>> {
        let Some(v) = self.get(name)? else {
            return Ok(Vec::new());
        };
        let t = v.get_type()?;
        if t != ValueType::Object || !v.is_array()? {
            return Err(self.wrong(&format!("options.{name}"), "an array of strings", &v, t)?);
        }
        let arr = Array::from_unknown(v)?;
        let mut out = Vec::with_capacity(arr.len() as usize);
        for i in 0..arr.len() {
            let item: Unknown<'_> = arr.get_element(i)?;
            match item.get_type()? {
                ValueType::String => out.push(String::from_unknown(item)?),
                t => {
                    return Err(self.wrong(
                        &format!("options.{name}[{i}]"),
                        "a string",
                        &item,
                        t,
                    )?);
                }
            }
        }
        Ok(out)
    }

    /// A boolean option with a default.
    fn boolean_or(&self, name: &str, default: bool) -> Result<bool> {
        match self.get(name)? {
            None => Ok(default),
            Some(_) => self.boolean(name),
        }
    }

    fn number(&self, name: &str) -> Result<Option<f64>> {
        let Some(v) = self.get(name)? else {
            return Ok(None);
        };
        match v.get_type()? {
            ValueType::Number => Ok(Some(f64::from_unknown(v)?)),
            t => Err(self.wrong(&format!("options.{name}"), "a number", &v, t)?),
        }
    }
}

/// "a number", "an array", ... for an argument of the wrong type.
fn arg_type(v: &Unknown<'_>, t: ValueType) -> Result<&'static str> {
    Ok(match t {
        ValueType::Object if v.is_array()? => "an array",
        ValueType::Object => "an object",
        ValueType::Undefined => "undefined",
        t => type_phrase(t),
    })
}

/// The path argument of a build, which must be a string.
fn path_arg(env: &Env, path: Unknown<'_>, what: &str) -> Result<String> {
    match path.get_type()? {
        ValueType::String => String::from_unknown(path),
        t => {
            let message = format!("expected {what} path string, got {}", arg_type(&path, t)?);
            Err(invalid_value(env, "", message))
        }
    }
}

/// `path` as the CLI hands it to the core: canonicalised, then relative to a `DirTree` at
/// `/`. Failures are worded `PATH: reason`, as the CLI words them.
fn tree_and_path(path: &str) -> std::result::Result<(DirTree, RelPath), String> {
    let dir = std::fs::canonicalize(path).map_err(|e| format!("{path}: {e}"))?;
    let tree = DirTree::new("/").map_err(|e| e.to_string())?;
    let rel = dir
        .to_str()
        .ok_or_else(|| format!("{path}: path is not valid UTF-8"))?;
    let rel = RelPath::new(rel.trim_start_matches('/')).map_err(|e| e.to_string())?;
    Ok((tree, rel))
}

/// Options of `kustomizeBuild` / `kustomizeBuildSync`: the flags of `kubectl kustomize`.
/// (This declares the TypeScript interface; the addon reads the object field by field.)
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct KustomizeOptions {
    /// `--load-restrictor`: `'LoadRestrictionsRootOnly'` (default) or
    /// `'LoadRestrictionsNone'`.
    #[napi(ts_type = "'LoadRestrictionsRootOnly' | 'LoadRestrictionsNone'")]
    pub load_restrictor: Option<String>,
    /// `--reorder`: `'legacy'` or `'none'` (unset: kustomize's default).
    #[napi(ts_type = "'legacy' | 'none'")]
    pub reorder: Option<String>,
    /// `--enable-managedby-label`.
    pub enable_managedby_label: Option<bool>,
    /// `--enable-helm`.
    pub enable_helm: Option<bool>,
}

/// What a kustomize build returns.
#[napi(object, object_from_js = false)]
pub struct KustomizeResult<'env> {
    /// The YAML stream, exactly what `kubectl kustomize` prints.
    pub yaml: String,
    /// The resources in output order, as `parseManifests` returns them.
    #[napi(ts_type = "Array<Record<string, unknown>>")]
    pub objects: Unknown<'env>,
    /// The warnings kustomize prints on stderr (deprecated fields, ...).
    pub warnings: Vec<String>,
}

fn kustomize_options(env: &Env, options: Option<Unknown<'_>>) -> Result<kustomize::Options> {
    use kustomize::{LoadRestrictor, Options, Reorder};
    let r = OptionReader::new(env, options)?;
    let restrictor = match r.string("loadRestrictor")?.as_deref() {
        None | Some("LoadRestrictionsRootOnly") => LoadRestrictor::RootOnly,
        Some("LoadRestrictionsNone") => LoadRestrictor::None,
        Some(other) => {
            let message = format!(
                "illegal value {other:?}: expected 'LoadRestrictionsRootOnly' or \
                 'LoadRestrictionsNone'"
            );
            return Err(invalid_value(env, "options.loadRestrictor", message));
        }
    };
    let reorder = match r.string("reorder")?.as_deref() {
        None => Reorder::Unspecified,
        Some("legacy") => Reorder::Legacy,
        Some("none") => Reorder::None,
        Some(other) => {
            let message = format!("illegal value {other:?}: expected 'legacy' or 'none'");
            return Err(invalid_value(env, "options.reorder", message));
        }
    };
    Ok(Options::default()
        .with_load_restrictor(restrictor)
        .with_reorder(reorder)
        .with_managed_by_label(r.boolean("enableManagedbyLabel")?)
        .with_helm(r.boolean("enableHelm")?))
}

/// The build itself (no JS involved: runs on any thread).
fn run_kustomize(
    path: &str,
    opts: &kustomize::Options,
) -> std::result::Result<(kustomize::BuildOutput, String), kustomize::Error> {
    let (tree, rel) = tree_and_path(path).map_err(|message| kustomize::Error {
        kind: kustomize::ErrorKind::Load,
        message,
    })?;
    // Remote bases, files and charts are fetched as the CLI fetches them.
    let remote =
        gitward::io::kustomize_remote::RemoteOptions::from_env().map_err(|e| kustomize::Error {
            kind: kustomize::ErrorKind::Load,
            message: e.to_string(),
        })?;
    let opts = opts.clone().with_fetcher(std::sync::Arc::new(
        gitward::io::kustomize_remote::RemoteFetcher::new(remote),
    ));
    let built = on_build_stack(move || {
        let out = kustomize::build(&tree, &rel, &opts)?;
        let text = out.to_yaml();
        Ok((out, text))
    });
    built.unwrap_or_else(|e| {
        Err(kustomize::Error {
            kind: kustomize::ErrorKind::Load,
            message: format!("starting the build: {e}"),
        })
    })
}

/// The build's outcome as JS: a [`KustomizeResult`] or a `KUSTOMIZE_BUILD` error.
fn kustomize_outcome<'env>(
    env: &'env Env,
    path: &str,
    outcome: std::result::Result<(kustomize::BuildOutput, String), kustomize::Error>,
) -> Result<KustomizeResult<'env>> {
    match outcome {
        Ok((out, yaml)) => Ok(KustomizeResult {
            yaml,
            objects: to_js(env, &Value::Seq(out.resources))?,
            warnings: out.warnings,
        }),
        Err(e) => {
            let js = JsError::from(Error::new("KUSTOMIZE_BUILD", e.message)).into_unknown(*env);
            let build = || -> Result<Error> {
                Ok(throwable(
                    Object::from_unknown(js)?,
                    &[
                        ("kind", kind_name(e.kind).into_unknown(env)?),
                        ("path", path.into_unknown(env)?),
                    ],
                ))
            };
            Err(build().unwrap_or_else(|e| e))
        }
    }
}

/// Builds the kustomization in directory `path`, as `kubectl kustomize PATH` does, and
/// blocks until it is done.
///
/// Throws an `Error` with `code` `'KUSTOMIZE_BUILD'`, `kind` (`'load'`, `'cycle'`,
/// `'missing_kustomization'`, ...) and `path` when the build fails, and a `TypeError` with
/// `code` `'INVALID_VALUE'` for a bad argument or option.
#[napi(
    ts_args_type = "path: string, options?: KustomizeOptions | undefined | null",
    ts_return_type = "KustomizeResult"
)]
pub fn kustomize_build_sync<'env>(
    env: &'env Env,
    path: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<KustomizeResult<'env>> {
    let path = path_arg(env, path, "a directory")?;
    let opts = kustomize_options(env, options)?;
    kustomize_outcome(env, &path, run_kustomize(&path, &opts))
}

/// A kustomize build on the libuv thread pool.
pub struct KustomizeTask {
    path: String,
    opts: kustomize::Options,
}

impl<'task> ScopedTask<'task> for KustomizeTask {
    type Output = std::result::Result<(kustomize::BuildOutput, String), kustomize::Error>;
    type JsValue = KustomizeResult<'task>;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(run_kustomize(&self.path, &self.opts))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        kustomize_outcome(env, &self.path, output)
    }
}

/// Builds the kustomization in directory `path` on the libuv thread pool, as
/// `kubectl kustomize PATH` does.
///
/// The Promise rejects with an `Error` with `code` `'KUSTOMIZE_BUILD'`, `kind` and `path`
/// when the build fails; a bad argument or option throws a `TypeError` (`'INVALID_VALUE'`)
/// at once.
#[napi(
    ts_args_type = "path: string, options?: KustomizeOptions | undefined | null",
    ts_return_type = "Promise<KustomizeResult>"
)]
pub fn kustomize_build(
    env: &Env,
    path: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<AsyncTask<KustomizeTask>> {
    let path = path_arg(env, path, "a directory")?;
    let opts = kustomize_options(env, options)?;
    Ok(AsyncTask::new(KustomizeTask { path, opts }))
}

/// Options of `helmTemplate` / `helmTemplateSync`: the flags of `helm template`.
/// (This declares the TypeScript interface; the addon reads the object field by field.)
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct HelmTemplateOptions {
    /// The release name (default `'release-name'`).
    pub release: Option<String>,
    /// `--namespace` (default `'default'`).
    pub namespace: Option<String>,
    /// `-f/--values`: files read in order (paths relative to the working directory).
    pub values: Option<Vec<String>>,
    /// `--set`.
    pub set: Option<Vec<String>>,
    /// `--set-string`.
    pub set_string: Option<Vec<String>>,
    /// `--set-json`.
    pub set_json: Option<Vec<String>>,
    /// `--set-file` (`key=path`).
    pub set_file: Option<Vec<String>>,
    /// `--set-literal`.
    pub set_literal: Option<Vec<String>>,
    /// `--kube-version` (default: Helm's, v1.35.0).
    pub kube_version: Option<String>,
    /// `--api-versions` (added to Helm's default list).
    pub api_versions: Option<Vec<String>>,
    /// `--include-crds`.
    pub include_crds: Option<bool>,
    /// `--is-upgrade`.
    pub is_upgrade: Option<bool>,
    /// `--skip-tests`.
    pub skip_tests: Option<bool>,
    /// `--no-hooks`.
    pub no_hooks: Option<bool>,
    /// `--skip-schema-validation`.
    pub skip_schema_validation: Option<bool>,
    /// `--show-only` patterns (chart-relative template paths).
    pub show_only: Option<Vec<String>>,
}

fn helm_args(
    env: &Env,
    chart: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<gitward::io::system::HelmTemplateArgs> {
    let chart = path_arg(env, chart, "a chart")?;
    let r = OptionReader::new(env, options)?;
    Ok(gitward::io::system::HelmTemplateArgs {
        chart,
        release: r
            .string("release")?
            .unwrap_or_else(|| "release-name".into()),
        namespace: r.string("namespace")?.unwrap_or_else(|| "default".into()),
        values: r.strings("values")?,
        user: helm::UserValues {
            set: r.strings("set")?,
            set_string: r.strings("setString")?,
            set_json: r.strings("setJson")?,
            set_file: r.strings("setFile")?,
            set_literal: r.strings("setLiteral")?,
            ..Default::default()
        },
        kube_version: r.string("kubeVersion")?,
        api_versions: r.strings("apiVersions")?,
        include_crds: r.boolean("includeCrds")?,
        is_upgrade: r.boolean("isUpgrade")?,
        skip_tests: r.boolean("skipTests")?,
        no_hooks: r.boolean("noHooks")?,
        skip_schema_validation: r.boolean("skipSchemaValidation")?,
        show_only: r.strings("showOnly")?,
    })
}

/// Stack for builds (see `gitward::helm`: about 16 KiB per nested template `include`,
/// Helm allows 1000 levels; kustomize renders `helmCharts` with the same engine). Only
/// reserved address space until used.
const BUILD_STACK: usize = 512 << 20;

/// Runs `f` on a thread of its own with [`BUILD_STACK`], as the CLI runs the renderer
/// (neither the JS thread nor libuv's pool threads have a stack that large).
fn on_build_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> std::io::Result<T> {
    let worker = std::thread::Builder::new()
        .name("gitward-build".into())
        .stack_size(BUILD_STACK)
        .spawn(f)?;
    match worker.join() {
        Ok(out) => Ok(out),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// The render's outcome as JS: the text or a `HELM_TEMPLATE` error.
fn helm_outcome(env: &Env, outcome: std::result::Result<String, helm::Error>) -> Result<String> {
    let e = match outcome {
        Ok(text) => return Ok(text),
        Err(e) => e,
    };
    let js = JsError::from(Error::new("HELM_TEMPLATE", e.helm_text())).into_unknown(*env);
    let opt = |s: &Option<String>| -> Result<Unknown<'_>> {
        match s {
            Some(s) => s.as_str().into_unknown(env),
            None => Null.into_unknown(env),
        }
    };
    let build = || -> Result<Error> {
        Ok(throwable(
            Object::from_unknown(js)?,
            &[
                ("kind", kind_name(e.kind).into_unknown(env)?),
                ("chart", opt(&e.chart)?),
                ("file", opt(&e.file)?),
            ],
        ))
    };
    Err(build().unwrap_or_else(|e| e))
}

/// Renders a chart (a directory or a packaged `.tgz`) as `helm template` does and returns
/// what it prints, blocking until it is done.
///
/// Templates see the real clock and the system's randomness, as in Helm. Throws an `Error` with `code` `'HELM_TEMPLATE'`, `kind` (`'template'`,
/// `'values'`, `'release_name'`, ...), `chart` and `file` (`null` when unknown), and a
/// `TypeError` with `code` `'INVALID_VALUE'` for a bad argument or option.
#[napi(ts_args_type = "chart: string, options?: HelmTemplateOptions | undefined | null")]
pub fn helm_template_sync(
    env: &Env,
    chart: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<String> {
    let args = helm_args(env, chart, options)?;
    helm_outcome(env, gitward::io::system::helm_template(args))
}

/// A chart render on the libuv thread pool.
pub struct HelmTask {
    args: gitward::io::system::HelmTemplateArgs,
}

impl<'task> ScopedTask<'task> for HelmTask {
    type Output = std::result::Result<String, helm::Error>;
    type JsValue = String;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(gitward::io::system::helm_template(std::mem::take(
            &mut self.args,
        )))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        helm_outcome(env, output)
    }
}

/// Renders a chart on the libuv thread pool, as `helm template` does.
///
/// The Promise rejects with an `Error` with `code` `'HELM_TEMPLATE'`, `kind`, `chart` and
/// `file` when the chart cannot be rendered; a bad argument or option throws a `TypeError`
/// (`'INVALID_VALUE'`) at once.
#[napi(
    ts_args_type = "chart: string, options?: HelmTemplateOptions | undefined | null",
    ts_return_type = "Promise<string>"
)]
pub fn helm_template(
    env: &Env,
    chart: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<AsyncTask<HelmTask>> {
    let args = helm_args(env, chart, options)?;
    Ok(AsyncTask::new(HelmTask { args }))
}

// --- health --------------------------------------------------------------------------------

/// kstatus' verdict on one object.
#[napi(object)]
pub struct HealthResult {
    /// `'Current'`, `'InProgress'`, `'Failed'` or `'Terminating'`.
    #[napi(
        ts_type = "'Current' | 'InProgress' | 'Failed' | 'Terminating' | 'NotFound' | 'Unknown'"
    )]
    pub status: String,
    /// kstatus' message.
    pub message: String,
}

/// The object as a [`Value`] (`INVALID_VALUE` for JS data with no JSON counterpart).
fn health_object(env: &Env, obj: Unknown<'_>) -> Result<Value> {
    let ctx = Ctx {
        env,
        object_prototype: Object::new(env)?.get_prototype()?,
        max_depth: ParseOptions::kustomize().max_depth,
    };
    to_value(&ctx, obj, 0).map_err(|e| e.into_error(env))
}

fn run_health(obj: &Value) -> std::result::Result<HealthResult, gitward::health::HealthError> {
    let opts = gitward::health::Options::default().with_now(gitward::io::system::now());
    gitward::health::status_with(obj, &opts).map(|r| HealthResult {
        status: r.status.as_str().to_string(),
        message: r.message,
    })
}

fn health_outcome(
    env: &Env,
    outcome: std::result::Result<HealthResult, gitward::health::HealthError>,
) -> Result<HealthResult> {
    outcome.map_err(|e| {
        let js = JsError::from(Error::new("HEALTH", e.to_string())).into_unknown(*env);
        let build = || -> Result<Error> {
            Ok(throwable(
                Object::from_unknown(js)?,
                &[("kind", kind_name(e.kind()).into_unknown(env)?)],
            ))
        };
        build().unwrap_or_else(|e| e)
    })
}

/// The health of one Kubernetes object as kstatus (v0.37.2) computes it, the way Flux waits
/// for what it applied, with the machine's clock.
///
/// The object is a plain object as `parseManifests` returns it (integers stay integers: a
/// fractional `metadata.generation` is an error, as in kstatus). Throws an `Error` with
/// `code` `'HEALTH'` and `kind` where kstatus returns an error, and a `TypeError` with
/// `code` `'INVALID_VALUE'` for a value with no JSON counterpart.
#[napi(ts_args_type = "obj: Record<string, unknown>")]
pub fn health_sync(env: &Env, obj: Unknown<'_>) -> Result<HealthResult> {
    let value = health_object(env, obj)?;
    health_outcome(env, run_health(&value))
}

/// A health computation on the libuv thread pool.
pub struct HealthTask {
    obj: Value,
}

impl<'task> ScopedTask<'task> for HealthTask {
    type Output = std::result::Result<HealthResult, gitward::health::HealthError>;
    type JsValue = HealthResult;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(run_health(&self.obj))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        health_outcome(env, output)
    }
}

/// `healthSync` on the libuv thread pool: the Promise rejects with a `'HEALTH'` error.
#[napi(
    ts_args_type = "obj: Record<string, unknown>",
    ts_return_type = "Promise<HealthResult>"
)]
pub fn health(env: &Env, obj: Unknown<'_>) -> Result<AsyncTask<HealthTask>> {
    let obj = health_object(env, obj)?;
    Ok(AsyncTask::new(HealthTask { obj }))
}

// ---------------------------------------------------------------------------------------
// Sources: Helm repositories and OCI registries.

/// Credentials and TLS options shared by `fetchHelmChart` and `fetchOci`, read from the
/// options object.
fn auth_request(r: &OptionReader<'_>) -> Result<gitward::io::source::AuthRequest> {
    Ok(gitward::io::source::AuthRequest {
        username: r.string("username")?,
        password: r.string("password")?,
        ca_file: r.string("caFile")?.map(Into::into),
        cert_file: r.string("certFile")?.map(Into::into),
        key_file: r.string("keyFile")?.map(Into::into),
        registry_config: r.string("registryConfig")?.map(Into::into),
        insecure: r.boolean("insecure")?,
    })
}

/// Options of `fetchHelmChart` / `fetchHelmChartSync`: Helm's flags.
/// (This declares the TypeScript interface; the addon reads the object field by field.)
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct FetchHelmChartOptions {
    /// A version or range (default: the latest stable version).
    pub version: Option<String>,
    /// Directory to write `CHART-VERSION.tgz` into (default: a new temporary directory).
    pub output: Option<String>,
    /// Basic auth user.
    pub username: Option<String>,
    /// Basic auth password.
    pub password: Option<String>,
    /// CA certificates (PEM file) trusted in addition to the system's.
    pub ca_file: Option<String>,
    /// Client certificate (PEM file).
    pub cert_file: Option<String>,
    /// Client key (PEM file).
    pub key_file: Option<String>,
    /// A Docker config JSON with registry credentials (for `oci://` repositories).
    pub registry_config: Option<String>,
    /// Plain HTTP to OCI registries.
    pub insecure: Option<bool>,
    /// Send the credentials to every host the index points at.
    pub pass_credentials: Option<bool>,
    /// Keep the index here and revalidate it next time.
    pub cache_dir: Option<String>,
}

/// Options of `fetchOci` / `fetchOciSync`: Flux's `OCIRepository` reference and layer
/// selector, and Helm's credential flags.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct FetchOciOptions {
    /// Pull this tag (at most one of `tag`, `semver`, `digest`; default `latest`).
    pub tag: Option<String>,
    /// Pull the highest tag satisfying this range.
    pub semver: Option<String>,
    /// Pull this manifest digest.
    pub digest: Option<String>,
    /// The media type of the layer to use (default: the first layer).
    pub layer_media_type: Option<String>,
    /// `'extract'` (default) or `'copy'`.
    #[napi(ts_type = "'extract' | 'copy'")]
    pub layer_operation: Option<String>,
    /// Directory to write into (default: a new temporary directory).
    pub output: Option<String>,
    /// Basic auth user.
    pub username: Option<String>,
    /// Basic auth password.
    pub password: Option<String>,
    /// CA certificates (PEM file) trusted in addition to the system's.
    pub ca_file: Option<String>,
    /// Client certificate (PEM file).
    pub cert_file: Option<String>,
    /// Client key (PEM file).
    pub key_file: Option<String>,
    /// A Docker config JSON with registry credentials.
    pub registry_config: Option<String>,
    /// Plain HTTP.
    pub insecure: Option<bool>,
    /// `spec.ignore`: rules (`.sourceignore` syntax) applied when an extracted layer is
    /// archived for Flux's digest.
    pub ignore: Option<String>,
}

/// What a fetch returns.
#[napi(object, object_from_js = false)]
pub struct FetchResult {
    /// Flux's revision: a chart's version; `TAG@sha256:...` for an OCI artifact.
    pub revision: String,
    /// Flux's artifact digest, `sha256:<hex>`.
    pub digest: String,
    /// The file or directory written.
    pub path: String,
    /// Where it came from, without user information.
    pub url: String,
    /// What Helm or Flux would have warned about.
    pub warnings: Vec<String>,
}

fn helm_request(
    env: &Env,
    repo_url: Unknown<'_>,
    chart: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<gitward::io::source::HelmChartRequest> {
    let repo_url = string_arg(env, repo_url, "a repository URL")?;
    let chart = string_arg(env, chart, "a chart name")?;
    let r = OptionReader::new(env, options)?;
    Ok(gitward::io::source::HelmChartRequest {
        repo_url,
        chart,
        version: r.string("version")?,
        output: r.string("output")?.map(Into::into),
        auth: auth_request(&r)?,
        pass_credentials: r.boolean("passCredentials")?,
        cache_dir: r.string("cacheDir")?.map(Into::into),
    })
}

fn oci_request(
    env: &Env,
    url: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<gitward::io::source::OciRequest> {
    use gitward::io::source::OciRequest;
    let url = string_arg(env, url, "an oci:// URL")?;
    let r = OptionReader::new(env, options)?;
    let digest = r.string("digest")?;
    let reference =
        OciRequest::reference_from(r.string("tag")?, r.string("semver")?, digest.as_deref())
            .map_err(|e| invalid_value(env, "options", e.message))?;
    let operation = r.string("layerOperation")?;
    let layer = OciRequest::layer_from(r.string("layerMediaType")?, operation.as_deref())
        .map_err(|e| invalid_value(env, "options.layerOperation", e.message))?;
    Ok(OciRequest {
        url,
        reference,
        layer,
        output: r.string("output")?.map(Into::into),
        auth: auth_request(&r)?,
        ignore: r.string("ignore")?,
    })
}

fn string_arg(env: &Env, v: Unknown<'_>, what: &str) -> Result<String> {
    match v.get_type()? {
        ValueType::String => String::from_unknown(v),
        t => {
            let message = format!("expected {what} string, got {}", arg_type(&v, t)?);
            Err(invalid_value(env, "", message))
        }
    }
}

type FetchOutcome =
    std::result::Result<gitward::io::source::FetchedSource, gitward::io::http::FetchError>;

/// The fetch's outcome as JS: a [`FetchResult`] or an `Error` with `code` `SOURCE_<KIND>`,
/// `kind` and `url` (never a credential).
fn fetch_outcome(env: &Env, outcome: FetchOutcome) -> Result<FetchResult> {
    match outcome {
        Ok(f) => Ok(FetchResult {
            revision: f.revision,
            digest: f.digest.to_string(),
            path: f.path.to_string_lossy().into_owned(),
            url: f.url,
            warnings: f.warnings,
        }),
        Err(e) => {
            let kind = kind_name(e.kind);
            let code = format!("SOURCE_{}", kind.to_ascii_uppercase());
            let js = JsError::from(Error::new(code, e.message.clone())).into_unknown(*env);
            let build = || -> Result<Error> {
                let url = match &e.url {
                    Some(u) => u.as_str().into_unknown(env)?,
                    None => Null.into_unknown(env)?,
                };
                Ok(throwable(
                    Object::from_unknown(js)?,
                    &[("kind", kind.as_str().into_unknown(env)?), ("url", url)],
                ))
            };
            Err(build().unwrap_or_else(|e| e))
        }
    }
}

/// Fetches a chart from a Helm repository (`http(s)://` or `oci://`) as a Flux `HelmChart`
/// does, writes `CHART-VERSION.tgz` under `options.output` (a new temporary directory by
/// default) and returns its revision (the chart version), digest and path, blocking until
/// done.
///
/// Throws an `Error` with `code` `'SOURCE_AUTH'`, `'SOURCE_NOT_FOUND'`,
/// `'SOURCE_NETWORK'`, `'SOURCE_DIGEST'`, `'SOURCE_INVALID'`, `'SOURCE_LIMIT'` or
/// `'SOURCE_IO'`, with `kind` and `url` (never a credential), and a `TypeError`
/// (`'INVALID_VALUE'`) for a bad argument or option.
#[napi(
    ts_args_type = "repoUrl: string, chart: string, options?: FetchHelmChartOptions | undefined | null",
    ts_return_type = "FetchResult"
)]
pub fn fetch_helm_chart_sync(
    env: &Env,
    repo_url: Unknown<'_>,
    chart: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<FetchResult> {
    let req = helm_request(env, repo_url, chart, options)?;
    fetch_outcome(env, gitward::io::source::fetch_helm_chart_sync(&req))
}

/// A chart fetch on the libuv thread pool.
pub struct FetchHelmTask {
    req: gitward::io::source::HelmChartRequest,
}

impl<'task> ScopedTask<'task> for FetchHelmTask {
    type Output = FetchOutcome;
    type JsValue = FetchResult;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(gitward::io::source::fetch_helm_chart_sync(&self.req))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        fetch_outcome(env, output)
    }
}

/// Fetches a chart on the libuv thread pool, as `fetchHelmChartSync` does.
///
/// The Promise rejects with an `Error` with `code` `'SOURCE_<KIND>'`, `kind` and `url`; a
/// bad argument or option throws a `TypeError` (`'INVALID_VALUE'`) at once.
#[napi(
    ts_args_type = "repoUrl: string, chart: string, options?: FetchHelmChartOptions | undefined | null",
    ts_return_type = "Promise<FetchResult>"
)]
pub fn fetch_helm_chart(
    env: &Env,
    repo_url: Unknown<'_>,
    chart: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<AsyncTask<FetchHelmTask>> {
    let req = helm_request(env, repo_url, chart, options)?;
    Ok(AsyncTask::new(FetchHelmTask { req }))
}

/// Pulls an artifact from an OCI registry as a Flux `OCIRepository` does (`url` is
/// `oci://REGISTRY/REPOSITORY`), writes it under `options.output` (extracted files, or
/// the layer as `<digest>.tgz` for `'copy'`; a new temporary directory by default) and
/// returns its revision (`TAG@sha256:...`), digest and path, blocking until done.
///
/// Throws as `fetchHelmChartSync`.
#[napi(
    ts_args_type = "url: string, options?: FetchOciOptions | undefined | null",
    ts_return_type = "FetchResult"
)]
pub fn fetch_oci_sync(
    env: &Env,
    url: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<FetchResult> {
    let req = oci_request(env, url, options)?;
    fetch_outcome(env, gitward::io::source::fetch_oci_sync(&req))
}

/// An artifact pull on the libuv thread pool.
pub struct FetchOciTask {
    req: gitward::io::source::OciRequest,
}

impl<'task> ScopedTask<'task> for FetchOciTask {
    type Output = FetchOutcome;
    type JsValue = FetchResult;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(gitward::io::source::fetch_oci_sync(&self.req))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        fetch_outcome(env, output)
    }
}

/// Pulls an artifact on the libuv thread pool, as `fetchOciSync` does.
///
/// The Promise rejects with an `Error` with `code` `'SOURCE_<KIND>'`, `kind` and `url`; a
/// bad argument or option throws a `TypeError` (`'INVALID_VALUE'`) at once.
#[napi(
    ts_args_type = "url: string, options?: FetchOciOptions | undefined | null",
    ts_return_type = "Promise<FetchResult>"
)]
pub fn fetch_oci(
    env: &Env,
    url: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<AsyncTask<FetchOciTask>> {
    let req = oci_request(env, url, options)?;
    Ok(AsyncTask::new(FetchOciTask { req }))
}

/// Options of `fetchGit` / `fetchGitSync`: a GitRepository's spec. Credentials are values
/// (PEM text for keys and certificates), never echoed in errors.
/// (This declares the TypeScript interface; the addon reads the object field by field.)
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct GitFetchOptions {
    /// `spec.ref.branch` (with `commit`: the branch it is on).
    pub branch: Option<String>,
    /// `spec.ref.tag`.
    pub tag: Option<String>,
    /// `spec.ref.semver`: a semver range over the tags.
    pub semver: Option<String>,
    /// `spec.ref.name`: a full reference name, e.g. `refs/pull/1/head`.
    pub ref_name: Option<String>,
    /// `spec.ref.commit`: a full commit id.
    pub commit: Option<String>,
    /// HTTP(S) basic-auth user.
    pub username: Option<String>,
    /// HTTP(S) basic-auth password.
    pub password: Option<String>,
    /// HTTP(S) bearer token.
    pub bearer_token: Option<String>,
    /// CA certificates (PEM) trusted for HTTPS, in addition to the system's.
    pub ca_pem: Option<String>,
    /// Client certificate (PEM) for HTTPS.
    pub cert_pem: Option<String>,
    /// The client certificate's key (PEM).
    pub key_pem: Option<String>,
    /// ssh private key (PEM or OpenSSH format).
    pub ssh_key: Option<String>,
    /// Passphrase of the ssh key.
    pub ssh_passphrase: Option<String>,
    /// `known_hosts` text; an ssh host not listed with its key is refused.
    pub known_hosts: Option<String>,
    /// Accept any ssh host key (explicit opt-out).
    pub insecure_skip_host_key_check: Option<bool>,
    /// `spec.recurseSubmodules`.
    pub recurse_submodules: Option<bool>,
    /// `spec.sparseCheckout`: directories to check out.
    pub sparse_checkout: Option<Vec<String>>,
    /// `spec.verify.mode`.
    #[napi(ts_type = "'HEAD' | 'Tag' | 'TagAndHEAD'")]
    pub verify_mode: Option<String>,
    /// Armored OpenPGP public keys trusted for signatures.
    pub verify_pgp_keys: Option<Vec<String>>,
    /// `authorized_keys` texts trusted for SSH signatures.
    pub verify_ssh_keys: Option<Vec<String>>,
    /// The last revision fetched: a remote still there is not fetched again.
    pub last_revision: Option<String>,
    /// Fetch one commit deep (default `true`).
    pub shallow: Option<bool>,
    /// Give up after this many seconds (default 60).
    pub timeout: Option<f64>,
    /// `spec.ignore`: rules (`.sourceignore` syntax) for the artifact whose digest is
    /// returned, applied after the repository's `.sourceignore` files.
    pub ignore: Option<String>,
}

/// A verified signature.
#[napi(object)]
pub struct GitVerified {
    /// `commit '<id>'` or `tag '<name>@<id>'`.
    pub object: String,
    /// The signer: an OpenPGP key id or an SSH key fingerprint (`SHA256:...`).
    pub key: String,
}

/// What `fetchGit` / `fetchGitSync` return.
#[napi(object)]
pub struct GitFetchResult {
    /// The revision as Flux prints it, e.g. `main@sha1:<40 hex>`.
    pub revision: String,
    /// The remote still resolves to `lastRevision`: nothing was fetched.
    pub unchanged: bool,
    /// The commit checked out (absent when unchanged).
    pub commit: Option<String>,
    /// The checkout directory, files only (absent when unchanged).
    pub path: Option<String>,
    /// The digest `sha256:...` of the artifact source-controller would store for the
    /// checkout (absent when unchanged).
    pub digest: Option<String>,
    /// The verified signatures.
    pub verified: Vec<GitVerified>,
}

/// What a Git fetch needs, read from JS.
pub struct GitFetch {
    source: gitward::io::git::GitSource,
    dest: String,
    opts: gitward::io::git::FetchOptions,
    ignore: Option<String>,
}

fn git_fetch_args(
    env: &Env,
    url: Unknown<'_>,
    dest: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<GitFetch> {
    use gitward::io::git::{Auth, FetchOptions, GitSource, Secret, Verification};
    use gitward::source::git::signature::VerificationKeys;
    use gitward::source::git::{GitRef, VerifyMode};
    let url = match url.get_type()? {
        ValueType::String => String::from_unknown(url)?,
        t => {
            let message = format!("expected a URL string, got {}", arg_type(&url, t)?);
            return Err(invalid_value(env, "", message));
        }
    };
    let dest = path_arg(env, dest, "a destination")?;
    let r = OptionReader::new(env, options)?;
    let mut reference = GitRef::default();
    reference.branch = r.string("branch")?;
    reference.tag = r.string("tag")?;
    reference.semver = r.string("semver")?;
    reference.name = r.string("refName")?;
    reference.commit = r.string("commit")?;
    let mut auth = Auth::default();
    auth.username = r.string("username")?;
    auth.password = r.string("password")?.map(Secret::from);
    auth.bearer_token = r.string("bearerToken")?.map(Secret::from);
    auth.ca_pem = r.string("caPem")?.map(String::into_bytes);
    auth.client_cert_pem = r.string("certPem")?.map(String::into_bytes);
    auth.client_key_pem = r.string("keyPem")?.map(Secret::from);
    auth.ssh_key_pem = r.string("sshKey")?.map(Secret::from);
    auth.ssh_passphrase = r.string("sshPassphrase")?.map(Secret::from);
    auth.known_hosts = r.string("knownHosts")?;
    auth.insecure_skip_host_key_check = r.boolean("insecureSkipHostKeyCheck")?;
    let mut source = GitSource::new(url, reference);
    source.auth = auth;
    source.recurse_submodules = r.boolean("recurseSubmodules")?;
    source.sparse_checkout = r.strings("sparseCheckout")?;
    if let Some(mode) = r.string("verifyMode")? {
        let mode =
            VerifyMode::parse(&mode).map_err(|m| invalid_value(env, "options.verifyMode", m))?;
        let mut keys = VerificationKeys::default();
        keys.pgp = r.strings("verifyPgpKeys")?;
        keys.ssh = r.strings("verifySshKeys")?;
        source.verify = Some(Verification::new(mode, keys));
    }
    let mut opts = FetchOptions::default();
    opts.last_revision = r.string("lastRevision")?;
    opts.shallow = r.boolean_or("shallow", true)?;
    if let Some(t) = r.number("timeout")? {
        if !(t.is_finite() && t > 0.0) {
            return Err(invalid_value(
                env,
                "options.timeout",
                "expected a positive number of seconds".into(),
            ));
        }
        opts.timeout = Some(std::time::Duration::from_secs_f64(t.min(1e9)));
    }
    let ignore = r.string("ignore")?;
    Ok(GitFetch {
        source,
        dest,
        opts,
        ignore,
    })
}

/// The fetch and the digest of the artifact source-controller would store for it.
fn run_git_fetch(f: &GitFetch) -> GitRun {
    use gitward::io::git::{FetchOutcome, GitError};
    let outcome = gitward::io::git::fetch(&f.source, std::path::Path::new(&f.dest), &f.opts)?;
    let digest = match &outcome {
        FetchOutcome::Fetched(c) => {
            let artifact = c.artifact(
                f.ignore.as_deref(),
                &gitward::source::walk::WalkLimits::default(),
            )?;
            let packed = artifact.pack().map_err(|e| GitError::Artifact {
                path: c.path.display().to_string(),
                reason: e.to_string(),
            })?;
            Some(packed.digest)
        }
        FetchOutcome::Unchanged { .. } => None,
    };
    Ok((outcome, digest))
}

/// What [`run_git_fetch`] gives.
type GitRun = std::result::Result<
    (gitward::io::git::FetchOutcome, Option<String>),
    gitward::io::git::GitError,
>;

/// The fetch's outcome as JS: a [`GitFetchResult`] or a `SOURCE_*` error.
fn git_outcome(env: &Env, outcome: GitRun) -> Result<GitFetchResult> {
    use gitward::io::git::FetchOutcome;
    let e = match outcome {
        Ok((FetchOutcome::Unchanged { revision }, _)) => {
            return Ok(GitFetchResult {
                revision,
                unchanged: true,
                commit: None,
                path: None,
                digest: None,
                verified: Vec::new(),
            });
        }
        Ok((FetchOutcome::Fetched(c), digest)) => {
            return Ok(GitFetchResult {
                revision: c.revision,
                unchanged: false,
                commit: Some(c.commit),
                path: Some(c.path.to_string_lossy().into_owned()),
                digest,
                verified: c
                    .verified
                    .into_iter()
                    .map(|v| GitVerified {
                        object: v.object,
                        key: v.signer.key,
                    })
                    .collect(),
            });
        }
        Err(e) => e,
    };
    let kind = e.kind().name();
    let code = format!("SOURCE_{}", kind.to_ascii_uppercase());
    let js = JsError::from(Error::new(code, e.to_string())).into_unknown(*env);
    let build = || -> Result<Error> {
        let url = match e.url() {
            Some(u) => u.into_unknown(env)?,
            None => Null.into_unknown(env)?,
        };
        Ok(throwable(
            Object::from_unknown(js)?,
            &[("kind", kind.into_unknown(env)?), ("url", url)],
        ))
    };
    Err(build().unwrap_or_else(|e| e))
}

/// Fetches a Git repository into `dest` as Flux's GitRepository does, blocking until it
/// is done.
///
/// The reference follows Flux's precedence: `commit` (optionally on `branch`), `refName`,
/// `semver`, `tag`, `branch`, else the remote's default branch. Throws an `Error` with
/// `code` `'SOURCE_AUTH'`, `'SOURCE_NOT_FOUND'`, `'SOURCE_VERIFICATION'`,
/// `'SOURCE_NETWORK'`, ... (`kind`, `url`), and a `TypeError` with `code`
/// `'INVALID_VALUE'` for a bad argument or option.
#[napi(
    ts_args_type = "url: string, dest: string, options?: GitFetchOptions | undefined | null",
    ts_return_type = "GitFetchResult"
)]
pub fn fetch_git_sync(
    env: &Env,
    url: Unknown<'_>,
    dest: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<GitFetchResult> {
    let f = git_fetch_args(env, url, dest, options)?;
    git_outcome(env, run_git_fetch(&f))
}

/// A Git fetch on the libuv thread pool.
pub struct GitFetchTask {
    fetch: GitFetch,
}

impl<'task> ScopedTask<'task> for GitFetchTask {
    type Output = GitRun;
    type JsValue = GitFetchResult;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(run_git_fetch(&self.fetch))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        git_outcome(env, output)
    }
}

/// Fetches a Git repository into `dest` on the libuv thread pool, as Flux's GitRepository
/// does.
///
/// The Promise rejects with an `Error` with `code` `'SOURCE_AUTH'`, `'SOURCE_NOT_FOUND'`,
/// `'SOURCE_VERIFICATION'`, `'SOURCE_NETWORK'`, ... (`kind`, `url`); a bad argument or
/// option throws a `TypeError` (`'INVALID_VALUE'`) at once.
#[napi(
    ts_args_type = "url: string, dest: string, options?: GitFetchOptions | undefined | null",
    ts_return_type = "Promise<GitFetchResult>"
)]
pub fn fetch_git(
    env: &Env,
    url: Unknown<'_>,
    dest: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<AsyncTask<GitFetchTask>> {
    let fetch = git_fetch_args(env, url, dest, options)?;
    Ok(AsyncTask::new(GitFetchTask { fetch }))
}
