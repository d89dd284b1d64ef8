//! Private keys for Sprig's crypto functions: generation from the template environment's
//! random source, PEM encoding and parsing as Sprig (Go's `crypto/x509`) does it, public
//! key info and certificate signatures.

use std::convert::Infallible;

use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::sha2::{Digest, Sha256};
use rsa::traits::PublicKeyParts;

use super::crypto_der::{
    self as der, DerError, Reader, TAG_BIT_STRING, TAG_OCTET_STRING, TAG_SEQUENCE,
};
use super::crypto_err::CryptoError;
use crate::template::Random;

/// `rsaEncryption` (1.2.840.113549.1.1.1).
pub(crate) const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// `sha256WithRSAEncryption` (1.2.840.113549.1.1.11).
const OID_SHA256_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
/// `id-ecPublicKey` (1.2.840.10045.2.1).
pub(crate) const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// `prime256v1` (1.2.840.10045.3.1.7).
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// `ecdsa-with-SHA256` (1.2.840.10045.4.3.2).
const OID_ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
/// `id-Ed25519` (1.3.101.112).
pub(crate) const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
/// `id-dsa` (1.2.840.10040.4.1).
pub(crate) const OID_DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];

/// Adapts the template environment's random source to `rand_core`'s traits, so that key
/// generation never touches a global or OS generator.
///
/// The stream is SHA-256 in counter mode keyed by 32 bytes drawn from the environment:
/// key generation searches (primes, scalars) therefore terminate even when a caller
/// supplies a degenerate source (all zeros, a short cycle), and stay deterministic for a
/// deterministic source.
pub(crate) struct EnvRng {
    seed: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl EnvRng {
    /// A generator seeded from `random`.
    pub fn new(random: &Random) -> EnvRng {
        let mut seed = [0u8; 32];
        random(&mut seed);
        EnvRng {
            seed,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    fn fill(&mut self, dst: &mut [u8]) {
        for b in dst {
            if self.used == self.block.len() {
                let mut h = Sha256::new();
                h.update(self.seed);
                h.update(self.counter.to_le_bytes());
                self.block.copy_from_slice(&h.finalize());
                self.counter = self.counter.wrapping_add(1);
                self.used = 0;
            }
            *b = self.block[self.used];
            self.used += 1;
        }
    }
}

impl rsa::rand_core::TryRng for EnvRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.fill(&mut b);
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.fill(&mut b);
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.fill(dst);
        Ok(())
    }
}

impl rsa::rand_core::TryCryptoRng for EnvRng {}

/// A DSA key: only generated and printed (Go cannot sign certificates with DSA).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DsaKey {
    p: Vec<u8>,
    q: Vec<u8>,
    g: Vec<u8>,
    y: Vec<u8>,
    x: Vec<u8>,
}

/// A private key of one of the types Sprig handles.
pub(crate) enum PrivKey {
    /// RSA (PKCS#1 `RSA PRIVATE KEY`).
    Rsa(Box<rsa::PrivateKey>),
    /// DSA (OpenSSL's `DSA PRIVATE KEY`).
    Dsa(DsaKey),
    /// ECDSA on P-256 (SEC 1 `EC PRIVATE KEY`).
    EcP256(Box<p256::SecretKey>),
    /// Ed25519 (PKCS#8 `PRIVATE KEY`).
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

/// A subject public key: its algorithm identifier and key bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublicKeyInfo {
    /// The DER `AlgorithmIdentifier`.
    pub algorithm: Vec<u8>,
    /// The contents of the `subjectPublicKey` BIT STRING.
    pub key: Vec<u8>,
}

impl PublicKeyInfo {
    /// The DER `SubjectPublicKeyInfo`.
    pub fn to_der(&self) -> Vec<u8> {
        der::seq(&[&self.algorithm, &der::bit_string(&self.key)])
    }
}

fn be(u: &rsa::BoxedUint) -> Vec<u8> {
    u.to_be_bytes().into_vec()
}

impl PrivKey {
    /// Generates an RSA key of `bits` bits.
    pub fn generate_rsa(random: &Random, bits: usize) -> Result<PrivKey, CryptoError> {
        let k = rsa::PrivateKey::new(&mut EnvRng::new(random), bits)
            .map_err(|e| CryptoError::KeyGen(e.to_string()))?;
        Ok(PrivKey::Rsa(Box::new(k)))
    }

