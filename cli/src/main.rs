//! The `gitward` command line.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod apply;
mod artifact;
mod build_kustomization;
mod diff;
mod envsubst;
mod source;
mod source_git;

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
    /// Print the VERSIONs that satisfy RANGE, highest first, as given (Masterminds/semver
    /// v3.5.0 rules, as Flux and Helm evaluate ranges). An invalid RANGE exits 1.
    Semver(SemverArgs),
    /// Print the health of objects as kstatus computes it (as Flux waits for them): one
    /// entry per object of the manifests, in order. Exits 0 whatever the statuses.
    Health(HealthArgs),
    /// Apply manifests to a cluster as Flux's kustomize-controller does (staged server-side
    /// apply, kubectl takeover, inventory, prune), printing Flux's change set.
    Apply(Box<apply::ApplyArgs>),
    /// Show what `apply` would do (server-side dry-runs only, or with `--live FILE` in memory
    /// and offline), per stage and object, with the reason; `--inventory-file` is read, never
    /// written.
    Plan(Box<apply::ApplyArgs>),
    /// Show how the cluster (or `--live FILE`) differs from the manifests, as `flux diff`:
    /// exit 0 no changes, 1 changes, 2 error.
    Diff(Box<diff::DiffArgs>),
    /// Fetch a source as Flux's source-controller does (Git, Helm repository, OCI) and
    /// print its revision.
    #[command(subcommand)]
    Source(Box<source::SourceCommand>),
    /// Substitute `${VAR}` expressions in standard input line by line, as `flux envsubst`
    /// (and kustomize-controller's post-build substitution) does.
    Envsubst(envsubst::EnvsubstArgs),
    /// Build artifacts as Flux builds them.
    Build {
        #[command(subcommand)]
        command: BuildCommand,
    },
}

#[derive(Subcommand)]
enum BuildCommand {
    /// Pack a directory (or one file) into a tarball, as `flux build artifact` (v2.9.5) does:
    /// `--path DIR --output FILE.tgz [--ignore-paths RULES]...` (`--help` for the flags).
    #[command(disable_help_flag = true)]
    Artifact {
        /// The flags, parsed as flux's cobra/pflag command parses them.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<std::ffi::OsString>,
    },
    /// Build a Flux Kustomization as `flux build kustomization --dry-run` (v2.9.5) does:
    /// `NAME --path DIR --kustomization-file FILE --dry-run [--strict-substitute]`.
    Kustomization(build_kustomization::BuildKustomizationArgs),
}

/// `gitward health (-f FILE | -k DIR) [-o text|json|yaml]`.
#[derive(clap::Args)]
struct HealthArgs {
    /// A manifest file (YAML documents or a JSON stream, read as Flux reads manifests;
    /// `-` for standard input).
    #[arg(
        short = 'f',
        long = "filename",
        value_name = "FILE",
        conflicts_with = "kustomize",
        required_unless_present = "kustomize"
    )]
    file: Option<PathBuf>,
    /// A directory holding a kustomization: its build is checked.
    #[arg(short = 'k', long = "kustomize", value_name = "DIR")]
    kustomize: Option<PathBuf>,
    /// `text` (`Kind/namespace/name status: 'Current': message` lines, as Flux words its
    /// wait errors), `json` (`[{"id", "status", "message"[, "error"]}]`) or `yaml`.
    #[arg(short = 'o', long = "output", default_value = "text")]
    output: String,
}

