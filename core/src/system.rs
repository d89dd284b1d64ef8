//! What the imperative shell takes from the machine it runs on, in one place: the real
//! clock and the operating system's randomness, packaged as the template
//! [`Env`](crate::template::Env) that `helm template` gives its templates (`now`,
//! `randAlphaNum`, `genPrivateKey`, ...).
//!
//! The pure modules never call this; the CLI and the bindings do and pass the result in.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::template::Env;

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
