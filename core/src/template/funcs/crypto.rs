//! Sprig v3.3.0's crypto functions: private keys, certificates, bcrypt/htpasswd,
//! `derivePassword` and AES, with Sprig's results and error texts.
//!
//! All randomness (keys, serial numbers, salts, IVs) comes from the caller's
//! [`Env::random`](crate::template::Env); the clock from [`Env::now`](crate::template::Env).
//! Key generation reads a 32-byte seed from that source and expands it with SHA-256 in
//! counter mode, so prime and scalar searches end even with a degenerate source.
//!
//! What is produced, as Sprig does it:
//! - `genPrivateKey`: RSA 4096 (PKCS#1 `RSA PRIVATE KEY`; also for `""`), DSA with
//!   L=2048/N=256 parameters (OpenSSL `DSA PRIVATE KEY`), ECDSA P-256 (SEC 1
//!   `EC PRIVATE KEY`), Ed25519 (PKCS#8 `PRIVATE KEY`); anything else gives the text
//!   `Unknown type NAME`.
//! - Certificates: X.509 v3 laid out as Go 1.25's `x509.CreateCertificate` writes them for
//!   Sprig's templates (RSA 2048 keys when none is given; serial of 128 random bits; key
//!   usage, extended key usage, basic constraints, subject key id from truncated SHA-256 for
//!   CAs, authority key id, SANs). DSA keys fail as in Go (not a `crypto.Signer`, or an
//!   unsupported public key type).
//! - `bcrypt`/`htpasswd`: `$2a$` cost 10; `derivePassword`: Master Password (scrypt
//!   N=32768 r=8 p=2, HMAC-SHA256 templates), byte-exact; `encryptAES`/`decryptAES`:
//!   AES-256-CBC with the password zero-padded to 32 bytes, PKCS#7 padding, base64 of
//!   IV ‖ ciphertext, and Go's runtime-error texts for malformed input.
//!
//! Known differences: ECDSA signatures are deterministic (RFC 6979) where Go's are
//! randomized (both verify); parsing accepts RSA, P-256 and Ed25519 keys (other curves
//! and X25519 are reported as unsupported); texts for malformed DER are shorter than Go's
//! `asn1: structure error: ...` messages.

#[path = "crypto_der.rs"]
mod crypto_der;
#[path = "crypto_err.rs"]
mod crypto_err;
#[path = "crypto_keys.rs"]
mod crypto_keys;
#[path = "crypto_x509.rs"]
mod crypto_x509;

use crypto_der as der;
use crypto_keys as keys;
use crypto_x509 as x509;

use std::rc::Rc;

use super::PT::*;
use super::{Add, Builtin, Cx, FnError, FnResult, bytes_to_gostr, gostr_to_bytes};
use crate::template::value::{StructVal, Val};
use crypto_err::CryptoError;
use keys::PrivKey;
use x509::{Parent, Template};

/// The Go bytes of a validated `string` argument.
fn bytes_arg(v: &Val) -> Vec<u8> {
    gostr_to_bytes(super::s(v))
}

/// Sprig's `certificate{Cert, Key}`.
fn certificate(cert: String, key: String) -> Val {
    Val::Struct(Rc::new(StructVal {
        type_name: "sprig.certificate",
        ptr: false,
        fields: vec![("Cert", Val::str(cert)), ("Key", Val::str(key))],
        display: None,
    }))
}

/// The `Cert` and `Key` strings of a `sprig.certificate` argument.
fn certificate_parts(v: &Val) -> (Vec<u8>, Vec<u8>) {
    let field = |name: &str| match v {
        Val::Struct(s) => s
            .fields
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, f)| gostr_to_bytes(super::s(f)))
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    (field("Cert"), field("Key"))
}

// ---- keys -------------------------------------------------------------------------------

fn generate_rsa_for_cert(cx: &Cx<'_>) -> Result<PrivKey, FnError> {
    PrivKey::generate_rsa(&cx.env.random, 2048)
        .map_err(|e| FnError::msg(format!("error generating rsa key: {e}")))
}