/// `gitward semver [--] RANGE [VERSION...]`. Every argument after `semver` is a range or
/// a version (`-h` among the versions is a version that does not parse), except a lone
/// `-h`/`--help`, which prints the help.
#[derive(clap::Args)]
#[command(disable_help_flag = true)]
struct SemverArgs {
    /// The range, one argument: `>=1.2.3 <2`, `^1.2 || ~2.0`, `1.2 - 1.4`, `1.x`.
    /// Put `--` before a range that starts with a dash.
    #[arg(value_name = "RANGE", allow_hyphen_values = true)]
    range: std::ffi::OsString,
    /// Versions (tags, chart versions). Those that do not parse are skipped.
    #[arg(
        value_name = "VERSION",
        allow_hyphen_values = true,
        trailing_var_arg = true
    )]
    versions: Vec<std::ffi::OsString>,
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
    /// The release namespace (default: `$HELM_NAMESPACE`, else `default`).
    #[arg(short = 'n', long)]
    namespace: Option<String>,
    /// Kubernetes version for `.Capabilities.KubeVersion`.
    #[arg(long)]
    kube_version: Option<String>,
    /// Extra API versions for `.Capabilities.APIVersions`.
    #[arg(short = 'a', long)]
    api_versions: Vec<String>,
    /// Include CRDs (`crds/`) in the output.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    include_crds: bool,
    /// Accepted for compatibility (CRDs are only printed with `--include-crds`).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    skip_crds: bool,
    /// Only show manifests rendered from these templates (globs).
    #[arg(short = 's', long)]
    show_only: Vec<String>,
    /// Set `.Release.IsUpgrade` instead of `.Release.IsInstall`.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    is_upgrade: bool,
    /// Leave test hooks out.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    skip_tests: bool,
    /// Leave hooks out.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    no_hooks: bool,
    /// Render the release name from this template.
    #[arg(long)]
    name_template: Option<String>,
    /// Generate the release name.
    #[arg(short = 'g', long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    generate_name: bool,
    /// Do not validate values against `values.schema.json`.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    skip_schema_validation: bool,
    /// Render subchart notes too (notes are never printed by `template`).
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    render_subchart_notes: bool,
    /// Write each template to a file under this directory instead of standard output.
    #[arg(long)]
    output_dir: Option<String>,
    /// With `--output-dir`: write under `<dir>/<release name>/`.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
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
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = go_bool)]
    debug: bool,
}

/// A boolean flag's value as pflag reads `--flag=value`: Go's `strconv.ParseBool`.
fn go_bool(v: &str) -> Result<bool, String> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!("strconv.ParseBool: parsing {v:?}: invalid syntax")),
    }
}

/// A command-line error. For `template`, worded as helm's (cobra and pflag) and exit 1;
/// otherwise clap's.
fn usage_failure(e: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) != Some("template") {
        e.exit();
    }
    let context = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        _ => String::new(),
    };
    let flag_needs_argument = |tok: &str| match tok.strip_prefix("--") {
        Some(_) => format!("flag needs an argument: {tok}"),
        None => {
            let c = tok.chars().last().unwrap_or('-');
            format!("flag needs an argument: '{c}' in -{c}")
        }
    };
    let message = match e.kind() {
        ErrorKind::MissingRequiredArgument => {
            "\"helm template\" requires at least 1 argument\n\nUsage:  helm template [NAME] [CHART] [flags]".to_owned()
        }
        ErrorKind::UnknownArgument => {
            let arg = context(ContextKind::InvalidArg);
            match arg.strip_prefix("--") {
                Some(name) => format!(
                    "unknown flag: --{}",
                    name.split('=').next().unwrap_or(name)
                ),
                None => {
                    let rest = arg.trim_start_matches('-');
                    let c = rest.chars().next().unwrap_or('-');
                    format!("unknown shorthand flag: '{c}' in -{rest}")
                }
            }
        }
        ErrorKind::InvalidValue if context(ContextKind::InvalidValue).is_empty() => {
            flag_needs_argument(argv.last().map_or("", String::as_str))
        }
        ErrorKind::ValueValidation => {
            let arg = context(ContextKind::InvalidArg);
            let flag: String = arg
                .chars()
                .take_while(|c| !matches!(c, '[' | '=' | ' ' | '<'))
                .collect();
            // pflag names a flag with its shorthand when it has one.
            let long = flag.trim_start_matches('-').to_owned();
            let short = <Cli as clap::CommandFactory>::command()
                .find_subcommand("template")
                .and_then(|t| {
                    t.get_arguments()
                        .find(|a| a.get_long() == Some(long.as_str()))
                        .and_then(clap::Arg::get_short)
                });
            let flag = match short {
                Some(c) => format!("-{c}, --{long}"),
                None => format!("--{long}"),
            };
            let value = context(ContextKind::InvalidValue);
            let cause = std::error::Error::source(&e).map(ToString::to_string).unwrap_or_default();
            format!("invalid argument {value:?} for {flag:?} flag: {cause}")
        }
        _ => e.exit(),
    };
    eprintln!("Error: {message}");
    ExitCode::FAILURE
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

