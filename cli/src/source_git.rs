//! `gitward source git`: fetch a Git source as Flux's source-controller does and print its
//! revision.
//!
//! Credentials come from flags (as helm names them) or from environment variables, and
//! are never printed:
//!
//! | flag | environment variable |
//! |---|---|
//! | `--username` | `GITWARD_GIT_USERNAME` |
//! | `--password`, `--password-stdin` | `GITWARD_GIT_PASSWORD` |
//! | `--bearer-token-file` | `GITWARD_GIT_BEARER_TOKEN` (the token itself) |
//! | `--ca-file` | `GITWARD_GIT_CA_FILE` |
//! | `--cert-file`, `--key-file` | `GITWARD_GIT_CERT_FILE`, `GITWARD_GIT_KEY_FILE` |
//! | `--ssh-key` | `GITWARD_GIT_SSH_KEY` (a file) |
//! | `--ssh-key-passphrase-file` | `GITWARD_GIT_SSH_KEY_PASSPHRASE` (the passphrase) |
//! | `--known-hosts` | `GITWARD_GIT_KNOWN_HOSTS` (a file; default `~/.ssh/known_hosts`) |

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use gitward::io::git::{
    Auth, FetchOptions, FetchOutcome, GitSource, Progress, Secret, Verification, fetch,
};
use gitward::source::git::signature::VerificationKeys;
use gitward::source::git::{GitRef, VerifyMode};

use crate::Failure::{self, Failed, Unsupported};

/// `gitward source git URL [flags]`.
#[derive(clap::Args)]
pub struct GitArgs {
    /// The repository URL: `https://`, `http://`, `ssh://`, `user@host:path`, `git://`.
    url: String,
    /// Branch to check out (with `--commit`: the branch the commit is on).
    #[arg(long, conflicts_with_all = ["tag", "semver", "ref_name"])]
    branch: Option<String>,
    /// Tag to check out.
    #[arg(long, conflicts_with_all = ["semver", "ref_name", "commit"])]
    tag: Option<String>,
    /// Semver range: the highest matching tag is checked out.
    #[arg(long, conflicts_with_all = ["ref_name", "commit"])]
    semver: Option<String>,
    /// A full reference name, e.g. `refs/pull/1/head`.
    #[arg(long, conflicts_with = "commit")]
    ref_name: Option<String>,
    /// A commit id (40 hex digits).
    #[arg(long)]
    commit: Option<String>,
    /// Ignore rules for the artifact (`.sourceignore` syntax).
    #[arg(long)]
    ignore: Vec<String>,
    /// Write the checkout into this directory (created; must be empty). Without it the
    /// checkout goes to a temporary directory that is removed again.
    #[arg(short = 'o', long)]
    output: Option<PathBuf>,
    /// Check out only these directories.
    #[arg(long)]
    sparse_checkout: Vec<String>,
    /// Check out submodules too.
    #[arg(long)]
    recurse_submodules: bool,
    /// The revision fetched last time: if the remote still points there, nothing is
    /// downloaded (the revision is printed as `revision: ... (unchanged)`).
    #[arg(long)]
    last_revision: Option<String>,
    /// Fetch the whole history instead of one commit.
    #[arg(long)]
    no_shallow: bool,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    /// Verify signatures: `HEAD`, `Tag` or `TagAndHEAD`.
    #[arg(long)]
    verify_mode: Option<String>,
    /// Trusted public keys: armored OpenPGP key files, or `.sshpub` files of SSH
    /// `authorized_keys` lines.
    #[arg(long)]
    verify_key: Vec<PathBuf>,
    /// HTTP(S) basic-auth user.
    #[arg(long)]
    username: Option<String>,
    /// HTTP(S) basic-auth password (prefer `--password-stdin` or `GITWARD_GIT_PASSWORD`).
    #[arg(long)]
    password: Option<String>,
    /// Read the password from standard input (its first line).
    #[arg(long, conflicts_with = "password")]
    password_stdin: bool,
    /// A file holding an HTTP(S) bearer token.
    #[arg(long)]
    bearer_token_file: Option<PathBuf>,
    /// CA certificates (PEM) trusted for HTTPS, in addition to the system's.
    #[arg(long)]
    ca_file: Option<PathBuf>,
    /// Client certificate (PEM) for HTTPS.
    #[arg(long, requires = "key_file")]
    cert_file: Option<PathBuf>,
    /// Key of the client certificate (PEM).
    #[arg(long, requires = "cert_file")]
    key_file: Option<PathBuf>,
    /// Allow credentials over plain `http://`.
    #[arg(long)]
    insecure_http_credentials: bool,
    /// ssh private key file.
    #[arg(long)]
    ssh_key: Option<PathBuf>,
    /// A file holding the ssh key's passphrase.
    #[arg(long)]
    ssh_key_passphrase_file: Option<PathBuf>,
    /// `known_hosts` file for ssh (default `~/.ssh/known_hosts`).
    #[arg(long)]
    known_hosts: Option<PathBuf>,
    /// Accept any ssh host key. Dangerous: anyone between here and the server can serve
    /// anything.
    #[arg(long)]
    insecure_skip_host_key_check: bool,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn read_file(what: &str, path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path)
        .map_err(|e| Failed(format!("cannot read the {what} {}: {e}", path.display())))
}

