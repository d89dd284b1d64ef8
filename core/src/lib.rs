//! gitward: GitOps sync as a library.
//!
//! The pure core (this crate without its `io` feature) takes data and returns data:
//! [`yaml`] reads and prints YAML exactly as the Go tools do, [`model`] holds Kubernetes
//! objects indexed by id, [`tree`] gives confined, read-only access to a source tree.
//! With the `io` feature (on by default), `io` is the imperative shell: the clock,
//! randomness and the network and cluster clients that feed the pure modules.
#![warn(missing_docs)]

pub mod diff;
pub mod envsubst;
pub mod flux;
pub mod go;
pub mod health;
pub mod helm;
pub mod inventory;
#[cfg(feature = "io")]
pub mod io;
pub mod kustomize;
pub mod manifest;
pub mod model;
pub mod semver;
pub mod smp;
pub mod source;
pub mod ssa;
pub mod template;
pub mod tree;
pub mod yaml;