/// `EnvSettings.Namespace()` without a kubeconfig: `--namespace` when given and not
/// empty, `default` when given empty, else `$HELM_NAMESPACE` when set and not empty.
fn release_namespace(flag: Option<&str>) -> String {
    let env = std::env::var("HELM_NAMESPACE").ok();
    match flag {
        Some(ns) if !ns.is_empty() => ns.to_owned(),
        Some(_) => "default".to_owned(),
        None => env
            .filter(|ns| !ns.is_empty())
            .unwrap_or_else(|| "default".to_owned()),
    }
}

/// `ChartPathOptions.LocateChart` for a reference that is not an existing path: a path
/// (absolute or starting with `.`) is "not found"; a bare name is not a repository
/// reference; anything else names a repository or a URL, which gitward does not fetch.
fn locate_failure(chart_ref: &str) -> Failure {
    let is_path = Path::new(chart_ref).is_absolute() || chart_ref.starts_with('.');
    let url = chart_ref.contains("://");
    if is_path {
        Failed(format!("path {chart_ref:?} not found"))
    } else if !url && !chart_ref.contains('/') && !chart_ref.contains(['?', '#', '%', ' ']) {
        Failed(format!(
            "non-absolute URLs should be in form of repo_name/path_to_chart, got: {chart_ref}"
        ))
    } else {
        Unsupported(format!(
            "template: charts from repositories or URLs are not supported: {chart_ref}"
        ))
    }
}

