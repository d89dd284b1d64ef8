//! Python bindings for gitward's pure core: `gitward._native`.
//!
//! This crate only converts. Python data becomes [`Value`]s, the core parses or prints, and
//! the result (or the core's error, with its kind and position) goes back to Python. The GIL
//! is released while the core works.
//!
//! Conversion rules (Python → [`Value`], for `dump_manifests`):
//!
//! | Python                     | Value                                              |
//! |----------------------------|----------------------------------------------------|
//! | `None`                     | `Null`                                             |
//! | `bool`                     | `Bool`                                             |
//! | `int` (and subclasses)     | `Int` if it fits `i64`, else `UInt` if it fits `u64`, else `ConversionError` |
//! | `float` (and subclasses)   | `Float`; NaN and ±inf are a `ConversionError` (Go's `encoding/json` cannot print them, and the core never produces them) |
//! | `str` (and subclasses)     | `String`; lone surrogates are a `ConversionError`  |
//! | `list`, `tuple`            | `Seq`                                              |
//! | `dict` (and subclasses)    | `Map`, keys must be `str` (else `ConversionError`) |
//! | anything else              | `ConversionError` (`set`, `bytes`, objects, ...)   |
//!
//! Nesting deeper than the core's parse bound ([`ParseOptions::max_depth`]) is a
//! `ConversionError` too, which also stops self-referencing containers.
//!
//! The other way every [`Value`] has a Python counterpart: `Int`/`UInt` become `int`,
//! `Float` becomes `float`, `Map` becomes a `dict` in document order.
//!
//! Builds (`kustomize_build`, `helm_template`) read the directory tree through the core's
//! `DirTree` rooted at `/`, exactly as the CLI does, with the GIL released; their errors
//! become `gitward.BuildError` / `gitward.HelmError` carrying the core's error kind.

mod cluster;
mod subst;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use gitward::helm;
use gitward::io::http::{ErrorKind as FetchKind, FetchError};
use gitward::io::source::{AuthRequest, FetchedSource, HelmChartRequest, OciRequest};
use gitward::kustomize;
use gitward::tree::{DirTree, RelPath};
use gitward::yaml::{self, Number, ParseOptions, Value};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};

create_exception!(
    gitward,
    GitwardError,
    PyException,
    "Base class of every error raised by gitward."
);

create_exception!(
    gitward,
    YamlError,
    GitwardError,
    "The YAML text could not be read the way kustomize reads it.\n\n\
     Attributes: kind (str: 'syntax', 'duplicate_key', 'unknown_anchor', 'alias_limit', \
     'depth_limit', 'size_limit', 'unsupported'), line and column (int, 1-based, 0 when \
     unknown), message (str, without the position)."
);

const CONVERSION_ERROR_DOC: &str = "A Python value has no YAML/JSON counterpart (a set, bytes, a \
     non-str dict key, NaN or infinity, an int outside int64/uint64, nesting too deep, ...).\n\n\
     It is a GitwardError, a TypeError and a ValueError. Attribute: path (str), where in the \
     input the value is, e.g. '[0].metadata.labels'.";

/// `gitward.ConversionError(GitwardError, TypeError, ValueError)`, built once per interpreter.
/// (`create_exception!` takes a single base.)
static CONVERSION_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn conversion_error_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    CONVERSION_ERROR
        .get_or_try_init(py, || {
            let bases = PyTuple::new(
                py,
                [
                    py.get_type::<GitwardError>(),
                    py.get_type::<PyTypeError>(),
                    py.get_type::<PyValueError>(),
                ],
            )?;
            let namespace = PyDict::new(py);
            namespace.set_item("__module__", "gitward")?;
            namespace.set_item("__doc__", CONVERSION_ERROR_DOC)?;
            let ty = py
                .get_type::<PyType>()
                .call1(("ConversionError", bases, namespace))?;
            Ok::<_, PyErr>(ty.cast_into::<PyType>()?.unbind())
        })
        .map(|ty| ty.bind(py))
}

create_exception!(
    gitward,
    BuildError,
    GitwardError,
    "A kustomization could not be built (kustomize's message).\n\n\
     Attributes: kind (str: 'missing_kustomization', 'invalid_kustomization', 'yaml', \
     'load', 'cycle', 'conflict', 'patch', 'transform', 'unsupported'), path (str, the \
     directory built, as given), message (str, the same as str(err))."
);

create_exception!(
    gitward,
    HelmError,
    GitwardError,
    "A chart could not be rendered (Helm's message, what `helm template` prints after \
     'Error: ').\n\n\
     Attributes: kind (str: 'load', 'invalid', 'values', 'dependencies', 'schema', \
     'kube_version', 'template', 'manifest', 'show_only', 'release_name', 'limit', \
     'unsupported'), chart (str or None), file (str or None), message (str, the same as \
     str(err))."
);

create_exception!(
    gitward,
    HealthError,
    GitwardError,
    "kstatus could not compute an object's health (Flux reports such an object as \
     'Unknown').\n\n\
     Attributes: kind (str: 'lookup', 'accessor', 'conditions', 'unknown_phase', \
     'malformed', 'not_an_object'), message (str, kstatus' error text, the same as str(err))."
);

