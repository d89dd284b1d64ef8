//! Apply and plan against a cluster (`apply_sync`, `plan_sync`), as Flux's
//! kustomize-controller applies; their errors as `gitward.ClusterError` and its subclasses.

use std::path::PathBuf;

use gitward::inventory::Inventory;
use gitward::io::cluster::engine::ApplyOptions;
use gitward::io::cluster::kind::ErrorKind;
use gitward::io::cluster::report::ErrorReport;
use gitward::io::cluster::{Cluster, ClusterError as CoreError, block_on};
use gitward::yaml::{ParseOptions, Value};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::{ConvError, GitwardError, Step, to_python, to_value, type_name, with_attrs};

create_exception!(
    gitward,
    ClusterError,
    GitwardError,
    "A cluster request of apply, plan or diff failed, or an apply could not complete.\n\n\
     Attributes: kind (str: 'kubeconfig', 'connection', 'not_found', 'conflict', 'invalid', \
     'forbidden', 'timeout', 'prune', 'api'), subject (str or None: the object, \
     'Kind/namespace/name'), code (int or None: the HTTP status), fields (list of str: the \
     fields the API server named), message (str, the same as str(err)), entries (list of \
     {'subject', 'action'} dicts: what an apply did before it failed). Never holds a Secret \
     value. Subclasses by kind: ConflictError, InvalidObjectError, ForbiddenError, \
     ObjectNotFoundError, WaitTimeoutError."
);

create_exception!(
    gitward,
    ConflictError,
    ClusterError,
    "The API server answered 409 Conflict (kind 'conflict')."
);

create_exception!(
    gitward,
    InvalidObjectError,
    ClusterError,
    "The API server rejected an object (400/422: an invalid or immutable field, kind \
     'invalid'), or the input holds the same object twice or an unreadable inventory."
);

create_exception!(
    gitward,
    ForbiddenError,
    ClusterError,
    "The credentials were refused or lack a permission (401/403, kind 'forbidden')."
);

create_exception!(
    gitward,
    ObjectNotFoundError,
    ClusterError,
    "An object, its Namespace or its kind does not exist (kind 'not_found')."
);

create_exception!(
    gitward,
    WaitTimeoutError,
    ClusterError,
    "Objects did not become ready in time (kind 'timeout')."
);

/// Registers the exception types on the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ClusterError", py.get_type::<ClusterError>())?;
    m.add("ConflictError", py.get_type::<ConflictError>())?;
    m.add("InvalidObjectError", py.get_type::<InvalidObjectError>())?;
    m.add("ForbiddenError", py.get_type::<ForbiddenError>())?;
    m.add("ObjectNotFoundError", py.get_type::<ObjectNotFoundError>())?;
    m.add("WaitTimeoutError", py.get_type::<WaitTimeoutError>())?;
    m.add_function(wrap_pyfunction!(apply_sync, m)?)?;
    m.add_function(wrap_pyfunction!(plan_sync, m)?)?;
    m.add_function(wrap_pyfunction!(diff_sync, m)?)?;
    Ok(())
}

