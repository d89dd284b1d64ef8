//! Signed commits and tags: what was signed, the signature, and (feature `verify`) whether
//! a trusted key made it.
//!
//! Git signs a commit over its raw object without the `gpgsig` header, and a tag over its
//! raw object up to the signature block at the end of its message; [`split_commit`] and
//! [`split_tag`] undo that exactly as git's `parse_signed_buffer` does. [`verify`] then
//! checks an OpenPGP signature against armored public keys (Flux's `.asc` keys) or an SSH
//! signature (namespace `git`) against `authorized_keys` lines (Flux's `.sshpub` keys),
//! with Flux's error wording.

/// A signed object split into the signed bytes and the armored signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// What the signature covers.
    pub payload: Vec<u8>,
    /// The armored signature, empty when the object is not signed.
    pub signature: String,
}

/// Splits a raw commit object: the `gpgsig` header (and `gpgsig-sha256`) comes out, its
/// value (continuation lines unindented) is the signature.
pub fn split_commit(raw: &[u8]) -> Signed {
    let mut payload = Vec::with_capacity(raw.len());
    let mut signature = String::new();
    let mut in_headers = true;
    let mut in_sig = false;
    let mut taking = false;
    for line in raw.split_inclusive(|&b| b == b'\n') {
        if in_headers {
            if in_sig {
                if let Some(cont) = line.strip_prefix(b" ") {
                    if taking {
                        signature.push_str(&String::from_utf8_lossy(cont));
                    }
                    continue;
                }
                in_sig = false;
            }
            if line == b"\n" {
                in_headers = false;
            } else if let Some(v) = line.strip_prefix(b"gpgsig ") {
                in_sig = true;
                taking = signature.is_empty();
                if taking {
                    signature.push_str(&String::from_utf8_lossy(v));
                }
                continue;
            } else if line.starts_with(b"gpgsig-sha256 ") {
                in_sig = true;
                taking = false;
                continue;
            }
        }
        payload.extend_from_slice(line);
    }
    if !signature.is_empty() && !signature.ends_with('\n') {
        signature.push('\n');
    }
    Signed { payload, signature }
}

const SIG_HEADERS: [&[u8]; 4] = [
    b"-----BEGIN PGP SIGNATURE-----",
    b"-----BEGIN PGP MESSAGE-----",
    b"-----BEGIN SSH SIGNATURE-----",
    b"-----BEGIN SIGNED MESSAGE-----",
];

/// Splits a raw tag object: the signature is the block from the last line that starts a
/// signature to the end.
pub fn split_tag(raw: &[u8]) -> Signed {
    let mut at = raw.len();
    let mut pos = 0;
    while pos < raw.len() {
        let rest = &raw[pos..];
        if SIG_HEADERS.iter().any(|h| rest.starts_with(h)) {
            at = pos;
        }
        match rest.iter().position(|&b| b == b'\n') {
            Some(i) => pos += i + 1,
            None => break,
        }
    }
    Signed {
        payload: raw[..at].to_vec(),
        signature: String::from_utf8_lossy(&raw[at..]).into_owned(),
    }
}

/// The kind of a signature, by its armor header (Flux's `GetSignatureType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureKind {
    /// `-----BEGIN PGP SIGNATURE-----`.
    OpenPgp,
    /// `-----BEGIN SSH SIGNATURE-----`.
    Ssh,
    /// `-----BEGIN SIGNED MESSAGE-----` (gpgsm; not verifiable here).
    X509,
    /// No signature.
    Empty,
    /// Anything else.
    Unknown,
}

impl SignatureKind {
    /// Classifies an armored signature.
    pub fn of(signature: &str) -> SignatureKind {
        let s = signature.trim();
        if s.is_empty() {
            SignatureKind::Empty
        } else if s.starts_with("-----BEGIN PGP SIGNATURE-----") {
            SignatureKind::OpenPgp
        } else if s.starts_with("-----BEGIN SSH SIGNATURE-----") {
            SignatureKind::Ssh
        } else if s.starts_with("-----BEGIN SIGNED MESSAGE-----") {
            SignatureKind::X509
        } else {
            SignatureKind::Unknown
        }
    }