create_exception!(
    gitward,
    SourceError,
    GitwardError,
    "A source could not be fetched (a Git repository, a Helm repository, an OCI \
     registry).\n\n\
     Attributes: kind (str: 'auth', 'not_found', 'network', 'digest', 'invalid', 'limit', \
     'io'; for Git: 'verification', 'invalid_input', 'other'), url (str or None, without user information), message (str, the same as \
     str(err)). Never holds a credential. Subclasses by kind: AuthError, NotFoundError, \
     NetworkError, DigestError, VerificationError."
);

create_exception!(
    gitward,
    AuthError,
    SourceError,
    "Credentials were missing or refused (kind 'auth'), or the server (TLS certificate, ssh \
     host key) is not trusted."
);

create_exception!(
    gitward,
    NotFoundError,
    SourceError,
    "The repository, chart, version, tag, ref, commit or blob does not exist, or no tag \
     matches the range (kind 'not_found')."
);

create_exception!(
    gitward,
    VerificationError,
    SourceError,
    "A commit or tag signature is missing or made by a key that is not trusted."
);

create_exception!(
    gitward,
    NetworkError,
    SourceError,
    "Connection, TLS or HTTP failure: the server could not be reached, timed out, or \
     answered outside the protocol (kind 'network')."
);

create_exception!(
    gitward,
    DigestError,
    SourceError,
    "Content did not match its digest (kind 'digest')."
);

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

/// Turns the core's error into `gitward.YamlError` with `kind`, `line`, `column`, `message`.
fn yaml_error(py: Python<'_>, e: yaml::YamlError) -> PyErr {
    let err = YamlError::new_err(e.to_string());
    let value = err.value(py);
    let set = || -> PyResult<()> {
        value.setattr("kind", kind_name(e.kind))?;
        value.setattr("line", e.line)?;
        value.setattr("column", e.column)?;
        value.setattr("message", &e.message)?;
        Ok(())
    };
    match set() {
        Ok(()) => err,
        Err(other) => other,
    }
}

/// One step of the path to an unconvertible value.
enum Step {
    Index(usize),
    Key(String),
}

/// Why a Python value could not be converted: a message and the path to it (innermost
/// step first while unwinding).
struct ConvError {
    message: String,
    path: Vec<Step>,
}

impl ConvError {
    fn invalid(message: impl Into<String>) -> Self {
        ConvError {
            message: message.into(),
            path: Vec::new(),
        }
    }

    fn at(mut self, step: Step) -> Self {
        self.path.push(step);
        self
    }

    /// `gitward.ConversionError` with `path`.
    fn into_pyerr(self, py: Python<'_>) -> PyErr {
        let (message, path) = (self.message, format_path(&self.path));
        let ty = match conversion_error_type(py) {
            Ok(ty) => ty,
            Err(e) => return e,
        };
        let text = match path.char_indices().nth(MAX_PATH_IN_MESSAGE) {
            _ if path.is_empty() => message,
            None => format!("{path}: {message}"),
            // A runaway path (a self-referencing container) is cut in the message only.
            Some((cut, _)) => format!("{}...: {message}", &path[..cut]),
        };
        let err = PyErr::from_type(ty.clone(), text);
        match err.value(py).setattr("path", path) {
            Ok(()) => err,
            Err(other) => other,
        }
    }
}

/// How much of the path `str(err)` shows; the `path` attribute always has all of it.
const MAX_PATH_IN_MESSAGE: usize = 200;

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
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned())
}

fn str_value(s: &Bound<'_, PyString>) -> Result<String, ConvError> {
    s.to_cow().map(|c| c.into_owned()).map_err(|_| {
        ConvError::invalid("str contains lone surrogates and cannot be encoded as UTF-8")
    })
}

/// Python → [`Value`]. `depth` counts the containers above `obj`.
fn to_value(obj: &Bound<'_, PyAny>, depth: usize, max_depth: usize) -> Result<Value, ConvError> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::Number(Number::Int(i)));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::Number(Number::UInt(u)));
        }
        return Err(ConvError::invalid(
            "int out of range: must fit in int64 or uint64",
        ));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let f = f.value();
        if !f.is_finite() {
            return Err(ConvError::invalid(format!(
                "float {f} has no YAML/JSON representation"
            )));
        }
        return Ok(Value::Number(Number::Float(f)));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return str_value(s).map(Value::String);
    }
    let is_container = obj.is_instance_of::<PyDict>()
        || obj.is_instance_of::<PyList>()
        || obj.is_instance_of::<PyTuple>();
    if is_container && depth >= max_depth {
        return Err(ConvError::invalid(format!(
            "nesting deeper than {max_depth} levels (or a container that contains itself)"
        )));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = yaml::Map::with_capacity_and_hasher(d.len(), Default::default());
        for (k, v) in d.iter() {
            let key = match k.cast::<PyString>() {
                Ok(k) => str_value(k)?,
                Err(_) => {
                    let repr = k.repr().map(|r| r.to_string()).unwrap_or_default();
                    return Err(ConvError::invalid(format!(
                        "dict keys must be str, got {} {repr}",
                        type_name(&k)
                    )));
                }
            };
            match to_value(&v, depth + 1, max_depth) {
                Ok(value) => {
                    map.insert(key, value);
                }
                Err(e) => return Err(e.at(Step::Key(key))),
            }
        }
        return Ok(Value::Map(map));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return seq_value(l.iter(), l.len(), depth, max_depth);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return seq_value(t.iter(), t.len(), depth, max_depth);
    }
    Err(ConvError::invalid(format!(
        "unsupported type {} (expected None, bool, int, float, str, list, tuple or dict)",
        type_name(obj)
    )))
}

