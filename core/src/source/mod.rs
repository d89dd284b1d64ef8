//! Sources as Flux sees them: ignore rules and artifacts.
//!
//! [`ignore`] reads `.sourceignore` files and `--ignore-paths` rules exactly as Flux's
//! `sourceignore` package does; [`artifact`] packs a tree into the tarball Flux makes
//! (`flux build artifact`, or source-controller for a Git source) and is a [`FileTree`]
//! without packing. Both are pure: a tree arrives as a list of entries. With the `io`
//! feature, [`walk`] reads a directory on disk into that list.
//!
//! [`FileTree`]: crate::tree::FileTree

pub mod artifact;
pub mod ignore;
#[cfg(all(feature = "io", unix))]
pub mod walk;