/// Go's `filepath.Abs`: joined to the working directory and cleaned lexically.
fn absolute(p: &Path) -> String {
    let joined = std::env::current_dir().map_or_else(|_| p.to_path_buf(), |d| d.join(p));
    let mut parts: Vec<String> = Vec::new();
    for c in joined.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(x) => parts.push(x.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    format!("/{}", parts.join("/"))
}

/// `archive.EnsureArchive`: a chart file that is not gzip data is refused with a hint.
/// It sniffs a 512-byte buffer that a short file fills only in part (the rest stays zero).
fn ensure_archive(abs_name: &str, data: &[u8]) -> Result<(), String> {
    let mut head = [0u8; 512];
    let n = data.len().min(512);
    head[..n].copy_from_slice(&data[..n]);
    let content_type = sniff_content_type(&head);
    if content_type == "application/x-gzip" || head.starts_with(b"\x1f\x8b\x08") {
        return Ok(());
    }
    if abs_name.ends_with(".yml") || abs_name.ends_with(".yaml") {
        return Err(format!(
            "file '{abs_name}' seems to be a YAML file, but expected a gzipped archive"
        ));
    }
    Err(format!(
        "file '{abs_name}' does not appear to be a gzipped archive; got '{content_type}'"
    ))
}

/// Go's `http.DetectContentType` (net/http/sniff.go's table, in its order).
fn sniff_content_type(data: &[u8]) -> &'static str {
    let ws = |b: u8| matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ');
    let first_non_ws = data.iter().position(|&b| !ws(b)).unwrap_or(data.len());
    let html = |tag: &[u8]| {
        let d = &data[first_non_ws..];
        d.len() > tag.len()
            && d.iter().zip(tag).all(|(&b, &t)| {
                if t.is_ascii_uppercase() {
                    b & 0xDF == t
                } else {
                    b == t
                }
            })
            && matches!(d[tag.len()], b' ' | b'>')
    };
    for tag in [
        &b"<!DOCTYPE HTML"[..],
        b"<HTML",
        b"<HEAD",
        b"<SCRIPT",
        b"<IFRAME",
        b"<H1",
        b"<DIV",
        b"<FONT",
        b"<TABLE",
        b"<A",
        b"<STYLE",
        b"<TITLE",
        b"<B",
        b"<BODY",
        b"<BR",
        b"<P",
        b"<!--",
    ] {
        if html(tag) {
            return "text/html; charset=utf-8";
        }
    }
    // (mask, pattern, skip leading whitespace, type); an empty mask is all 0xFF.
    const SIGS: &[(&[u8], &[u8], bool, &str)] = &[
        (b"", b"<?xml", true, "text/xml; charset=utf-8"),
        (b"", b"%PDF-", false, "application/pdf"),
        (b"", b"%!PS-Adobe-", false, "application/postscript"),
        (
            b"\xFF\xFF\x00\x00",
            b"\xFE\xFF\x00\x00",
            false,
            "text/plain; charset=utf-16be",
        ),
        (
            b"\xFF\xFF\x00\x00",
            b"\xFF\xFE\x00\x00",
            false,
            "text/plain; charset=utf-16le",
        ),
        (
            b"\xFF\xFF\xFF\x00",
            b"\xEF\xBB\xBF\x00",
            false,
            "text/plain; charset=utf-8",
        ),
        (b"", b"\x00\x00\x01\x00", false, "image/x-icon"),
        (b"", b"\x00\x00\x02\x00", false, "image/x-icon"),
        (b"", b"BM", false, "image/bmp"),
        (b"", b"GIF87a", false, "image/gif"),
        (b"", b"GIF89a", false, "image/gif"),
        (
            b"\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF\xFF\xFF",
            b"RIFF\x00\x00\x00\x00WEBPVP",
            false,
            "image/webp",
        ),
        (b"", b"\x89PNG\x0D\x0A\x1A\x0A", false, "image/png"),
        (b"", b"\xFF\xD8\xFF", false, "image/jpeg"),
        (
            b"\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF",
            b"FORM\x00\x00\x00\x00AIFF",
            false,
            "audio/aiff",
        ),
        (b"", b"ID3", false, "audio/mpeg"),
        (b"", b"OggS\x00", false, "application/ogg"),
        (b"", b"MThd\x00\x00\x00\x06", false, "audio/midi"),
        (
            b"\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF",
            b"RIFF\x00\x00\x00\x00AVI ",
            false,
            "video/avi",
        ),
        (
            b"\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF",
            b"RIFF\x00\x00\x00\x00WAVE",
            false,
            "audio/wave",
        ),
    ];
    const LATE: &[(&[u8], &str)] = &[
        (b"\x1A\x45\xDF\xA3", "video/webm"),
        (b"\x00\x01\x00\x00", "font/ttf"),
        (b"OTTO", "font/otf"),
        (b"ttcf", "font/collection"),
        (b"wOFF", "font/woff"),
        (b"wOF2", "font/woff2"),
        (b"\x1F\x8B\x08", "application/x-gzip"),
        (b"PK\x03\x04", "application/zip"),
        (b"Rar!\x1A\x07\x00", "application/x-rar-compressed"),
        (b"Rar!\x1A\x07\x01\x00", "application/x-rar-compressed"),
        (b"\x00\x61\x73\x6D", "application/wasm"),
    ];
    for (mask, pat, skip_ws, ct) in SIGS {
        let d = if *skip_ws {
            &data[first_non_ws..]
        } else {
            data
        };
        if d.len() >= pat.len()
            && pat.iter().enumerate().all(|(i, &p)| {
                let m = mask.get(i).copied().unwrap_or(0xFF);
                d[i] & m == p
            })
        {
            return ct;
        }
    }
    // video/mp4: an `ftyp` box naming an mp4 brand.
    if data.len() >= 12 {
        let size = u32::from_be_bytes([data[0], data[1], data[2], data[3]]) as usize;
        if size <= data.len() && size.is_multiple_of(4) && &data[4..8] == b"ftyp" {
            let mut st = 8;
            while st < size {
                if st != 12 && data.get(st..st + 3) == Some(b"mp4") {
                    return "video/mp4";
                }
                st += 4;
            }
        }
    }
    // application/vnd.ms-fontobject: "LP" at offset 34.
    if data.get(34..36) == Some(b"LP") {
        return "application/vnd.ms-fontobject";
    }
    for (sig, ct) in LATE {
        if data.starts_with(sig) {
            return ct;
        }
    }
    let binary = data[first_non_ws..]
        .iter()
        .any(|&b| matches!(b, 0x00..=0x08 | 0x0B | 0x0E..=0x1A | 0x1C..=0x1F));
    if binary {
        "application/octet-stream"
    } else {
        "text/plain; charset=utf-8"
    }
}

