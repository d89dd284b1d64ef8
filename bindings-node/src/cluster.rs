//! Apply and plan against a cluster (`apply`/`applySync`, `plan`/`planSync`), as Flux's
//! kustomize-controller applies; their errors as `CLUSTER_*` errors.

use gitward::inventory::Inventory;
use gitward::io::cluster::report::ErrorReport;
use gitward::io::cluster::{Cluster, ClusterError, block_on};
use gitward::yaml::{Map, ParseOptions, Value};
use napi::bindgen_prelude::{
    AsyncTask, FromNapiValue, JsObjectValue, JsValue, Null, Object, ToNapiValue, Unknown,
};
use napi::{Env, Error, JsError, Result, ScopedTask, ValueType};
use napi_derive::napi;

use crate::{Ctx, OptionReader, arg_type, invalid_value, throwable, to_js, to_value};

/// Options of `apply` / `applySync` / `plan` / `planSync` (the flags of `gitward apply`).
/// (This declares the TypeScript interface; the addon reads the object field by field.)
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct ApplyOptions {
    /// The kubeconfig file (default: `$KUBECONFIG`, `~/.kube/config`, in-cluster).
    pub kubeconfig: Option<String>,
    /// The kubeconfig context (default: the current one).
    pub context: Option<String>,
    /// The field manager of the server-side applies (default `'gitward'`).
    pub field_manager: Option<String>,
    /// The previous inventory (`{entries: [{id, v}]}`), whose objects prune may delete.
    #[napi(ts_type = "Inventory")]
    pub inventory: Option<String>,
    /// The owning Kustomization's name (owner labels; with `ownerNamespace`).
    pub owner_name: Option<String>,
    /// The owning Kustomization's namespace.
    pub owner_namespace: Option<String>,
    /// Delete the previous inventory's objects that are no longer in the set.
    pub prune: Option<bool>,
    /// Recreate objects whose immutable fields changed.
    pub force: Option<bool>,
    /// `apply`: wait until every applied object is ready (kstatus `Current`), as a
    /// Kustomization's `spec.wait`.
    pub wait: Option<bool>,
    /// `apply`: how long `wait` waits, in seconds (default 300).
    pub timeout: Option<f64>,
    /// `plan`: the cluster's objects; the plan is then computed in memory, with no
    /// cluster, and `configured` entries name the `fields` that differ.
    #[napi(ts_type = "Array<Record<string, unknown>>")]
    pub live: Option<String>,
    /// `diff`: ignore rules, `[{paths: [JSON pointers], target: {group, version, kind, name,
    /// namespace, labelSelector, annotationSelector}}]` (a HelmRelease's
    /// `spec.driftDetection.ignore`).
    #[napi(ts_type = "Array<{ paths: Array<string>; target?: Record<string, string> }>")]
    pub ignore: Option<String>,
}

/// What `diff` / `diffSync` return.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct DiffResult {
    /// One entry per object (desired ones in apply order, then prune's), Secret values
    /// masked.
    #[napi(
        ts_type = "Array<{ subject: string; id: string; version: string; action: string; changes: Array<{ op: string; path: string; before?: unknown; after?: unknown }> }>"
    )]
    pub objects: Vec<String>,
    /// Whether anything would be created, configured or deleted.
    pub has_changes: bool,
    /// Flux's `►` lines with the unified diffs, for people.
    pub text: String,
}

/// Flux's inventory: `{entries: [{id: '<namespace>_<name>_<group>_<kind>', v: 'v1'}]}`.
#[napi(
    object,
    js_name = "Inventory",
    object_from_js = false,
    object_to_js = false
)]
pub struct InventoryShape {
    /// The entries.
    #[napi(ts_type = "Array<{ id: string; v: string }>")]
    pub entries: Vec<String>,
}

/// What `apply` / `applySync` return.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct ApplyResult {
    /// Flux's change set: apply entries in order, then prune entries.
    #[napi(ts_type = "Array<{ subject: string; action: string }>")]
    pub entries: Vec<String>,
    /// The inventory to keep for the next apply.
    #[napi(ts_type = "Inventory | null")]
    pub inventory: Option<String>,
}

/// What `plan` / `planSync` return.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct PlanResult {
    /// The stages (`definitions`, `classes`, `resources`, then `prune`).
    #[napi(
        ts_type = "Array<{ name: string; entries: Array<{ subject: string; id: string; action: string; reason: string; fields?: Array<string> }> }>"
    )]
    pub stages: Vec<String>,
}