fn seq_value<'py>(
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    len: usize,
    depth: usize,
    max_depth: usize,
) -> Result<Value, ConvError> {
    let mut seq = Vec::with_capacity(len);
    for (i, item) in items.enumerate() {
        seq.push(to_value(&item, depth + 1, max_depth).map_err(|e| e.at(Step::Index(i)))?);
    }
    Ok(Value::Seq(seq))
}

/// [`Value`] → Python.
fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(Number::Int(i)) => i.into_pyobject(py)?.into_any(),
        Value::Number(Number::UInt(u)) => u.into_pyobject(py)?.into_any(),
        Value::Number(Number::Float(f)) => PyFloat::new(py, *f).into_any(),
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Seq(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, item)?)?;
            }
            list.into_any()
        }
        Value::Map(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, to_python(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// Parses a multi-document YAML stream the way kustomize reads resource files.
///
/// Empty and comment-only documents are skipped; scalars resolve as kustomize resolves them
/// (`0777` is 511, `yes` is the string "yes"). Raises `gitward.YamlError` with `kind`,
/// `line` and `column` on malformed or unsupported input.
#[pyfunction]
fn parse_manifests(py: Python<'_>, text: String) -> PyResult<Bound<'_, PyList>> {
    let docs = py
        .detach(move || yaml::parse_kustomize_docs(&text))
        .map_err(|e| yaml_error(py, e))?;
    let list = PyList::empty(py);
    for doc in &docs {
        list.append(to_python(py, doc)?)?;
    }
    Ok(list)
}

/// Prints documents as kustomize prints them: keys sorted, strings quoted where YAML would
/// read them as something else, documents separated by `---`.
///
/// Raises `gitward.ConversionError` for a value with no YAML/JSON counterpart.
#[pyfunction]
fn dump_manifests(py: Python<'_>, objs: &Bound<'_, PyAny>) -> PyResult<String> {
    let max_depth = ParseOptions::kustomize().max_depth;
    let items: Vec<Bound<'_, PyAny>> = if let Ok(l) = objs.cast::<PyList>() {
        l.iter().collect()
    } else if let Ok(t) = objs.cast::<PyTuple>() {
        t.iter().collect()
    } else {
        return Err(ConvError::invalid(format!(
            "expected a list of documents, got {}",
            type_name(objs)
        ))
        .into_pyerr(py));
    };
    let mut docs = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let doc = to_value(item, 1, max_depth).map_err(|e| e.at(Step::Index(i)).into_pyerr(py))?;
        docs.push(doc);
    }
    Ok(py.detach(move || yaml::dump_kustomize_docs(&docs)))
}

/// Sets attributes on a freshly created exception; a failure to set one is raised instead.
fn with_attrs(py: Python<'_>, err: PyErr, attrs: &[(&str, Bound<'_, PyAny>)]) -> PyErr {
    let value = err.value(py);
    for (name, v) in attrs {
        if let Err(other) = value.setattr(*name, v) {
            return other;
        }
    }
    err
}

fn opt_str<'py>(py: Python<'py>, s: Option<&str>) -> Bound<'py, PyAny> {
    match s {
        Some(s) => PyString::new(py, s).into_any(),
        None => py.None().into_bound(py),
    }
}

/// `gitward.BuildError` with `kind`, `path` and `message`.
fn build_error(py: Python<'_>, e: kustomize::Error, path: &Path) -> PyErr {
    let err = BuildError::new_err(e.message.clone());
    let shown = path.to_string_lossy();
    let attrs = [
        ("kind", PyString::new(py, &kind_name(e.kind)).into_any()),
        ("path", PyString::new(py, &shown).into_any()),
        ("message", PyString::new(py, &e.message).into_any()),
    ];
    with_attrs(py, err, &attrs)
}

/// `gitward.HelmError` with `kind`, `chart`, `file` and `message` (Helm's full text).
fn helm_error(py: Python<'_>, e: helm::Error) -> PyErr {
    let text = e.helm_text();
    let err = HelmError::new_err(text.clone());
    let attrs = [
        ("kind", PyString::new(py, &kind_name(e.kind)).into_any()),
        ("chart", opt_str(py, e.chart.as_deref())),
        ("file", opt_str(py, e.file.as_deref())),
        ("message", PyString::new(py, &text).into_any()),
    ];
    with_attrs(py, err, &attrs)
}

/// `gitward.SourceError` (or the subclass for its kind) with `kind`, `url` and `message`.
fn source_error(py: Python<'_>, e: FetchError) -> PyErr {
    let err = match e.kind {
        FetchKind::Auth => AuthError::new_err(e.message.clone()),
        FetchKind::NotFound => NotFoundError::new_err(e.message.clone()),
        FetchKind::Network => NetworkError::new_err(e.message.clone()),
        FetchKind::Digest => DigestError::new_err(e.message.clone()),
        _ => SourceError::new_err(e.message.clone()),
    };
    let attrs = [
        ("kind", PyString::new(py, &kind_name(e.kind)).into_any()),
        ("url", opt_str(py, e.url.as_deref())),
        ("message", PyString::new(py, &e.message).into_any()),
    ];
    with_attrs(py, err, &attrs)
}

