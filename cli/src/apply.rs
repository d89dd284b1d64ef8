//! `gitward apply`: Flux's staged server-side apply, inventory and prune.

use std::io::Write;
use std::path::PathBuf;

use gitward::health::cel::{CustomHealthCheck, HealthCheckExprs, HealthChecks};
use gitward::inventory::Inventory;
use gitward::io::cluster::engine::{ApplyOptions, apply, plan};
use gitward::io::cluster::{Cluster, block_on};
use gitward::yaml::{Map, Value};

use crate::Failure::{self, Failed};

/// `gitward apply (-f FILE | -k DIR) [flags]`.
#[derive(clap::Args)]
pub(crate) struct ApplyArgs {
    /// A manifest file (YAML documents or a JSON stream, read as Flux reads manifests;
    /// `-` for standard input).
    #[arg(
        short = 'f',
        long = "filename",
        value_name = "FILE",
        conflicts_with = "kustomize",
        required_unless_present = "kustomize"
    )]
    pub(crate) file: Option<PathBuf>,
    /// A directory holding a kustomization: its build is applied.
    #[arg(short = 'k', long = "kustomize", value_name = "DIR")]
    pub(crate) kustomize: Option<PathBuf>,
    /// The kubeconfig (default: `$KUBECONFIG`, `~/.kube/config`, in-cluster).
    #[arg(long, value_name = "FILE")]
    pub(crate) kubeconfig: Option<PathBuf>,
    /// The kubeconfig context (default: the current one).
    #[arg(long)]
    pub(crate) context: Option<String>,
    /// The field manager of the server-side applies.
    #[arg(long, default_value = "gitward")]
    pub(crate) field_manager: String,
    /// The inventory: read when present (the previous apply), written after a successful
    /// apply, as Flux's `status.inventory` (`{"entries": [{"id": ..., "v": ...}]}`).
    #[arg(long, value_name = "FILE")]
    pub(crate) inventory_file: Option<PathBuf>,
    /// The Kustomization name for the owner labels (`kustomize.toolkit.fluxcd.io/name`).
    #[arg(long, requires = "owner_namespace")]
    pub(crate) owner_name: Option<String>,
    /// The Kustomization namespace for the owner labels.
    #[arg(long, requires = "owner_name")]
    pub(crate) owner_namespace: Option<String>,
    /// Delete the objects of the previous inventory that are no longer in the set.
    #[arg(long)]
    pub(crate) prune: bool,
    /// Recreate objects whose immutable fields changed (the Kustomization's `spec.force`).
    #[arg(long)]
    pub(crate) force: bool,
    /// After the apply and the prune, wait until every applied object is `Current` (kstatus,
    /// or its `--health-check-exprs` check), as Flux's `spec.wait`.
    #[arg(long)]
    pub(crate) wait: bool,
    /// How long the waits may take (a Go duration: `90s`, `5m`), as Flux's `spec.timeout`.
    #[arg(long, default_value = "5m", value_name = "DURATION")]
    pub(crate) timeout: String,
    /// A YAML list of Flux's `healthCheckExprs` (`apiVersion`, `kind`, `current`,
    /// `inProgress`, `failed`): CEL health checks used by the waits.
    #[arg(long, value_name = "FILE")]
    pub(crate) health_check_exprs: Option<PathBuf>,
    /// `plan` and `diff`: work offline against the live objects of FILE (YAML or JSON
    /// documents, `List`s expanded, as `kubectl get -o yaml` prints them; `-` for standard
    /// input), with no cluster.
    #[arg(long, value_name = "FILE")]
    pub(crate) live: Option<PathBuf>,
    /// `text` (Flux's `Kind/namespace/name action` lines), `json`
    /// (`{"entries": [{"subject", "action"}]}`) or `yaml` (the same structure).
    #[arg(short = 'o', long = "output", default_value = "text")]
    pub(crate) output: String,
}

fn check_format(format: &str) -> Result<(), Failure> {
    if matches!(format, "text" | "json" | "yaml") {
        Ok(())
    } else {
        Err(Failed(format!(
            "invalid output format {format:?}: use text, json or yaml"
        )))
    }
}

/// `value` as indented JSON or as YAML, with a final newline.
fn render(value: &Value, format: &str) -> Result<String, Failure> {
    if format == "yaml" {
        return Ok(gitward::yaml::emit_kustomize(value));
    }
    let mut s =
        gitward::go::json::to_string_with(value, gitward::go::json::JsonOptions::indented("  "))
            .map_err(|e| Failed(e.to_string()))?;
    s.push('\n');
    Ok(s)
}

fn write_stdout(out: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Failed(format!("writing output: {e}")))
}

/// The apply options the flags ask for (health checks read and parsed).
pub(crate) fn options(args: &ApplyArgs) -> Result<ApplyOptions, Failure> {
    let nanos = gitward::template::time::parse_duration(&args.timeout)
        .map_err(|e| Failed(format!("invalid --timeout {:?}: {e}", args.timeout)))?;
    let timeout = std::time::Duration::from_nanos(u64::try_from(nanos).unwrap_or(0));
    let mut opts = ApplyOptions::new(&args.field_manager)
        .with_force(args.force)
        .with_prune(args.prune)
        .with_wait(args.wait, timeout);
    if let (Some(n), Some(ns)) = (&args.owner_name, &args.owner_namespace) {
        opts = opts.with_owner(n, ns);
    }
    if let Some(path) = &args.health_check_exprs {
        opts = opts.with_health_checks(read_health_checks(path)?);
    }
    Ok(opts)
}

