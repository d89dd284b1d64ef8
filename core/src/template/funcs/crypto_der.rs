//! Minimal DER writing and reading, and PEM as Go's `encoding/pem` does it: just what
//! Sprig's key and certificate functions need, with byte-exact control over the output.

use std::fmt;

// ---- writing ----------------------------------------------------------------------------

pub(crate) const TAG_BOOLEAN: u8 = 0x01;
pub(crate) const TAG_INTEGER: u8 = 0x02;
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
pub(crate) const TAG_OCTET_STRING: u8 = 0x04;
pub(crate) const TAG_NULL: u8 = 0x05;
pub(crate) const TAG_OID: u8 = 0x06;
pub(crate) const TAG_UTF8_STRING: u8 = 0x0c;
pub(crate) const TAG_PRINTABLE_STRING: u8 = 0x13;
pub(crate) const TAG_UTC_TIME: u8 = 0x17;
pub(crate) const TAG_GENERALIZED_TIME: u8 = 0x18;
pub(crate) const TAG_SEQUENCE: u8 = 0x30;
pub(crate) const TAG_SET: u8 = 0x31;

/// A tag-length-value element.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// A constructed element from already-encoded parts.
pub(crate) fn cons(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    tlv(tag, &parts.concat())
}

/// A SEQUENCE of already-encoded parts.
pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    cons(TAG_SEQUENCE, parts)
}

/// A non-negative INTEGER from big-endian magnitude bytes (minimal encoding).
pub(crate) fn uint(be: &[u8]) -> Vec<u8> {
    let skip = be.iter().take_while(|b| **b == 0).count();
    let mag = &be[skip..];
    let mut content = Vec::with_capacity(mag.len() + 1);
    if mag.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(mag);
    tlv(TAG_INTEGER, &content)
}

/// A small INTEGER.
pub(crate) fn small_int(v: u8) -> Vec<u8> {
    uint(&[v])
}

/// A BIT STRING with no unused bits.
pub(crate) fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut content = Vec::with_capacity(bytes.len() + 1);
    content.push(0);
    content.extend_from_slice(bytes);
    tlv(TAG_BIT_STRING, &content)
}

/// An OCTET STRING.
pub(crate) fn octet_string(bytes: &[u8]) -> Vec<u8> {
    tlv(TAG_OCTET_STRING, bytes)
}

/// An OBJECT IDENTIFIER from its encoded content bytes.
pub(crate) fn oid(content: &[u8]) -> Vec<u8> {
    tlv(TAG_OID, content)
}

/// NULL.
pub(crate) fn null() -> Vec<u8> {
    vec![TAG_NULL, 0]
}

/// BOOLEAN TRUE.
pub(crate) fn true_() -> Vec<u8> {
    vec![TAG_BOOLEAN, 1, 0xff]
}

// ---- reading ----------------------------------------------------------------------------

/// A DER structure error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DerError(pub &'static str);

impl fmt::Display for DerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "asn1: {}", self.0)
    }
}

impl std::error::Error for DerError {}

/// One element read from DER input.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet.
    pub tag: u8,
    /// The contents.
    pub content: &'a [u8],
    /// The whole encoding (identifier, length and contents).
    pub full: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// A reader over the contents (for constructed elements).
    pub fn reader(&self) -> Reader<'a> {
        Reader { data: self.content }
    }
}

