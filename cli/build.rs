//! Links the `gitward` binary as a position-dependent executable on Linux: a PIE has
//! some 15,000 relative relocations that the dynamic loader applies at every start,
//! writing (and so copying) about 80 pages; a fixed-address executable has none. This
//! is most of the start-up cost of a short `gitward template` run.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
