//! `gitward source git`: fetch a Git source as Flux's source-controller does and print its
//! revision and the digest of the artifact source-controller would store.
//!
//! Credentials: the flags every `source` subcommand shares ([`CredentialArgs`]: Helm's
//! names, `GITWARD_*` environment variables), plus Git's own: a bearer token, an ssh key,
//! its passphrase and `known_hosts`. Never printed.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use gitward::io::git::{
    Auth, FetchOptions, FetchOutcome, GitError, GitSource, Progress, Secret, Verification, fetch,
};
use gitward::source::git::signature::VerificationKeys;
use gitward::source::git::{GitRef, VerifyMode};
use gitward::source::walk::WalkLimits;

use crate::Failure::{self, Failed};
use crate::source::{CredentialArgs, trim_newline};

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
    /// Ignore rules (`.sourceignore` syntax, `spec.ignore`) for the artifact, after the
    /// repository's own `.sourceignore` files; repeat for several lines.
    #[arg(long)]
    ignore: Vec<String>,
    /// Write the artifact (the `.tar.gz` source-controller would store) to this file.
    #[arg(long)]
    artifact: Option<PathBuf>,
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
    #[command(flatten)]
    auth: CredentialArgs,
    /// A file holding an HTTP(S) bearer token (the token itself can be given as
    /// `GITWARD_BEARER_TOKEN`).
    #[arg(long, env = "GITWARD_BEARER_TOKEN_FILE", hide_env_values = true)]
    bearer_token_file: Option<PathBuf>,
    /// Allow credentials over plain `http://`.
    #[arg(long)]
    insecure_http_credentials: bool,
    /// ssh private key file (OpenSSH or PEM format).
    #[arg(long, env = "GITWARD_SSH_KEY", hide_env_values = true)]
    ssh_key: Option<PathBuf>,
    /// A file holding the ssh key's passphrase (the passphrase itself can be given as
    /// `GITWARD_SSH_KEY_PASSPHRASE`).
    #[arg(long, env = "GITWARD_SSH_KEY_PASSPHRASE_FILE", hide_env_values = true)]
    ssh_key_passphrase_file: Option<PathBuf>,
    /// `known_hosts` file for ssh (default `~/.ssh/known_hosts`).
    #[arg(long, env = "GITWARD_KNOWN_HOSTS")]
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
    a.username.clone_from(&args.auth.username);
    a.password = args.auth.password()?.map(Secret::from);
    a.bearer_token = match &args.bearer_token_file {
        Some(p) => Some(read_text("bearer token file", p)?.trim().to_owned()),
        None => env("GITWARD_BEARER_TOKEN"),
    }
    .map(Secret::from);
    let tls = args.auth.tls()?;
    a.ca_pem = tls.ca_pem;
    a.client_cert_pem = tls.cert_pem;
    a.client_key_pem = match tls.key_pem {
        Some(k) => Some(
            String::from_utf8(k)
                .map_err(|_| Failed("the key file is not PEM text".into()))?
                .into(),
        ),
        None => None,
    };
    if let Some(p) = &args.ssh_key {
        a.ssh_key_pem = Some(read_text("ssh key", p)?.into());
    }
    a.ssh_passphrase = match &args.ssh_key_passphrase_file {
        Some(p) => Some(trim_newline(&read_text("passphrase file", p)?).to_owned()),
        None => env("GITWARD_SSH_KEY_PASSPHRASE"),
    }
    .map(Secret::from);
    let known_hosts = args.known_hosts.clone().or_else(|| {
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
    let spec_ignore = (!args.ignore.is_empty()).then(|| args.ignore.join("\n"));
    let result = fetch(&source, &dest, &opts).map_err(|e| Failed(e.to_string()));
    // The artifact source-controller would store: its digest, and the tarball if asked.
    let packed = match &result {
        Ok(FetchOutcome::Fetched(c)) => Some(
            c.artifact(spec_ignore.as_deref(), &WalkLimits::default())
                .and_then(|a| {
                    a.pack().map_err(|e| GitError::Artifact {
                        path: c.path.display().to_string(),
                        reason: e.to_string(),
                    })
                })
                .map_err(|e| Failed(e.to_string())),
        ),
        _ => None,
    };
    if opts.progress.is_some() {
        // Clear the progress line.
        eprint!("\r\x1b[K");
    }
    if args.output.is_none() {
        let _ = std::fs::remove_dir_all(dest.parent().unwrap_or(&dest));
    }
    let outcome = result?;
    let packed = packed.transpose()?;
    if let (Some(file), Some(p)) = (&args.artifact, &packed) {
        write_atomic(file, &p.bytes)?;
    }
    let mut out = std::io::stdout().lock();
    let line = match (&outcome, &packed) {
        (FetchOutcome::Fetched(c), Some(p)) => {
            let mut s = format!("revision: {}\ndigest: {}\n", c.revision, p.digest);
            if let Some(dir) = &args.output {
                s.push_str(&format!("path: {}\n", dir.display()));
            }
            if let Some(file) = &args.artifact {
                s.push_str(&format!("artifact: {}\n", file.display()));
            }
            for v in &c.verified {
                s.push_str(&format!(
                    "verified: {} with key '{}'\n",
                    v.object, v.signer.key
                ));
            }
            s
        }
        (outcome, _) => format!("revision: {} (unchanged)\n", outcome.revision()),
    };
    out.write_all(line.as_bytes())
        .map_err(|e| Failed(format!("cannot write the output: {e}")))
}

/// Writes `data` to `path` through a temporary file next to it.
fn write_atomic(path: &Path, data: &[u8]) -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failed(format!("cannot write {}: {e}", path.display()));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, data).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })
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
    use std::sync::Mutex;
    use std::time::Instant;
    // Redrawn at most ten times a second, and whenever the phase changes.
    static LAST: Mutex<Option<(Instant, Phase)>> = Mutex::new(None);
    {
        let mut last = LAST
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((t, phase)) = *last
            && phase == p.phase
            && t.elapsed() < Duration::from_millis(100)
        {
            return;
        }
        *last = Some((Instant::now(), p.phase));
    }
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
