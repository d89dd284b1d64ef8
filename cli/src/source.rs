//! `gitward source helm` and `gitward source oci` (`gitward source git` is in
//! `source_git.rs`): fetch a chart or an artifact as Flux's
//! source-controller does and print its revision and digest.
//!
//! The three `source` subcommands take one credential surface, [`CredentialArgs`]: Helm's
//! flag names, each also read from an environment variable named after it (`GITWARD_`
//! and the flag in capitals; the flag wins), a password from standard input or a file so
//! that it never has to be on a command line, and `--ca-file` trusted in addition to the
//! system's roots, as Flux's `caFile` is (source-controller builds its TLS configurations
//! with the system pool for Git, Helm repositories and OCI alike; Helm's own `--ca-file`
//! trusts only that CA). `docs/sources.md` has the table.
//!
//! Nothing read from these is ever printed; errors name URLs without user information.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;

use gitward::io::helm_repo::{HelmRepoOptions, fetch_chart_sync};
use gitward::io::http::{BasicAuth, DownloadProgress, FetchError, ProgressSink, TlsOptions};
use gitward::io::oci::{OciOptions, OciReference, fetch_artifact_sync};
use gitward::source::oci::{Credentials, Digest, DockerConfig, LayerOperation, LayerSelector};

use super::Failure::{self, Failed};

/// `gitward source ...`.
#[derive(clap::Subcommand)]
pub enum SourceCommand {
    /// Fetch a chart from a Helm repository (`http(s)://` or `oci://`), as a Flux
    /// `HelmChart` does; prints its revision (the chart version) and digest.
    Helm(HelmArgs),
    /// Pull an artifact from an OCI registry, as a Flux `OCIRepository` does; prints its
    /// revision (`TAG@sha256:...`) and digest.
    Oci(OciArgs),
    /// Fetch a Git repository at a branch, tag, semver range, ref or commit, as Flux's
    /// GitRepository does, and print its revision.
    Git(Box<crate::source_git::GitArgs>),
}

/// Credentials and TLS for every `gitward source` subcommand, as Helm names the flags.
#[derive(clap::Args, Default)]
pub struct CredentialArgs {
    /// Basic auth user.
    #[arg(long, env = "GITWARD_USERNAME", hide_env_values = true)]
    pub username: Option<String>,
    /// Basic auth password (prefer --password-stdin or --password-file: flags show in `ps`).
    #[arg(long, env = "GITWARD_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Read the password from standard input (one trailing newline dropped).
    #[arg(long)]
    pub password_stdin: bool,
    /// Read the password from a file (one trailing newline dropped).
    #[arg(long, env = "GITWARD_PASSWORD_FILE", hide_env_values = true)]
    pub password_file: Option<PathBuf>,
    /// CA certificates (PEM) trusted in addition to the system's, as Flux's `caFile`.
    #[arg(long, env = "GITWARD_CA_FILE")]
    pub ca_file: Option<PathBuf>,
    /// Client certificate (PEM) for mutual TLS.
    #[arg(long, env = "GITWARD_CERT_FILE")]
    pub cert_file: Option<PathBuf>,
    /// Key of the client certificate (PEM).
    #[arg(long, env = "GITWARD_KEY_FILE", hide_env_values = true)]
    pub key_file: Option<PathBuf>,
}

/// What only registries and Helm repositories take.
#[derive(clap::Args, Default)]
pub struct RegistryArgs {
    /// A Docker config JSON holding registry credentials (`auths`).
    #[arg(long, env = "GITWARD_REGISTRY_CONFIG")]
    registry_config: Option<PathBuf>,
    /// Reach OCI registries over plain HTTP.
    #[arg(long)]
    insecure: bool,
}

/// `gitward source helm REPO_URL CHART`.
#[derive(clap::Args)]
pub struct HelmArgs {
    /// The repository URL (`https://...`, `http://...`, `oci://...`).
    repo_url: String,
    /// The chart name.
    chart: String,
    /// A version or range (default: the latest stable version).
    #[arg(long)]
    version: Option<String>,
    /// Write `CHART-VERSION.tgz` into this directory.
    #[arg(short = 'o', long)]
    output: Option<PathBuf>,
    /// Send the credentials to every host the index points at.
    #[arg(long)]
    pass_credentials: bool,
    /// Keep the index here and revalidate it on the next fetch.
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    #[command(flatten)]
    auth: CredentialArgs,
    #[command(flatten)]
    registry: RegistryArgs,
}