fn gen_private_key(cx: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let random = &cx.env.random;
    let key = match super::s(&a[0]) {
        // Sprig: "good enough for government work".
        "" | "rsa" => PrivKey::generate_rsa(random, 4096),
        "dsa" => PrivKey::generate_dsa(random),
        "ecdsa" => Ok(PrivKey::generate_p256(random)),
        "ed25519" => Ok(PrivKey::generate_ed25519(random)),
        other => return Ok(Val::str(format!("Unknown type {other}"))),
    };
    Ok(Val::str(match key.and_then(|k| k.to_pem()) {
        Ok(pem) => pem,
        Err(e) => format!("failed to generate private key: {e}"),
    }))
}

fn parse_key_arg(v: &Val) -> Result<PrivKey, FnError> {
    keys::parse_private_key_pem(&bytes_arg(v))
        .map_err(|e| FnError::msg(format!("parsing private key: {e}")))
}

// ---- certificates -----------------------------------------------------------------------

/// The items of a `[]interface {}` argument (nil → none).
fn list_items(v: &Val) -> Vec<Val> {
    match v {
        Val::List(l) => l.items.clone(),
        _ => Vec::new(),
    }
}

/// Go's `net.ParseIP` followed by `To4` where it applies (the SAN encoding).
fn parse_ip(s: &str) -> Option<Vec<u8>> {
    use std::net::IpAddr;
    match s.parse::<IpAddr>().ok()? {
        IpAddr::V4(v4) => Some(v4.octets().to_vec()),
        IpAddr::V6(v6) => Some(match v6.to_ipv4_mapped() {
            Some(v4) => v4.octets().to_vec(),
            None => v6.octets().to_vec(),
        }),
    }
}

/// Sprig's `getBaseCertTemplate`.
fn base_template(
    cx: &mut Cx<'_>,
    cn: &Val,
    ips: &Val,
    dns: &Val,
    days: &Val,
    is_ca: bool,
) -> Result<Template, CryptoError> {
    let mut ip_bytes = Vec::new();
    for ip in list_items(ips) {
        let Val::Str(s) = &ip else {
            return Err(CryptoError::Go(format!(
                "error parsing ip: {} is not a string",
                crate::template::value::sprint_v(&ip)
            )));
        };
        ip_bytes
            .push(parse_ip(s).ok_or_else(|| CryptoError::Go(format!("error parsing ip: {s}")))?);
    }
    let mut names = Vec::new();
    for name in list_items(dns) {
        let Val::Str(s) = &name else {
            return Err(CryptoError::Go(format!(
                "error processing alternate dns name: {} is not a string",
                crate::template::value::sprint_v(&name)
            )));
        };
        names.push(bytes_to_gostr(&gostr_to_bytes(s)));
    }
    let serial = cx.random(16);
    let (secs, nanos) = (cx.env.now)();
    // time.Now().Add(time.Hour * 24 * time.Duration(daysValid)), with Go's wrapping.
    let span = 86_400_000_000_000i64.wrapping_mul(super::i(days));
    let end = i128::from(secs) * 1_000_000_000 + i128::from(nanos) + i128::from(span);
    let not_after = end.div_euclid(1_000_000_000) as i64;
    Ok(Template {
        cn: bytes_arg(cn),
        ips: ip_bytes,
        dns: names,
        not_before: secs,
        not_after,
        is_ca,
        serial,
    })
}

/// Sprig's `getCertAndKey`.
fn cert_and_key(
    tpl: &Template,
    signee: &PrivKey,
    parent: Parent<'_>,
    signer: &PrivKey,
) -> FnResult {
    let der = x509::create_certificate(tpl, signee, parent, signer)
        .map_err(|e| FnError::msg(format!("error creating certificate: {e}")))?;
    let cert = der::pem_encode("CERTIFICATE", &der);
    let key = signee
        .to_pem()
        .map_err(|e| FnError::msg(format!("error pem-encoding key: {e}")))?;
    Ok(certificate(cert, key))
}

