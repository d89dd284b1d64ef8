//! `gitward apply`: Flux's staged server-side apply, inventory and prune.

use std::io::Write;
use std::path::PathBuf;

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
    /// `text` (Flux's `Kind/namespace/name action` lines) or `json`
    /// (`{"entries": [{"subject", "action"}]}`); `diff` also takes `yaml`.
    #[arg(short = 'o', long = "output", default_value = "text")]
    pub(crate) output: String,
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

/// The apply options the flags ask for.
pub(crate) fn options(args: &ApplyArgs) -> ApplyOptions {
    let mut opts = ApplyOptions::new(&args.field_manager)
        .with_force(args.force)
        .with_prune(args.prune);
    if let (Some(n), Some(ns)) = (&args.owner_name, &args.owner_namespace) {
        opts = opts.with_owner(n, ns);
    }
    opts
}

/// `gitward plan`: what `apply` would do (server-side dry-runs only), per stage and object.
pub(crate) fn run_plan(args: &ApplyArgs) -> Result<(), Failure> {
    let format = args.output.as_str();
    if !matches!(format, "text" | "json") {
        return Err(Failed(format!(
            "invalid output format {format:?}: use text or json"
        )));
    }
    let objects = read_input(args)?;
    let previous = read_inventory(args.inventory_file.as_ref())?;
    let opts = options(args);
    let planned = block_on(async {
        let cluster = Cluster::connect(args.kubeconfig.as_deref(), args.context.as_deref())
            .await
            .map_err(|e| e.to_string())?;
        plan(&cluster, objects, &previous, &opts)
            .await
            .map_err(|e| e.to_string())
    })
    .map_err(|e| Failed(e.to_string()))?
    .map_err(Failed)?;
    let out = if format == "json" {
        let stages = planned
            .stages
            .iter()
            .map(|st| {
                let entries = st
                    .entries
                    .iter()
                    .map(|e| {
                        let mut m = Map::default();
                        m.insert("subject".into(), Value::from(e.entry.subject.as_str()));
                        m.insert("id".into(), Value::from(e.entry.object.id()));
                        m.insert("action".into(), Value::from(e.entry.action.as_str()));
                        m.insert("reason".into(), Value::from(e.reason.as_str()));
                        Value::Map(m)
                    })
                    .collect();
                let mut m = Map::default();
                m.insert("name".into(), Value::from(st.name));
                m.insert("entries".into(), Value::Seq(entries));
                Value::Map(m)
            })
            .collect();
        let mut root = Map::default();
        root.insert("stages".into(), Value::Seq(stages));
        let mut s = gitward::go::json::to_string_with(
            &Value::Map(root),
            gitward::go::json::JsonOptions::indented("  "),
        )
        .map_err(|e| Failed(e.to_string()))?;
        s.push('\n');
        s
    } else {
        let mut s = String::new();
        for st in &planned.stages {
            for e in &st.entries {
                s.push_str(&format!("[{}] {}", st.name, e.entry));
                if !e.reason.is_empty() {
                    s.push_str(&format!(" ({})", e.reason));
                }
                s.push('\n');
            }
        }
        s
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Failed(format!("writing output: {e}")))
}

pub(crate) fn run(args: &ApplyArgs) -> Result<(), Failure> {
    let format = args.output.as_str();
    if !matches!(format, "text" | "json") {
        return Err(Failed(format!(
            "invalid output format {format:?}: use text or json"
        )));
    }
    let objects = read_input(args)?;
    let previous = read_inventory(args.inventory_file.as_ref())?;
    let opts = options(args);
    let outcome = block_on(async {
        let cluster = Cluster::connect(args.kubeconfig.as_deref(), args.context.as_deref()).await?;
        Ok::<_, gitward::io::cluster::ClusterError>(
            apply(&cluster, objects, &previous, &opts).await,
        )
    })
    .map_err(|e| Failed(e.to_string()))?
    .map_err(|e| Failed(e.to_string()))?;
    if let (Some(inv), Some(path)) = (&outcome.inventory, &args.inventory_file) {
        std::fs::write(path, inv.to_json())
            .map_err(|e| Failed(format!("inventory file {}: {e}", path.display())))?;
    }
    let out = match format {
        "json" => {
            let entries = outcome
                .change_set
                .entries
                .iter()
                .map(|e| {
                    let mut m = Map::default();
                    m.insert("subject".into(), Value::from(e.subject.as_str()));
                    m.insert("action".into(), Value::from(e.action.as_str()));
                    Value::Map(m)
                })
                .collect();
            let mut root = Map::default();
            root.insert("entries".into(), Value::Seq(entries));
            if let Some(e) = &outcome.error {
                root.insert("error".into(), Value::from(e.to_string()));
            }
            let mut s = gitward::go::json::to_string_with(
                &Value::Map(root),
                gitward::go::json::JsonOptions::indented("  "),
            )
            .map_err(|e| Failed(e.to_string()))?;
            s.push('\n');
            s
        }
        _ => {
            let mut s = outcome.change_set.to_string();
            if !s.is_empty() {
                s.push('\n');
            }
            s
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Failed(format!("writing output: {e}")))?;
    match outcome.error {
        Some(e) => Err(Failed(e.to_string())),
        None => Ok(()),
    }
}
