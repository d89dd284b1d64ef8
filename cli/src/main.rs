//! The `gitward` command line.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// GitOps sync as a library: sources, kustomize and helm builds, diff, plan, apply.
#[derive(Parser)]
#[command(name = "gitward", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the version.
    Version,
    /// Build a kustomization, printing what `kubectl kustomize` prints.
    Kustomize(KustomizeArgs),
    /// Parse YAML files and print their objects as kustomize prints them.
    Fmt {
        /// Files to read (`-` for standard input).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(clap::Args)]
struct KustomizeArgs {
    /// The directory holding the kustomization.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// `LoadRestrictionsRootOnly` (default) or `LoadRestrictionsNone`.
    #[arg(long, default_value = "LoadRestrictionsRootOnly")]
    load_restrictor: String,
    /// `legacy` or `none` (deprecated in kustomize, still honoured).
    #[arg(long)]
    reorder: Option<String>,
    /// Render `helmCharts` (natively; no helm binary is run).
    #[arg(long)]
    enable_helm: bool,
    /// Accepted for compatibility and ignored: charts are rendered natively.
    #[arg(long)]
    helm_command: Option<String>,
    /// Accepted for compatibility: only builtin plugins exist.
    #[arg(long)]
    enable_alpha_plugins: bool,
    /// Add `app.kubernetes.io/managed-by: kustomize-v5.7.1`.
    #[arg(long)]
    enable_managedby_label: bool,
    /// Write the output to this file instead of standard output.
    #[arg(short = 'o', long)]
    output: Option<PathBuf>,
}

/// A failure to report on stderr: exit code 1 for errors the reference tools also report,
/// 3 for input gitward does not support yet (so such cases never pass as "expected errors").
enum Failure {
    /// An error the reference tools report too (exit 1).
    Failed(String),
    /// A feature gitward does not implement yet (exit 3).
    Unsupported(String),
}

use Failure::{Failed, Unsupported};

/// A failure caused by a feature gitward does not implement.
const EXIT_UNSUPPORTED: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Version => {
            println!("gitward {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Command::Fmt { files } => fmt(&files),
        Command::Kustomize(args) => kustomize(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failed(msg)) => {
            eprintln!("Error: {msg}");
            ExitCode::from(1)
        }
        Err(Unsupported(msg)) => {
            eprintln!("Error: {msg}");
            ExitCode::from(EXIT_UNSUPPORTED)
        }
    }
}

fn kustomize(args: &KustomizeArgs) -> Result<(), Failure> {
    use gitward::kustomize::{LoadRestrictor, Options, Reorder};
    let restrictor = match args.load_restrictor.as_str() {
        "LoadRestrictionsRootOnly" => LoadRestrictor::RootOnly,
        "LoadRestrictionsNone" => LoadRestrictor::None,
        other => return Err(Failed(format!("illegal flag value --load-restrictor {other}"))),
    };
    let reorder = match args.reorder.as_deref() {
        None => Reorder::Unspecified,
        Some("legacy") => Reorder::Legacy,
        Some("none") => Reorder::None,
        Some(other) => return Err(Failed(format!("illegal flag value --reorder {other}; legal values: [legacy none]"))),
    };
    let opts = Options::default()
        .with_load_restrictor(restrictor)
        .with_reorder(reorder)
        .with_managed_by_label(args.enable_managedby_label)
        .with_helm(args.enable_helm);
    let dir = std::fs::canonicalize(&args.dir).map_err(|e| Failed(format!("{}: {e}", args.dir.display())))?;
    let tree = gitward::tree::DirTree::new("/").map_err(|e| Failed(e.to_string()))?;
    let rel = dir.to_string_lossy();
    let rel = gitward::tree::RelPath::new(rel.trim_start_matches('/')).map_err(|e| Failed(e.to_string()))?;
    let out = gitward::kustomize::build(&tree, &rel, &opts).map_err(|e| match e.kind {
        gitward::kustomize::ErrorKind::Unsupported => Unsupported(e.to_string()),
        _ => Failed(e.to_string()),
    })?;
    for w in &out.warnings {
        eprintln!("{w}");
    }
    let text = out.to_yaml();
    match &args.output {
        Some(path) => std::fs::write(path, text).map_err(|e| Failed(format!("{}: {e}", path.display()))),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| Failed(format!("writing output: {e}")))
        }
    }
}

fn fmt(files: &[PathBuf]) -> Result<(), Failure> {
    let mut docs = Vec::new();
    for f in files {
        let shown = f.display().to_string();
        let text = if shown == "-" {
            std::io::read_to_string(std::io::stdin())
                .map_err(|e| Failed(format!("<stdin>: {e}")))?
        } else {
            std::fs::read_to_string(f).map_err(|e| Failed(format!("{shown}: {e}")))?
        };
        let parsed = gitward::yaml::parse_kustomize_docs(&text)
            .map_err(|e| Failed(format!("{shown}:{}:{}: {}", e.line, e.column, e.message)))?;
        docs.extend(parsed);
    }
    let out = gitward::yaml::dump_kustomize_docs(&docs);
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Failed(format!("writing output: {e}")))
}
