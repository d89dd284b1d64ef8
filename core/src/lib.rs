//! gitward: GitOps sync as a library.
//!
//! The pure core (this crate without its `io` feature) takes data and returns data:
//! [`yaml`] reads and prints YAML exactly as the Go tools do, [`model`] holds Kubernetes
//! objects indexed by id, [`tree`] gives confined, read-only access to a source tree.
#![warn(missing_docs)]

pub mod gogzip;
pub mod gojson;
pub mod helm;
pub mod kustomize;
pub mod model;
pub mod smp;
pub mod source;
pub mod system;
pub mod template;
pub mod tree;
pub mod yaml;