/// A failure as the Python exception of its kind.
trait IntoPyErr {
    fn into_pyerr(self, py: Python<'_>) -> PyErr;
}

impl IntoPyErr for ErrorReport {
    fn into_pyerr(self, py: Python<'_>) -> PyErr {
        let text = self.message.clone();
        let err = match self.kind {
            ErrorKind::Conflict => ConflictError::new_err(text),
            ErrorKind::Invalid => InvalidObjectError::new_err(text),
            ErrorKind::Forbidden => ForbiddenError::new_err(text),
            ErrorKind::NotFound => ObjectNotFoundError::new_err(text),
            ErrorKind::Timeout => WaitTimeoutError::new_err(text),
            _ => ClusterError::new_err(text),
        };
        let build = || -> PyResult<Vec<(&'static str, Bound<'_, PyAny>)>> {
            let entries = PyList::empty(py);
            for e in &self.entries {
                entries.append(to_python(py, e)?)?;
            }
            Ok(vec![
                ("kind", PyString::new(py, self.kind.as_str()).into_any()),
                ("subject", crate::opt_str(py, self.subject.as_deref())),
                ("code", self.code.into_pyobject(py)?.into_any()),
                ("fields", PyList::new(py, &self.fields)?.into_any()),
                ("message", PyString::new(py, &self.message).into_any()),
                ("entries", entries.into_any()),
            ])
        };
        match build() {
            Ok(attrs) => with_attrs(py, err, &attrs),
            Err(e) => e,
        }
    }
}

/// The objects argument: a list (or tuple) of dicts, filtered as Flux reads manifests
/// (`List` kinds expanded, objects without name/kind/apiVersion dropped).
fn objects_arg(py: Python<'_>, objs: &Bound<'_, PyAny>) -> PyResult<Vec<Value>> {
    let max_depth = ParseOptions::kustomize().max_depth;
    let items: Vec<Bound<'_, PyAny>> = if let Ok(l) = objs.cast::<PyList>() {
        l.iter().collect()
    } else if let Ok(t) = objs.cast::<PyTuple>() {
        t.iter().collect()
    } else {
        return Err(ConvError::invalid(format!(
            "expected a list of objects, got {}",
            type_name(objs)
        ))
        .into_pyerr(py));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(to_value(item, 1, max_depth).map_err(|e| e.at(Step::Index(i)).into_pyerr(py))?);
    }
    Ok(gitward::ssa::objects_from_manifests(out))
}

