//! Sources as Flux's source-controller sees them.
//!
//! [`git`] holds the pure parts of a Git source: GitRepository's `spec.ref` and its
//! precedence, revision strings as Flux prints them, the smart-protocol ref
//! advertisement, `known_hosts` matching and commit/tag signature verification. The
//! network side lives in the shell (`io::git`, feature `io`).

pub mod git;