    /// Flux's name for it (`openpgp`, `ssh`, `x509`, `empty`, `unknown`).
    pub fn name(self) -> &'static str {
        match self {
            SignatureKind::OpenPgp => "openpgp",
            SignatureKind::Ssh => "ssh",
            SignatureKind::X509 => "x509",
            SignatureKind::Empty => "empty",
            SignatureKind::Unknown => "unknown",
        }
    }
}

/// The public keys signatures are checked against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerificationKeys {
    /// Armored OpenPGP public key rings (each may hold several keys).
    pub pgp: Vec<String>,
    /// `authorized_keys` texts (one key a line; `#` comments and blank lines ignored).
    pub ssh: Vec<String>,
}

impl VerificationKeys {
    /// Keys from Flux's secret layout: `name.sshpub` entries are SSH authorized keys,
    /// everything else (`.asc` or no known suffix) an OpenPGP key ring.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut keys = VerificationKeys::default();
        for (name, value) in entries {
            if name.ends_with(".sshpub") {
                keys.ssh.push(value.to_owned());
            } else {
                keys.pgp.push(value.to_owned());
            }
        }
        keys
    }

    /// Whether no key at all was given.
    pub fn is_empty(&self) -> bool {
        self.pgp.is_empty() && self.ssh.is_empty()
    }
}

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The object carries no signature.
    #[error("signature is empty")]
    Unsigned,
    /// A signature of a kind that cannot be checked.
    #[error("unsupported signature type: {0}")]
    Unsupported(&'static str),
    /// An OpenPGP signature, but no OpenPGP keys were given.
    #[error("PGP signature detected but no PGP public keys were given")]
    NoPgpKeys,
    /// An SSH signature, but no SSH keys were given.
    #[error("SSH signature detected but no SSH public keys were given")]
    NoSshKeys,
    /// The signature does not parse.
    #[error("malformed signature: {0}")]
    Malformed(String),
    /// A key ring or authorized key does not parse (and no other one could be tried).
    #[error("unable to read the public keys: {0}")]
    Keys(String),
    /// None of the keys made the signature.
    #[error("unable to verify payload with any of the given keys: no matching key")]
    NoMatchingKey,
}

/// Who made a valid signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// The kind of signature.
    pub kind: SignatureKind,
    /// An OpenPGP primary key id (16 upper-case hex digits, as Flux reports it) or an SSH
    /// key fingerprint (`SHA256:...`).
    pub key: String,
}

/// Checks `signature` over `payload` against `keys`.
///
/// # Errors
/// The object is unsigned, the signature kind has no keys or is unsupported, or no key
/// made it.
#[cfg(feature = "verify")]
pub fn verify(
    signature: &str,
    payload: &[u8],
    keys: &VerificationKeys,
) -> Result<Signer, VerifyError> {
    match SignatureKind::of(signature) {
        SignatureKind::Empty => Err(VerifyError::Unsigned),
        SignatureKind::OpenPgp if keys.pgp.is_empty() => Err(VerifyError::NoPgpKeys),
        SignatureKind::OpenPgp => verify_pgp(signature.trim(), payload, &keys.pgp),
        SignatureKind::Ssh if keys.ssh.is_empty() => Err(VerifyError::NoSshKeys),
        SignatureKind::Ssh => verify_ssh(signature.trim(), payload, &keys.ssh),
        k => Err(VerifyError::Unsupported(k.name())),
    }
}

#[cfg(feature = "verify")]
fn verify_pgp(signature: &str, payload: &[u8], rings: &[String]) -> Result<Signer, VerifyError> {
    use pgp::composed::{Deserializable as _, DetachedSignature, SignedPublicKey};
    use pgp::types::KeyDetails as _;

    let (sig, _) = DetachedSignature::from_string(signature)
        .map_err(|e| VerifyError::Malformed(e.to_string()))?;
    let mut read_error = None;
    let mut attempted = false;
    for ring in rings {
        let keys = match SignedPublicKey::from_string_many(ring) {
            Ok((keys, _)) => keys,
            Err(e) => {
                read_error.get_or_insert_with(|| e.to_string());
                continue;
            }
        };
        for key in keys {
            let key = match key {
                Ok(k) => k,
                Err(e) => {
                    read_error.get_or_insert_with(|| e.to_string());
                    continue;
                }
            };
            attempted = true;
            let id: String = key
                .primary_key
                .legacy_key_id()
                .as_ref()
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect();
            if sig.verify(&key.primary_key, payload).is_ok() {
                return Ok(Signer {
                    kind: SignatureKind::OpenPgp,
                    key: id,
                });
            }
            for sub in &key.public_subkeys {
                // Only subkeys the primary key bound to itself.
                if sub.verify_bindings(&key.primary_key).is_ok()
                    && sig.verify(&sub.key, payload).is_ok()
                {
                    return Ok(Signer {
                        kind: SignatureKind::OpenPgp,
                        key: id,
                    });
                }
            }
        }
    }
    match read_error {
        Some(e) if !attempted => Err(VerifyError::Keys(e)),
        _ => Err(VerifyError::NoMatchingKey),
    }
}

