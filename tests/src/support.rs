//! The implementation behind the accessors re-exported from the crate root.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use git2::{CertificateCheckStatus, Cred, RemoteCallbacks};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use crate::Service;

/// `KEY=VALUE` lines describing running services (the format of the
/// `GITWARD_TEST_ENV` file and of `scripts/test-*.sh env`).
#[derive(Clone, Debug, Default)]
pub struct TestEnv {
    vars: BTreeMap<String, String>,
    origin: String,
}

impl TestEnv {
    /// Parses `KEY=VALUE` lines; blank lines and `#` comments are ignored, and
    /// a later definition of a key wins.
    pub fn parse(text: &str, origin: impl Into<String>) -> TestEnv {
        let vars = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        TestEnv {
            vars,
            origin: origin.into(),
        }
    }

    /// Reads an env file.
    ///
    /// # Panics
    /// If the file cannot be read.
    pub fn read(path: &Path) -> TestEnv {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read test env file {}: {e}", path.display()));
        TestEnv::parse(&text, path.display().to_string())
    }

    /// The value of `key`, if defined.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(String::as_str)
    }

    /// The value of `key`.
    ///
    /// # Panics
    /// If `key` is not defined: a test that needs a service never skips.
    pub fn require(&self, key: &str) -> &str {
        self.get(key).unwrap_or_else(|| {
            panic!(
                "{key} is not defined in the test env ({}); is the service up?",
                self.origin
            )
        })
    }

    fn path(&self, key: &str) -> PathBuf {
        PathBuf::from(self.require(key))
    }

    fn port(&self, key: &str) -> u16 {
        let v = self.require(key);
        v.parse()
            .unwrap_or_else(|e| panic!("{key}={v} is not a port number: {e}"))
    }
}

/// The workspace root (where `scripts/` is).
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Services this process started itself, and the watchdog that stops them.
struct SelfStarted {
    run_dir: PathBuf,
    // Never written to, never dropped: when this process ends, the kernel
    // closes it and the watchdog, reading EOF, runs `down` for every service.
    _watchdog: ChildStdin,
}

static SELF_STARTED: Mutex<Option<SelfStarted>> = Mutex::new(None);

/// Where services started by a test process leave their logs at `down`
/// (one directory, each service's logs replacing the previous ones).
fn logs_dir() -> PathBuf {
    std::env::temp_dir().join("gitward-test-logs")
}

// The watchdog must outlive this process (it runs `down` after we exit), so it
// is never waited for; init reaps it.
#[allow(clippy::zombie_processes)]
fn spawn_watchdog(run_dir: &Path) -> ChildStdin {
    let root = workspace_root();
    let mut script = String::from("trap '' INT TERM HUP PIPE\ncat >/dev/null\n");
    for s in Service::ALL {
        script.push_str(&format!(
            "bash '{}' down || failed=1\n",
            root.join(s.script()).display()
        ));
    }
    // Keep the log only if a `down` failed.
    let log_path = run_dir.with_extension("watchdog.log");
    script.push_str(&format!(
        "rm -rf '{}'\n[ \"$failed\" = 1 ] || rm -f '{}'\n",
        run_dir.display(),
        log_path.display()
    ));
    let log = std::fs::File::create(&log_path)
        .unwrap_or_else(|e| panic!("cannot create the watchdog log: {e}"));
    let log2 = log
        .try_clone()
        .unwrap_or_else(|e| panic!("cannot dup the watchdog log: {e}"));
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(script)
        .env("GITWARD_TEST_RUN", run_dir)
        .env("GITWARD_TEST_LOGS", logs_dir())
        .stdin(Stdio::piped())
        .stdout(log)
        .stderr(log2)
        // Out of the terminal's process group: Ctrl-C on `cargo test` must not
        // kill the watchdog before it has cleaned up.
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the cleanup watchdog: {e}"));
    child
        .stdin
        .take()
        .unwrap_or_else(|| panic!("watchdog has no stdin"))
}

