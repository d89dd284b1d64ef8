//! The `gitward` command line.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc keeps allocation cost flat as the heap grows (large kustomize trees).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Render a Helm chart natively, printing what `helm template` (v4.1.4) prints.
    Template(Box<TemplateArgs>),
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

/// `gitward template [NAME] CHART [flags]`: the flags of `helm template`.
#[derive(clap::Args)]
struct TemplateArgs {
    /// `[NAME] CHART`: the release name (optional) and the chart directory or `.tgz`.
    #[arg(required = true, num_args = 1..)]
    args: Vec<String>,
    /// Values files, merged in order.
    #[arg(short = 'f', long = "values", value_delimiter = ',')]
    values: Vec<String>,
    /// `key=value` values (typed).
    #[arg(long)]
    set: Vec<String>,
    /// `key=value` values (always strings).
    #[arg(long)]
    set_string: Vec<String>,
    /// `key=path`: the value is the file's content.
    #[arg(long)]
    set_file: Vec<String>,
    /// `key=json` values, or a JSON object.
    #[arg(long)]
    set_json: Vec<String>,
    /// `key=value` values taken literally.
    #[arg(long)]
    set_literal: Vec<String>,
    /// The release namespace.
    #[arg(short = 'n', long, default_value = "default")]
    namespace: String,
    /// Kubernetes version for `.Capabilities.KubeVersion`.
    #[arg(long)]
    kube_version: Option<String>,
    /// Extra API versions for `.Capabilities.APIVersions`.
    #[arg(short = 'a', long, value_delimiter = ',')]
    api_versions: Vec<String>,
    /// Include CRDs (`crds/`) in the output.
    #[arg(long)]
    include_crds: bool,
    /// Accepted for compatibility (CRDs are only printed with `--include-crds`).
    #[arg(long)]
    skip_crds: bool,
    /// Only show manifests rendered from these templates (globs).
    #[arg(short = 's', long)]
    show_only: Vec<String>,
    /// Set `.Release.IsUpgrade` instead of `.Release.IsInstall`.
    #[arg(long)]
    is_upgrade: bool,
    /// Leave test hooks out.
    #[arg(long)]
    skip_tests: bool,
    /// Leave hooks out.
    #[arg(long)]
    no_hooks: bool,
    /// Render the release name from this template.
    #[arg(long)]
    name_template: Option<String>,
    /// Generate the release name.
    #[arg(short = 'g', long)]
    generate_name: bool,
    /// Do not validate values against `values.schema.json`.
    #[arg(long)]
    skip_schema_validation: bool,
    /// Render subchart notes too (notes are never printed by `template`).
    #[arg(long)]
    render_subchart_notes: bool,
    /// Write each template to a file under this directory instead of standard output.
    #[arg(long)]
    output_dir: Option<String>,
    /// With `--output-dir`: write under `<dir>/<release name>/`.
    #[arg(long)]
    release_name: bool,
    /// Not supported: post-rendering.
    #[arg(long)]
    post_renderer: Option<String>,
    /// Not supported: charts from repositories.
    #[arg(long)]
    repo: Option<String>,
    /// Not supported: chart version selection.
    #[arg(long)]
    version: Option<String>,
    /// Accepted for compatibility; ignored.
    #[arg(long)]
    debug: bool,
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
        Command::Template(args) => template(&args),
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
        other => {
            return Err(Failed(format!(
                "illegal flag value --load-restrictor {other}"
            )));
        }
    };
    let reorder = match args.reorder.as_deref() {
        None => Reorder::Unspecified,
        Some("legacy") => Reorder::Legacy,
        Some("none") => Reorder::None,
        Some(other) => {
            return Err(Failed(format!(
                "illegal flag value --reorder {other}; legal values: [legacy none]"
            )));
        }
    };
    let opts = Options::default()
        .with_load_restrictor(restrictor)
        .with_reorder(reorder)
        .with_managed_by_label(args.enable_managedby_label)
        .with_helm(args.enable_helm);
    let dir = std::fs::canonicalize(&args.dir)
        .map_err(|e| Failed(format!("{}: {e}", args.dir.display())))?;
    let tree = gitward::tree::DirTree::new("/").map_err(|e| Failed(e.to_string()))?;
    let rel = dir.to_string_lossy();
    let rel = gitward::tree::RelPath::new(rel.trim_start_matches('/'))
        .map_err(|e| Failed(e.to_string()))?;
    let out = gitward::kustomize::build(&tree, &rel, &opts).map_err(|e| match e.kind {
        gitward::kustomize::ErrorKind::Unsupported => Unsupported(e.to_string()),
        _ => Failed(e.to_string()),
    })?;
    for w in &out.warnings {
        eprintln!("{w}");
    }
    let text = out.to_yaml();
    match &args.output {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| Failed(format!("{}: {e}", path.display())))
        }
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

