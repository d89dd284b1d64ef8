//! `gitward build kustomization`: what `flux build kustomization --dry-run` prints.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use gitward::flux::{BuildOptions, FluxBuildError};
use gitward::tree::{DirTree, RelPath};

/// `gitward build kustomization NAME --path DIR --kustomization-file FILE --dry-run`.
#[derive(clap::Args)]
pub(crate) struct BuildKustomizationArgs {
    /// The Flux Kustomization's name.
    name: String,
    /// The directory to build.
    #[arg(long)]
    path: PathBuf,
    /// The file holding the Flux Kustomization (YAML or JSON, several documents allowed).
    #[arg(long = "kustomization-file")]
    kustomization_file: Option<PathBuf>,
    /// Build without a cluster (required: gitward does not read Kustomizations from a
    /// cluster here); `substituteFrom` is not read.
    #[arg(long = "dry-run")]
    dry_run: bool,
    /// Fail on a variable that is not set (unless its expression gives a default).
    #[arg(long = "strict-substitute")]
    strict_substitute: bool,
    /// Paths to ignore in the generated kustomization, in `.gitignore` format
    /// (comma-separated, repeatable).
    #[arg(long = "ignore-paths", value_name = "RULES")]
    ignore_paths: Vec<String>,
    /// The Kustomization's namespace (default: `$FLUX_SYSTEM_NAMESPACE`, else
    /// `flux-system`).
    #[arg(long, short = 'n')]
    namespace: Option<String>,
}

/// The exit status of gitward for an input it does not support.
const EXIT_UNSUPPORTED: u8 = 3;

enum Fail {
    Failed(String),
    Unsupported(String),
}

/// Runs the build; prints `✗ <message>` and exits 1 on failure, as flux does.
pub(crate) fn run(args: &BuildKustomizationArgs) -> ExitCode {
    match build(args) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout
                .write_all(out.as_bytes())
                .and_then(|()| stdout.flush())
            {
                eprintln!("✗ writing output: {e}");
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(Fail::Failed(msg)) => {
            eprintln!("✗ {msg}");
            ExitCode::from(1)
        }
        Err(Fail::Unsupported(msg)) => {
            eprintln!("✗ {msg}");
            ExitCode::from(EXIT_UNSUPPORTED)
        }
    }
}

fn absolute(p: &Path) -> Result<PathBuf, Fail> {
    std::path::absolute(p).map_err(|e| Fail::Failed(format!("failed to resolve path: {e}")))
}

fn build(args: &BuildKustomizationArgs) -> Result<String, Fail> {
    let dir = absolute(&args.path)?;
    if args.path.as_os_str().is_empty() || !dir.is_dir() {
        return Err(Fail::Failed(format!(
            "invalid resource path {:?}",
            dir.display().to_string()
        )));
    }
    let Some(kfile) = &args.kustomization_file else {
        return Err(Fail::Failed(
            "dry-run mode requires a kustomization file".into(),
        ));
    };
    if !args.dry_run {
        return Err(Fail::Unsupported(
            "gitward builds Flux Kustomizations only with --dry-run (from a file)".into(),
        ));
    }
    let kfile_shown = kfile.display().to_string();
    if !kfile.is_file() {
        return Err(Fail::Failed(format!(
            "invalid kustomization file {kfile_shown:?}"
        )));
    }
    let text = std::fs::read(kfile).map_err(|e| {
        Fail::Failed(format!(
            "failed to read kustomization file {kfile_shown}: {e}"
        ))
    })?;
    let text = String::from_utf8_lossy(&text);
    let namespace = args
        .namespace
        .clone()
        .or_else(|| std::env::var("FLUX_SYSTEM_NAMESPACE").ok())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "flux-system".to_owned());
    let k = gitward::flux::find_kustomization(&text, &kfile_shown, &args.name, &namespace)
        .map_err(|e| Fail::Failed(e.to_string()))?;
    // flux's loader is unrestricted: a kustomization may refer to files anywhere. The tree
    // is rooted at the working directory when the path lies in it (messages then name
    // files relative to it), else at the file system's root.
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| c.canonicalize().ok());
    let dir = dir.canonicalize().unwrap_or(dir);
    let root = match &cwd {
        Some(c) if dir.starts_with(c) => c.clone(),
        _ => PathBuf::from("/"),
    };
    let rel = dir
        .strip_prefix(&root)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let rel = RelPath::new(&rel).map_err(|e| Fail::Failed(e.to_string()))?;
    let tree = DirTree::new(&root).map_err(|e| Fail::Failed(e.to_string()))?;
    let mut ignore_paths = Vec::new();
    for v in &args.ignore_paths {
        ignore_paths.extend(gitward::source::ignore::string_slice_value(v).map_err(|e| {
            Fail::Failed(format!(
                "invalid argument {v:?} for \"--ignore-paths\" flag: {e}"
            ))
        })?);
    }
    let opts = BuildOptions::default()
        .with_strict_substitute(args.strict_substitute)
        .with_ignore_paths(ignore_paths);
    let out = gitward::flux::build(&tree, &rel, &k, &opts).map_err(|e| match e {
        FluxBuildError::Unsupported(_) => Fail::Unsupported(e.to_string()),
        e => Fail::Failed(e.to_string()),
    })?;
    for w in &out.warnings {
        eprintln!("{w}");
    }
    gitward::flux::to_yaml(&out.objects).map_err(|e| Fail::Failed(e.to_string()))
}