fn read_text(what: &str, path: &Path) -> Result<String, Failure> {
    String::from_utf8(read_file(what, path)?)
        .map_err(|_| Failed(format!("the {what} {} is not UTF-8 text", path.display())))
}

fn auth(args: &GitArgs) -> Result<Auth, Failure> {
    let mut a = Auth::default();
    a.username = args
        .username
        .clone()
        .or_else(|| env("GITWARD_GIT_USERNAME"));
    let password = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failed(format!("cannot read the password from standard input: {e}")))?;
        Some(line.trim_end_matches(['\r', '\n']).to_owned())
    } else {
        args.password
            .clone()
            .or_else(|| env("GITWARD_GIT_PASSWORD"))
    };
    a.password = password.map(Secret::from);
    a.bearer_token = match &args.bearer_token_file {
        Some(p) => Some(read_text("bearer token file", p)?.trim().to_owned()),
        None => env("GITWARD_GIT_BEARER_TOKEN"),
    }
    .map(Secret::from);
    let file =
        |flag: &Option<PathBuf>, var: &str| flag.clone().or_else(|| env(var).map(PathBuf::from));
    if let Some(p) = file(&args.ca_file, "GITWARD_GIT_CA_FILE") {
        a.ca_pem = Some(read_file("CA file", &p)?);
    }
    match (
        file(&args.cert_file, "GITWARD_GIT_CERT_FILE"),
        file(&args.key_file, "GITWARD_GIT_KEY_FILE"),
    ) {
        (Some(c), Some(k)) => {
            a.client_cert_pem = Some(read_file("certificate file", &c)?);
            a.client_key_pem = Some(read_text("key file", &k)?.into());
        }
        (None, None) => {}
        _ => {
            return Err(Failed(
                "a client certificate needs both --cert-file and --key-file".into(),
            ));
        }
    }
    if let Some(p) = file(&args.ssh_key, "GITWARD_GIT_SSH_KEY") {
        a.ssh_key_pem = Some(read_text("ssh key", &p)?.into());
    }
    a.ssh_passphrase = match &args.ssh_key_passphrase_file {
        Some(p) => Some(
            read_text("passphrase file", p)?
                .trim_end_matches(['\r', '\n'])
                .to_owned(),
        ),
        None => env("GITWARD_GIT_SSH_KEY_PASSPHRASE"),
    }
    .map(Secret::from);
    let known_hosts = file(&args.known_hosts, "GITWARD_GIT_KNOWN_HOSTS").or_else(|| {
        std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(".ssh/known_hosts"))
            .filter(|p| p.is_file())
    });
    if let Some(p) = known_hosts {
        a.known_hosts = Some(read_text("known_hosts file", &p)?);
    }
    a.insecure_skip_host_key_check = args.insecure_skip_host_key_check;
    a.allow_insecure_http = args.insecure_http_credentials;
    Ok(a)
}