/// Reads consecutive DER elements.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data }
    }

    /// Whether all input was consumed.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The identifier of the next element, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// Reads the next element (single-byte tags, definite minimal lengths only).
    pub fn read(&mut self) -> Result<Tlv<'a>, DerError> {
        let d = self.data;
        let (&tag, rest) = d
            .split_first()
            .ok_or(DerError("syntax error: sequence truncated"))?;
        if tag & 0x1f == 0x1f {
            return Err(DerError("syntax error: unsupported high tag number"));
        }
        let (&l0, rest) = rest
            .split_first()
            .ok_or(DerError("syntax error: truncated tag or length"))?;
        let (len, rest) = if l0 < 0x80 {
            (l0 as usize, rest)
        } else {
            let n = (l0 & 0x7f) as usize;
            if n == 0 || n > 4 || rest.len() < n {
                return Err(DerError("syntax error: invalid length"));
            }
            let mut len = 0usize;
            for &b in &rest[..n] {
                len = (len << 8) | b as usize;
            }
            if rest[0] == 0 || len < 0x80 {
                return Err(DerError(
                    "structure error: superfluous leading zeros in length",
                ));
            }
            (len, &rest[n..])
        };
        if rest.len() < len {
            return Err(DerError("syntax error: data truncated"));
        }
        let header = d.len() - rest.len();
        let full = &d[..header + len];
        self.data = &rest[len..];
        Ok(Tlv {
            tag,
            content: &rest[..len],
            full,
        })
    }

    /// Reads the next element and checks its tag.
    pub fn expect(&mut self, tag: u8) -> Result<Tlv<'a>, DerError> {
        let t = self.read()?;
        if t.tag != tag {
            return Err(DerError("structure error: tags don't match"));
        }
        Ok(t)
    }

    /// Reads an element with `tag` when it comes next.
    pub fn optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>, DerError> {
        if self.peek_tag() == Some(tag) {
            self.read().map(Some)
        } else {
            Ok(None)
        }
    }

    /// Reads a non-negative INTEGER's magnitude (big-endian, no leading zeros).
    pub fn uint(&mut self) -> Result<&'a [u8], DerError> {
        let t = self.expect(TAG_INTEGER)?;
        check_int(t.content)?;
        if t.content[0] & 0x80 != 0 {
            return Err(DerError("structure error: negative integer"));
        }
        let skip = t.content.iter().take_while(|b| **b == 0).count();
        Ok(&t.content[skip..])
    }

    /// Reads a small INTEGER (may be negative).
    pub fn small_int(&mut self) -> Result<i64, DerError> {
        let t = self.expect(TAG_INTEGER)?;
        check_int(t.content)?;
        if t.content.len() > 8 {
            return Err(DerError("structure error: integer too large"));
        }
        let mut v: i64 = if t.content[0] & 0x80 != 0 { -1 } else { 0 };
        for &b in t.content {
            v = (v << 8) | b as i64;
        }
        Ok(v)
    }

    /// Reads an OBJECT IDENTIFIER's content bytes.
    pub fn oid(&mut self) -> Result<&'a [u8], DerError> {
        let t = self.expect(TAG_OID)?;
        if t.content.is_empty() || t.content.last().is_some_and(|b| b & 0x80 != 0) {
            return Err(DerError("syntax error: invalid object identifier"));
        }
        Ok(t.content)
    }

    /// Reads an OCTET STRING.
    pub fn octet_string(&mut self) -> Result<&'a [u8], DerError> {
        Ok(self.expect(TAG_OCTET_STRING)?.content)
    }

    /// Reads a BIT STRING whose length is a whole number of bytes.
    pub fn bit_string(&mut self) -> Result<&'a [u8], DerError> {
        let t = self.expect(TAG_BIT_STRING)?;
        match t.content.split_first() {
            Some((0, rest)) => Ok(rest),
            Some((u, rest)) if *u < 8 && !rest.is_empty() => Ok(rest),
            _ => Err(DerError("syntax error: invalid bit string")),
        }
    }
}

fn check_int(c: &[u8]) -> Result<(), DerError> {
    match c {
        [] => Err(DerError("syntax error: empty integer")),
        [0, b, ..] if b & 0x80 == 0 => {
            Err(DerError("structure error: integer not minimally-encoded"))
        }
        [0xff, b, ..] if b & 0x80 != 0 => {
            Err(DerError("structure error: integer not minimally-encoded"))
        }
        _ => Ok(()),
    }
}

/// Parses `data` as exactly one element with `tag`.
pub(crate) fn parse_one(data: &[u8], tag: u8) -> Result<Tlv<'_>, DerError> {
    let mut r = Reader::new(data);
    let t = r.expect(tag)?;
    if !r.is_empty() {
        return Err(DerError("syntax error: trailing data"));
    }
    Ok(t)
}

// ---- PEM ----------------------------------------------------------------------------------