fn ca_with_key(cx: &mut Cx<'_>, a: &[Val], key: PrivKey) -> FnResult {
    let tpl = base_template(cx, &a[0], &Val::Nil, &Val::Nil, &a[1], true)?;
    cert_and_key(&tpl, &key, Parent::SelfSigned, &key)
}

fn gen_ca(cx: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let key = generate_rsa_for_cert(cx)?;
    ca_with_key(cx, &a, key)
}

fn gen_ca_with_key(cx: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let key = parse_key_arg(&a[2])?;
    ca_with_key(cx, &a, key)
}

fn self_signed_with_key(cx: &mut Cx<'_>, a: &[Val], key: PrivKey) -> FnResult {
    let tpl = base_template(cx, &a[0], &a[1], &a[2], &a[3], false)?;
    cert_and_key(&tpl, &key, Parent::SelfSigned, &key)
}

fn gen_self_signed_cert(cx: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let key = generate_rsa_for_cert(cx)?;
    self_signed_with_key(cx, &a, key)
}

fn gen_self_signed_cert_with_key(cx: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let key = parse_key_arg(&a[4])?;
    self_signed_with_key(cx, &a, key)
}

/// Sprig's `generateSignedCertificateWithKeyInternal`.
fn signed_with_key(cx: &mut Cx<'_>, a: &[Val], key: PrivKey) -> FnResult {
    let (ca_cert, ca_key) = certificate_parts(&a[4]);
    let block =
        der::pem_decode(&ca_cert).ok_or_else(|| FnError::msg("unable to decode certificate"))?;
    let parent = x509::parse_certificate(&block.bytes).map_err(|e| {
        FnError::msg(format!(
            "error parsing certificate: decodedSignerCert.Bytes: {e}"
        ))
    })?;
    let signer = keys::parse_private_key_pem(&ca_key)
        .map_err(|e| FnError::msg(format!("error parsing private key: {e}")))?;
    let tpl = base_template(cx, &a[0], &a[1], &a[2], &a[3], false)?;
    cert_and_key(&tpl, &key, Parent::Cert(&parent), &signer)
}

fn gen_signed_cert(cx: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let key = generate_rsa_for_cert(cx)?;
    signed_with_key(cx, &a, key)
}

fn gen_signed_cert_with_key(cx: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let key = parse_key_arg(&a[5])?;
    signed_with_key(cx, &a, key)
}

/// Sprig's `buildCustomCertificate`.
fn build_custom_cert(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let cert = super::encoding::b64dec(super::s(&a[0]))
        .map_err(|_| FnError::msg("unable to decode base64 certificate"))?;
    let key = super::encoding::b64dec(super::s(&a[1]))
        .map_err(|_| FnError::msg("unable to decode base64 private key"))?;
    let block =
        der::pem_decode(&cert).ok_or_else(|| FnError::msg("unable to decode certificate"))?;
    x509::parse_certificate(&block.bytes)
        .map_err(|e| FnError::msg(format!("error parsing certificate: decodedCert.Bytes: {e}")))?;
    keys::parse_private_key_pem(&key)
        .map_err(|e| FnError::msg(format!("error parsing private key: {e}")))?;
    Ok(certificate(bytes_to_gostr(&cert), bytes_to_gostr(&key)))
}

// ---- bcrypt -----------------------------------------------------------------------------

/// bcrypt's cost as Go's `bcrypt.DefaultCost`.
const BCRYPT_COST: u32 = 10;