/// Runs `bash SCRIPT VERB` with the run directory `run_dir` (its log lines on our stderr).
fn run_script(script: &Path, verb: &str, run_dir: &Path) -> std::process::Output {
    Command::new("bash")
        .arg(script)
        .arg(verb)
        .env("GITWARD_TEST_RUN", run_dir)
        .env("GITWARD_TEST_LOGS", logs_dir())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()))
}

/// Runs `scripts/test-<service>.sh up` in this process's private run directory
/// and returns the combined env of everything started so far.
#[expect(
    clippy::print_stderr,
    reason = "say which servers a test process starts by itself"
)]
fn self_start(service: Service) -> TestEnv {
    let mut guard = SELF_STARTED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let state = guard.get_or_insert_with(|| {
        let run_dir = std::env::temp_dir().join(format!("gitward-test-{}", std::process::id()));
        std::fs::create_dir_all(&run_dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", run_dir.display()));
        let watchdog = spawn_watchdog(&run_dir);
        SelfStarted {
            run_dir,
            _watchdog: watchdog,
        }
    });
    let script = workspace_root().join(service.script());
    eprintln!(
        "gitward-tests: GITWARD_TEST_ENV is not set; starting {} (run dir {})",
        script.display(),
        state.run_dir.display()
    );
    let out = run_script(&script, "up", &state.run_dir);
    assert!(
        out.status.success(),
        "{} up failed ({}): {}",
        script.display(),
        out.status,
        String::from_utf8_lossy(&out.stdout)
    );
    let env = TestEnv::read(&state.run_dir.join("env"));
    assert!(
        env.get(service.marker()).is_some(),
        "{} up did not define {}",
        script.display(),
        service.marker()
    );
    env
}

/// The env describing `service`: from the `GITWARD_TEST_ENV` file if that is
/// set, otherwise from starting the service in this process (once).
///
/// # Panics
/// If the service is neither described nor startable: tests never skip.
pub fn env_for(service: Service) -> TestEnv {
    if let Some(path) = std::env::var_os("GITWARD_TEST_ENV") {
        let env = TestEnv::read(Path::new(&path));
        assert!(
            env.get(service.marker()).is_some(),
            "GITWARD_TEST_ENV={} does not describe {:?} (no {}): run `{} up` before the tests \
             and add its output to that file",
            Path::new(&path).display(),
            service,
            service.marker(),
            service.script()
        );
        return env;
    }
    self_start(service)
}

/// A name unique in this test run, valid as a Kubernetes object name.
pub fn unique_name(prefix: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The test CA's certificate file (it signed every TLS server but the cluster's).
pub fn test_ca_path(env: &TestEnv) -> PathBuf {
    env.path("GITWARD_TEST_CA")
}

/// The test CA's certificate, DER-encoded.
///
/// # Panics
/// If the file holds no certificate.
pub fn test_ca_der(ca: &Path) -> CertificateDer<'static> {
    CertificateDer::from_pem_file(ca)
        .unwrap_or_else(|e| panic!("no certificate in {}: {e}", ca.display()))
}

/// An HTTP(S) client that trusts only the certificate in `ca` (no system or
/// web roots), does not treat 4xx/5xx as errors, and gives up after 60 s.
pub fn http_agent(ca: &Path) -> ureq::Agent {
    let der = test_ca_der(ca);
    let cert = ureq::tls::Certificate::from_der(der.as_ref()).to_owned();
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![cert])))
        .build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// Verifies a server's certificate (`leaf`, DER) for `host` against `ca` as the
/// only trust anchor: chain, validity period, server-auth usage and name/IP.
///
/// # Errors
/// A description of why the certificate is not acceptable.
pub fn verify_server_cert(ca: &CertificateDer<'_>, leaf: &[u8], host: &str) -> Result<(), String> {
    let anchor = webpki::anchor_from_trusted_cert(ca).map_err(|e| format!("bad CA: {e}"))?;
    let leaf = CertificateDer::from(leaf);
    let ee = webpki::EndEntityCert::try_from(&leaf).map_err(|e| format!("bad certificate: {e}"))?;
    ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &[anchor],
        &[],
        UnixTime::now(),
        webpki::KeyUsage::server_auth(),
        None,
        None,
    )
    .map_err(|e| format!("certificate not issued by the test CA: {e}"))?;
    let name = ServerName::try_from(host).map_err(|e| format!("bad host name {host}: {e}"))?;
    ee.verify_is_valid_for_subject_name(&name)
        .map_err(|e| format!("certificate not valid for {host}: {e}"))
}

