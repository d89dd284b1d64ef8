//! X.509 certificates as Sprig builds them with Go's `x509.CreateCertificate` (Go 1.25
//! layout: extension order, subject key ids, string and time encodings), and the subset of
//! `x509.ParseCertificate` Sprig relies on.

use super::crypto_der::{
    self as der, DerError, Reader, TAG_BOOLEAN, TAG_GENERALIZED_TIME, TAG_INTEGER,
    TAG_OCTET_STRING, TAG_PRINTABLE_STRING, TAG_SEQUENCE, TAG_SET, TAG_UTC_TIME, TAG_UTF8_STRING,
};
use super::crypto_err::CryptoError;
use super::crypto_keys::{self as keys, PrivKey, PublicKeyInfo};

const OID_CN: &[u8] = &[0x55, 0x04, 0x03];
const OID_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
const OID_EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25];
const OID_BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
const OID_SUBJECT_KEY_ID: &[u8] = &[0x55, 0x1d, 0x0e];
const OID_AUTHORITY_KEY_ID: &[u8] = &[0x55, 0x1d, 0x23];
const OID_SAN: &[u8] = &[0x55, 0x1d, 0x11];
const OID_SERVER_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
const OID_CLIENT_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];

/// What Sprig's `getBaseCertTemplate` (plus the CA overrides) puts in a certificate.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    /// The common name (Go string bytes).
    pub cn: Vec<u8>,
    /// IP addresses, 4 bytes for IPv4 (and IPv4-mapped IPv6), 16 otherwise.
    pub ips: Vec<Vec<u8>>,
    /// DNS names.
    pub dns: Vec<String>,
    /// Validity start: seconds since the Unix epoch.
    pub not_before: i64,
    /// Validity end: seconds since the Unix epoch.
    pub not_after: i64,
    /// A CA certificate (key usage adds certSign; basic constraints say CA).
    pub is_ca: bool,
    /// The serial number (unsigned, big-endian).
    pub serial: Vec<u8>,
}

/// The parts of a parsed certificate that signing with it needs.
#[derive(Debug, Clone)]
pub(crate) struct ParsedCert {
    /// The DER subject name, as found.
    pub raw_subject: Vec<u8>,
    /// The subject key identifier extension, if present.
    pub subject_key_id: Option<Vec<u8>>,
    /// The subject public key.
    pub public_key: PublicKeyInfo,
}

/// The issuer of a new certificate.
pub(crate) enum Parent<'a> {
    /// Self-signed: the template is its own parent.
    SelfSigned,
    /// Signed by a parsed CA certificate.
    Cert(&'a ParsedCert),
}

/// Go's `isPrintable` as `encoding/asn1` uses it for untyped strings.
fn printable(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'\'' | b'(' | b')' | b'+' | b',' | b'-' | b'.' | b'/' | b' ' | b':' | b'=' | b'?'
        )
}

/// The DER subject `Name` holding only a common name (empty when the name is empty).
fn subject_bytes(cn: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if cn.is_empty() {
        return Ok(der::seq(&[]));
    }
    let tag = if cn.iter().all(|&b| printable(b)) {
        TAG_PRINTABLE_STRING
    } else if std::str::from_utf8(cn).is_ok() {
        TAG_UTF8_STRING
    } else {
        return Err(CryptoError::Go("asn1: string not valid UTF-8".into()));
    };
    let atv = der::seq(&[&der::oid(OID_CN), &der::tlv(tag, cn)]);
    Ok(der::seq(&[&der::cons(TAG_SET, &[&atv])]))
}

/// Civil date and time (UTC) of Unix seconds.
fn civil(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days_from_civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        ((rem % 3600) / 60) as u32,
        (rem % 60) as u32,
    )
}

/// Go's `asn1` time: UTCTime for 1950..2049, GeneralizedTime otherwise.
fn time(secs: i64) -> Result<Vec<u8>, CryptoError> {
    let (y, mo, d, h, mi, s) = civil(secs);
    let tail = format!("{mo:02}{d:02}{h:02}{mi:02}{s:02}Z");
    if (1950..2050).contains(&y) {
        Ok(der::tlv(
            TAG_UTC_TIME,
            format!("{:02}{tail}", y % 100).as_bytes(),
        ))
    } else if (0..=9999).contains(&y) {
        Ok(der::tlv(
            TAG_GENERALIZED_TIME,
            format!("{y:04}{tail}").as_bytes(),
        ))
    } else {
        Err(CryptoError::Go(
            "asn1: structure error: cannot represent time as GeneralizedTime".into(),
        ))
    }
}

fn extension(id: &[u8], critical: bool, value: &[u8]) -> Vec<u8> {
    let crit = if critical { der::true_() } else { Vec::new() };
    der::seq(&[&der::oid(id), &crit, &der::octet_string(value)])
}