/// `$2a$` bcrypt of `password` with `salt` (at most 72 bytes of password, as Go checks).
fn bcrypt_hash(password: &[u8], cost: u32, salt: [u8; 16]) -> String {
    use base64::Engine;
    use base64::engine::{GeneralPurpose, general_purpose::NO_PAD};
    // Go appends the C string terminator; Blowfish's key schedule reads at most 72 bytes.
    let mut key = password.to_vec();
    key.push(0);
    key.truncate(72);
    let mut state = blowfish::Blowfish::bc_init_state();
    state.salted_expand_key(&salt, &key);
    for _ in 0..1u64 << cost {
        state.bc_expand_key(&key);
        state.bc_expand_key(&salt);
    }
    // "OrpheanBeholderScryDoubt"
    let mut ctext: [u32; 6] = [
        0x4f72_7068,
        0x6561_6e42,
        0x6568_6f6c,
        0x6465_7253,
        0x6372_7944,
        0x6f75_6274,
    ];
    for i in (0..6).step_by(2) {
        for _ in 0..64 {
            let [l, r] = state.bc_encrypt([ctext[i], ctext[i + 1]]);
            ctext[i] = l;
            ctext[i + 1] = r;
        }
    }
    let out: Vec<u8> = ctext.iter().flat_map(|w| w.to_be_bytes()).collect();
    let b64 = GeneralPurpose::new(&base64::alphabet::BCRYPT, NO_PAD);
    format!(
        "$2a${cost:02}${}{}",
        b64.encode(salt),
        b64.encode(&out[..23])
    )
}

/// Sprig's `bcrypt`: errors are returned as text.
fn sprig_bcrypt(cx: &mut Cx<'_>, password: &[u8]) -> String {
    if password.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .into();
    }
    let mut salt = [0u8; 16];
    (cx.env.random)(&mut salt);
    bcrypt_hash(password, BCRYPT_COST, salt)
}

fn bcrypt_fn(cx: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    Ok(Val::str(sprig_bcrypt(cx, &bytes_arg(&a[0]))))
}

fn htpasswd(cx: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let user = super::s(&a[0]);
    if user.contains(':') {
        return Ok(Val::str(format!("invalid username: {user}")));
    }
    let hash = sprig_bcrypt(cx, &bytes_arg(&a[1]));
    Ok(Val::str(format!("{user}:{hash}")))
}

// ---- derivePassword ---------------------------------------------------------------------

const MASTER_PASSWORD_SEED: &[u8] = b"com.lyndir.masterpassword";

fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_characters(c: u8) -> &'static [u8] {
    match c {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        b'x' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
        _ => b"",
    }
}

/// The Master Password algorithm (v3) as Sprig implements it.
fn derive_password(counter: u32, kind: &str, password: &[u8], user: &[u8], site: &[u8]) -> String {
    use hmac::{KeyInit, Mac};
    let Some(templates) = password_templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = MASTER_PASSWORD_SEED.to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user);
    let mut key = [0u8; 64];
    let derived = scrypt::Params::new(15, 8, 2)
        .map_err(|e| e.to_string())
        .and_then(|p| scrypt::scrypt(password, &salt, &p, &mut key).map_err(|e| e.to_string()));
    if let Err(e) = derived {
        return format!("failed to derive password: {e}");
    }
    let mut msg = MASTER_PASSWORD_SEED.to_vec();
    msg.extend_from_slice(&(site.len() as u32).to_be_bytes());
    msg.extend_from_slice(site);
    msg.extend_from_slice(&counter.to_be_bytes());
    let Ok(mut mac) = hmac::Hmac::<rsa::sha2::Sha256>::new_from_slice(&key) else {
        return "failed to derive password: invalid key".into();
    };
    mac.update(&msg);
    let seed = mac.finalize().into_bytes();
    let temp = templates[seed[0] as usize % templates.len()].as_bytes();
    temp.iter()
        .enumerate()
        .map(|(i, &c)| {
            let chars = template_characters(c);
            chars
                .get(seed[i + 1] as usize % chars.len().max(1))
                .map_or('?', |&b| b as char)
        })
        .collect()
}

fn derive_password_fn(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let counter = match &a[0] {
        Val::Uint64(u) => *u as u32,
        v => super::i(v) as u32,
    };
    Ok(Val::str(derive_password(
        counter,
        super::s(&a[1]),
        &bytes_arg(&a[2]),
        &bytes_arg(&a[3]),
        &bytes_arg(&a[4]),
    )))
}

// ---- AES --------------------------------------------------------------------------------

