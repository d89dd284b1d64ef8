//! The imperative shell (feature `io`): everything that touches the machine or the
//! network — the clock and randomness ([`system`]), Git remotes ([`git`]), Helm
//! repositories ([`helm_repo`]), OCI registries ([`oci`]) over one HTTP client setup
//! ([`http`]), Kubernetes clusters ([`cluster`]: discovery, server-side apply, Flux's
//! staged apply and prune) — lives here and hands plain
//! data to the pure modules.
//!
//! Nothing outside this module reads the clock, the environment, the file system (other
//! than through a [`FileTree`](crate::tree::FileTree) it is handed) or the network.

pub mod cluster;
pub mod git;
pub mod helm_repo;
pub mod http;
pub mod kustomize_remote;
pub mod oci;
pub mod source;
pub mod system;