/// What an apply or plan needs, read from JS.
pub struct Request {
    objects: Vec<Value>,
    kubeconfig: Option<String>,
    context: Option<String>,
    previous: Inventory,
    opts: ApplyOptions_,
    live: Option<Vec<Value>>,
    ignore: gitward::diff::IgnoreRules,
}

type ApplyOptions_ = gitward::io::cluster::engine::ApplyOptions;

/// A failure as the JS error of its kind.
trait IntoJsError {
    fn into_error(self, env: &Env) -> Error;
}

impl IntoJsError for ErrorReport {
    fn into_error(self, env: &Env) -> Error {
        let code = format!("CLUSTER_{}", self.kind.as_str().to_ascii_uppercase());
        let js = JsError::from(Error::new(code, self.message.clone())).into_unknown(*env);
        let build = || -> Result<Error> {
            let subject = match &self.subject {
                Some(s) => s.as_str().into_unknown(env)?,
                None => Null.into_unknown(env)?,
            };
            let status = match self.code {
                Some(c) => u32::from(c).into_unknown(env)?,
                None => Null.into_unknown(env)?,
            };
            let fields = Value::Seq(
                self.fields
                    .iter()
                    .map(|f| Value::from(f.as_str()))
                    .collect(),
            );
            Ok(throwable(
                Object::from_unknown(js)?,
                &[
                    ("kind", self.kind.as_str().into_unknown(env)?),
                    ("subject", subject),
                    ("statusCode", status),
                    ("fields", to_js(env, &fields)?),
                    ("entries", to_js(env, &Value::Seq(self.entries.clone()))?),
                ],
            ))
        };
        build().unwrap_or_else(|e| e)
    }
}

fn request(env: &Env, objects: Unknown<'_>, options: Option<Unknown<'_>>) -> Result<Request> {
    let ctx = Ctx {
        env,
        object_prototype: Object::new(env)?.get_prototype()?,
        max_depth: ParseOptions::kustomize().max_depth,
    };
    let t = objects.get_type()?;
    if t != ValueType::Object || !objects.is_array()? {
        let message = format!(
            "expected an array of objects, got {}",
            arg_type(&objects, t)?
        );
        return Err(invalid_value(env, "", message));
    }
    let items = match to_value(&ctx, objects, 0).map_err(|e| e.into_error(env))? {
        Value::Seq(items) => items,
        _ => Vec::new(),
    };
    let r = OptionReader::new(env, options)?;
    let previous = match r.get("inventory")? {
        None => Inventory::default(),
        Some(v) => {
            let v = to_value(&ctx, v, 1).map_err(|e| e.into_error(env))?;
            Inventory::from_value(&v)
                .map_err(|e| invalid_value(env, "options.inventory", e.to_string()))?
        }
    };
    let live = match r.get("live")? {
        None => None,
        Some(v) => match to_value(&ctx, v, 1).map_err(|e| e.into_error(env))? {
            Value::Seq(items) => Some(gitward::ssa::objects_from_manifests(items)),
            _ => {
                let message = "expected an array of objects".to_string();
                return Err(invalid_value(env, "options.live", message));
            }
        },
    };
    let ignore = match r.get("ignore")? {
        None => gitward::diff::IgnoreRules::none(),
        Some(v) => {
            let v = to_value(&ctx, v, 1).map_err(|e| e.into_error(env))?;
            gitward::diff::IgnoreRules::from_value(&v)
                .map_err(|e| invalid_value(env, "options.ignore", e.to_string()))?
        }
    };
    let timeout = r.number("timeout")?.unwrap_or(300.0);
    if !(timeout.is_finite() && timeout > 0.0) {
        let message = "expected a positive number of seconds".to_string();
        return Err(invalid_value(env, "options.timeout", message));
    }
    let field_manager = r
        .string("fieldManager")?
        .unwrap_or_else(|| "gitward".into());
    let mut opts = ApplyOptions_::new(&field_manager)
        .with_force(r.boolean("force")?)
        .with_prune(r.boolean("prune")?)
        .with_wait(
            r.boolean("wait")?,
            std::time::Duration::from_secs_f64(timeout.min(1e9)),
        );
    match (r.string("ownerName")?, r.string("ownerNamespace")?) {
        (Some(n), Some(ns)) => opts = opts.with_owner(&n, &ns),
        (None, None) => {}
        _ => {
            return Err(invalid_value(
                env,
                "options.ownerName",
                "ownerName and ownerNamespace go together".into(),
            ));
        }
    }
    Ok(Request {
        objects: gitward::ssa::objects_from_manifests(items),
        kubeconfig: r.string("kubeconfig")?,
        context: r.string("context")?,
        previous,
        opts,
        live,
        ignore,
    })
}