/// Sprig's AES-256 key: the password's bytes, zero-padded or cut to 32.
fn aes_cipher(password: &[u8]) -> aes::Aes256 {
    use aes::cipher::KeyInit;
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password[..n]);
    aes::Aes256::new(&key.into())
}

/// AES-256-CBC of `plaintext` with PKCS#7 padding and a random IV; base64(IV ‖ ciphertext).
fn encrypt_aes(cx: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    use aes::cipher::BlockCipherEncrypt;
    let plaintext = bytes_arg(&a[1]);
    if plaintext.is_empty() {
        return Ok(Val::str(""));
    }
    let cipher = aes_cipher(&bytes_arg(&a[0]));
    let pad = 16 - plaintext.len() % 16;
    let mut content = plaintext;
    content.extend(std::iter::repeat_n(pad as u8, pad));
    let iv = cx.random(16);
    let mut out = iv.clone();
    let mut prev: [u8; 16] = iv.try_into().unwrap_or([0; 16]);
    for chunk in content.chunks(16) {
        let mut block = [0u8; 16];
        for (i, b) in block.iter_mut().enumerate() {
            *b = chunk[i] ^ prev[i];
        }
        let mut arr = block.into();
        cipher.encrypt_block(&mut arr);
        prev = arr.into();
        out.extend_from_slice(&prev);
    }
    Ok(Val::str(super::encoding::b64enc(&out)))
}

/// Sprig's `decryptAES`, including the Go runtime panics its unchecked slicing raises.
fn decrypt_aes(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    use aes::cipher::BlockCipherDecrypt;
    let text = super::s(&a[1]);
    if text.is_empty() {
        return Ok(Val::str(""));
    }
    let crypt = super::encoding::b64dec(text).map_err(FnError::msg)?;
    if crypt.len() < 16 {
        // base64.DecodeString allocates DecodedLen(len(s)) bytes.
        let cap = gostr_to_bytes(text).len() / 4 * 3;
        return Err(FnError::msg(format!(
            "runtime error: slice bounds out of range [:16] with capacity {cap}"
        )));
    }
    let (iv, body) = crypt.split_at(16);
    if body.len() % 16 != 0 {
        return Err(FnError::msg("crypto/cipher: input not full blocks"));
    }
    let cipher = aes_cipher(&bytes_arg(&a[0]));
    let mut prev: [u8; 16] = iv.try_into().unwrap_or([0; 16]);
    let mut out = Vec::with_capacity(body.len());
    for chunk in body.chunks(16) {
        let mut block: [u8; 16] = chunk.try_into().unwrap_or([0; 16]);
        let mut arr = block.into();
        cipher.decrypt_block(&mut arr);
        block = arr.into();
        for (b, p) in block.iter_mut().zip(prev) {
            *b ^= p;
        }
        out.extend_from_slice(&block);
        prev = chunk.try_into().unwrap_or([0; 16]);
    }
    let Some(&last) = out.last() else {
        return Err(FnError::msg("runtime error: index out of range [-1]"));
    };
    let keep = out.len() as i64 - i64::from(last);
    if keep < 0 {
        return Err(FnError::msg(format!(
            "runtime error: slice bounds out of range [:{keep}]"
        )));
    }
    out.truncate(keep as usize);
    Ok(Val::str(bytes_to_gostr(&out)))
}

