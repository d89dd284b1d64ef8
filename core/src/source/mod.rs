//! Sources as Flux sees them.
//!
//! [`ignore`] reads `.sourceignore` files and `--ignore-paths` rules exactly as Flux's
//! `sourceignore` package does; [`artifact`] packs a tree into the tarball Flux makes
//! (`flux build artifact`, or source-controller for a Git source) and is a [`FileTree`]
//! without packing. [`git`] holds the pure parts of a Git source: GitRepository's
//! `spec.ref` and its precedence, revision strings as Flux prints them, the smart-protocol
//! ref advertisement, `known_hosts` matching and commit/tag signature verification.
//! [`helm_index`] reads Helm repository indexes and picks chart versions
//! as Helm does; [`oci`] holds OCI references, manifests, media types, Flux's layer
//! selection, digests and Docker credentials; [`select`] is the version selector the
//! shell plugs into both. All pure: a tree arrives as a list of entries, and the network
//! side is in `io`. With the `io` feature, [`walk`] reads a directory on disk into that
//! list.
//!
//! [`FileTree`]: crate::tree::FileTree

pub mod artifact;
pub mod git;
pub mod helm_index;
pub mod ignore;
pub mod oci;
pub mod select;
#[cfg(all(feature = "io", unix))]
pub mod walk;