/// Go's `x509.CreateCertificate` for Sprig's templates: the DER certificate.
pub(crate) fn create_certificate(
    tpl: &Template,
    signee: &PrivKey,
    parent: Parent<'_>,
    signer: &PrivKey,
) -> Result<Vec<u8>, CryptoError> {
    if !signer.is_signer() {
        return Err(keys::not_signer());
    }
    let sig_alg = signer.signature_algorithm()?;
    let public = signee.public_key_info()?;
    let subject = subject_bytes(&tpl.cn)?;
    let (issuer, parent_ski, parent_key) = match parent {
        Parent::SelfSigned => (subject.clone(), None, None),
        Parent::Cert(p) => (
            p.raw_subject.clone(),
            p.subject_key_id.clone(),
            Some(&p.public_key),
        ),
    };
    let authority_key_id = match parent_ski {
        Some(ski) if issuer != subject && !ski.is_empty() => Some(ski),
        _ => None,
    };
    let subject_key_id = tpl.is_ca.then(|| keys::subject_key_id(&public));
    if let Some(pk) = parent_key
        && keys::known_key_algorithm(pk)
        && !keys::same_public_key(signer, pk)
    {
        return Err(CryptoError::Go(
            "x509: provided PrivateKey doesn't match parent's PublicKey".into(),
        ));
    }

    // Extensions, in Go's order.
    let mut exts: Vec<Vec<u8>> = Vec::new();
    let key_usage: &[u8] = if tpl.is_ca {
        &[0x03, 0x02, 0x02, 0xa4]
    } else {
        &[0x03, 0x02, 0x05, 0xa0]
    };
    exts.push(extension(OID_KEY_USAGE, true, key_usage));
    exts.push(extension(
        OID_EXT_KEY_USAGE,
        false,
        &der::seq(&[&der::oid(OID_SERVER_AUTH), &der::oid(OID_CLIENT_AUTH)]),
    ));
    let bc = if tpl.is_ca {
        der::seq(&[&der::true_()])
    } else {
        der::seq(&[])
    };
    exts.push(extension(OID_BASIC_CONSTRAINTS, true, &bc));
    if let Some(ski) = &subject_key_id {
        exts.push(extension(
            OID_SUBJECT_KEY_ID,
            false,
            &der::octet_string(ski),
        ));
    }
    if let Some(aki) = &authority_key_id {
        exts.push(extension(
            OID_AUTHORITY_KEY_ID,
            false,
            &der::seq(&[&der::tlv(0x80, aki)]),
        ));
    }
    if !tpl.dns.is_empty() || !tpl.ips.is_empty() {
        let mut names: Vec<Vec<u8>> = Vec::new();
        for name in &tpl.dns {
            if !name.is_ascii() {
                return Err(CryptoError::Go(format!(
                    "x509: {} cannot be encoded as an IA5String",
                    crate::go::strconv::quote(name)
                )));
            }
            names.push(der::tlv(0x82, name.as_bytes()));
        }
        for ip in &tpl.ips {
            names.push(der::tlv(0x87, ip));
        }
        let refs: Vec<&[u8]> = names.iter().map(Vec::as_slice).collect();
        exts.push(extension(OID_SAN, subject.len() == 2, &der::seq(&refs)));
    }
    let ext_refs: Vec<&[u8]> = exts.iter().map(Vec::as_slice).collect();
    let extensions = der::cons(0xa3, &[&der::seq(&ext_refs)]);

    let validity = der::seq(&[&time(tpl.not_before)?, &time(tpl.not_after)?]);
    let tbs = der::seq(&[
        &der::cons(0xa0, &[&der::small_int(2)]),
        &der::uint(&tpl.serial),
        &sig_alg,
        &issuer,
        &validity,
        &subject,
        &public.to_der(),
        &extensions,
    ]);
    let signature = signer.sign(&tbs)?;
    Ok(der::seq(&[&tbs, &sig_alg, &der::bit_string(&signature)]))
}

fn malformed(_: DerError) -> CryptoError {
    CryptoError::Go("x509: malformed certificate".into())
}