pub(crate) fn register(add: &mut Add<'_>) {
    add("genPrivateKey", &[Str], false, Builtin::Fn(gen_private_key));
    add("genCA", &[Str, Int], false, Builtin::Fn(gen_ca));
    add(
        "genCAWithKey",
        &[Str, Int, Str],
        false,
        Builtin::Fn(gen_ca_with_key),
    );
    add(
        "genSelfSignedCert",
        &[Str, List, List, Int],
        false,
        Builtin::Fn(gen_self_signed_cert),
    );
    add(
        "genSelfSignedCertWithKey",
        &[Str, List, List, Int, Str],
        false,
        Builtin::Fn(gen_self_signed_cert_with_key),
    );
    add(
        "genSignedCert",
        &[Str, List, List, Int, Cert],
        false,
        Builtin::Fn(gen_signed_cert),
    );
    add(
        "genSignedCertWithKey",
        &[Str, List, List, Int, Cert, Str],
        false,
        Builtin::Fn(gen_signed_cert_with_key),
    );
    add(
        "buildCustomCert",
        &[Str, Str],
        false,
        Builtin::Fn(build_custom_cert),
    );
    add("bcrypt", &[Str], false, Builtin::Fn(bcrypt_fn));
    add("htpasswd", &[Str, Str], false, Builtin::Fn(htpasswd));
    add(
        "derivePassword",
        &[U32, Str, Str, Str, Str],
        false,
        Builtin::Fn(derive_password_fn),
    );
    add("encryptAES", &[Str, Str], false, Builtin::Fn(encrypt_aes));
    add("decryptAES", &[Str, Str], false, Builtin::Fn(decrypt_aes));
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Hashes helm v4.1.4 produced, recomputed from their salts.
    #[test]
    fn bcrypt_matches_go() {
        use base64::Engine;
        use base64::engine::{GeneralPurpose, general_purpose::NO_PAD};
        let b64 = GeneralPurpose::new(&base64::alphabet::BCRYPT, NO_PAD);
        let b72 = "b".repeat(72);
        for (password, go) in [
            (
                "pass",
                "$2a$10$TfgXuEtxcnPfY1BkSY2z..dZpc..nhBAjfvv83d29Rbp5Mx.cdRjC",
            ),
            (
                "",
                "$2a$10$rLnrEIMCNsXL9bDW4LEE1uh/VyFxgrEwd0EgWTpT6KyB9dWaVLham",
            ),
            (
                &b72,
                "$2a$10$vM7ZxUCSbehe009zJgk/s.hYmPdC1WCMjPZbit0QfDEsfSUn9JXf.",
            ),
        ] {
            let salt: [u8; 16] = b64.decode(&go[7..29]).unwrap().try_into().unwrap();
            assert_eq!(bcrypt_hash(password.as_bytes(), 10, salt), go);
        }
    }

    #[test]
    fn aes_decrypts_go_output() {
        let mut cx = Cx {
            env: &crate::template::Env::default(),
        };
        let plain = decrypt_aes(
            &mut cx,
            vec![
                Val::str("secretkey"),
                Val::str("4kCL7AGFosaUOiAx1TIgCvpjzpaWhCGC6AMOil6FSZA="),
            ],
        )
        .unwrap();
        assert_eq!(super::super::s(&plain), "plaintext");
        let long = "a-very-long-password-longer-than-32-bytes";
        let plain = decrypt_aes(
            &mut cx,
            vec![
                Val::str(long),
                Val::str("JJmKKWXQD9t7KCWFSEK7xxmFk/viPzKhZRbWX/EBewYX/IDMVu7g3ghDMySAQ8MQ"),
            ],
        )
        .unwrap();
        assert_eq!(super::super::s(&plain), "0123456789abcdef");
        let enc = encrypt_aes(&mut cx, vec![Val::str("k"), Val::str("x")]).unwrap();
        let dec = decrypt_aes(&mut cx, vec![Val::str("k"), enc]).unwrap();
        assert_eq!(super::super::s(&dec), "x");
    }

    #[test]
    fn derive_password_matches_helm() {
        assert_eq!(derive_password(1, "basic", b"p", b"u", b"s"), "tGf1NEr0");
        assert_eq!(
            derive_password(
                7,
                "long",
                "pässwörd".as_bytes(),
                "üser".as_bytes(),
                "sïte".as_bytes()
            ),
            "VahlVitiMift8!"
        );
        assert_eq!(
            derive_password(1, "maximum", b"p", b"u", b"s"),
            "t4#xAFSyHw8MyJrJ7#ru"
        );
        assert_eq!(derive_password(1, "pin", b"p", b"u", b"s"), "2461");
        assert_eq!(
            derive_password(1, "name", b"p", b"u", b"s"),
            "cannot find password template name"
        );
    }
}