/// What `fetch_helm_chart_sync` and `fetch_oci_sync` return.
#[pyclass(frozen, module = "gitward")]
struct FetchResult {
    /// Flux's revision: a chart's version; `TAG@sha256:...` (or the digest) for an OCI
    /// artifact.
    #[pyo3(get)]
    revision: String,
    /// Flux's artifact digest, `sha256:<hex>`.
    #[pyo3(get)]
    digest: String,
    /// The file (a chart archive, a copied layer) or directory (extracted files) written.
    #[pyo3(get)]
    path: String,
    /// Where it came from, without user information.
    #[pyo3(get)]
    url: String,
    /// What Helm or Flux would have warned about.
    #[pyo3(get)]
    warnings: Py<PyList>,
}

#[pymethods]
impl FetchResult {
    fn __repr__(&self) -> String {
        format!(
            "<FetchResult revision={:?} digest={:?} path={:?}>",
            self.revision, self.digest, self.path
        )
    }
}

fn fetch_result(py: Python<'_>, f: FetchedSource) -> PyResult<FetchResult> {
    Ok(FetchResult {
        revision: f.revision,
        digest: f.digest.to_string(),
        path: f.path.to_string_lossy().into_owned(),
        url: f.url,
        warnings: PyList::new(py, &f.warnings)?.unbind(),
    })
}

#[allow(clippy::too_many_arguments)]
fn auth_request(
    username: Option<String>,
    password: Option<String>,
    ca_file: Option<PathBuf>,
    cert_file: Option<PathBuf>,
    key_file: Option<PathBuf>,
    registry_config: Option<PathBuf>,
    insecure: bool,
) -> AuthRequest {
    AuthRequest {
        username,
        password,
        ca_file,
        cert_file,
        key_file,
        registry_config,
        insecure,
    }
}

/// Fetches a chart from a Helm repository (`http(s)://` or `oci://`) as a Flux HelmChart
/// does, writes `CHART-VERSION.tgz` into `output` (a new temporary directory when None) and
/// returns its revision (the chart version), digest and path. `version` is a version or
/// range (the latest stable version when None). Credentials and TLS files as Helm's flags.
///
/// Raises `gitward.SourceError` (`AuthError`, `NotFoundError`, `NetworkError`,
/// `DigestError` by kind), never holding a credential. The GIL is released meanwhile.
#[pyfunction]
#[pyo3(signature = (
    repo_url,
    chart,
    *,
    version = None,
    output = None,
    username = None,
    password = None,
    ca_file = None,
    cert_file = None,
    key_file = None,
    registry_config = None,
    insecure = false,
    pass_credentials = false,
    cache_dir = None,
))]
#[allow(clippy::too_many_arguments)]
fn fetch_helm_chart_sync(
    py: Python<'_>,
    repo_url: String,
    chart: String,
    version: Option<String>,
    output: Option<PathBuf>,
    username: Option<String>,
    password: Option<String>,
    ca_file: Option<PathBuf>,
    cert_file: Option<PathBuf>,
    key_file: Option<PathBuf>,
    registry_config: Option<PathBuf>,
    insecure: bool,
    pass_credentials: bool,
    cache_dir: Option<PathBuf>,
) -> PyResult<FetchResult> {
    let req = HelmChartRequest {
        repo_url,
        chart,
        version,
        output,
        auth: auth_request(
            username,
            password,
            ca_file,
            cert_file,
            key_file,
            registry_config,
            insecure,
        ),
        pass_credentials,
        cache_dir,
    };
    let fetched = py
        .detach(move || gitward::io::source::fetch_helm_chart_sync(&req))
        .map_err(|e| source_error(py, e))?;
    fetch_result(py, fetched)
}