/// Reads a YAML list of Flux's `healthCheckExprs` entries.
fn read_health_checks(path: &PathBuf) -> Result<HealthChecks, Failure> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| Failed(format!("{shown}: {e}")))?;
    let docs =
        gitward::yaml::parse_kustomize_docs(&text).map_err(|e| Failed(format!("{shown}: {e}")))?;
    let mut checks = Vec::new();
    for doc in docs {
        let items = match doc {
            Value::Seq(items) => items,
            Value::Null => continue,
            _ => return Err(Failed(format!("{shown}: expected a list of health checks"))),
        };
        for item in items {
            let field = |k: &str| {
                item.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            let exprs = HealthCheckExprs::new(field("current"))
                .with_in_progress(field("inProgress"))
                .with_failed(field("failed"));
            checks.push(CustomHealthCheck::new(
                field("apiVersion"),
                field("kind"),
                exprs,
            ));
        }
    }
    HealthChecks::new(&checks).map_err(|e| Failed(format!("{shown}: {e}")))
}

pub(crate) fn read_input(args: &ApplyArgs) -> Result<Vec<Value>, Failure> {
    let values = crate::read_objects(args.file.as_deref(), args.kustomize.as_deref())?;
    Ok(gitward::ssa::objects_from_manifests(values))
}

pub(crate) fn read_inventory(path: Option<&PathBuf>) -> Result<Inventory, Failure> {
    let Some(path) = path else {
        return Ok(Inventory::default());
    };
    match std::fs::read_to_string(path) {
        Ok(text) => Inventory::from_json(&text)
            .map_err(|e| Failed(format!("inventory file {}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Inventory::default()),
        Err(e) => Err(Failed(format!("inventory file {}: {e}", path.display()))),
    }
}

/// `gitward plan`: what `apply` would do (server-side dry-runs only, or in memory against
/// `--live FILE`), per stage and object.
pub(crate) fn run_plan(args: &ApplyArgs) -> Result<(), Failure> {
    let format = args.output.as_str();
    check_format(format)?;
    let objects = read_input(args)?;
    let previous = read_inventory(args.inventory_file.as_ref())?;
    let opts = options(args)?;
    let planned = match &args.live {
        Some(live) => {
            let live = crate::read_objects(Some(live), None)?;
            let live = gitward::ssa::objects_from_manifests(live);
            gitward::ssa::plan::plan(objects, &live, &previous, &opts.plan_options())
                .map_err(|e| Failed(e.to_string()))?
        }
        None => block_on(async {
            let cluster = Cluster::connect(args.kubeconfig.as_deref(), args.context.as_deref())
                .await
                .map_err(|e| e.to_string())?;
            plan(&cluster, objects, &previous, &opts)
                .await
                .map_err(|e| e.to_string())
        })
        .map_err(|e| Failed(e.to_string()))?
        .map_err(Failed)?,
    };
    let out = if format == "text" {
        let mut s = String::new();
        for st in &planned.stages {
            for e in &st.entries {
                s.push_str(&format!("[{}] {}", st.name, e.entry));
                if !e.reason.is_empty() {
                    s.push_str(&format!(" ({})", e.reason));
                }
                if !e.fields.is_empty() {
                    s.push_str(&format!(": {}", e.fields.join(", ")));
                }
                s.push('\n');
            }
        }
        s
    } else {
        render(&planned.to_value(), format)?
    };
    write_stdout(&out)
}

pub(crate) fn run(args: &ApplyArgs) -> Result<(), Failure> {
    let format = args.output.as_str();
    check_format(format)?;
    if args.live.is_some() {
        return Err(Failed("--live is a flag of plan, not of apply".into()));
    }
    let objects = read_input(args)?;
    let previous = read_inventory(args.inventory_file.as_ref())?;
    let opts = options(args)?;
    let outcome = block_on(async {
        let cluster = Cluster::connect(args.kubeconfig.as_deref(), args.context.as_deref()).await?;
        Ok::<_, gitward::io::cluster::ClusterError>(
            apply(&cluster, objects, &previous, &opts).await,
        )
    })
    .map_err(|e| Failed(e.to_string()))?
    .map_err(|e| Failed(e.to_string()))?;
    if let (Some(inv), Some(path)) = (&outcome.inventory, &args.inventory_file) {
        write_inventory(path, inv)?;
    }
    let out = if format == "text" {
        let mut s = outcome.change_set.to_string();
        if !s.is_empty() {
            s.push('\n');
        }
        s
    } else {
        let mut root = match outcome.change_set.to_value() {
            Value::Map(m) => m,
            _ => Map::default(),
        };
        if let Some(e) = &outcome.error {
            root.insert("error".into(), Value::from(e.to_string()));
        }
        render(&Value::Map(root), format)?
    };
    write_stdout(&out)?;
    match outcome.error {
        Some(e) => Err(Failed(e.to_string())),
        None => Ok(()),
    }
}

/// Writes the inventory whole or not at all: a temporary file beside it, then renamed over
/// it, so that no interruption leaves half an inventory.
fn write_inventory(path: &std::path::Path, inv: &Inventory) -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failed(format!("inventory file {}: {e}", path.display()));
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, inv.to_json()).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })
}