    /// Generates a DSA key with L=2048, N=256 parameters.
    pub fn generate_dsa(random: &Random) -> Result<PrivKey, CryptoError> {
        let mut rng = EnvRng::new(random);
        let Ok(c) = dsa::Components::try_generate_from_rng_with_key_size(
            &mut rng,
            dsa::KeySize::DSA_2048_256,
        );
        let Ok(k) = dsa::SigningKey::try_generate_from_rng_with_components(&mut rng, c);
        let vk = k.verifying_key();
        let c = vk.components();
        Ok(PrivKey::Dsa(DsaKey {
            p: be(c.p()),
            q: be(c.q()),
            g: be(c.g()),
            y: be(vk.y()),
            x: be(k.x()),
        }))
    }

    /// Generates an ECDSA P-256 key.
    pub fn generate_p256(random: &Random) -> PrivKey {
        use p256::elliptic_curve::Generate;
        PrivKey::EcP256(Box::new(p256::SecretKey::generate_from_rng(
            &mut EnvRng::new(random),
        )))
    }

    /// Generates an Ed25519 key (a 32-byte seed, as Go reads it).
    pub fn generate_ed25519(random: &Random) -> PrivKey {
        let mut seed = [0u8; 32];
        random(&mut seed);
        PrivKey::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&seed)))
    }

    /// Sprig's `pemBlockForKey` + `pem.EncodeToMemory`.
    pub fn to_pem(&self) -> Result<String, CryptoError> {
        Ok(match self {
            PrivKey::Rsa(k) => {
                let doc = k
                    .to_pkcs1_der()
                    .map_err(|e| CryptoError::Encode(e.to_string()))?;
                der::pem_encode("RSA PRIVATE KEY", doc.as_bytes())
            }
            PrivKey::Dsa(k) => {
                let body = der::seq(&[
                    &der::small_int(0),
                    &der::uint(&k.p),
                    &der::uint(&k.q),
                    &der::uint(&k.g),
                    &der::uint(&k.y),
                    &der::uint(&k.x),
                ]);
                der::pem_encode("DSA PRIVATE KEY", &body)
            }
            PrivKey::EcP256(k) => {
                let public = p256_point(k);
                let body = der::seq(&[
                    &der::small_int(1),
                    &der::octet_string(&k.to_bytes()),
                    &der::cons(0xa0, &[&der::oid(OID_P256)]),
                    &der::cons(0xa1, &[&der::bit_string(&public)]),
                ]);
                der::pem_encode("EC PRIVATE KEY", &body)
            }
            PrivKey::Ed25519(k) => {
                let body = der::seq(&[
                    &der::small_int(0),
                    &der::seq(&[&der::oid(OID_ED25519)]),
                    &der::octet_string(&der::octet_string(&k.to_bytes())),
                ]);
                der::pem_encode("PRIVATE KEY", &body)
            }
        })
    }

    /// Go's `marshalPublicKey` of the key's public half.
    pub fn public_key_info(&self) -> Result<PublicKeyInfo, CryptoError> {
        match self {
            PrivKey::Rsa(k) => {
                let doc = k
                    .to_public_key()
                    .to_pkcs1_der()
                    .map_err(|e| CryptoError::Encode(e.to_string()))?;
                Ok(PublicKeyInfo {
                    algorithm: der::seq(&[&der::oid(OID_RSA), &der::null()]),
                    key: doc.as_bytes().to_vec(),
                })
            }
            PrivKey::Dsa(_) => Err(CryptoError::Go(
                "x509: unsupported public key type: *dsa.PublicKey".into(),
            )),
            PrivKey::EcP256(k) => Ok(PublicKeyInfo {
                algorithm: der::seq(&[&der::oid(OID_EC), &der::oid(OID_P256)]),
                key: p256_point(k),
            }),
            PrivKey::Ed25519(k) => Ok(PublicKeyInfo {
                algorithm: der::seq(&[&der::oid(OID_ED25519)]),
                key: k.verifying_key().to_bytes().to_vec(),
            }),
        }
    }

    /// Whether Go treats the key as a `crypto.Signer`.
    pub fn is_signer(&self) -> bool {
        !matches!(self, PrivKey::Dsa(_))
    }

    /// The signature `AlgorithmIdentifier` Go picks for the key.
    pub fn signature_algorithm(&self) -> Result<Vec<u8>, CryptoError> {
        match self {
            PrivKey::Rsa(_) => Ok(der::seq(&[&der::oid(OID_SHA256_RSA), &der::null()])),
            PrivKey::EcP256(_) => Ok(der::seq(&[&der::oid(OID_ECDSA_SHA256)])),
            PrivKey::Ed25519(_) => Ok(der::seq(&[&der::oid(OID_ED25519)])),
            PrivKey::Dsa(_) => Err(not_signer()),
        }
    }

    /// Signs `tbs` with the algorithm of [`PrivKey::signature_algorithm`].
    pub fn sign(&self, tbs: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match self {
            PrivKey::Rsa(k) => {
                let digest = Sha256::digest(tbs);
                k.sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest)
                    .map_err(|e| CryptoError::Go(format!("x509: signing failed: {e}")))
            }
            PrivKey::EcP256(k) => {
                use p256::ecdsa::signature::Signer;
                let sk = p256::ecdsa::SigningKey::from(k.as_ref());
                let sig: p256::ecdsa::Signature = sk
                    .try_sign(tbs)
                    .map_err(|e| CryptoError::Go(format!("x509: signing failed: {e}")))?;
                let rs = sig.to_bytes();
                let (r, s) = rs.split_at(32);
                Ok(der::seq(&[&der::uint(r), &der::uint(s)]))
            }
            PrivKey::Ed25519(k) => {
                use ed25519_dalek::Signer;
                Ok(k.sign(tbs).to_bytes().to_vec())
            }
            PrivKey::Dsa(_) => Err(not_signer()),
        }
    }
}