/// `gitward template`: renders a chart natively as `helm template` (v4.1.4) does.
/// `helm template --output-dir`: CRDs (with `--include-crds`) and manifests as Helm's
/// `renderResources` writes them, then hooks as its `template` command does, each file
/// holding `---\n# Source: <name>\n<content>\n` records (a second record for the same
/// file is appended; a hook is appended to a file that already exists), and a
/// `wrote <path>` line on standard output per record.
fn write_output_dir(
    dir: &str,
    release: &str,
    args: &TemplateArgs,
    rendered: &gitward::helm::Rendered,
) -> Result<(), Failure> {
    use std::collections::HashSet;
    use std::path::{Component, Path};
    let write = |base: &str, name: &str, data: &str, append: bool| -> Result<(), Failure> {
        // Names come from the chart (chart names, template paths): never outside `base`.
        if Path::new(name)
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(Failed(format!("refusing to write {name:?} outside {base}")));
        }
        let file = format!("{base}/{name}");
        if let Some(parent) = Path::new(&file).parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Failed(format!("{}: {e}", parent.display())))?;
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(&file)
            .map_err(|e| Failed(format!("{file}: {e}")))?;
        let record = format!("---\n# Source: {name}\n{data}\n");
        f.write_all(&gitward::template::gostr_to_bytes(&record))
            .map_err(|e| Failed(format!("{file}: {e}")))?;
        println!("wrote {file}");
        Ok(())
    };
    let base = if args.release_name {
        go_clean(&format!("{dir}/{release}"))
    } else {
        dir.to_string()
    };
    let mut written: HashSet<&str> = HashSet::new();
    for (name, data) in &rendered.crds {
        write(dir, name, data, written.contains(name.as_str()))?;
        written.insert(name);
    }
    for m in &rendered.manifests {
        write(
            &base,
            &m.name,
            &m.content,
            written.contains(m.name.as_str()),
        )?;
        written.insert(&m.name);
    }
    if !args.no_hooks {
        for h in &rendered.hooks {
            if args.skip_tests && h.is_test() {
                continue;
            }
            let exists = Path::new(&base).join(&h.path).exists();
            write(&base, &h.path, &h.manifest, exists)?;
        }
    }
    Ok(())
}

/// Go's `path.Clean` (what `filepath.Join` applies on Unix).
fn go_clean(p: &str) -> String {
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_string(),
        (false, false) => body,
    }
}