/// Pulls an artifact from an OCI registry as a Flux OCIRepository does: `url` is
/// `oci://REGISTRY/REPOSITORY`; at most one of `tag`, `semver` and `digest` (`latest` when
/// none); `layer_media_type` picks the layer (the first when None) and `layer_operation`
/// ('extract' or 'copy') what is written into `output` (a new temporary directory when
/// None). Returns the revision (`TAG@sha256:...`), digest and path. The digest is Flux's:
/// for 'extract', that of the tarball source-controller archives the files into (the
/// layer's `.sourceignore` files, then `ignore` as `spec.ignore`); for 'copy', the layer's.
///
/// Raises `gitward.SourceError` subclasses as `fetch_helm_chart_sync`, `ValueError` for
/// conflicting references or an unknown operation.
#[pyfunction]
#[pyo3(signature = (
    url,
    *,
    tag = None,
    semver = None,
    digest = None,
    layer_media_type = None,
    layer_operation = "extract",
    output = None,
    username = None,
    password = None,
    ca_file = None,
    cert_file = None,
    key_file = None,
    registry_config = None,
    insecure = false,
    ignore = None,
))]
#[allow(clippy::too_many_arguments)]
fn fetch_oci_sync(
    py: Python<'_>,
    url: String,
    tag: Option<String>,
    semver: Option<String>,
    digest: Option<String>,
    layer_media_type: Option<String>,
    layer_operation: &str,
    output: Option<PathBuf>,
    username: Option<String>,
    password: Option<String>,
    ca_file: Option<PathBuf>,
    cert_file: Option<PathBuf>,
    key_file: Option<PathBuf>,
    registry_config: Option<PathBuf>,
    insecure: bool,
    ignore: Option<String>,
) -> PyResult<FetchResult> {
    let reference = OciRequest::reference_from(tag, semver, digest.as_deref())
        .map_err(|e| PyValueError::new_err(e.message))?;
    let layer = OciRequest::layer_from(layer_media_type, Some(layer_operation))
        .map_err(|e| PyValueError::new_err(e.message))?;
    let req = OciRequest {
        url,
        reference,
        layer,
        output,
        auth: auth_request(
            username,
            password,
            ca_file,
            cert_file,
            key_file,
            registry_config,
            insecure,
        ),
        ignore,
    };
    let fetched = py
        .detach(move || gitward::io::source::fetch_oci_sync(&req))
        .map_err(|e| source_error(py, e))?;
    fetch_result(py, fetched)
}

/// `path` as the CLI hands it to the core: canonicalised, then relative to a `DirTree` at
/// `/`. Failures are worded `PATH: reason`, as the CLI words them.
fn tree_and_path(path: &Path) -> Result<(DirTree, RelPath), String> {
    let shown = path.display();
    let dir = std::fs::canonicalize(path).map_err(|e| format!("{shown}: {e}"))?;
    let tree = DirTree::new("/").map_err(|e| e.to_string())?;
    let rel = dir
        .to_str()
        .ok_or_else(|| format!("{shown}: path is not valid UTF-8"))?;
    let rel = RelPath::new(rel.trim_start_matches('/')).map_err(|e| e.to_string())?;
    Ok((tree, rel))
}

/// What `kustomize_build` returns: the YAML `kubectl kustomize` prints, the same objects
/// as dicts, and the warnings kustomize prints on stderr.
#[pyclass(frozen, module = "gitward")]
struct KustomizeResult {
    /// The YAML stream, exactly what `kubectl kustomize` prints.
    #[pyo3(get)]
    yaml: String,
    /// The resources in output order, as `parse_manifests` would return them.
    #[pyo3(get)]
    objects: Py<PyList>,
    /// The warnings kustomize prints on stderr (deprecated fields, ...).
    #[pyo3(get)]
    warnings: Py<PyList>,
}

#[pymethods]
impl KustomizeResult {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "<KustomizeResult: {} objects, {} warnings>",
            self.objects.bind(py).len(),
            self.warnings.bind(py).len()
        )
    }
}

/// Builds the kustomization in directory `path`, as `kubectl kustomize PATH` does.
///
/// `load_restrictor` is 'LoadRestrictionsRootOnly' (default) or 'LoadRestrictionsNone';
/// `reorder` is None (kustomize's default), 'legacy' or 'none'. Raises
/// `gitward.BuildError` (with `kind` and `path`) when the build fails and `ValueError` for
/// an option value kustomize does not know.
#[pyfunction]
#[pyo3(signature = (
    path,
    *,
    load_restrictor = "LoadRestrictionsRootOnly",
    reorder = None,
    enable_managedby_label = false,
    enable_helm = false,
))]
fn kustomize_build(
    py: Python<'_>,
    path: PathBuf,
    load_restrictor: &str,
    reorder: Option<&str>,
    enable_managedby_label: bool,
    enable_helm: bool,
) -> PyResult<KustomizeResult> {
    use kustomize::{LoadRestrictor, Options, Reorder};
    let restrictor = match load_restrictor {
        "LoadRestrictionsRootOnly" => LoadRestrictor::RootOnly,
        "LoadRestrictionsNone" => LoadRestrictor::None,
        other => {
            return Err(PyValueError::new_err(format!(
                "illegal load_restrictor {other:?}: expected 'LoadRestrictionsRootOnly' or \
                 'LoadRestrictionsNone'"
            )));
        }
    };
    let reorder = match reorder {
        None => Reorder::Unspecified,
        Some("legacy") => Reorder::Legacy,
        Some("none") => Reorder::None,
        Some(other) => {
            return Err(PyValueError::new_err(format!(
                "illegal reorder {other:?}: expected None, 'legacy' or 'none'"
            )));
        }
    };
    let opts = Options::default()
        .with_load_restrictor(restrictor)
        .with_reorder(reorder)
        .with_managed_by_label(enable_managedby_label)
        .with_helm(enable_helm);
    let built = py.detach(|| {
        let (tree, rel) = tree_and_path(&path).map_err(|message| kustomize::Error {
            kind: kustomize::ErrorKind::Load,
            message,
        })?;
        // Remote bases, files and charts are fetched as the CLI fetches them.
        let remote = gitward::io::kustomize_remote::RemoteOptions::from_env().map_err(|e| {
            kustomize::Error {
                kind: kustomize::ErrorKind::Load,
                message: e.to_string(),
            }
        })?;
        let opts = opts.with_fetcher(std::sync::Arc::new(
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
    });
    let (out, text) = built.map_err(|e| build_error(py, e, &path))?;
    let objects = PyList::empty(py);
    for obj in &out.resources {
        objects.append(to_python(py, obj)?)?;
    }
    Ok(KustomizeResult {
        yaml: text,
        objects: objects.unbind(),
        warnings: PyList::new(py, &out.warnings)?.unbind(),
    })
}

/// Stack for builds (see `gitward::helm`: about 16 KiB per nested template `include`,
/// Helm allows 1000 levels; kustomize renders `helmCharts` with the same engine). Only
/// reserved address space until used.
const BUILD_STACK: usize = 512 << 20;

/// Runs `f` on a thread of its own with [`BUILD_STACK`], as the CLI runs the renderer
/// (Python's threads, `asyncio.to_thread`'s among them, have far smaller stacks).
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

/// Renders a chart (a directory or a packaged `.tgz`) as `helm template` does and returns
/// what it prints.
///
/// The options mirror `helm template`'s flags (and the CLI's `gitward template`):
/// `values` (`-f`, files read in order), `set`, `set_string`, `set_json`, `set_file`,
/// `set_literal`, `kube_version`, `api_versions`, `include_crds`, `is_upgrade`,
/// `skip_tests`, `no_hooks`, `skip_schema_validation`, `show_only`. Templates see the real
/// clock and the system's randomness, as in Helm. Raises `gitward.HelmError` with `kind`,
/// `chart` and `file`.
#[pyfunction]
#[pyo3(signature = (
    chart,
    *,
    release = "release-name",
    namespace = "default",
    values = Vec::new(),
    set = Vec::new(),
    set_string = Vec::new(),
    set_json = Vec::new(),
    set_file = Vec::new(),
    set_literal = Vec::new(),
    kube_version = None,
    api_versions = Vec::new(),
    include_crds = false,
    is_upgrade = false,
    skip_tests = false,
    no_hooks = false,
    skip_schema_validation = false,
    show_only = Vec::new(),
), text_signature = "(chart, *, release='release-name', namespace='default', values=(), \
    set=(), set_string=(), set_json=(), set_file=(), set_literal=(), kube_version=None, \
    api_versions=(), include_crds=False, is_upgrade=False, skip_tests=False, \
    no_hooks=False, skip_schema_validation=False, show_only=())")]