/// The structure checks of Go's `x509.ParseCertificate` that matter here.
pub(crate) fn parse_certificate(b: &[u8]) -> Result<ParsedCert, CryptoError> {
    let outer = der::parse_one(b, TAG_SEQUENCE).map_err(malformed)?;
    let mut r = outer.reader();
    let tbs = r.expect(TAG_SEQUENCE).map_err(malformed)?;
    let outer_alg = r.expect(TAG_SEQUENCE).map_err(malformed)?;
    r.bit_string().map_err(malformed)?;
    if !r.is_empty() {
        return Err(malformed(DerError("trailing data")));
    }
    let mut t = tbs.reader();
    let mut version = 0;
    if let Some(v) = t.optional(0xa0).map_err(malformed)? {
        let mut vr = v.reader();
        version = vr.small_int().map_err(malformed)?;
        if !vr.is_empty() {
            return Err(malformed(DerError("trailing data")));
        }
    }
    if !(0..=2).contains(&version) {
        return Err(CryptoError::Go("x509: invalid version".into()));
    }
    let serial = t.expect(TAG_INTEGER).map_err(malformed)?;
    if serial.content.is_empty() {
        return Err(malformed(DerError("serial")));
    }
    let inner_alg = t.expect(TAG_SEQUENCE).map_err(malformed)?;
    if inner_alg.full != outer_alg.full {
        return Err(CryptoError::Go(
            "x509: inner and outer signature algorithm identifiers don't match".into(),
        ));
    }
    t.expect(TAG_SEQUENCE).map_err(malformed)?; // issuer
    let validity = t.expect(TAG_SEQUENCE).map_err(malformed)?;
    let mut vr = validity.reader();
    for _ in 0..2 {
        let tm = vr.read().map_err(malformed)?;
        if tm.tag != TAG_UTC_TIME && tm.tag != TAG_GENERALIZED_TIME {
            return Err(CryptoError::Go("x509: malformed validity".into()));
        }
    }
    let subject = t.expect(TAG_SEQUENCE).map_err(malformed)?;
    let public_key =
        keys::read_spki(&mut t).map_err(|_| CryptoError::Go("x509: malformed spki".into()))?;
    t.optional(0x81).map_err(malformed)?;
    t.optional(0x82).map_err(malformed)?;
    let mut subject_key_id = None;
    if let Some(e) = t.optional(0xa3).map_err(malformed)? {
        let list = der::parse_one(e.content, TAG_SEQUENCE).map_err(malformed)?;
        let mut er = list.reader();
        let mut seen: Vec<&[u8]> = Vec::new();
        while !er.is_empty() {
            let ext = er.expect(TAG_SEQUENCE).map_err(malformed)?;
            let mut x = ext.reader();
            let id = x.oid().map_err(malformed)?;
            x.optional(TAG_BOOLEAN).map_err(malformed)?;
            let value = x.octet_string().map_err(malformed)?;
            if !x.is_empty() {
                return Err(malformed(DerError("trailing data")));
            }
            if seen.contains(&id) {
                return Err(CryptoError::Go(
                    "x509: certificate contains duplicate extensions".into(),
                ));
            }
            seen.push(id);
            if id == OID_SUBJECT_KEY_ID {
                let v = der::parse_one(value, TAG_OCTET_STRING)
                    .map_err(|_| CryptoError::Go("x509: invalid subject key identifier".into()))?;
                subject_key_id = Some(v.content.to_vec());
            }
        }
    }
    if !t.is_empty() {
        return Err(malformed(DerError("trailing data")));
    }
    check_public_key(&public_key)?;
    Ok(ParsedCert {
        raw_subject: subject.full.to_vec(),
        subject_key_id,
        public_key,
    })
}

/// Go fails to parse certificates whose RSA/EC/Ed25519 keys are malformed.
fn check_public_key(info: &PublicKeyInfo) -> Result<(), CryptoError> {
    let alg = der::parse_one(&info.algorithm, TAG_SEQUENCE).map_err(malformed)?;
    let mut ar = alg.reader();
    let Ok(oid) = ar.oid() else {
        return Err(malformed(DerError("algorithm")));
    };
    let bad = |m: &str| Err(CryptoError::Go(m.to_string()));
    if oid == keys::OID_RSA {
        let Ok(k) = der::parse_one(&info.key, TAG_SEQUENCE) else {
            return bad("x509: invalid RSA public key");
        };
        let mut kr: Reader<'_> = k.reader();
        if kr.uint().is_err() || kr.uint().is_err() {
            return bad("x509: invalid RSA public key");
        }
    } else if oid == keys::OID_EC {
        if info.key.first() != Some(&4) {
            return bad("x509: failed to unmarshal elliptic curve point");
        }
    } else if oid == keys::OID_ED25519 && info.key.len() != 32 {
        return bad("x509: wrong Ed25519 public key size");
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil(1_795_762_974), (2026, 11, 27, 7, 2, 54));
        assert_eq!(civil(-1), (1969, 12, 31, 23, 59, 59));
        assert_eq!(time(1_795_762_974).unwrap()[2..], *b"261127070254Z");
        assert_eq!(
            time(10_413_792_000).unwrap()[..2],
            [TAG_GENERALIZED_TIME, 15]
        );
        assert_eq!(time(-631_152_001).unwrap()[0], TAG_GENERALIZED_TIME);
    }

    #[test]
    fn subjects() {
        assert_eq!(subject_bytes(b"").unwrap(), vec![0x30, 0]);
        assert_eq!(subject_bytes(b"my ca").unwrap()[11], TAG_PRINTABLE_STRING);
        assert_eq!(subject_bytes(b"a*b").unwrap()[11], TAG_UTF8_STRING);
        assert!(subject_bytes(&[0xff]).is_err());
    }
}