/// `gitward source oci URL`.
#[derive(clap::Args)]
pub struct OciArgs {
    /// `oci://REGISTRY/REPOSITORY` (no tag).
    url: String,
    /// Pull this tag (default `latest`).
    #[arg(long, conflicts_with_all = ["semver", "digest"])]
    tag: Option<String>,
    /// Pull the highest tag satisfying this range.
    #[arg(long, conflicts_with = "digest")]
    semver: Option<String>,
    /// Pull this manifest digest.
    #[arg(long)]
    digest: Option<String>,
    /// The media type of the layer to use (default: the first layer).
    #[arg(long)]
    layer_media_type: Option<String>,
    /// `extract` (default) or `copy`.
    #[arg(long, default_value = "extract")]
    layer_operation: String,
    /// Write the files (extract) or `<digest>.tgz` (copy) here.
    #[arg(short = 'o', long)]
    output: Option<PathBuf>,
    /// Ignore rules (`.sourceignore` syntax, `spec.ignore`) applied when the extracted
    /// files are archived for the artifact's digest; repeat for several lines.
    #[arg(long)]
    ignore: Vec<String>,
    #[command(flatten)]
    auth: CredentialArgs,
    #[command(flatten)]
    registry: RegistryArgs,
}

/// A file's bytes, or an error naming it.
pub fn read_file(what: &str, p: &PathBuf) -> Result<Vec<u8>, Failure> {
    std::fs::read(p).map_err(|e| {
        Failed(format!(
            "cannot read the {what} {}: {}",
            p.display(),
            gitward::io::system::io_text(&e)
        ))
    })
}

impl CredentialArgs {
    /// The password, from standard input, the file, or the flag/environment (in that
    /// order).
    pub fn password(&self) -> Result<Option<String>, Failure> {
        if self.password_stdin {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| {
                Failed(format!("cannot read the password from standard input: {e}"))
            })?;
            return Ok(Some(trim_newline(&s).to_owned()));
        }
        if let Some(f) = &self.password_file {
            let bytes = read_file("password file", f)?;
            let s = String::from_utf8(bytes)
                .map_err(|_| Failed(format!("the password file {} is not text", f.display())))?;
            return Ok(Some(trim_newline(&s).to_owned()));
        }
        Ok(self.password.clone())
    }

    fn basic(&self) -> Result<Option<BasicAuth>, Failure> {
        match (&self.username, self.password()?) {
            (Some(u), Some(p)) => Ok(Some(BasicAuth {
                username: u.clone(),
                password: p,
            })),
            (None, None) => Ok(None),
            (None, Some(_)) => Err(Failed("a password needs --username".to_owned())),
            (Some(_), None) => Err(Failed(
                "--username needs a password (--password, --password-stdin or --password-file)"
                    .to_owned(),
            )),
        }
    }

    /// The TLS material read from the files.
    pub fn tls(&self) -> Result<TlsOptions, Failure> {
        if self.cert_file.is_some() != self.key_file.is_some() {
            return Err(Failed(
                "a client certificate needs both --cert-file and --key-file".to_owned(),
            ));
        }
        Ok(TlsOptions {
            ca_pem: self
                .ca_file
                .as_ref()
                .map(|f| read_file("CA file", f))
                .transpose()?,
            cert_pem: self
                .cert_file
                .as_ref()
                .map(|f| read_file("certificate file", f))
                .transpose()?,
            key_pem: self
                .key_file
                .as_ref()
                .map(|f| read_file("key file", f))
                .transpose()?,
        })
    }
}

/// One trailing newline (`\n` or `\r\n`) dropped.
pub fn trim_newline(s: &str) -> &str {
    s.strip_suffix('\n')
        .map(|s| s.strip_suffix('\r').unwrap_or(s))
        .unwrap_or(s)
}

impl RegistryArgs {
    fn docker_config(&self) -> Result<Option<DockerConfig>, Failure> {
        match &self.registry_config {
            None => Ok(None),
            Some(f) => {
                let bytes = read_file("registry config", f)?;
                DockerConfig::parse(&bytes)
                    .map(Some)
                    .map_err(|e| Failed(format!("{}: {e}", f.display())))
            }
        }
    }
}

