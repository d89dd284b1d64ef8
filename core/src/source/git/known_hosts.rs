//! OpenSSH `known_hosts` matching: is the key an ssh server presented the one on record?
//!
//! Lines are `[marker] patterns keytype base64-key [comment]`. Patterns are
//! comma-separated, may use `*` and `?`, may be negated with `!`, and may be hashed
//! (`|1|salt|hmac-sha1`, as `ssh-keygen -H` writes them). A server on a port other than
//! 22 is looked up as `[host]:port`. `@revoked` keys are refused; `@cert-authority` lines
//! (host certificates) are not supported and never match.

use base64::Engine as _;
use sha1::Digest as _;

/// The outcome of a host key check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKeyVerdict {
    /// The host is listed with exactly this key.
    Known,
    /// The host is not listed at all.
    Unknown,
    /// The host is listed, but with other keys: the key changed (or someone is in between).
    Changed,
    /// The key is marked `@revoked`.
    Revoked,
}

/// How a host is written in `known_hosts`: `host`, or `[host]:port` when the port is not 22.
pub fn host_pattern(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_owned()
    } else {
        format!("[{host}]:{port}")
    }
}

/// The OpenSSH fingerprint of a key blob: `SHA256:<base64 without padding>`.
pub fn fingerprint_sha256(blob: &[u8]) -> String {
    let digest = sha2::Sha256::digest(blob);
    format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
    )
}

/// Checks the key `blob` (SSH wire format, as the server sent it) presented by
/// `host`:`port` against the `known_hosts` text.
pub fn check_host_key(known_hosts: &str, host: &str, port: u16, blob: &[u8]) -> HostKeyVerdict {
    let name = host_pattern(&host.to_ascii_lowercase(), port);
    let (mut listed, mut known, mut revoked) = (false, false, false);
    for line in known_hosts.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split_whitespace();
        let Some(mut first) = fields.next() else {
            continue;
        };
        let mut marker = None;
        if first.starts_with('@') {
            marker = Some(first);
            let Some(next) = fields.next() else { continue };
            first = next;
        }
        let (Some(_kind), Some(key)) = (fields.next(), fields.next()) else {
            continue;
        };
        let Ok(key) = base64::engine::general_purpose::STANDARD.decode(key) else {
            continue;
        };
        let same_key = key == blob;
        match marker {
            Some("@revoked") => {
                revoked |= same_key;
                continue;
            }
            Some(_) => continue,
            None => {}
        }
        if !patterns_match(first, &name) {
            continue;
        }
        known |= same_key;
        listed = true;
    }
    if revoked {
        HostKeyVerdict::Revoked
    } else if known {
        HostKeyVerdict::Known
    } else if listed {
        HostKeyVerdict::Changed
    } else {
        HostKeyVerdict::Unknown
    }
}

/// Whether a comma-separated pattern list (or one hashed name) matches `name`.
fn patterns_match(list: &str, name: &str) -> bool {
    if let Some(hashed) = list.strip_prefix("|1|") {
        return hashed_match(hashed, name);
    }
    let mut positive = false;
    for pat in list.split(',') {
        if let Some(neg) = pat.strip_prefix('!') {
            if glob(&neg.to_ascii_lowercase(), name) {
                return false;
            }
        } else if glob(&pat.to_ascii_lowercase(), name) {
            positive = true;
        }
    }
    positive
}

fn hashed_match(hashed: &str, name: &str) -> bool {
    let Some((salt, mac)) = hashed.split_once('|') else {
        return false;
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let (Ok(salt), Ok(mac)) = (b64.decode(salt), b64.decode(mac)) else {
        return false;
    };
    hmac_sha1(&salt, name.as_bytes()).as_slice() == mac.as_slice()
}

fn hmac_sha1(key: &[u8], msg: &[u8]) -> [u8; 20] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..20].copy_from_slice(&sha1::Sha1::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = sha1::Sha1::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(msg);
    let inner = inner.finalize();
    let mut outer = sha1::Sha1::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner);
    outer.finalize().into()
}

/// OpenSSH's `match_pattern`: `*` any run, `?` any one character.
fn glob(pat: &str, s: &str) -> bool {
    let (p, s) = (pat.as_bytes(), s.as_bytes());
    let (mut pi, mut si) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    const OTHER: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIGa3vFWn0bxJ4MmrCPtu6bi5aXUbVTyUhtsMi6gLhb6s";

    fn blob(k: &str) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(k)
            .expect("base64")
    }

    #[test]
    fn known_unknown_changed() {
        let kh = format!("[127.0.0.1]:2222 ssh-ed25519 {KEY}\n");
        assert_eq!(
            check_host_key(&kh, "127.0.0.1", 2222, &blob(KEY)),
            HostKeyVerdict::Known
        );
        assert_eq!(
            check_host_key(&kh, "127.0.0.1", 2222, &blob(OTHER)),
            HostKeyVerdict::Changed
        );
        assert_eq!(
            check_host_key(&kh, "127.0.0.1", 22, &blob(KEY)),
            HostKeyVerdict::Unknown
        );
        assert_eq!(
            check_host_key("", "127.0.0.1", 22, &blob(KEY)),
            HostKeyVerdict::Unknown
        );
    }

    #[test]
    fn patterns_negation_and_wildcards() {
        let kh = format!("*.example.com,!bad.example.com ssh-ed25519 {KEY}\n");
        assert_eq!(
            check_host_key(&kh, "git.example.com", 22, &blob(KEY)),
            HostKeyVerdict::Known
        );
        assert_eq!(
            check_host_key(&kh, "bad.example.com", 22, &blob(KEY)),
            HostKeyVerdict::Unknown
        );
        assert_eq!(
            check_host_key(&kh, "GIT.Example.com", 22, &blob(KEY)),
            HostKeyVerdict::Known
        );
    }

    #[test]
    fn hashed_hosts() {
        // ssh-keygen -H of "github.com": salt and HMAC-SHA1 of the name.
        let salt = b"0123456789abcdefghij";
        let mac = hmac_sha1(salt, b"github.com");
        let b64 = base64::engine::general_purpose::STANDARD;
        let kh = format!(
            "|1|{}|{} ssh-ed25519 {KEY}\n",
            b64.encode(salt),
            b64.encode(mac)
        );
        assert_eq!(
            check_host_key(&kh, "github.com", 22, &blob(KEY)),
            HostKeyVerdict::Known
        );
        assert_eq!(
            check_host_key(&kh, "gitlab.com", 22, &blob(KEY)),
            HostKeyVerdict::Unknown
        );
    }

    #[test]
    fn hmac_sha1_matches_rfc2202() {
        let mac = hmac_sha1(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    }

    #[test]
    fn revoked_keys_are_refused() {
        let kh = format!("host ssh-ed25519 {KEY}\n@revoked * ssh-ed25519 {KEY}\n");
        assert_eq!(
            check_host_key(&kh, "host", 22, &blob(KEY)),
            HostKeyVerdict::Revoked
        );
    }

    #[test]
    fn fingerprint_is_openssh_format() {
        let fp = fingerprint_sha256(&blob(KEY));
        assert!(fp.starts_with("SHA256:"), "{fp}");
        assert!(!fp.ends_with('='), "{fp}");
    }
}
