//! The `gitward` command line.
fn main() {}