#[allow(clippy::too_many_arguments)] // one per `helm template` flag, keyword-only
fn helm_template(
    py: Python<'_>,
    chart: PathBuf,
    release: &str,
    namespace: &str,
    values: Vec<PathBuf>,
    set: Vec<String>,
    set_string: Vec<String>,
    set_json: Vec<String>,
    set_file: Vec<String>,
    set_literal: Vec<String>,
    kube_version: Option<String>,
    api_versions: Vec<String>,
    include_crds: bool,
    is_upgrade: bool,
    skip_tests: bool,
    no_hooks: bool,
    skip_schema_validation: bool,
    show_only: Vec<String>,
) -> PyResult<String> {
    let path_str = |p: &Path| -> PyResult<String> {
        p.to_str().map(str::to_owned).ok_or_else(|| {
            PyValueError::new_err(format!("{}: path is not valid UTF-8", p.display()))
        })
    };
    let args = gitward::io::system::HelmTemplateArgs {
        chart: path_str(&chart)?,
        release: release.to_owned(),
        namespace: namespace.to_owned(),
        values: values
            .iter()
            .map(|p| path_str(p))
            .collect::<PyResult<_>>()?,
        user: helm::UserValues {
            set_json,
            set,
            set_string,
            set_file,
            set_literal,
            ..Default::default()
        },
        kube_version,
        api_versions,
        include_crds,
        is_upgrade,
        skip_tests,
        no_hooks,
        skip_schema_validation,
        show_only,
    };
    py.detach(move || gitward::io::system::helm_template(args))
        .map_err(|e| helm_error(py, e))
}

/// The health of one Kubernetes object as kstatus (v0.37.2) computes it, the way Flux waits
/// for what it applied: ``{"status": ..., "message": ...}`` with status one of
/// 'Current', 'InProgress', 'Failed', 'Terminating' (and kstatus' message).
///
/// The object is a dict as `parse_manifests` returns it (ints stay ints: a float
/// `metadata.generation` is an error, as in kstatus). The machine's clock decides whether a
/// Pending pod that cannot be scheduled is still in its 15-second grace window. Raises
/// `gitward.HealthError` (``kind``, ``message``) where kstatus returns an error and
/// `gitward.ConversionError` for a value with no JSON counterpart.
#[pyfunction]
fn health<'py>(py: Python<'py>, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let max_depth = ParseOptions::kustomize().max_depth;
    let value = to_value(obj, 0, max_depth).map_err(|e| e.into_pyerr(py))?;
    let opts = gitward::health::Options::default().with_now(gitward::io::system::now());
    let verdict = py.detach(move || gitward::health::status_with(&value, &opts));
    match verdict {
        Ok(r) => {
            let d = PyDict::new(py);
            d.set_item("status", r.status.as_str())?;
            d.set_item("message", r.message)?;
            Ok(d)
        }
        Err(e) => {
            let text = e.to_string();
            let attrs = [
                ("kind", PyString::new(py, &kind_name(e.kind())).into_any()),
                ("message", PyString::new(py, &text).into_any()),
            ];
            Err(with_attrs(py, HealthError::new_err(text.clone()), &attrs))
        }
    }
}