/// A one-line progress display on standard error, when it is a terminal (nothing
/// otherwise): redrawn at most ten times a second, cleared by [`clear_progress`].
fn terminal_progress() -> Option<ProgressSink> {
    use std::io::IsTerminal as _;
    use std::sync::Mutex;
    use std::time::{Duration, Instant};
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let last: Mutex<Option<Instant>> = Mutex::new(None);
    Some(ProgressSink(std::sync::Arc::new(
        move |p: &DownloadProgress| {
            let done = p.total.is_some_and(|t| p.received >= t);
            let mut last = last
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if !done && last.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) {
                return;
            }
            *last = Some(Instant::now());
            let mib = |b: u64| b as f64 / f64::from(1 << 20);
            let text = match p.total {
                Some(t) if t > 0 => format!(
                    "downloading {}: {:.1}/{:.1} MiB ({}%)",
                    p.what,
                    mib(p.received),
                    mib(t),
                    p.received.saturating_mul(100) / t
                ),
                _ => format!("downloading {}: {:.1} MiB", p.what, mib(p.received)),
            };
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K{text}");
            let _ = err.flush();
        },
    )))
}

/// Erases the progress line, if one was drawn.
fn clear_progress(p: Option<&ProgressSink>) {
    if p.is_some() {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K");
        let _ = err.flush();
    }
}

fn fetch_failed(e: FetchError) -> Failure {
    Failed(e.message)
}

fn print_result(
    revision: &str,
    digest: &Digest,
    path: Option<&std::path::Path>,
) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    let mut text = format!("revision: {revision}\ndigest: {digest}\n");
    if let Some(p) = path {
        text.push_str(&format!("path: {}\n", p.display()));
    }
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failed(format!("writing output: {e}")))
}

/// Runs `gitward source ...`.
pub fn run(cmd: &SourceCommand) -> Result<(), Failure> {
    match cmd {
        SourceCommand::Helm(a) => helm(a),
        SourceCommand::Oci(a) => oci(a),
        SourceCommand::Git(a) => crate::source_git::git(a),
    }
}

fn helm(a: &HelmArgs) -> Result<(), Failure> {
    let mut opts = HelmRepoOptions::default();
    opts.auth = a.auth.basic()?;
    opts.pass_credentials_all = a.pass_credentials;
    opts.tls = a.auth.tls()?;
    opts.docker_config = a.registry.docker_config()?;
    opts.insecure = a.registry.insecure;
    opts.cache_dir.clone_from(&a.cache_dir);
    opts.progress = terminal_progress();
    let chart = fetch_chart_sync(&a.repo_url, &a.chart, a.version.as_deref(), &opts);
    clear_progress(opts.progress.as_ref());
    let mut chart = chart.map_err(fetch_failed)?;
    for w in &chart.warnings {
        eprintln!("warning: {w}");
    }
    let path = match &a.output {
        Some(dir) => Some(chart.save(dir).map_err(fetch_failed)?),
        None => None,
    };
    print_result(&chart.revision, &chart.digest, path.as_deref())
}

fn oci(a: &OciArgs) -> Result<(), Failure> {
    let credentials = a.auth.basic()?.map(|b| Credentials::Basic {
        username: b.username,
        password: b.password,
    });
    let mut opts = OciOptions::default();
    opts.credentials = credentials;
    opts.docker_config = a.registry.docker_config()?;
    opts.tls = a.auth.tls()?;
    opts.insecure = a.registry.insecure;
    if !a.ignore.is_empty() {
        opts.ignore = Some(a.ignore.join("\n"));
    }
    let reference = match (&a.digest, &a.semver, &a.tag) {
        (Some(d), _, _) => {
            OciReference::Digest(Digest::parse(d).map_err(|e| Failed(e.to_string()))?)
        }
        (None, Some(s), _) => OciReference::Semver(s.clone()),
        (None, None, Some(t)) => OciReference::Tag(t.clone()),
        (None, None, None) => OciReference::Latest,
    };
    let layer = LayerSelector {
        media_type: a.layer_media_type.clone(),
        operation: LayerOperation::parse(&a.layer_operation).map_err(|e| Failed(e.to_string()))?,
    };
    opts.progress = terminal_progress();
    let artifact = fetch_artifact_sync(&a.url, &reference, &layer, &opts);
    clear_progress(opts.progress.as_ref());
    let mut artifact = artifact.map_err(fetch_failed)?;
    let path = match &a.output {
        Some(dir) => Some(artifact.save(dir).map_err(fetch_failed)?),
        None => None,
    };
    print_result(&artifact.revision, &artifact.digest, path.as_deref())
}
