//! File tree.