/// Go's error for signing with a key that is not a `crypto.Signer`.
pub(crate) fn not_signer() -> CryptoError {
    CryptoError::Go("x509: certificate private key does not implement crypto.Signer".into())
}

/// The uncompressed SEC 1 point of a P-256 key's public half.
fn p256_point(k: &p256::SecretKey) -> Vec<u8> {
    k.public_key().to_sec1_bytes().into_vec()
}

/// Sprig's `parsePrivateKeyPEM`.
pub(crate) fn parse_private_key_pem(pem: &[u8]) -> Result<PrivKey, CryptoError> {
    let block =
        der::pem_decode(pem).ok_or_else(|| CryptoError::Go("no PEM data in input".into()))?;
    let typ = String::from_utf8_lossy(&block.typ).into_owned();
    if typ == "PRIVATE KEY" {
        return parse_pkcs8(&block.bytes)
            .map_err(|e| CryptoError::Go(format!("decoding PEM as PKCS#8: {e}")));
    }
    let Some(kind) = typ.strip_suffix(" PRIVATE KEY") else {
        return Err(CryptoError::Go(format!(
            "no private key data in PEM block of type {typ}"
        )));
    };
    match kind {
        "RSA" => parse_pkcs1(&block.bytes)
            .map_err(|e| CryptoError::Go(format!("parsing RSA private key from PEM: {e}"))),
        "EC" => parse_sec1(&block.bytes, None)
            .map_err(|e| CryptoError::Go(format!("parsing EC private key from PEM: {e}"))),
        "DSA" => parse_dsa(&block.bytes)
            .map_err(|e| CryptoError::Go(format!("parsing DSA private key from PEM: {e}"))),
        _ => Err(CryptoError::Go(format!("invalid private key type {typ}"))),
    }
}

fn der_err(e: DerError) -> String {
    e.to_string()
}

fn parse_pkcs1(b: &[u8]) -> Result<PrivKey, String> {
    // Go checks the outer structure first and names the likely format on failure.
    if parse_pkcs8(b).is_ok() {
        return Err(
            "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)"
                .into(),
        );
    }
    if parse_sec1(b, None).is_ok() {
        return Err(
            "x509: failed to parse private key (use ParseECPrivateKey instead for this key format)"
                .into(),
        );
    }
    let t = der::parse_one(b, TAG_SEQUENCE).map_err(der_err)?;
    let mut r = t.reader();
    let version = r.small_int().map_err(der_err)?;
    if version > 1 {
        return Err("x509: unsupported private key version".into());
    }
    let k = rsa::PrivateKey::from_pkcs1_der(b)
        .map_err(|e| format!("x509: invalid RSA private key: {e}"))?;
    Ok(PrivKey::Rsa(Box::new(k)))
}