fn inventory_arg(py: Python<'_>, inv: Option<&Bound<'_, PyAny>>) -> PyResult<Inventory> {
    let Some(inv) = inv.filter(|i| !i.is_none()) else {
        return Ok(Inventory::default());
    };
    let v = to_value(inv, 0, ParseOptions::kustomize().max_depth).map_err(|e| e.into_pyerr(py))?;
    Inventory::from_value(&v).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The options of apply and plan, as keyword arguments name them.
fn options(
    field_manager: &str,
    owner_name: Option<String>,
    owner_namespace: Option<String>,
    prune: bool,
    force: bool,
) -> PyResult<ApplyOptions> {
    let mut opts = ApplyOptions::new(field_manager)
        .with_force(force)
        .with_prune(prune);
    match (owner_name, owner_namespace) {
        (Some(n), Some(ns)) => opts = opts.with_owner(&n, &ns),
        (None, None) => {}
        _ => {
            return Err(PyValueError::new_err(
                "owner_name and owner_namespace go together",
            ));
        }
    }
    Ok(opts)
}

/// Connects, then runs `f` on the cluster, all on a private runtime (the GIL released).
fn with_cluster<T: Send>(
    py: Python<'_>,
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
    f: impl AsyncFnOnce(&Cluster) -> T + Send,
) -> Result<T, ErrorReport> {
    py.detach(move || {
        block_on(async move {
            let cluster = Cluster::connect(kubeconfig.as_deref(), context.as_deref()).await?;
            Ok::<_, CoreError>(f(&cluster).await)
        })
        .and_then(|r| r)
    })
    .map_err(|e| ErrorReport::from(&e))
}

/// Applies objects as Flux's kustomize-controller applies a Kustomization's build: staged
/// server-side apply (CRDs, Namespaces and cluster RBAC first, then class kinds, then the
/// rest), the `kustomize.toolkit.fluxcd.io/*` annotations honoured, then (``prune=True``)
/// the objects of ``inventory`` no longer in the set deleted.
///
/// With ``wait=True`` every applied object must then become ready (kstatus ``Current``)
/// within ``timeout`` seconds, as a Kustomization's ``spec.wait``; otherwise
/// ``WaitTimeoutError`` names the objects (the inventory is kept, as Flux keeps it).
///
/// Returns ``{"entries": [{"subject": ..., "action": ...}], "inventory": {"entries":
/// [{"id": ..., "v": ...}]}}``: Flux's change set (apply entries in order, then prune
/// entries) and the inventory to keep for the next apply. Raises a ``ClusterError``
/// subclass (its ``entries`` hold what was done before the failure; keep the previous
/// inventory then).
#[pyfunction]
#[pyo3(signature = (
    objects, *, kubeconfig = None, context = None, field_manager = "gitward", inventory = None,
    owner_name = None, owner_namespace = None, prune = false, force = false, wait = false,
    timeout = 300.0,
))]
#[allow(clippy::too_many_arguments)] // keyword-only, one per CLI flag
fn apply_sync<'py>(
    py: Python<'py>,
    objects: &Bound<'py, PyAny>,
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
    field_manager: &str,
    inventory: Option<&Bound<'py, PyAny>>,
    owner_name: Option<String>,
    owner_namespace: Option<String>,
    prune: bool,
    force: bool,
    wait: bool,
    timeout: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let objects = objects_arg(py, objects)?;
    let previous = inventory_arg(py, inventory)?;
    if !(timeout.is_finite() && timeout > 0.0) {
        return Err(PyValueError::new_err(
            "timeout must be a positive number of seconds",
        ));
    }
    let opts = options(field_manager, owner_name, owner_namespace, prune, force)?
        .with_wait(wait, std::time::Duration::from_secs_f64(timeout.min(1e9)));
    let outcome = with_cluster(py, kubeconfig, context, async move |c: &Cluster| {
        gitward::io::cluster::engine::apply(c, objects, &previous, &opts).await
    })
    .map_err(|f| f.into_pyerr(py))?;
    if let Some(e) = &outcome.error {
        let mut f = ErrorReport::from(e);
        f.entries = outcome
            .change_set
            .entries
            .iter()
            .map(|e| e.to_value())
            .collect();
        return Err(f.into_pyerr(py));
    }
    let out = PyDict::new(py);
    let entries = outcome.change_set.to_value();
    out.set_item(
        "entries",
        to_python(py, entries.get("entries").unwrap_or(&Value::Null))?,
    )?;
    match &outcome.inventory {
        Some(inv) => out.set_item("inventory", to_python(py, &inv.to_value())?)?,
        None => out.set_item("inventory", py.None())?,
    }
    Ok(out)
}

/// What :func:`apply_sync` would do, computed with server-side dry-runs only (nothing in
/// the cluster changes): ``{"stages": [{"name": ..., "entries": [{"subject": ..., "id":
/// ..., "action": ..., "reason": ...}]}]}``, stage by stage (``definitions``, ``classes``,
/// ``resources``, then ``prune`` when ``prune=True``). Custom resources whose CRD, and
/// objects whose Namespace, only the set holds are planned ``created``.
///
/// With ``live`` (the cluster's objects, e.g. from a file) the plan is computed in memory,
/// with no cluster: drift is decided client-side, and ``configured`` entries name the
/// ``fields`` that differ.
#[pyfunction]
#[pyo3(signature = (
    objects, *, kubeconfig = None, context = None, field_manager = "gitward", inventory = None,
    owner_name = None, owner_namespace = None, prune = false, force = false, live = None,
))]
#[allow(clippy::too_many_arguments)] // keyword-only, one per CLI flag
fn plan_sync<'py>(
    py: Python<'py>,
    objects: &Bound<'py, PyAny>,
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
    field_manager: &str,
    inventory: Option<&Bound<'py, PyAny>>,
    owner_name: Option<String>,
    owner_namespace: Option<String>,
    prune: bool,
    force: bool,
    live: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let objects = objects_arg(py, objects)?;
    let previous = inventory_arg(py, inventory)?;
    let opts = options(field_manager, owner_name, owner_namespace, prune, force)?;
    if let Some(live) = live.filter(|l| !l.is_none()) {
        let live = objects_arg(py, live)?;
        let popts = opts.plan_options();
        let planned = py
            .detach(move || gitward::ssa::plan::plan(objects, &live, &previous, &popts))
            .map_err(|e| ErrorReport::from(&e).into_pyerr(py))?;
        return to_python(py, &planned.to_value());
    }
    let planned = with_cluster(py, kubeconfig, context, async move |c: &Cluster| {
        gitward::io::cluster::engine::plan(c, objects, &previous, &opts).await
    })
    .map_err(|f| f.into_pyerr(py))?
    .map_err(|e| ErrorReport::from(&e).into_pyerr(py))?;
    to_python(py, &planned.to_value())
}