/// What `fetch_git_sync` returns.
#[pyclass(frozen, module = "gitward")]
struct GitFetchResult {
    /// The revision as Flux prints it (`main@sha1:...`).
    #[pyo3(get)]
    revision: String,
    /// True when the remote still resolves to `last_revision`: nothing was fetched and
    /// `path` and `commit` are None.
    #[pyo3(get)]
    unchanged: bool,
    /// The commit id checked out.
    #[pyo3(get)]
    commit: Option<String>,
    /// The checkout directory (files only, no `.git`).
    #[pyo3(get)]
    path: Option<String>,
    /// The digest (`sha256:...`) of the artifact source-controller would store for the
    /// checkout (`.sourceignore` files and `ignore` applied); None when unchanged.
    #[pyo3(get)]
    digest: Option<String>,
    /// The verified signatures: (object, key) pairs, e.g. ("commit '<id>'", "SHA256:...").
    #[pyo3(get)]
    verified: Vec<(String, String)>,
}

#[pymethods]
impl GitFetchResult {
    fn __repr__(&self) -> String {
        format!(
            "<GitFetchResult {}{}>",
            self.revision,
            if self.unchanged { " (unchanged)" } else { "" }
        )
    }
}

/// `gitward.SourceError` (or the subclass for its kind) with `kind`, `url`, `message`.
fn git_source_error(py: Python<'_>, e: &gitward::io::git::GitError) -> PyErr {
    use gitward::io::git::ErrorKind;
    let text = e.to_string();
    let kind = e.kind();
    let err = match kind {
        ErrorKind::Auth => AuthError::new_err(text.clone()),
        ErrorKind::NotFound => NotFoundError::new_err(text.clone()),
        ErrorKind::Verification => VerificationError::new_err(text.clone()),
        ErrorKind::Network => NetworkError::new_err(text.clone()),
        _ => SourceError::new_err(text.clone()),
    };
    let attrs = [
        ("kind", PyString::new(py, kind.name()).into_any()),
        ("url", opt_str(py, e.url())),
        ("message", PyString::new(py, &text).into_any()),
    ];
    with_attrs(py, err, &attrs)
}

/// The digest of the artifact source-controller would store for a checkout.
fn git_artifact_digest(
    c: &gitward::io::git::Checkout,
    ignore: Option<&str>,
) -> Result<String, gitward::io::git::GitError> {
    let artifact = c.artifact(ignore, &gitward::source::walk::WalkLimits::default())?;
    artifact
        .pack()
        .map(|p| p.digest)
        .map_err(|e| gitward::io::git::GitError::Artifact {
            path: c.path.display().to_string(),
            reason: e.to_string(),
        })
}