/// A git2 `certificate_check` callback for HTTPS that accepts exactly the
/// servers whose certificate the CA in `ca` issued for the host connected to.
pub fn https_certificate_check(
    ca: &Path,
) -> impl FnMut(&git2::cert::Cert<'_>, &str) -> Result<CertificateCheckStatus, git2::Error> + 'static
{
    let ca = test_ca_der(ca);
    move |cert, host| {
        let x509 = cert
            .as_x509()
            .ok_or_else(|| git2::Error::from_str("the server sent no X.509 certificate"))?;
        verify_server_cert(&ca, x509.data(), host).map_err(|e| git2::Error::from_str(&e))?;
        Ok(CertificateCheckStatus::CertificateOk)
    }
}

/// A git2 `certificate_check` callback for ssh that accepts a host only if
/// `known_hosts` (OpenSSH format, plain host names) lists its exact key for
/// `[host]:port` (or `host` when `port` is 22).
pub fn ssh_known_hosts_check(
    known_hosts: &Path,
    port: u16,
) -> impl FnMut(&git2::cert::Cert<'_>, &str) -> Result<CertificateCheckStatus, git2::Error> + 'static
{
    let text = std::fs::read_to_string(known_hosts)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", known_hosts.display()));
    move |cert, host| {
        let hostkey = cert
            .as_hostkey()
            .ok_or_else(|| git2::Error::from_str("the server sent no ssh host key"))?;
        let raw = hostkey
            .hostkey()
            .ok_or_else(|| git2::Error::from_str("libssh2 gave no raw host key"))?;
        let key = base64::engine::general_purpose::STANDARD.encode(raw);
        let pattern = if port == 22 {
            host.to_owned()
        } else {
            format!("[{host}]:{port}")
        };
        let known = text.lines().any(|line| {
            let mut f = line.split_whitespace();
            match (f.next(), f.next(), f.next()) {
                (Some(hosts), Some(_kind), Some(k)) if !hosts.starts_with('#') => {
                    hosts.split(',').any(|h| h == pattern) && k == key
                }
                _ => false,
            }
        });
        if known {
            Ok(CertificateCheckStatus::CertificateOk)
        } else {
            Err(git2::Error::from_str(&format!(
                "host key of {pattern} is not in known_hosts"
            )))
        }
    }
}

/// Credentials for a git2 callback, offered once: a second request means the
/// server refused them, and asking again would loop.
fn once<F>(
    mut make: F,
) -> impl FnMut(&str, Option<&str>, git2::CredentialType) -> Result<Cred, git2::Error>
where
    F: FnMut() -> Result<Cred, git2::Error>,
{
    let asked = Cell::new(false);
    move |_url, _user, _allowed| {
        if asked.replace(true) {
            return Err(git2::Error::from_str(
                "authentication refused by the server",
            ));
        }
        make()
    }
}

/// The kube-apiserver started by `scripts/test-cluster.sh`.
#[derive(Clone, Debug)]
pub struct Cluster {
    /// Admin kubeconfig (token of a `system:masters` user).
    pub kubeconfig: PathBuf,
    /// Kubeconfig of `gitward-user` (group `gitward:users`, no RBAC grants).
    pub user_kubeconfig: PathBuf,
    /// `https://127.0.0.1:PORT`.
    pub server: String,
    /// The kube-apiserver version, e.g. `v1.35.4`.
    pub version: String,
    /// The cluster's CA certificate.
    pub ca: PathBuf,
}

impl Cluster {
    fn from_env(env: &TestEnv) -> Cluster {
        Cluster {
            kubeconfig: env.path("KUBECONFIG"),
            user_kubeconfig: env.path("GITWARD_KUBE_USER_KUBECONFIG"),
            server: env.require("GITWARD_KUBE_SERVER").to_owned(),
            version: env.require("GITWARD_KUBE_VERSION").to_owned(),
            ca: env.path("GITWARD_KUBE_CA"),
        }
    }

    /// A client with the admin kubeconfig.
    pub async fn client(&self) -> kube::Client {
        Self::client_for(&self.kubeconfig).await
    }

    /// A client as `gitward-user`, who has no permissions until a test grants some.
    pub async fn user_client(&self) -> kube::Client {
        Self::client_for(&self.user_kubeconfig).await
    }

    /// A client from a kubeconfig file (the process's `KUBECONFIG` is not consulted).
    ///
    /// # Panics
    /// If the kubeconfig is unusable.
    pub async fn client_for(kubeconfig: &Path) -> kube::Client {
        // kube's rustls needs a process-wide crypto provider when more than one is compiled in.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let kc = kube::config::Kubeconfig::read_from(kubeconfig)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", kubeconfig.display()));
        let config =
            kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
                .await
                .unwrap_or_else(|e| panic!("bad kubeconfig {}: {e}", kubeconfig.display()));
        kube::Client::try_from(config).unwrap_or_else(|e| panic!("cannot build a kube client: {e}"))
    }
}

/// The URLs of one bare repository under [`GitServers::repos_dir`].
#[derive(Clone, Debug)]
pub struct RepoUrls {
    /// The repository on disk.
    pub path: PathBuf,
    /// `git://` (git daemon, push enabled).
    pub git: String,
    /// `https://` (basic auth: [`GitServers::https_user`] / [`GitServers::https_password`]).
    pub https: String,
    /// `ssh://` (key [`GitServers::ssh_key`]).
    pub ssh: String,
    /// `https://` with a bearer token ([`GitServers::https_token`]) instead of basic auth.
    pub https_bearer: String,
    /// `https://` on the server that wants a client certificate ([`GitServers::client_cert`]).
    pub https_mtls: String,
}

/// The git servers started by `scripts/test-git-servers.sh`, all serving the
/// bare repositories in `repos_dir`.
#[derive(Clone, Debug)]
pub struct GitServers {
    /// Directory of bare repositories served by all three servers.
    pub repos_dir: PathBuf,
    /// The commit `main` of `test.git` points at after `up`.
    pub head: String,
    /// `git://127.0.0.1:PORT/test.git`.
    pub daemon_url: String,
    /// `https://127.0.0.1:PORT/git/test.git`.
    pub https_url: String,
    /// Basic-auth user for HTTPS.
    pub https_user: String,
    /// Basic-auth password for HTTPS.
    pub https_password: String,
    /// `https://127.0.0.1:PORT/bearer/test.git`: the same server, bearer-token auth.
    pub https_bearer_url: String,
    /// The bearer token.
    pub https_token: String,
    /// `https://127.0.0.1:PORT/git/test.git` on the server that requires a client
    /// certificate issued by the test CA (and nothing else).
    pub mtls_url: String,
    /// The client certificate (PEM).
    pub client_cert: PathBuf,
    /// The client certificate's key (PEM).
    pub client_key: PathBuf,
    /// `ssh://USER@127.0.0.1:PORT/<repos_dir>/test.git`.
    pub ssh_url: String,
    /// The ssh login.
    pub ssh_user: String,
    /// The sshd port.
    pub ssh_port: u16,
    /// Client private key (PEM), authorized by the sshd.
    pub ssh_key: PathBuf,
    /// Client public key.
    pub ssh_pubkey: PathBuf,
    /// A second authorized client key: ed25519, OpenSSH format, passphrase-protected.
    pub ssh_key_encrypted: PathBuf,
    /// Its passphrase.
    pub ssh_key_passphrase: String,
    /// A known_hosts file listing the sshd's real host key.
    pub ssh_known_hosts: PathBuf,
    /// The sshd's host public key (OpenSSH `.pub` format).
    pub ssh_host_pubkey: PathBuf,
    /// Another host public key, not the sshd's (for "unknown host" tests).
    pub ssh_decoy_pubkey: PathBuf,
    /// The CA that signed the HTTPS server's certificate.
    pub ca: PathBuf,
}

impl GitServers {
    fn from_env(env: &TestEnv) -> GitServers {
        GitServers {
            repos_dir: env.path("GITWARD_GIT_REPOS"),
            head: env.require("GITWARD_GIT_HEAD").to_owned(),
            daemon_url: env.require("GITWARD_GIT_DAEMON_URL").to_owned(),
            https_url: env.require("GITWARD_GIT_HTTPS_URL").to_owned(),
            https_user: env.require("GITWARD_GIT_HTTPS_USER").to_owned(),
            https_password: env.require("GITWARD_GIT_HTTPS_PASSWORD").to_owned(),
            https_bearer_url: env.require("GITWARD_GIT_HTTPS_BEARER_URL").to_owned(),
            https_token: env.require("GITWARD_GIT_HTTPS_TOKEN").to_owned(),
            mtls_url: env.require("GITWARD_GIT_MTLS_URL").to_owned(),
            client_cert: env.path("GITWARD_GIT_CLIENT_CERT"),
            client_key: env.path("GITWARD_GIT_CLIENT_KEY"),
            ssh_url: env.require("GITWARD_GIT_SSH_URL").to_owned(),
            ssh_user: env.require("GITWARD_GIT_SSH_USER").to_owned(),
            ssh_port: env.port("GITWARD_GIT_SSH_PORT"),
            ssh_key: env.path("GITWARD_GIT_SSH_KEY"),
            ssh_pubkey: env.path("GITWARD_GIT_SSH_PUBKEY"),
            ssh_key_encrypted: env.path("GITWARD_GIT_SSH_KEY_ENCRYPTED"),
            ssh_key_passphrase: env.require("GITWARD_GIT_SSH_KEY_PASSPHRASE").to_owned(),
            ssh_known_hosts: env.path("GITWARD_GIT_SSH_KNOWN_HOSTS"),
            ssh_host_pubkey: env.path("GITWARD_GIT_SSH_HOST_PUBKEY"),
            ssh_decoy_pubkey: env.path("GITWARD_GIT_SSH_DECOY_PUBKEY"),
            ca: test_ca_path(env),
        }
    }

    fn urls(&self, name: &str) -> RepoUrls {
        let base = |url: &str| {
            url.strip_suffix("test.git")
                .unwrap_or_else(|| panic!("unexpected repository URL {url}"))
                .to_owned()
        };
        RepoUrls {
            path: self.repos_dir.join(name),
            git: format!("{}{name}", base(&self.daemon_url)),
            https: format!("{}{name}", base(&self.https_url)),
            ssh: format!("{}{name}", base(&self.ssh_url)),
            https_bearer: format!("{}{name}", base(&self.https_bearer_url)),
            https_mtls: format!("{}{name}", base(&self.mtls_url)),
        }
    }

    /// The repository `up` created: `main` at [`GitServers::head`], with
    /// `README.md` and `manifests/configmap.yaml`.
    pub fn test_repo(&self) -> RepoUrls {
        self.urls("test.git")
    }

    /// Creates an empty bare repository `name` (e.g. `"mine.git"`; use
    /// [`unique_name`] to keep tests apart), pushable over every transport.
    ///
    /// # Panics
    /// If it cannot be created.
    pub fn new_bare_repo(&self, name: &str) -> RepoUrls {
        let urls = self.urls(name);
        let mut opts = git2::RepositoryInitOptions::new();
        opts.bare(true).initial_head("main");
        let repo = git2::Repository::init_opts(&urls.path, &opts)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", urls.path.display()));
        repo.config()
            .and_then(|mut c| c.set_bool("http.receivepack", true))
            .unwrap_or_else(|e| panic!("cannot configure {}: {e}", urls.path.display()));
        urls
    }

    /// Callbacks for HTTPS: basic auth with `user`/`password` (offered once)
    /// and TLS verified against the test CA only.
    pub fn https_callbacks(&self, user: &str, password: &str) -> RemoteCallbacks<'static> {
        let (user, password) = (user.to_owned(), password.to_owned());
        let mut cb = RemoteCallbacks::new();
        cb.credentials(once(move || Cred::userpass_plaintext(&user, &password)));
        cb.certificate_check(https_certificate_check(&self.ca));
        cb
    }

    /// Callbacks for ssh: the client key (offered once) and host keys checked
    /// against `known_hosts`.
    pub fn ssh_callbacks(&self, known_hosts: &Path) -> RemoteCallbacks<'static> {
        let (user, key, pubkey) = (
            self.ssh_user.clone(),
            self.ssh_key.clone(),
            self.ssh_pubkey.clone(),
        );
        let mut cb = RemoteCallbacks::new();
        cb.credentials(once(move || {
            Cred::ssh_key(&user, Some(&pubkey), &key, None)
        }));
        cb.certificate_check(ssh_known_hosts_check(known_hosts, self.ssh_port));
        cb
    }

    /// A known_hosts line for the sshd's address with the key in `pubkey_file`.
    ///
    /// # Panics
    /// If the file cannot be read.
    pub fn known_hosts_line(&self, pubkey_file: &Path) -> String {
        let pubkey = std::fs::read_to_string(pubkey_file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", pubkey_file.display()));
        let mut f = pubkey.split_whitespace();
        let (kind, key) = (f.next().unwrap_or_default(), f.next().unwrap_or_default());
        format!("[127.0.0.1]:{} {kind} {key}\n", self.ssh_port)
    }
}

/// The OCI registries started by `scripts/test-registry.sh`.
#[derive(Clone, Debug)]
pub struct Registry {
    /// `127.0.0.1:PORT` of the plain-HTTP registry without auth.
    pub plain: String,
    /// `http://127.0.0.1:PORT`.
    pub plain_url: String,
    /// `127.0.0.1:PORT` of the TLS registry with basic auth.
    pub secure: String,
    /// `https://127.0.0.1:PORT`.
    pub secure_url: String,
    /// `127.0.0.1:PORT` of the TLS registry with bearer-token auth.
    pub token: String,
    /// `https://127.0.0.1:PORT` of the token-auth registry.
    pub token_url: String,
    /// The token server's endpoint (what the registry's 401 challenge names as realm).
    pub token_realm: String,
    /// User for the secure registry and the token server.
    pub user: String,
    /// Password for the secure registry and the token server.
    pub password: String,
    /// The CA that signed the secure registry's certificate.
    pub ca: PathBuf,
}

impl Registry {
    fn from_env(env: &TestEnv) -> Registry {
        Registry {
            plain: env.require("GITWARD_REGISTRY_PLAIN").to_owned(),
            plain_url: env.require("GITWARD_REGISTRY_PLAIN_URL").to_owned(),
            secure: env.require("GITWARD_REGISTRY_SECURE").to_owned(),
            secure_url: env.require("GITWARD_REGISTRY_SECURE_URL").to_owned(),
            token: env.require("GITWARD_REGISTRY_TOKEN").to_owned(),
            token_url: env.require("GITWARD_REGISTRY_TOKEN_URL").to_owned(),
            token_realm: env.require("GITWARD_REGISTRY_TOKEN_REALM").to_owned(),
            user: env.require("GITWARD_REGISTRY_USER").to_owned(),
            password: env.require("GITWARD_REGISTRY_PASSWORD").to_owned(),
            ca: test_ca_path(env),
        }
    }
}

/// The Helm chart repository started by `scripts/test-helm-repo.sh`.
#[derive(Clone, Debug)]
pub struct HelmRepo {
    /// `http://127.0.0.1:PORT` (no TLS, no auth).
    pub http_url: String,
    /// `https://127.0.0.1:PORT` (test CA, no auth).
    pub url: String,
    /// `https://127.0.0.1:PORT/private` (test CA, basic auth).
    pub private_url: String,
    /// User for `private_url`.
    pub user: String,
    /// Password for `private_url`.
    pub password: String,
    /// `https://127.0.0.1:PORT` (test CA, a client certificate from the test CA required).
    pub mtls_url: String,
    /// A client certificate (PEM) `mtls_url` accepts.
    pub client_cert: PathBuf,
    /// Its key (PEM).
    pub client_key: PathBuf,
    /// The chart's name (versions 0.1.0 and 0.2.0 are served).
    pub chart: String,
    /// The directory served (index.yaml and the chart archives).
    pub dir: PathBuf,
    /// The CA that signed the HTTPS certificate.
    pub ca: PathBuf,
}

impl HelmRepo {
    fn from_env(env: &TestEnv) -> HelmRepo {
        HelmRepo {
            http_url: env.require("GITWARD_HELM_REPO_HTTP_URL").to_owned(),
            url: env.require("GITWARD_HELM_REPO_URL").to_owned(),
            private_url: env.require("GITWARD_HELM_REPO_PRIVATE_URL").to_owned(),
            user: env.require("GITWARD_HELM_REPO_USER").to_owned(),
            password: env.require("GITWARD_HELM_REPO_PASSWORD").to_owned(),
            mtls_url: env.require("GITWARD_HELM_REPO_MTLS_URL").to_owned(),
            client_cert: env.path("GITWARD_HELM_REPO_CLIENT_CERT"),
            client_key: env.path("GITWARD_HELM_REPO_CLIENT_KEY"),
            chart: env.require("GITWARD_HELM_CHART").to_owned(),
            dir: env.path("GITWARD_HELM_REPO_DIR"),
            ca: test_ca_path(env),
        }
    }
}

/// The test cluster (started on first use; see the crate docs).
pub fn cluster() -> &'static Cluster {
    static C: OnceLock<Cluster> = OnceLock::new();
    C.get_or_init(|| Cluster::from_env(&env_for(Service::Cluster)))
}