/// Go's `parseECPrivateKey` (P-256 only).
fn parse_sec1(b: &[u8], curve: Option<&[u8]>) -> Result<PrivKey, String> {
    let t = der::parse_one(b, TAG_SEQUENCE)
        .map_err(|e| format!("x509: failed to parse EC private key: {e}"))?;
    let mut r = t.reader();
    let version = r
        .small_int()
        .map_err(|e| format!("x509: failed to parse EC private key: {e}"))?;
    if version != 1 {
        return Err(format!("x509: unknown EC private key version {version}"));
    }
    let key = r
        .octet_string()
        .map_err(|e| format!("x509: failed to parse EC private key: {e}"))?;
    let params = match r.optional(0xa0).map_err(der_err)? {
        Some(p) => Some(p.reader().oid().map_err(der_err)?),
        None => None,
    };
    let named = curve.or(params);
    if named != Some(OID_P256) {
        return Err("x509: unknown elliptic curve".into());
    }
    if key.len() > 32 {
        return Err("x509: invalid private key length".into());
    }
    let mut padded = [0u8; 32];
    padded[32 - key.len()..].copy_from_slice(key);
    let sk = p256::SecretKey::from_slice(&padded)
        .map_err(|_| "x509: invalid elliptic curve private key value".to_string())?;
    Ok(PrivKey::EcP256(Box::new(sk)))
}

/// Go's `ParsePKCS8PrivateKey` (RSA, P-256, Ed25519).
fn parse_pkcs8(b: &[u8]) -> Result<PrivKey, String> {
    let t = der::parse_one(b, TAG_SEQUENCE).map_err(der_err)?;
    let mut r = t.reader();
    r.small_int().map_err(der_err)?;
    let alg = r.expect(TAG_SEQUENCE).map_err(der_err)?;
    let key = r.octet_string().map_err(der_err)?;
    let mut ar = alg.reader();
    let oid = ar.oid().map_err(der_err)?;
    if oid == OID_RSA {
        let k = rsa::PrivateKey::from_pkcs1_der(key).map_err(|e| {
            format!("x509: failed to parse RSA private key embedded in PKCS#8: {e}")
        })?;
        Ok(PrivKey::Rsa(Box::new(k)))
    } else if oid == OID_EC {
        let curve = ar.oid().map_err(|_| {
            "x509: failed to parse EC private key embedded in PKCS#8: unknown elliptic curve"
                .to_string()
        })?;
        parse_sec1(key, Some(curve))
            .map_err(|e| format!("x509: failed to parse EC private key embedded in PKCS#8: {e}"))
    } else if oid == OID_ED25519 {
        if !ar.is_empty() {
            return Err("x509: invalid Ed25519 private key parameters".into());
        }
        let seed = der::parse_one(key, TAG_OCTET_STRING)
            .map_err(|e| format!("x509: invalid Ed25519 private key: {e}"))?
            .content;
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| format!("x509: invalid Ed25519 private key length: {}", seed.len()))?;
        Ok(PrivKey::Ed25519(Box::new(
            ed25519_dalek::SigningKey::from_bytes(&seed),
        )))
    } else {
        Err(format!(
            "x509: PKCS#8 wrapping contained private key with unknown algorithm: {}",
            oid_string(oid)
        ))
    }
}

/// Sprig's `DSAKeyFormat` (OpenSSL's DSA private key).
fn parse_dsa(b: &[u8]) -> Result<PrivKey, String> {
    let mut outer = der::Reader::new(b);
    let t = outer.expect(TAG_SEQUENCE).map_err(der_err)?;
    let mut r = t.reader();
    r.small_int().map_err(der_err)?;
    let mut next = || r.uint().map(<[u8]>::to_vec).map_err(der_err);
    Ok(PrivKey::Dsa(DsaKey {
        p: next()?,
        q: next()?,
        g: next()?,
        y: next()?,
        x: next()?,
    }))
}