/// Go's `pem.EncodeToMemory` of a block without headers.
pub(crate) fn pem_encode(typ: &str, der: &[u8]) -> String {
    let b64 = crate::template::funcs::encoding::b64enc(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * typ.len() + 32);
    out.push_str("-----BEGIN ");
    out.push_str(typ);
    out.push_str("-----\n");
    let bytes = b64.as_bytes();
    for chunk in bytes.chunks(64) {
        // Base64 output is ASCII.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(typ);
    out.push_str("-----\n");
    out
}

/// A decoded PEM block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PemBlock {
    /// The type from the `BEGIN` line.
    pub typ: Vec<u8>,
    /// The decoded contents.
    pub bytes: Vec<u8>,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Go's `getLine`: the line without its end of line and trailing blanks, the rest, and
/// how many bytes were consumed.
fn get_line(data: &[u8]) -> (&[u8], &[u8], usize) {
    let (mut i, j) = match data.iter().position(|&b| b == b'\n') {
        None => (data.len(), data.len()),
        Some(i) => (i, i + 1),
    };
    if j > i && i > 0 && data[i - 1] == b'\r' {
        i -= 1;
    }
    let mut line = &data[..i];
    while let Some((&last, init)) = line.split_last() {
        if last == b' ' || last == b'\t' {
            line = init;
        } else {
            break;
        }
    }
    (line, &data[j..], j)
}

fn trim_space(mut s: &[u8]) -> &[u8] {
    while let Some((&f, r)) = s.split_first() {
        if f.is_ascii_whitespace() {
            s = r;
        } else {
            break;
        }
    }
    while let Some((&l, r)) = s.split_last() {
        if l.is_ascii_whitespace() {
            s = r;
        } else {
            break;
        }
    }
    s
}

/// Go's `pem.Decode` (Go 1.25): the first well-formed block in `data`, if any.
pub(crate) fn pem_decode(data: &[u8]) -> Option<PemBlock> {
    const START: &[u8] = b"-----BEGIN ";
    const END: &[u8] = b"\n-----END ";
    const EOL: &[u8] = b"-----";
    let mut rest = data;
    let mut end_trailer: isize = 0;
    loop {
        if end_trailer < 0 || end_trailer as usize > rest.len() {
            return None;
        }
        rest = &rest[end_trailer as usize..];
        let end_index = find(rest, END)?;
        end_trailer = (end_index + END.len()) as isize;
        let Some(begin) = rfind(&rest[..end_index], START) else {
            continue;
        };
        if begin > 0 && rest[begin - 1] != b'\n' {
            continue;
        }
        let shift = begin + START.len();
        rest = &rest[shift..];
        let mut end_index = end_index as isize - shift as isize;
        end_trailer -= shift as isize;

        let (type_line, after, consumed) = get_line(rest);
        rest = after;
        end_index -= consumed as isize;
        end_trailer -= consumed as isize;
        let Some(typ) = type_line.strip_suffix(EOL) else {
            continue;
        };

        let mut headers = 0usize;
        loop {
            if rest.is_empty() {
                return None;
            }
            let (line, next, consumed) = get_line(rest);
            let Some(colon) = line.iter().position(|&b| b == b':') else {
                break;
            };
            let _ = (trim_space(&line[..colon]), trim_space(&line[colon + 1..]));
            headers += 1;
            rest = next;
            end_index -= consumed as isize;
            end_trailer -= consumed as isize;
        }
        if headers > 0 && end_index < 0 {
            continue;
        }
        if end_trailer < 0 || end_trailer as usize > rest.len() {
            continue;
        }
        let trailer = &rest[end_trailer as usize..];
        let tlen = typ.len() + EOL.len();
        if trailer.len() < tlen {
            continue;
        }
        let (head, rest_of_line) = trailer.split_at(tlen);
        if !head.starts_with(typ) || !head.ends_with(EOL) {
            continue;
        }
        if !get_line(rest_of_line).0.is_empty() {
            continue;
        }
        let mut bytes = Vec::new();
        if end_index > 0 {
            let body: Vec<u8> = rest[..end_index as usize]
                .iter()
                .copied()
                .filter(|&b| b != b' ' && b != b'\t')
                .collect();
            let Ok(text) = std::str::from_utf8(&body) else {
                continue;
            };
            match crate::template::funcs::encoding::b64dec(text) {
                Ok(b) => bytes = b,
                Err(_) => continue,
            }
        }
        return Some(PemBlock {
            typ: typ.to_vec(),
            bytes,
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn der_roundtrip() {
        let s = seq(&[
            &uint(&[0x00, 0x80]),
            &small_int(0),
            &oid(&[0x2b, 0x65, 0x70]),
        ]);
        assert_eq!(
            s,
            [
                0x30, 0x0c, 0x02, 0x02, 0x00, 0x80, 0x02, 0x01, 0x00, 0x06, 0x03, 0x2b, 0x65, 0x70
            ]
        );
        let t = parse_one(&s, TAG_SEQUENCE).unwrap();
        let mut r = t.reader();
        assert_eq!(r.uint().unwrap(), &[0x80]);
        assert_eq!(r.small_int().unwrap(), 0);
        assert_eq!(r.oid().unwrap(), &[0x2b, 0x65, 0x70]);
        assert!(r.is_empty());
        let long = tlv(TAG_OCTET_STRING, &[7u8; 300]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(
            parse_one(&long, TAG_OCTET_STRING).unwrap().content.len(),
            300
        );
        assert!(parse_one(&[0x02, 0x02, 0x00, 0x01], TAG_INTEGER).is_ok());
        assert!(Reader::new(&[0x02, 0x02, 0x00, 0x01]).uint().is_err());
        assert!(parse_one(&[0x30, 0x81, 0x05], TAG_SEQUENCE).is_err());
    }

    #[test]
    fn pem() {
        let p = pem_encode("X Y", &[1u8; 60]);
        assert!(p.starts_with("-----BEGIN X Y-----\n"));
        assert!(p.ends_with("\n-----END X Y-----\n"));
        let b = pem_decode(format!("junk\n{p}more").as_bytes()).unwrap();
        assert_eq!(b.typ, b"X Y");
        assert_eq!(b.bytes, vec![1u8; 60]);
        assert_eq!(pem_decode(b"garbage"), None);
        let e = pem_decode(b"-----BEGIN A-----\n-----END A-----\n").unwrap();
        assert!(e.bytes.is_empty());
        let h = pem_decode(b"-----BEGIN A-----\nK: v\n\nAQI=\n-----END A-----").unwrap();
        assert_eq!(h.bytes, vec![1, 2]);
        assert_eq!(
            pem_decode(b"-----BEGIN A-----\nAQI=\n-----END B-----\n"),
            None
        );
        assert_eq!(
            pem_decode(b"-----BEGIN A-----\n!!!!\n-----END A-----\n"),
            None
        );
    }
}