/// Connects, then runs `f` on the cluster, on a private runtime.
fn with_cluster<T>(
    r: &Request,
    f: impl AsyncFnOnce(&Cluster) -> T,
) -> std::result::Result<T, ErrorReport> {
    block_on(async {
        let path = r.kubeconfig.as_deref().map(std::path::Path::new);
        let cluster = Cluster::connect(path, r.context.as_deref()).await?;
        Ok::<_, ClusterError>(f(&cluster).await)
    })
    .and_then(|r| r)
    .map_err(|e| ErrorReport::from(&e))
}

/// The apply, as a [`Value`] shaped as `ApplyResult`.
fn run_apply(r: &Request) -> std::result::Result<Value, ErrorReport> {
    let outcome = with_cluster(r, async |c: &Cluster| {
        gitward::io::cluster::engine::apply(c, r.objects.clone(), &r.previous, &r.opts).await
    })?;
    if let Some(e) = &outcome.error {
        let mut f = ErrorReport::from(e);
        f.entries = outcome
            .change_set
            .entries
            .iter()
            .map(|e| e.to_value())
            .collect();
        return Err(f);
    }
    let mut out = Map::default();
    let entries = outcome.change_set.to_value();
    out.insert(
        "entries".into(),
        entries
            .get("entries")
            .cloned()
            .unwrap_or(Value::Seq(Vec::new())),
    );
    out.insert(
        "inventory".into(),
        outcome
            .inventory
            .as_ref()
            .map_or(Value::Null, Inventory::to_value),
    );
    Ok(Value::Map(out))
}

fn run_plan(r: &Request) -> std::result::Result<Value, ErrorReport> {
    if let Some(live) = &r.live {
        return gitward::ssa::plan::plan(
            r.objects.clone(),
            live,
            &r.previous,
            &r.opts.plan_options(),
        )
        .map(|p| p.to_value())
        .map_err(|e| ErrorReport::from(&e));
    }
    with_cluster(r, async |c: &Cluster| {
        gitward::io::cluster::engine::plan(c, r.objects.clone(), &r.previous, &r.opts).await
    })?
    .map(|p| p.to_value())
    .map_err(|e| ErrorReport::from(&e))
}

/// The bindings' diff result with JS's key names (`hasChanges`).
fn diff_value(report: &gitward::diff::DiffReport) -> Value {
    match gitward::io::cluster::report::diff_value(report) {
        Value::Map(m) => Value::Map(
            m.into_iter()
                .map(|(k, v)| match k.as_str() {
                    "has_changes" => ("hasChanges".to_string(), v),
                    _ => (k, v),
                })
                .collect(),
        ),
        other => other,
    }
}

fn run_diff(r: &Request) -> std::result::Result<Value, ErrorReport> {
    use gitward::io::cluster::diff::{diff, diff_options};
    if let Some(live) = &r.live {
        let dopts = diff_options(&r.opts, &r.ignore);
        return gitward::diff::diff_offline(r.objects.clone(), live, &r.previous, &dopts)
            .map(|rep| diff_value(&rep))
            .map_err(|e| ErrorReport::from(&e));
    }
    let outcome = with_cluster(r, async |c: &Cluster| {
        diff(c, r.objects.clone(), &r.previous, &r.opts, &r.ignore).await
    })?
    .map_err(|e| ErrorReport::from(&e))?;
    if let Some(e) = outcome.errors.first() {
        return Err(ErrorReport::from(e));
    }
    Ok(diff_value(&outcome.report))
}

fn outcome<'env>(
    env: &'env Env,
    out: std::result::Result<Value, ErrorReport>,
) -> Result<Unknown<'env>> {
    match out {
        Ok(v) => to_js(env, &v),
        Err(f) => Err(f.into_error(env)),
    }
}

/// Applies objects as Flux's kustomize-controller applies a Kustomization's build: staged
/// server-side apply (CRDs, Namespaces and cluster RBAC first, then class kinds, then the
/// rest), the `kustomize.toolkit.fluxcd.io/*` annotations honoured, then (`prune: true`)
/// the objects of `inventory` no longer in the set deleted. Blocks until done.
///
/// Returns Flux's change set and the inventory to keep. Throws an `Error` with `code`
/// `'CLUSTER_CONFLICT'`, `'CLUSTER_INVALID'`, `'CLUSTER_FORBIDDEN'`,
/// `'CLUSTER_NOT_FOUND'`, `'CLUSTER_TIMEOUT'`, `'CLUSTER_CONNECTION'`,
/// `'CLUSTER_KUBECONFIG'`, ... (`kind`, `subject`, `statusCode`, `fields`, `entries`: what
/// was done before the failure; never a Secret value), and a `TypeError` with `code`
/// `'INVALID_VALUE'` for a bad argument.
#[napi(
    ts_args_type = "objects: Array<Record<string, unknown>>, options?: ApplyOptions | undefined | null",
    ts_return_type = "ApplyResult"
)]
pub fn apply_sync<'env>(
    env: &'env Env,
    objects: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<Unknown<'env>> {
    run_sync(env, objects, options, Verb::Apply)
}