/// A failure caused by a feature gitward does not implement.
const EXIT_UNSUPPORTED: u8 = 3;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_failure(e),
    };
    if let Command::Build {
        command: BuildCommand::Artifact { args },
    } = &cli.command
    {
        return artifact::run(args);
    }
    if let Command::Build {
        command: BuildCommand::Kustomization(args),
    } = &cli.command
    {
        return build_kustomization::run(args);
    }
    if let Command::Envsubst(args) = &cli.command {
        return envsubst::run(args);
    }
    // kubectl prefixes its errors with "error: ", helm (cobra) with "Error: ".
    // `gitward semver` words its errors as the Go reference of its corpus does.
    let prefix = match cli.command {
        Command::Kustomize(_) => "error: ",
        Command::Semver(_) => "",
        _ => "Error: ",
    };
    let result = match cli.command {
        Command::Version => {
            println!("gitward {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Command::Fmt { files } => fmt(&files),
        Command::Kustomize(args) => kustomize(&args),
        Command::Template(args) => template(args),
        Command::Semver(args) => semver(&args),
        Command::Health(args) => health(&args),
        Command::Apply(args) => apply::run(&args),
        Command::Plan(args) => apply::run_plan(&args),
        Command::Diff(args) => return diff::run(&args),
        Command::Build { .. } | Command::Envsubst(_) => Ok(()),
        Command::Source(cmd) => source::run(&cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failed(msg)) => {
            eprintln!("{prefix}{msg}");
            ExitCode::from(1)
        }
        Err(Unsupported(msg)) => {
            eprintln!("{prefix}{msg}");
            ExitCode::from(EXIT_UNSUPPORTED)
        }
    }
}

/// `gitward semver`: the matching versions as given, one per line, highest first; equal
/// versions in argument order. Arguments that are not UTF-8 are not versions.
fn semver(args: &SemverArgs) -> Result<(), Failure> {
    use gitward::semver::{Constraints, matching};
    let argv: Vec<std::ffi::OsString> = std::env::args_os().skip(2).collect();
    if argv.len() == 1 && (argv[0] == "--help" || argv[0] == "-h") {
        let mut cmd = <Cli as clap::CommandFactory>::command();
        cmd.build();
        let help = cmd
            .find_subcommand_mut("semver")
            .map(|c| c.render_long_help().to_string())
            .unwrap_or_default();
        print!("{help}");
        return Ok(());
    }
    let range = args.range.to_str().ok_or_else(|| {
        Failed(format!(
            "invalid range {:?}: improper constraint",
            args.range.to_string_lossy()
        ))
    })?;
    let constraints =
        Constraints::parse(range).map_err(|e| Failed(format!("invalid range {range:?}: {e}")))?;
    let versions: Vec<&str> = args.versions.iter().filter_map(|v| v.to_str()).collect();
    let mut out = String::new();
    for m in matching(&constraints, &versions) {
        out.push_str(m.input);
        out.push('\n');
    }
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Failed(format!("writing output: {e}")))
}

