//! `gitward diff`: what `apply` would change, as `flux diff kustomization` prints it.
//!
//! Exit status as `flux diff`: 0 no differences, 1 differences (an object created,
//! drifted or, with `--prune`, deleted), 2 the diff failed.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use gitward::diff::{DiffReport, IgnoreRules, diff_offline};
use gitward::io::cluster::diff::{diff, diff_options};
use gitward::io::cluster::{Cluster, block_on};
use gitward::yaml::Value;

use crate::Failure::{self, Failed};
use crate::apply::{ApplyArgs, options, read_input, read_inventory};

/// Exit status when something would change.
const EXIT_CHANGES: u8 = 1;
/// Exit status when the diff failed.
const EXIT_ERROR: u8 = 2;

/// `gitward diff (-f FILE | -k DIR) [flags]`.
#[derive(clap::Args)]
pub(crate) struct DiffArgs {
    #[command(flatten)]
    apply: ApplyArgs,
    /// Ignore rules: a YAML list of `{paths: [JSON pointers], target: {group, version,
    /// kind, name, namespace, labelSelector, annotationSelector}}` (a HelmRelease's
    /// `spec.driftDetection.ignore`).
    #[arg(long, value_name = "FILE")]
    ignore_rules: Option<PathBuf>,
    /// Colour the text output: `auto` (when standard output is a terminal and `NO_COLOR`
    /// is unset), `always` or `never`.
    #[arg(long, default_value = "auto", value_name = "WHEN")]
    color: String,
    /// Concurrent reads and dry-runs.
    #[arg(long, default_value_t = 4, value_name = "N")]
    concurrency: usize,
}

fn read_text(path: &std::path::Path) -> Result<String, Failure> {
    let shown = path.display().to_string();
    if shown == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(|e| Failed(format!("<stdin>: {e}")))
    } else {
        std::fs::read_to_string(path).map_err(|e| Failed(format!("{shown}: {e}")))
    }
}

/// The report and the per-object errors.
fn compute(args: &DiffArgs) -> Result<(DiffReport, Vec<String>), Failure> {
    let a = &args.apply;
    if a.file.as_deref().is_some_and(|f| f.as_os_str() == "-")
        && args
            .apply
            .live
            .as_deref()
            .is_some_and(|f| f.as_os_str() == "-")
    {
        return Err(Failed(
            "-f and --live cannot both read standard input".into(),
        ));
    }
    let ignore = match &args.ignore_rules {
        Some(p) => IgnoreRules::parse(&read_text(p)?)
            .map_err(|e| Failed(format!("{}: {e}", p.display())))?,
        None => IgnoreRules::none(),
    };
    let objects = read_input(a)?;
    let previous = read_inventory(a.inventory_file.as_ref())?;
    let mut opts = options(a)?;
    opts.concurrency = args.concurrency.max(1);
    if let Some(live_file) = &args.apply.live {
        let text = read_text(live_file)?;
        let live = gitward::manifest::read_manifests(&text)
            .map_err(|e| Failed(format!("{}: {e}", live_file.display())))?;
        let live = gitward::ssa::objects_from_manifests(live);
        let report = diff_offline(objects, &live, &previous, &diff_options(&opts, &ignore))
            .map_err(|e| Failed(e.to_string()))?;
        return Ok((report, Vec::new()));
    }
    let outcome = block_on(async {
        let cluster = Cluster::connect(a.kubeconfig.as_deref(), a.context.as_deref())
            .await
            .map_err(|e| e.to_string())?;
        diff(&cluster, objects, &previous, &opts, &ignore)
            .await
            .map_err(|e| e.to_string())
    })
    .map_err(|e| Failed(e.to_string()))?
    .map_err(Failed)?;
    let errors = outcome.errors.iter().map(ToString::to_string).collect();
    Ok((outcome.report, errors))
}

fn render(
    report: &DiffReport,
    errors: &[String],
    format: &str,
    color: bool,
) -> Result<String, Failure> {
    if format == "text" {
        return Ok(report.to_text(3, color));
    }
    let mut v = report.to_value();
    if !errors.is_empty()
        && let Some(m) = v.as_map_mut()
    {
        m.insert(
            "errors".into(),
            Value::Seq(errors.iter().map(|e| Value::from(e.as_str())).collect()),
        );
    }
    if format == "yaml" {
        return Ok(gitward::yaml::emit_kustomize(&v));
    }
    let mut s =
        gitward::go::json::to_string_with(&v, gitward::go::json::JsonOptions::indented("  "))
            .map_err(|e| Failed(e.to_string()))?;
    s.push('\n');
    Ok(s)
}

/// Runs `gitward diff`, returning its exit status.
pub(crate) fn run(args: &DiffArgs) -> ExitCode {
    let format = args.apply.output.as_str();
    let fail = |msg: &str| {
        eprintln!("✗ {msg}");
        ExitCode::from(EXIT_ERROR)
    };
    if !matches!(format, "text" | "json" | "yaml") {
        return fail(&format!(
            "invalid output format {format:?}: use text, json or yaml"
        ));
    }
    let color = match args.color.as_str() {
        "always" => true,
        "never" => false,
        "auto" => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        other => {
            return fail(&format!(
                "invalid --color {other:?}: use auto, always or never"
            ));
        }
    };
    let (report, errors) = match compute(args) {
        Ok(r) => r,
        Err(Failed(msg) | Failure::Unsupported(msg)) => return fail(&msg),
    };
    let out = match render(&report, &errors, format, color) {
        Ok(o) => o,
        Err(Failed(msg) | Failure::Unsupported(msg)) => return fail(&msg),
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        return fail(&format!("writing output: {e}"));
    }
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("✗ {e}");
        }
        return ExitCode::from(EXIT_ERROR);
    }
    if report.has_changes() {
        eprintln!("✗ identified at least one change, exiting with non-zero exit code");
        return ExitCode::from(EXIT_CHANGES);
    }
    ExitCode::SUCCESS
}
