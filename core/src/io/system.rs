//! What the imperative shell takes from the machine it runs on, in one place: the real
//! clock and the operating system's randomness, packaged as the template
//! [`Env`](crate::template::Env) that `helm template` gives its templates (`now`,
//! `randAlphaNum`, `genPrivateKey`, ...).
//!
//! It also holds what the CLI and the bindings share for `helm template` from paths:
//! [`helm_template`] reads the chart and the values files and renders.
//!
//! The pure modules never call this; the CLI and the bindings do and pass the result in.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::helm;
use crate::template::Env;
use crate::tree::{DirTree, RelPath};

pub use crate::helm::RENDER_STACK;

/// Time since the Unix epoch (zero if the clock is before it).
pub fn now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// The environment Helm's templates see on a real machine: the system clock and bytes
/// from `/dev/urandom` (a clock-seeded splitmix64 generator if it cannot be read).
pub fn template_env() -> Env {
    let urandom = std::fs::File::open("/dev/urandom").ok().map(Mutex::new);
    // Truncation is fine: only a seed.
    let fallback = Arc::new(AtomicU64::new(now().as_nanos() as u64));
    Env {
        now: Arc::new(|| {
            let d = now();
            (
                i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                d.subsec_nanos(),
            )
        }),
        random: Arc::new(move |buf: &mut [u8]| {
            if let Some(dev) = &urandom
                && let Ok(mut f) = dev.lock()
                && std::io::Read::read_exact(&mut *f, buf).is_ok()
            {
                return;
            }
            for b in buf.iter_mut() {
                // splitmix64
                let mut z = fallback.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                *b = (z ^ (z >> 31)) as u8;
            }
        }),
        ..Env::default()
    }
}

/// How Go words the common I/O errors (`no such file or directory`), as Helm prints them.
pub fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}

/// `helm template`'s inputs, as given, before anything touches the file system.
#[derive(Debug, Clone, Default)]
pub struct HelmTemplateArgs {
    /// A chart directory or a packaged `.tgz`.
    pub chart: String,
    /// Release name.
    pub release: String,
    /// Release namespace.
    pub namespace: String,
    /// `-f` files, read in order.
    pub values: Vec<String>,
    /// `--set*` flags (the `-f` files are added to `value_files` here).
    pub user: helm::UserValues,
    /// `--kube-version`.
    pub kube_version: Option<String>,
    /// `--api-versions`.
    pub api_versions: Vec<String>,
    /// `--include-crds`.
    pub include_crds: bool,
    /// `--is-upgrade`.
    pub is_upgrade: bool,
    /// `--skip-tests`.
    pub skip_tests: bool,
    /// `--no-hooks`.
    pub no_hooks: bool,
    /// `--skip-schema-validation`.
    pub skip_schema_validation: bool,
    /// `--show-only`.
    pub show_only: Vec<String>,
}

/// Loads the chart, reads the values files (and `--set-file` files) and renders on a
/// thread with [`RENDER_STACK`], with the machine's clock and randomness; returns what
/// `helm template` prints.
pub fn helm_template(args: HelmTemplateArgs) -> Result<String, helm::Error> {
    use helm::{Error as HelmError, ErrorKind};
    let chart_ref = args.chart.trim();
    let chart_path = std::path::Path::new(chart_ref);
    if !chart_path.exists() {
        let message = format!("path {chart_ref:?} not found");
        return Err(HelmError::new(ErrorKind::Load, message));
    }
    let mut read = |p: &str| std::fs::read(p).map_err(|e| format!("open {p}: {}", io_text(&e)));
    let mut user = args.user;
    for name in args.values {
        let data = read(&name).map_err(|m| HelmError::new(ErrorKind::Values, m))?;
        user.value_files.push((name, data));
    }
    let values = user.merge(&mut read)?;
    let chart = if chart_path.is_dir() {
        let tree =
            DirTree::new(chart_path).map_err(|e| HelmError::new(ErrorKind::Load, e.to_string()))?;
        helm::load_chart(&tree, &RelPath::root())?
    } else {
        let bytes = std::fs::read(chart_path).map_err(|e| {
            HelmError::new(
                ErrorKind::Load,
                format!("open {chart_ref}: {}", io_text(&e)),
            )
        })?;
        helm::load_archive(&bytes)?
    };
    let opts = helm::RenderOptions {
        release_name: args.release,
        namespace: args.namespace,
        is_upgrade: args.is_upgrade,
        values,
        kube_version: args.kube_version,
        api_versions: args.api_versions,
        include_crds: args.include_crds,
        skip_tests: args.skip_tests,
        no_hooks: args.no_hooks,
        show_only: args.show_only,
        skip_schema_validation: args.skip_schema_validation,
        env: template_env(),
        ..Default::default()
    };
    let limit = |m: String| HelmError::new(ErrorKind::Limit, m);
    std::thread::Builder::new()
        .name("gitward-render".into())
        .stack_size(RENDER_STACK)
        .spawn(move || helm::render(&chart, &opts).map(|r| r.to_text()))
        .map_err(|e| limit(format!("starting the renderer: {e}")))?
        .join()
        .map_err(|_| limit("rendering failed unexpectedly".into()))?
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_system_env_has_a_clock_and_randomness() {
        let env = super::template_env();
        let (secs, _) = (env.now)();
        assert!(secs > 1_600_000_000);
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        (env.random)(&mut a);
        (env.random)(&mut b);
        assert_ne!(a, b);
    }
}