/// The git servers (started on first use; see the crate docs).
pub fn git_servers() -> &'static GitServers {
    static G: OnceLock<GitServers> = OnceLock::new();
    G.get_or_init(|| GitServers::from_env(&env_for(Service::GitServers)))
}

/// The OCI registries (started on first use; see the crate docs).
pub fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(|| Registry::from_env(&env_for(Service::Registry)))
}

/// The Helm chart repository (started on first use; see the crate docs).
pub fn helm_repo() -> &'static HelmRepo {
    static H: OnceLock<HelmRepo> = OnceLock::new();
    H.get_or_init(|| HelmRepo::from_env(&env_for(Service::HelmRepo)))
}

/// A cluster of one test's own (its own run directory, never shared), for tests that stop
/// and start its kube-apiserver while etcd keeps its data. `down` runs when it is dropped
/// or when the test process ends, however it ends.
pub struct DedicatedCluster {
    /// The admin kubeconfig.
    pub kubeconfig: PathBuf,
    run_dir: PathBuf,
    _watchdog: ChildStdin,
}

impl DedicatedCluster {
    /// Starts etcd and kube-apiserver with `scripts/test-cluster.sh up`.
    ///
    /// # Panics
    /// If the cluster does not start.
    pub fn start(name: &str) -> DedicatedCluster {
        let run_dir =
            std::env::temp_dir().join(format!("gitward-test-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&run_dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", run_dir.display()));
        let watchdog = spawn_watchdog(&run_dir);
        let c = DedicatedCluster {
            kubeconfig: run_dir.join("cluster").join("admin.kubeconfig"),
            run_dir,
            _watchdog: watchdog,
        };
        c.script("up");
        c
    }

    /// Kills the kube-apiserver (SIGKILL); etcd keeps running.
    pub fn kill_apiserver(&self) {
        self.script("apiserver-kill");
    }

    /// Starts the kube-apiserver again, on the same port and etcd, and waits until ready.
    pub fn restart_apiserver(&self) {
        self.script("apiserver-start");
    }

    fn script(&self, verb: &str) {
        let script = workspace_root().join(Service::Cluster.script());
        let out = run_script(&script, verb, &self.run_dir);
        assert!(
            out.status.success(),
            "{} {verb} failed ({})",
            script.display(),
            out.status
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_env_lines() {
        let env = TestEnv::parse("# c\n\nA=1\nB = x=y \nA=2\nnoequals\n", "t");
        assert_eq!(env.get("A"), Some("2"));
        assert_eq!(env.get("B"), Some("x=y"));
        assert_eq!(env.get("noequals"), None);
    }

    #[test]
    fn unique_names_differ_and_are_dns_labels() {
        let (a, b) = (unique_name("ns"), unique_name("ns"));
        assert_ne!(a, b);
        assert!(a.len() <= 63);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        );
    }
}