/// What [`apply_sync`] would do, with server-side dry-runs only (nothing changes): the
/// actions and reasons stage by stage. Custom resources whose CRD, and objects whose
/// Namespace, only the set holds are planned `created`. Throws as `applySync`.
#[napi(
    ts_args_type = "objects: Array<Record<string, unknown>>, options?: ApplyOptions | undefined | null",
    ts_return_type = "PlanResult"
)]
pub fn plan_sync<'env>(
    env: &'env Env,
    objects: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<Unknown<'env>> {
    run_sync(env, objects, options, Verb::Plan)
}

/// Which cluster verb a task runs.
#[derive(Clone, Copy)]
pub enum Verb {
    /// `apply`.
    Apply,
    /// `plan`.
    Plan,
    /// `diff`.
    Diff,
}

impl Verb {
    fn run(self, r: &Request) -> std::result::Result<Value, ErrorReport> {
        match self {
            Verb::Apply => run_apply(r),
            Verb::Plan => run_plan(r),
            Verb::Diff => run_diff(r),
        }
    }
}

/// A verb's arguments read, then the verb run on this thread.
fn run_sync<'env>(
    env: &'env Env,
    objects: Unknown<'_>,
    options: Option<Unknown<'_>>,
    verb: Verb,
) -> Result<Unknown<'env>> {
    let r = request(env, objects, options)?;
    outcome(env, verb.run(&r))
}

/// A verb's arguments read on the JS thread, the verb run on the libuv thread pool.
fn task(
    env: &Env,
    objects: Unknown<'_>,
    options: Option<Unknown<'_>>,
    verb: Verb,
) -> Result<AsyncTask<ClusterTask>> {
    let request = request(env, objects, options)?;
    Ok(AsyncTask::new(ClusterTask { request, verb }))
}

/// An apply, a plan or a diff on the libuv thread pool.
pub struct ClusterTask {
    request: Request,
    verb: Verb,
}

impl<'task> ScopedTask<'task> for ClusterTask {
    type Output = std::result::Result<Value, ErrorReport>;
    type JsValue = Unknown<'task>;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(self.verb.run(&self.request))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        outcome(env, output)
    }
}

/// `applySync` on the libuv thread pool: the Promise rejects with its errors.
#[napi(
    ts_args_type = "objects: Array<Record<string, unknown>>, options?: ApplyOptions | undefined | null",
    ts_return_type = "Promise<ApplyResult>"
)]
pub fn apply(
    env: &Env,
    objects: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<AsyncTask<ClusterTask>> {
    task(env, objects, options, Verb::Apply)
}

/// `planSync` on the libuv thread pool: the Promise rejects with its errors.
#[napi(
    ts_args_type = "objects: Array<Record<string, unknown>>, options?: ApplyOptions | undefined | null",
    ts_return_type = "Promise<PlanResult>"
)]
pub fn plan(
    env: &Env,
    objects: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<AsyncTask<ClusterTask>> {
    task(env, objects, options, Verb::Plan)
}

/// Compares objects with what runs, as `flux diff kustomization` does: each object's
/// server-side dry-run against its live object, both normalised, Secret values masked
/// (keys shown, values never), `ignore` rules applied; with `prune` the inventory's objects
/// no longer in the set are `deleted`. With `live` (the cluster's objects) the diff is
/// computed in memory, with no cluster. Throws as `applySync` (for the first object that
/// could not be diffed).
#[napi(
    ts_args_type = "objects: Array<Record<string, unknown>>, options?: ApplyOptions | undefined | null",
    ts_return_type = "DiffResult"
)]
pub fn diff_sync<'env>(
    env: &'env Env,
    objects: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<Unknown<'env>> {
    run_sync(env, objects, options, Verb::Diff)
}

/// `diffSync` on the libuv thread pool: the Promise rejects with its errors.
#[napi(
    ts_args_type = "objects: Array<Record<string, unknown>>, options?: ApplyOptions | undefined | null",
    ts_return_type = "Promise<DiffResult>"
)]
pub fn diff(
    env: &Env,
    objects: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<AsyncTask<ClusterTask>> {
    task(env, objects, options, Verb::Diff)
}