/// `gitward health`: kstatus' verdict per object, with the machine's clock (Pending pods that
/// cannot be scheduled get 15 seconds before they are `Failed`).
fn health(args: &HealthArgs) -> Result<(), Failure> {
    use gitward::health::{Options, object_id, status_with, subject};
    use gitward::yaml::{Map, Value};
    let format = args.output.as_str();
    if !matches!(format, "text" | "json" | "yaml") {
        return Err(Failed(format!(
            "invalid output format {format:?}: use text, json or yaml"
        )));
    }
    let objects = read_objects(args.file.as_deref(), args.kustomize.as_deref())?;
    let opts = Options::default().with_now(gitward::io::system::now());
    let mut text = String::new();
    let mut entries = Vec::with_capacity(objects.len());
    for obj in &objects {
        let verdict = status_with(obj, &opts);
        let (st, message, error) = match &verdict {
            Ok(r) => (r.status.as_str(), r.message.clone(), None),
            Err(e) => ("Unknown", String::new(), Some(e.to_string())),
        };
        if format == "text" {
            text.push_str(&format!("{} status: '{st}'", subject(obj)));
            if let Some(detail) = error
                .as_deref()
                .or((!message.is_empty()).then_some(message.as_str()))
            {
                text.push_str(": ");
                text.push_str(detail);
            }
            text.push('\n');
        }
        let mut m = Map::default();
        m.insert("id".into(), Value::from(object_id(obj)));
        m.insert("status".into(), Value::from(st));
        m.insert("message".into(), Value::from(message));
        if let Some(e) = error {
            m.insert("error".into(), Value::from(e));
        }
        entries.push(Value::Map(m));
    }
    let out = match format {
        "json" => {
            let opts = gitward::go::json::JsonOptions::indented("  ");
            let mut s = gitward::go::json::to_string_with(&Value::Seq(entries), opts)
                .map_err(|e| Failed(e.to_string()))?;
            s.push('\n');
            s
        }
        "yaml" => gitward::yaml::emit_kustomize(&Value::Seq(entries)),
        _ => text,
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Failed(format!("writing output: {e}")))
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
    // Remote bases, files and charts are fetched as kubectl kustomize fetches them, with
    // git's credential store and CA and gitward's ssh variables (see
    // `gitward::io::kustomize_remote::RemoteOptions::from_env`).
    let remote = gitward::io::kustomize_remote::RemoteOptions::from_env()
        .map_err(|e| Failed(e.to_string()))?;
    let opts = Options::default()
        .with_load_restrictor(restrictor)
        .with_reorder(reorder)
        .with_managed_by_label(args.enable_managedby_label)
        .with_helm(args.enable_helm)
        .with_fetcher(std::sync::Arc::new(
            gitward::io::kustomize_remote::RemoteFetcher::new(remote),
        ));
    let to_failure = |e: gitward::kustomize::Error| match e.kind {
        gitward::kustomize::ErrorKind::Unsupported => Unsupported(e.to_string()),
        _ => Failed(e.to_string()),
    };
    let target = args.dir.to_string_lossy();
    let out = if gitward::kustomize::remote::RepoSpec::parse(&target).is_ok() {
        // `kubectl kustomize <git URL>` builds the repository's kustomization.
        gitward::kustomize::build_url(&target, &opts).map_err(to_failure)?
    } else {
        let dir = std::fs::canonicalize(&args.dir)
            .map_err(|e| Failed(format!("{}: {e}", args.dir.display())))?;
        let tree = gitward::tree::DirTree::new("/").map_err(|e| Failed(e.to_string()))?;
        let rel = dir.to_string_lossy();
        let rel = gitward::tree::RelPath::new(rel.trim_start_matches('/'))
            .map_err(|e| Failed(e.to_string()))?;
        gitward::kustomize::build(&tree, &rel, &opts).map_err(to_failure)?
    };
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

/// Runs the whole command, chart loading included, on one thread with a large stack
/// (deep template recursion needs it): besides the stack, a thread brings its own
/// allocator heap, and keeping loading and rendering on the same one touches less fresh
/// memory than loading on the main thread and rendering on another.
fn template(args: Box<TemplateArgs>) -> Result<(), Failure> {
    std::thread::Builder::new()
        .stack_size(gitward::helm::RENDER_STACK)
        .spawn(move || template_here(&args))
        .map_err(|e| Failed(format!("starting the renderer: {e}")))?
        .join()
        .map_err(|_| Failed("rendering failed unexpectedly".into()))?
}

fn template_here(args: &TemplateArgs) -> Result<(), Failure> {
    use gitward::helm::{ErrorKind, RenderOptions, UserValues};
    use gitward::template::{Env, Templates, value::Val};
    let helm_err = |e: gitward::helm::Error| match e.kind {
        ErrorKind::Unsupported => Unsupported(e.helm_text()),
        _ => Failed(e.helm_text()),
    };
    let io_text = gitward::io::system::io_text;
    for (set, flag) in [
        (args.post_renderer.is_some(), "--post-renderer"),
        (args.repo.is_some(), "--repo"),
        (args.version.is_some(), "--version"),
    ] {
        if set {
            return Err(Unsupported(format!("template: {flag} is not supported")));
        }
    }
    let now = gitward::io::system::now;
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
        return Err(locate_failure(&chart_ref));
    }
    // Values: -f files, then --set-json, --set, --set-string, --set-file, --set-literal.
    let mut read = |p: &str| -> Result<Vec<u8>, String> {
        if p.trim() == "-" {
            let mut b = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut b).map_err(|e| e.to_string())?;
            return Ok(b);
        }
        // os.ReadFile opens a directory fine and fails reading it.
        std::fs::read(p).map_err(|e| match e.kind() {
            std::io::ErrorKind::IsADirectory => format!("read {p}: is a directory"),
            _ => format!("open {p}: {}", io_text(&e)),
        })
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
        ensure_archive(&absolute(&chart_path), &bytes).map_err(Failed)?;
        gitward::helm::load_archive(&bytes)
    }
    .map_err(helm_err)?;
    // The real clock and the operating system's randomness.
    let env = gitward::io::system::template_env();
    let release_name = name.clone();
    let opts = RenderOptions {
        release_name: name,
        namespace: release_namespace(args.namespace.as_deref()),
        is_upgrade: args.is_upgrade,
        values,
        // An empty `--kube-version` is no version, as in helm.
        kube_version: args.kube_version.clone().filter(|v| !v.is_empty()),
        // pflag's string slice: each value is a CSV record, and an empty one adds nothing.
        api_versions: args
            .api_versions
            .iter()
            .filter(|v| !v.is_empty())
            .flat_map(|v| v.split(',').map(str::to_owned))
            .collect(),
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
    let rendered = gitward::helm::render(&chart, &opts).map_err(helm_err)?;
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
    let out = rendered.bytes();
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&out)
        .and_then(|()| stdout.flush())
        .map_err(|e| Failed(format!("writing output: {e}")))
}

