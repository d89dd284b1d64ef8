//! `gitward source helm` and `gitward source oci` (`gitward source git` is in
//! `source_git.rs`): fetch a chart or an artifact as Flux's
//! source-controller does and print its revision and digest.
//!
//! Credentials and TLS take Helm's flag names; each also reads an environment variable
//! (the flag wins), and a password can come from standard input or a file, so it never
//! has to be on the command line:
//!
//! | flag                | environment               | what                                   |
//! |---------------------|---------------------------|----------------------------------------|
//! | `--username`        | `GITWARD_USERNAME`        | basic auth user                        |
//! | `--password`        | `GITWARD_PASSWORD`        | basic auth password                    |
//! | `--password-stdin`  |                           | read the password from standard input  |
//! | `--password-file`   | `GITWARD_PASSWORD_FILE`   | read the password from a file          |
//! | `--ca-file`         | `GITWARD_CA_FILE`         | trust only this CA (PEM)               |
//! | `--cert-file`       | `GITWARD_CERT_FILE`       | client certificate (PEM)               |
//! | `--key-file`        | `GITWARD_KEY_FILE`        | client key (PEM)                       |
//! | `--registry-config` | `GITWARD_REGISTRY_CONFIG` | Docker config JSON with registry auths |
//! | `--insecure`        |                           | plain HTTP to an OCI registry          |
//!
//! Nothing read from these is ever printed; errors name URLs without user information.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;

use gitward::io::helm_repo::{HelmRepoOptions, fetch_chart_sync};
use gitward::io::http::{BasicAuth, FetchError, TlsOptions};
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

/// Credentials and TLS, as Helm names the flags.
#[derive(clap::Args, Default)]
pub struct AuthArgs {
    /// Basic auth user.
    #[arg(long, env = "GITWARD_USERNAME", hide_env_values = true)]
    username: Option<String>,
    /// Basic auth password (prefer --password-stdin or --password-file).
    #[arg(long, env = "GITWARD_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// Read the password from standard input.
    #[arg(long)]
    password_stdin: bool,
    /// Read the password from a file.
    #[arg(long, env = "GITWARD_PASSWORD_FILE", hide_env_values = true)]
    password_file: Option<PathBuf>,
    /// Trust only this CA (PEM).
    #[arg(long, env = "GITWARD_CA_FILE")]
    ca_file: Option<PathBuf>,
    /// Client certificate (PEM).
    #[arg(long, env = "GITWARD_CERT_FILE")]
    cert_file: Option<PathBuf>,
    /// Client key (PEM).
    #[arg(long, env = "GITWARD_KEY_FILE", hide_env_values = true)]
    key_file: Option<PathBuf>,
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
    auth: AuthArgs,
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
    #[command(flatten)]
    auth: AuthArgs,
}

fn read_file(what: &str, p: &PathBuf) -> Result<Vec<u8>, Failure> {
    std::fs::read(p).map_err(|e| {
        Failed(format!(
            "cannot read the {what} {}: {}",
            p.display(),
            gitward::io::system::io_text(&e)
        ))
    })
}

impl AuthArgs {
    fn basic(&self) -> Result<Option<BasicAuth>, Failure> {
        let mut password = self.password.clone();
        if self.password_stdin {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| {
                Failed(format!("cannot read the password from standard input: {e}"))
            })?;
            password = Some(s.trim_end_matches(['\n', '\r']).to_owned());
        } else if let Some(f) = &self.password_file {
            let bytes = read_file("password file", f)?;
            let s = String::from_utf8(bytes)
                .map_err(|_| Failed(format!("the password file {} is not text", f.display())))?;
            password = Some(s.trim_end_matches(['\n', '\r']).to_owned());
        }
        match (&self.username, password) {
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

    fn tls(&self) -> Result<TlsOptions, Failure> {
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
    opts.docker_config = a.auth.docker_config()?;
    opts.insecure = a.auth.insecure;
    opts.cache_dir.clone_from(&a.cache_dir);
    let mut chart = fetch_chart_sync(&a.repo_url, &a.chart, a.version.as_deref(), &opts)
        .map_err(fetch_failed)?;
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
    opts.docker_config = a.auth.docker_config()?;
    opts.tls = a.auth.tls()?;
    opts.insecure = a.auth.insecure;
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
    let mut artifact =
        fetch_artifact_sync(&a.url, &reference, &layer, &opts).map_err(fetch_failed)?;
    let path = match &a.output {
        Some(dir) => Some(artifact.save(dir).map_err(fetch_failed)?),
        None => None,
    };
    print_result(&artifact.revision, &artifact.digest, path.as_deref())
}