/// Compares objects with what runs, as ``flux diff kustomization`` does: each object's
/// server-side dry-run against its live object, both normalised (server-set metadata,
/// status and defaults left out), Secret values masked (keys shown, values never), the
/// ``ignore`` rules (``[{"paths": [JSON pointers], "target": {...}}]``, a HelmRelease's
/// ``spec.driftDetection.ignore``) applied; with ``prune=True`` the inventory's objects no
/// longer in the set are ``deleted``.
///
/// Returns ``{"objects": [{"subject", "id", "version", "action", "changes": [{"op", "path",
/// "before", "after"}]}], "has_changes": bool, "text": str}`` (``text``: Flux's ``►``
/// lines and unified diffs). With ``live`` (the cluster's objects) the diff is computed in
/// memory, with no cluster. Raises a ``ClusterError`` subclass for the first object that
/// could not be diffed.
#[pyfunction]
#[pyo3(signature = (
    objects, *, kubeconfig = None, context = None, field_manager = "gitward", inventory = None,
    owner_name = None, owner_namespace = None, prune = false, force = false, ignore = None,
    live = None,
))]
#[allow(clippy::too_many_arguments)] // keyword-only, one per CLI flag
fn diff_sync<'py>(
    py: Python<'py>,
    objects: &Bound<'py, PyAny>,
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
    field_manager: &str,
    inventory: Option<&Bound<'py, PyAny>>,
    owner_name: Option<String>,
    owner_namespace: Option<String>,
    prune: bool,
    force: bool,
    ignore: Option<&Bound<'py, PyAny>>,
    live: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    use gitward::diff::IgnoreRules;
    use gitward::io::cluster::diff::{diff, diff_options};
    let objects = objects_arg(py, objects)?;
    let previous = inventory_arg(py, inventory)?;
    let opts = options(field_manager, owner_name, owner_namespace, prune, force)?;
    let ignore = match ignore.filter(|i| !i.is_none()) {
        None => IgnoreRules::none(),
        Some(i) => {
            let v = to_value(i, 0, ParseOptions::kustomize().max_depth)
                .map_err(|e| e.into_pyerr(py))?;
            IgnoreRules::from_value(&v).map_err(|e| PyValueError::new_err(e.to_string()))?
        }
    };
    let report = if let Some(live) = live.filter(|l| !l.is_none()) {
        let live = objects_arg(py, live)?;
        let dopts = diff_options(&opts, &ignore);
        py.detach(move || gitward::diff::diff_offline(objects, &live, &previous, &dopts))
            .map_err(|e| ErrorReport::from(&e).into_pyerr(py))?
    } else {
        let outcome = with_cluster(py, kubeconfig, context, async move |c: &Cluster| {
            diff(c, objects, &previous, &opts, &ignore).await
        })
        .map_err(|f| f.into_pyerr(py))?
        .map_err(|e| ErrorReport::from(&e).into_pyerr(py))?;
        if let Some(e) = outcome.errors.first() {
            return Err(ErrorReport::from(e).into_pyerr(py));
        }
        outcome.report
    };
    to_python(py, &gitward::io::cluster::report::diff_value(&report))
}