#[cfg(feature = "verify")]
fn verify_ssh(signature: &str, payload: &[u8], sets: &[String]) -> Result<Signer, VerifyError> {
    use std::str::FromStr as _;

    let sig = ssh_key::SshSig::from_pem(signature.as_bytes())
        .map_err(|e| VerifyError::Malformed(e.to_string()))?;
    let mut read_error = None;
    let mut attempted = false;
    'sets: for set in sets {
        let mut parsed = Vec::new();
        for line in set.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match ssh_key::authorized_keys::Entry::from_str(line) {
                Ok(e) => parsed.push(e.public_key().clone()),
                Err(e) => {
                    read_error
                        .get_or_insert_with(|| format!("unable to parse authorized key: {e}"));
                    continue 'sets;
                }
            }
        }
        attempted = true;
        for key in parsed {
            if key.verify("git", payload, &sig).is_ok() {
                return Ok(Signer {
                    kind: SignatureKind::Ssh,
                    key: key.fingerprint(ssh_key::HashAlg::Sha256).to_string(),
                });
            }
        }
    }
    match read_error {
        Some(e) if !attempted => Err(VerifyError::Keys(e)),
        _ => Err(VerifyError::NoMatchingKey),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMIT: &[u8] = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\
author A <a@x> 1700000000 +0000\n\
committer A <a@x> 1700000000 +0000\n\
gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEz\n -----END PGP SIGNATURE-----\n\
\n\
message\n gpgsig in the message stays\n";

    #[test]
    fn commit_signature_comes_out_of_the_headers() {
        let s = split_commit(COMMIT);
        assert_eq!(
            s.signature,
            "-----BEGIN PGP SIGNATURE-----\n\niQEz\n-----END PGP SIGNATURE-----\n"
        );
        assert_eq!(
            String::from_utf8_lossy(&s.payload),
            "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\
author A <a@x> 1700000000 +0000\n\
committer A <a@x> 1700000000 +0000\n\
\n\
message\n gpgsig in the message stays\n"
        );
        assert_eq!(SignatureKind::of(&s.signature), SignatureKind::OpenPgp);
    }

    #[test]
    fn unsigned_commit_is_its_own_payload() {
        let raw = b"tree x\nauthor A\n\nmsg\n";
        let s = split_commit(raw);
        assert_eq!(s.payload, raw);
        assert_eq!(SignatureKind::of(&s.signature), SignatureKind::Empty);
    }

    #[test]
    fn tag_signature_is_the_last_block() {
        let raw = b"object x\ntype commit\ntag v1\ntagger T\n\nrelease\n-----BEGIN SSH SIGNATURE-----\nU1NI\n-----END SSH SIGNATURE-----\n";
        let s = split_tag(raw);
        assert_eq!(
            String::from_utf8_lossy(&s.payload),
            "object x\ntype commit\ntag v1\ntagger T\n\nrelease\n"
        );
        assert!(s.signature.starts_with("-----BEGIN SSH SIGNATURE-----"));
        assert_eq!(SignatureKind::of(&s.signature), SignatureKind::Ssh);
    }

    #[test]
    fn keys_from_flux_secret_entries() {
        let k = VerificationKeys::from_entries([("a.asc", "A"), ("b.sshpub", "B"), ("c", "C")]);
        assert_eq!(k.pgp, vec!["A".to_owned(), "C".to_owned()]);
        assert_eq!(k.ssh, vec!["B".to_owned()]);
    }
}