fn template(args: &TemplateArgs) -> Result<(), Failure> {
    use gitward::helm::{ErrorKind, RenderOptions, UserValues};
    use gitward::template::{Env, Templates, value::Val};
    let helm_err = |e: gitward::helm::Error| match e.kind {
        ErrorKind::Unsupported => Unsupported(e.helm_text()),
        _ => Failed(e.helm_text()),
    };
    let io_text = |e: &std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    };
    for (set, flag) in [
        (args.post_renderer.is_some(), "--post-renderer"),
        (args.repo.is_some(), "--repo"),
        (args.version.is_some(), "--version"),
    ] {
        if set {
            return Err(Unsupported(format!("template: {flag} is not supported")));
        }
    }
    let now = gitward::system::now;
    // Release name and chart (helm's NameAndChart).
    let (name, chart_ref) = match args.args.as_slice() {
        [chart] => {
            if let Some(t) = &args.name_template {
                let mut ts = Templates::new();
                ts.add("name-template", t)
                    .map_err(|e| Failed(e.to_string()))?;
                let name = ts
                    .execute("name-template", Val::Nil, &Env::default())
                    .map_err(|e| Failed(e.to_string()))?;
                (name, chart.clone())
            } else if args.generate_name {
                let base = std::path::Path::new(chart)
                    .file_name()
                    .map(|b| b.to_string_lossy().into_owned())
                    .filter(|b| b != ".")
                    .unwrap_or_else(|| "chart".into());
                let base = base.split('.').next().unwrap_or("chart").to_string();
                (format!("{base}-{}", now().as_secs()), chart.clone())
            } else {
                ("release-name".to_string(), chart.clone())
            }
        }
        [name, chart] => {
            if args.generate_name {
                return Err(Failed(
                    "cannot set --generate-name and also specify a name".into(),
                ));
            }
            if args.name_template.is_some() {
                return Err(Failed(
                    "cannot set --name-template and also specify a name".into(),
                ));
            }
            (name.clone(), chart.clone())
        }
        more => {
            return Err(Failed(format!(
                "expected at most two arguments, unexpected arguments: {}",
                more.get(2..).unwrap_or_default().join(", ")
            )));
        }
    };
    let chart_ref = chart_ref.trim().to_string();
    let chart_path = PathBuf::from(&chart_ref);
    if !chart_path.exists() {
        return Err(Failed(format!("path {chart_ref:?} not found")));
    }
    // Values: -f files, then --set-json, --set, --set-string, --set-file, --set-literal.
    let mut read = |p: &str| -> Result<Vec<u8>, String> {
        if p.trim() == "-" {
            let mut b = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut b).map_err(|e| e.to_string())?;
            return Ok(b);
        }
        std::fs::read(p).map_err(|e| format!("open {p}: {}", io_text(&e)))
    };
    let mut uv = UserValues {
        set_json: args.set_json.clone(),
        set: args.set.clone(),
        set_string: args.set_string.clone(),
        set_file: args.set_file.clone(),
        set_literal: args.set_literal.clone(),
        ..UserValues::default()
    };
    for f in &args.values {
        uv.value_files.push((f.clone(), read(f).map_err(Failed)?));
    }
    let values = uv.merge(&mut read).map_err(helm_err)?;
    let chart = if chart_path.is_dir() {
        let tree = gitward::tree::DirTree::new(&chart_path).map_err(|e| Failed(e.to_string()))?;
        gitward::helm::load_chart(&tree, &gitward::tree::RelPath::root())
    } else {
        let bytes = std::fs::read(&chart_path)
            .map_err(|e| Failed(format!("open {chart_ref}: {}", io_text(&e))))?;
        gitward::helm::load_archive(&bytes)
    }
    .map_err(helm_err)?;
    // The real clock and the operating system's randomness.
    let env = gitward::system::template_env();
    let release_name = name.clone();
    let opts = RenderOptions {
        release_name: name,
        namespace: args.namespace.clone(),
        is_upgrade: args.is_upgrade,
        values,
        kube_version: args.kube_version.clone(),
        api_versions: args.api_versions.clone(),
        include_crds: args.include_crds,
        skip_tests: args.skip_tests,
        no_hooks: args.no_hooks,
        // With --output-dir, Helm checks --show-only against what stays on standard
        // output, which is nothing (see below).
        show_only: if args.output_dir.is_some() {
            Vec::new()
        } else {
            args.show_only.clone()
        },
        skip_schema_validation: args.skip_schema_validation,
        subchart_notes: args.render_subchart_notes,
        env,
        ..RenderOptions::default()
    };
    // Deep template recursion needs a large native stack.
    let worker = std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(move || gitward::helm::render(&chart, &opts))
        .map_err(|e| Failed(format!("starting the renderer: {e}")))?;
    let rendered = worker
        .join()
        .map_err(|_| Failed("rendering failed unexpectedly".into()))?
        .map_err(helm_err)?;
    // Helm logs these on standard error with its slog text handler.
    for w in &rendered.warnings {
        eprintln!("{}", w.slog_text());
    }
    if let Some(dir) = &args.output_dir {
        write_output_dir(dir, &release_name, args, &rendered)?;
        if let Some(f) = args.show_only.first() {
            return Err(Failed(format!("could not find template {f} in chart")));
        }
        println!();
        return Ok(());
    }
    let out = rendered.to_bytes();
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&out)
        .and_then(|()| stdout.flush())
        .map_err(|e| Failed(format!("writing output: {e}")))
}