/// The objects of `-f FILE` (a YAML or JSON stream read as Flux reads manifests; `-` for
/// standard input) or of `-k DIR` (the kustomization's build), for `health`, `apply` and
/// `plan`.
fn read_objects(
    file: Option<&std::path::Path>,
    kustomize: Option<&std::path::Path>,
) -> Result<Vec<gitward::yaml::Value>, Failure> {
    match (file, kustomize) {
        (Some(f), _) => {
            let shown = f.display().to_string();
            let text = if shown == "-" {
                std::io::read_to_string(std::io::stdin())
                    .map_err(|e| Failed(format!("<stdin>: {e}")))?
            } else {
                std::fs::read_to_string(f).map_err(|e| Failed(format!("{shown}: {e}")))?
            };
            gitward::manifest::read_manifests(&text).map_err(|e| Failed(format!("{shown}: {e}")))
        }
        (None, Some(dir)) => {
            let dir = std::fs::canonicalize(dir)
                .map_err(|e| Failed(format!("{}: {e}", dir.display())))?;
            let tree = gitward::tree::DirTree::new("/").map_err(|e| Failed(e.to_string()))?;
            let rel = dir.to_string_lossy();
            let rel = gitward::tree::RelPath::new(rel.trim_start_matches('/'))
                .map_err(|e| Failed(e.to_string()))?;
            gitward::kustomize::build(&tree, &rel, &gitward::kustomize::Options::default())
                .map(|out| out.resources)
                .map_err(|e| Failed(e.to_string()))
        }
        (None, None) => Err(Failed("one of -f or -k is required".into())),
    }
}