pub fn git(args: &GitArgs) -> Result<(), Failure> {
    if !args.ignore.is_empty() {
        return Err(Unsupported(
            "source git: --ignore needs the artifact packer, which this build does not have yet"
                .into(),
        ));
    }
    let mut reference = GitRef::default();
    reference.branch = args.branch.clone();
    reference.tag = args.tag.clone();
    reference.semver = args.semver.clone();
    reference.name = args.ref_name.clone();
    reference.commit = args.commit.clone();
    let mut source = GitSource::new(args.url.clone(), reference);
    source.auth = auth(args)?;
    source.recurse_submodules = args.recurse_submodules;
    source.sparse_checkout = args.sparse_checkout.clone();
    if let Some(mode) = &args.verify_mode {
        let mode = VerifyMode::parse(mode).map_err(Failed)?;
        let mut entries = Vec::new();
        for p in &args.verify_key {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            entries.push((name, read_text("verification key", p)?));
        }
        if entries.is_empty() {
            return Err(Failed(
                "--verify-mode needs at least one --verify-key".into(),
            ));
        }
        let keys =
            VerificationKeys::from_entries(entries.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        source.verify = Some(Verification::new(mode, keys));
    } else if !args.verify_key.is_empty() {
        return Err(Failed("--verify-key needs --verify-mode".into()));
    }

    let mut opts = FetchOptions::default();
    opts.last_revision = args.last_revision.clone();
    opts.shallow = !args.no_shallow;
    opts.timeout = Some(Duration::from_secs(args.timeout));
    if std::io::stderr().is_terminal() {
        opts.progress = Some(Arc::new(show_progress));
    }

    let scratch;
    let dest = match &args.output {
        Some(d) => d.clone(),
        None => {
            scratch = tempfile_dir()?;
            scratch.join("checkout")
        }
    };
    let result = fetch(&source, &dest, &opts);
    if opts.progress.is_some() {
        // Clear the progress line.
        eprint!("\r\x1b[K");
    }
    if args.output.is_none() {
        let _ = std::fs::remove_dir_all(dest.parent().unwrap_or(&dest));
    }
    let outcome = result.map_err(|e| Failed(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    let line = match &outcome {
        FetchOutcome::Unchanged { revision } => format!("revision: {revision} (unchanged)\n"),
        FetchOutcome::Fetched(c) => {
            let mut s = format!("revision: {}\n", c.revision);
            for v in &c.verified {
                s.push_str(&format!(
                    "verified: {} with key '{}'\n",
                    v.object, v.signer.key
                ));
            }
            s
        }
    };
    out.write_all(line.as_bytes())
        .map_err(|e| Failed(format!("cannot write the output: {e}")))
}

/// A fresh directory under the system's temporary directory.
fn tempfile_dir() -> Result<PathBuf, Failure> {
    let base = std::env::temp_dir();
    for i in 0..100u32 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let p = base.join(format!("gitward-source-{}-{nanos}-{i}", std::process::id()));
        match std::fs::create_dir(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Failed(format!("cannot create {}: {e}", p.display()))),
        }
    }
    Err(Failed("cannot create a temporary directory".into()))
}

/// One line of progress on the terminal, rewritten in place.
fn show_progress(p: &Progress) {
    use gitward::io::git::Phase;
    let text = match p.phase {
        Phase::Listing => "listing refs".to_owned(),
        Phase::Receiving | Phase::Resolving => {
            let kib = p.received_bytes / 1024;
            if p.total_objects > 0 {
                format!(
                    "receiving objects: {}/{} ({kib} KiB), deltas {}/{}",
                    p.received_objects, p.total_objects, p.indexed_deltas, p.total_deltas
                )
            } else {
                format!("receiving: {kib} KiB")
            }
        }
        Phase::CheckingOut => "checking out".to_owned(),
    };
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r\x1b[K{text}");
    let _ = err.flush();
}
