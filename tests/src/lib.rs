//! Test support for gitward: starts the real servers a test needs, once per test run.
//!
//! Every service is a real server on 127.0.0.1, started by the scripts in
//! `scripts/` (see `docs/testing.md`):
//!
//! | accessor        | script                          | what                                   |
//! |-----------------|---------------------------------|----------------------------------------|
//! | [`cluster`]     | `scripts/test-cluster.sh`       | etcd + kube-apiserver, admin kubeconfig |
//! | [`git_servers`] | `scripts/test-git-servers.sh`   | git daemon, git over HTTPS, git over ssh |
//! | [`registry`]    | `scripts/test-registry.sh`      | OCI registries: plain, basic auth, token |
//! | [`helm_repo`]   | `scripts/test-helm-repo.sh`     | a Helm chart repository over HTTP(S)    |
//!
//! How the servers are found:
//!
//! * If `GITWARD_TEST_ENV` names a file (the outer test command ran
//!   `scripts/test-*.sh up` and will run `down`), its `KEY=VALUE` lines are
//!   used as they are. A service missing from it is an error, never a skip.
//! * Otherwise the first accessor call for a service runs its script's `up`
//!   with a run directory private to this test process, once per process; a
//!   watchdog process runs `down` for all of them as soon as this process
//!   ends, however it ends (normal exit, failed test, panic, or kill).

mod bin_path;
pub mod manifests;
pub mod oci_push;
mod support;

pub use bin_path::gitward_bin;

pub use support::{
    Cluster, DedicatedCluster, GitServers, HelmRepo, Registry, RepoUrls, TestEnv, http_agent,
    https_certificate_check, ssh_known_hosts_check, test_ca_der, test_ca_path, unique_name,
    verify_server_cert,
};
pub use support::{cluster, env_for, git_servers, helm_repo, registry};

/// The services this crate can start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Service {
    /// etcd + kube-apiserver.
    Cluster,
    /// git daemon, git http-backend behind nginx over HTTPS, sshd.
    GitServers,
    /// docker-registry, plain and TLS + basic auth.
    Registry,
    /// nginx serving a Helm chart repository.
    HelmRepo,
}

impl Service {
    /// The script (relative to the workspace root) that starts and stops it.
    pub fn script(self) -> &'static str {
        match self {
            Service::Cluster => "scripts/test-cluster.sh",
            Service::GitServers => "scripts/test-git-servers.sh",
            Service::Registry => "scripts/test-registry.sh",
            Service::HelmRepo => "scripts/test-helm-repo.sh",
        }
    }

    /// A variable that the service's env always defines.
    pub fn marker(self) -> &'static str {
        match self {
            Service::Cluster => "KUBECONFIG",
            Service::GitServers => "GITWARD_GIT_DAEMON_URL",
            Service::Registry => "GITWARD_REGISTRY_PLAIN_URL",
            Service::HelmRepo => "GITWARD_HELM_REPO_URL",
        }
    }

    /// All services.
    pub const ALL: [Service; 4] = [
        Service::Cluster,
        Service::GitServers,
        Service::Registry,
        Service::HelmRepo,
    ];
}