/// Dotted text of an OID's content bytes.
pub(crate) fn oid_string(content: &[u8]) -> String {
    let mut parts: Vec<u64> = Vec::new();
    let mut acc: u64 = 0;
    for &b in content {
        acc = (acc << 7) | (b & 0x7f) as u64;
        if b & 0x80 == 0 {
            if parts.is_empty() {
                let first = (acc / 40).min(2);
                parts.push(first);
                parts.push(acc - first * 40);
            } else {
                parts.push(acc);
            }
            acc = 0;
        }
    }
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// Reads a `SubjectPublicKeyInfo` into algorithm + key bits.
pub(crate) fn read_spki(r: &mut Reader<'_>) -> Result<PublicKeyInfo, DerError> {
    let t = r.expect(TAG_SEQUENCE)?;
    let mut inner = t.reader();
    let alg = inner.expect(TAG_SEQUENCE)?;
    let bits = inner.expect(TAG_BIT_STRING)?;
    if !inner.is_empty() {
        return Err(DerError("syntax error: trailing data"));
    }
    let key = match bits.content.split_first() {
        Some((0, k)) => k.to_vec(),
        _ => return Err(DerError("syntax error: invalid bit string")),
    };
    Ok(PublicKeyInfo {
        algorithm: alg.full.to_vec(),
        key,
    })
}

/// Whether a parsed public key's algorithm is one Go parses (so it checks key matches).
pub(crate) fn known_key_algorithm(info: &PublicKeyInfo) -> bool {
    let Ok(t) = der::parse_one(&info.algorithm, TAG_SEQUENCE) else {
        return false;
    };
    let Ok(oid) = t.reader().oid() else {
        return false;
    };
    [OID_RSA, OID_EC, OID_ED25519, OID_DSA].contains(&oid)
}

/// RSA public key equality as Go compares them (modulus and exponent).
pub(crate) fn same_public_key(signer: &PrivKey, parent: &PublicKeyInfo) -> bool {
    match (signer, signer.public_key_info()) {
        (PrivKey::Rsa(k), _) => {
            // Compare numerically: the parent may encode its key differently.
            let Ok(t) = der::parse_one(&parent.key, TAG_SEQUENCE) else {
                return false;
            };
            let mut r = t.reader();
            let (Ok(n), Ok(e)) = (r.uint(), r.uint()) else {
                return false;
            };
            parent.algorithm == der::seq(&[&der::oid(OID_RSA), &der::null()])
                && n == strip(&be(k.n().as_ref()))
                && e == strip(&be(k.e()))
        }
        (_, Ok(info)) => &info == parent,
        (_, Err(_)) => false,
    }
}

fn strip(b: &[u8]) -> &[u8] {
    let skip = b.iter().take_while(|x| **x == 0).count();
    &b[skip..]
}

/// Go 1.25's generated subject key id: the first 20 bytes of SHA-256 of the key bits.
pub(crate) fn subject_key_id(info: &PublicKeyInfo) -> Vec<u8> {
    Sha256::digest(&info.key)[..20].to_vec()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn rng() -> Random {
        crate::template::Env::default().random
    }

    #[test]
    fn ed25519_pkcs8_is_go_layout() {
        let k = PrivKey::generate_ed25519(&rng());
        let pem = k.to_pem().unwrap();
        let block = der::pem_decode(pem.as_bytes()).unwrap();
        assert_eq!(block.typ, b"PRIVATE KEY");
        assert_eq!(block.bytes.len(), 48);
        assert_eq!(
            &block.bytes[..16],
            &[
                0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
                0x04, 0x20
            ]
        );
        let again = parse_private_key_pem(pem.as_bytes()).unwrap();
        assert_eq!(again.to_pem().unwrap(), pem);
    }

    #[test]
    fn ec_roundtrip() {
        let k = PrivKey::generate_p256(&rng());
        let pem = k.to_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
        let again = parse_private_key_pem(pem.as_bytes()).unwrap();
        assert_eq!(again.to_pem().unwrap(), pem);
        let info = k.public_key_info().unwrap();
        assert_eq!(info.key.len(), 65);
        assert_eq!(info.key[0], 4);
    }

    #[test]
    fn rsa_roundtrip_small() {
        let k = PrivKey::generate_rsa(&rng(), 1024).unwrap();
        let pem = k.to_pem().unwrap();
        let again = parse_private_key_pem(pem.as_bytes()).unwrap();
        assert_eq!(again.to_pem().unwrap(), pem);
        assert!(same_public_key(&again, &k.public_key_info().unwrap()));
    }

    #[test]
    fn env_rng_is_the_source() {
        let counter = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let c = counter.clone();
        let r: Random = Arc::new(move |b: &mut [u8]| {
            c.fetch_add(b.len(), std::sync::atomic::Ordering::Relaxed);
            b.fill(7);
        });
        let _ = PrivKey::generate_ed25519(&r);
        assert_eq!(counter.load(std::sync::atomic::Ordering::Relaxed), 32);
        // Other keys draw a 32-byte seed for the generator stream.
        let _ = PrivKey::generate_p256(&r);
        assert_eq!(counter.load(std::sync::atomic::Ordering::Relaxed), 64);
    }

    #[test]
    fn degenerate_source_terminates() {
        let zeros: Random = Arc::new(|b: &mut [u8]| b.fill(0));
        assert!(PrivKey::generate_rsa(&zeros, 1024).is_ok());
        let _ = PrivKey::generate_p256(&zeros);
    }

    /// Truncated and bit-flipped keys and certificates never panic the parsers.
    #[test]
    fn mutated_inputs_do_not_panic() {
        let r = rng();
        let keys = [
            PrivKey::generate_rsa(&r, 1024).unwrap(),
            PrivKey::generate_p256(&r),
            PrivKey::generate_ed25519(&r),
        ];
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for k in &keys {
            let pem = k.to_pem().unwrap();
            let der = der::pem_decode(pem.as_bytes()).unwrap();
            let tpl = super::super::crypto_x509::Template {
                cn: b"x".to_vec(),
                ips: vec![vec![127, 0, 0, 1]],
                dns: vec!["a".into()],
                not_before: 0,
                not_after: 86_400,
                is_ca: true,
                serial: vec![1; 16],
            };
            let cert = super::super::crypto_x509::create_certificate(
                &tpl,
                k,
                super::super::crypto_x509::Parent::SelfSigned,
                k,
            )
            .unwrap();
            assert!(super::super::crypto_x509::parse_certificate(&cert).is_ok());
            for _ in 0..300 {
                for input in [&der.bytes, &cert] {
                    let mut m = input.clone();
                    match next() % 3 {
                        0 => m.truncate((next() as usize) % m.len()),
                        1 => {
                            let i = (next() as usize) % m.len();
                            m[i] ^= 1 << (next() % 8);
                        }
                        _ => {
                            let i = (next() as usize) % m.len();
                            m[i] = next() as u8;
                        }
                    }
                    let _ = super::super::crypto_x509::parse_certificate(&m);
                    for typ in [
                        "RSA PRIVATE KEY",
                        "EC PRIVATE KEY",
                        "PRIVATE KEY",
                        "DSA PRIVATE KEY",
                    ] {
                        let _ = parse_private_key_pem(der::pem_encode(typ, &m).as_bytes());
                    }
                }
            }
        }
        for _ in 0..2000 {
            let len = (next() % 64) as usize;
            let mut text = b"-----BEGIN A-----\n".to_vec();
            let alphabet = b"-AB=: \n\r\tENDBEGIN";
            text.extend((0..len).map(|_| alphabet[(next() as usize) % alphabet.len()]));
            let _ = der::pem_decode(&text);
        }
    }

    #[test]
    fn parse_errors() {
        let e = |s: &str| match parse_private_key_pem(s.as_bytes()) {
            Err(e) => e.to_string(),
            Ok(_) => "ok".into(),
        };
        assert_eq!(e("garbage"), "no PEM data in input");
        assert_eq!(
            e("-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n"),
            "no private key data in PEM block of type FOO"
        );
        assert_eq!(
            e("-----BEGIN X PRIVATE KEY-----\nAAAA\n-----END X PRIVATE KEY-----\n"),
            "invalid private key type X PRIVATE KEY"
        );
        assert!(
            e("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n")
                .starts_with("parsing RSA private key from PEM: ")
        );
        assert_eq!(oid_string(OID_EC), "1.2.840.10045.2.1");
    }
}