/// Fetches a Git repository into `dest` as Flux's GitRepository does and returns its
/// revision (blocking; `gitward.fetch_git` is the awaitable form).
///
/// The reference follows Flux's precedence: `commit` (optionally on `branch`), `ref_name`,
/// `semver`, `tag`, `branch`, else the remote's default branch. Credentials are given as
/// values (PEM text for keys and certificates): `username`/`password` or `bearer_token`
/// for HTTPS, `ca_pem`, `cert_pem`/`key_pem`; `ssh_key` (+ `ssh_passphrase`) and
/// `known_hosts` for ssh (an unknown host key is refused unless
/// `insecure_skip_host_key_check`). `verify_mode` ('HEAD', 'Tag', 'TagAndHEAD') checks
/// signatures against `verify_pgp_keys` (armored) and `verify_ssh_keys`
/// (authorized_keys lines). With `last_revision`, a remote that still resolves there is
/// not fetched (`unchanged` is True). `ignore` holds `spec.ignore` rules for the artifact
/// whose digest is returned. Raises `gitward.SourceError` subclasses.
#[pyfunction]
#[pyo3(signature = (
    url,
    dest,
    *,
    branch = None,
    tag = None,
    semver = None,
    ref_name = None,
    commit = None,
    username = None,
    password = None,
    bearer_token = None,
    ca_pem = None,
    cert_pem = None,
    key_pem = None,
    ssh_key = None,
    ssh_passphrase = None,
    known_hosts = None,
    insecure_skip_host_key_check = false,
    recurse_submodules = false,
    sparse_checkout = Vec::new(),
    verify_mode = None,
    verify_pgp_keys = Vec::new(),
    verify_ssh_keys = Vec::new(),
    last_revision = None,
    shallow = true,
    timeout = 60.0,
    ignore = None,
))]
#[allow(clippy::too_many_arguments)] // keyword-only, one per GitRepository field
fn fetch_git_sync(
    py: Python<'_>,
    url: String,
    dest: PathBuf,
    branch: Option<String>,
    tag: Option<String>,
    semver: Option<String>,
    ref_name: Option<String>,
    commit: Option<String>,
    username: Option<String>,
    password: Option<String>,
    bearer_token: Option<String>,
    ca_pem: Option<String>,
    cert_pem: Option<String>,
    key_pem: Option<String>,
    ssh_key: Option<String>,
    ssh_passphrase: Option<String>,
    known_hosts: Option<String>,
    insecure_skip_host_key_check: bool,
    recurse_submodules: bool,
    sparse_checkout: Vec<String>,
    verify_mode: Option<String>,
    verify_pgp_keys: Vec<String>,
    verify_ssh_keys: Vec<String>,
    last_revision: Option<String>,
    shallow: bool,
    timeout: f64,
    ignore: Option<String>,
) -> PyResult<GitFetchResult> {
    use gitward::io::git::{Auth, FetchOptions, FetchOutcome, GitSource, Secret, Verification};
    use gitward::source::git::signature::VerificationKeys;
    use gitward::source::git::{GitRef, VerifyMode};

    let mut reference = GitRef::default();
    reference.branch = branch;
    reference.tag = tag;
    reference.semver = semver;
    reference.name = ref_name;
    reference.commit = commit;
    let mut auth = Auth::default();
    auth.username = username;
    auth.password = password.map(Secret::from);
    auth.bearer_token = bearer_token.map(Secret::from);
    auth.ca_pem = ca_pem.map(String::into_bytes);
    auth.client_cert_pem = cert_pem.map(String::into_bytes);
    auth.client_key_pem = key_pem.map(Secret::from);
    auth.ssh_key_pem = ssh_key.map(Secret::from);
    auth.ssh_passphrase = ssh_passphrase.map(Secret::from);
    auth.known_hosts = known_hosts;
    auth.insecure_skip_host_key_check = insecure_skip_host_key_check;
    let mut source = GitSource::new(url, reference);
    source.auth = auth;
    source.recurse_submodules = recurse_submodules;
    source.sparse_checkout = sparse_checkout;
    if let Some(mode) = verify_mode {
        let mode = VerifyMode::parse(&mode).map_err(PyValueError::new_err)?;
        let mut keys = VerificationKeys::default();
        keys.pgp = verify_pgp_keys;
        keys.ssh = verify_ssh_keys;
        source.verify = Some(Verification::new(mode, keys));
    }
    if !(timeout.is_finite() && timeout > 0.0) {
        return Err(PyValueError::new_err(
            "timeout must be a positive number of seconds",
        ));
    }
    let mut opts = FetchOptions::default();
    opts.last_revision = last_revision;
    opts.shallow = shallow;
    opts.timeout = Some(std::time::Duration::from_secs_f64(timeout.min(1e9)));
    let (outcome, digest) = py
        .detach(|| {
            let outcome = gitward::io::git::fetch(&source, &dest, &opts)?;
            let digest = match &outcome {
                FetchOutcome::Fetched(c) => Some(git_artifact_digest(c, ignore.as_deref())?),
                FetchOutcome::Unchanged { .. } => None,
            };
            Ok::<_, gitward::io::git::GitError>((outcome, digest))
        })
        .map_err(|e| git_source_error(py, &e))?;
    Ok(match outcome {
        FetchOutcome::Unchanged { revision } => GitFetchResult {
            revision,
            unchanged: true,
            commit: None,
            path: None,
            digest: None,
            verified: Vec::new(),
        },
        FetchOutcome::Fetched(c) => GitFetchResult {
            revision: c.revision,
            unchanged: false,
            commit: Some(c.commit),
            path: Some(c.path.to_string_lossy().into_owned()),
            digest,
            verified: c
                .verified
                .into_iter()
                .map(|v| (v.object, v.signer.key))
                .collect(),
        },
    })
}

/// The `gitward._native` extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_function(wrap_pyfunction!(parse_manifests, m)?)?;
    m.add_function(wrap_pyfunction!(dump_manifests, m)?)?;
    m.add_function(wrap_pyfunction!(kustomize_build, m)?)?;
    m.add_function(wrap_pyfunction!(helm_template, m)?)?;
    m.add_function(wrap_pyfunction!(health, m)?)?;
    m.add_function(wrap_pyfunction!(fetch_helm_chart_sync, m)?)?;
    m.add_function(wrap_pyfunction!(fetch_oci_sync, m)?)?;
    m.add_class::<KustomizeResult>()?;
    m.add_class::<FetchResult>()?;
    m.add_function(wrap_pyfunction!(fetch_git_sync, m)?)?;
    m.add_class::<GitFetchResult>()?;
    m.add("GitwardError", py.get_type::<GitwardError>())?;
    m.add("YamlError", py.get_type::<YamlError>())?;
    m.add("BuildError", py.get_type::<BuildError>())?;
    m.add("HelmError", py.get_type::<HelmError>())?;
    m.add("HealthError", py.get_type::<HealthError>())?;
    m.add("SourceError", py.get_type::<SourceError>())?;
    m.add("AuthError", py.get_type::<AuthError>())?;
    m.add("NotFoundError", py.get_type::<NotFoundError>())?;
    m.add("NetworkError", py.get_type::<NetworkError>())?;
    m.add("DigestError", py.get_type::<DigestError>())?;
    m.add("VerificationError", py.get_type::<VerificationError>())?;
    m.add("ConversionError", conversion_error_type(py)?)?;
    cluster::register(m)?;
    subst::register(m)?;
    Ok(())
}
