//! go-yaml's scalar `resolve` (v2 and v3 differ only in the YAML 1.1 booleans and the
//! timestamp result) and the `strconv` / `encoding/base64` behaviour it relies on.

use std::borrow::Cow;

use super::timestamp::Timestamp;
use crate::yaml::{Scalar, ScalarStyle};

/// Which go-yaml.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Schema {
    /// go-yaml v2: YAML 1.1 booleans (`yes`, `on`, `y`, ...); timestamps stay text when
    /// decoded into `interface{}`.
    V2,
    /// go-yaml v3: only `true`/`false` booleans; timestamps become `time.Time`.
    V3,
}

/// A tag as go-yaml's resolver sees it (`shortTag`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// No tag: resolve from the text.
    Untagged,
    Str,
    Bool,
    Int,
    Float,
    Null,
    Timestamp,
    Binary,
    Merge,
    /// Any other tag (`!foo`, `!!set`, ...): the text is kept as a string.
    Other,
}

impl Kind {
    /// The kind of a full tag (`tag:yaml.org,2002:int`).
    pub(super) fn of_tag(tag: &str) -> Kind {
        match tag.strip_prefix("tag:yaml.org,2002:") {
            Some("str") => Kind::Str,
            Some("bool") => Kind::Bool,
            Some("int") => Kind::Int,
            Some("float") => Kind::Float,
            Some("null") => Kind::Null,
            Some("timestamp") => Kind::Timestamp,
            Some("binary") => Kind::Binary,
            Some("merge") => Kind::Merge,
            _ => Kind::Other,
        }
    }

    fn short(self) -> &'static str {
        match self {
            Kind::Untagged => "",
            Kind::Str => "!!str",
            Kind::Bool => "!!bool",
            Kind::Int => "!!int",
            Kind::Float => "!!float",
            Kind::Null => "!!null",
            Kind::Timestamp => "!!timestamp",
            Kind::Binary => "!!binary",
            Kind::Merge => "!!merge",
            Kind::Other => "!",
        }
    }

    fn resolvable(self) -> bool {
        matches!(
            self,
            Kind::Untagged
                | Kind::Str
                | Kind::Bool
                | Kind::Int
                | Kind::Float
                | Kind::Null
                | Kind::Timestamp
        )
    }
}

/// What go-yaml decodes a scalar to in an `interface{}`.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Resolved<'a> {
    Null,
    Bool(bool),
    /// Go `int` / `int64`.
    Int(i64),
    /// Go `uint64` (integers above `int64`'s range).
    UInt(u64),
    Float(f64),
    Str(&'a str),
    /// The bytes of a `!!binary` scalar.
    Binary(Vec<u8>),
    /// A go-yaml v3 `time.Time`.
    Timestamp(Timestamp),
}

/// The tag go-yaml's decoder resolves a scalar with: `None` when the scalar is a string
/// whatever its text (quoted or block scalars without a tag of their own).
pub(super) fn decode_tag(s: &Scalar, schema: Schema) -> Option<Kind> {
    let plain = s.style == ScalarStyle::Plain;
    match (s.tag.as_deref(), schema) {
        (None, _) => plain.then_some(Kind::Untagged),
        // go-yaml v3 treats `!` as no tag; v2 keeps it (an unknown tag: a string).
        (Some("!"), Schema::V3) => plain.then_some(Kind::Untagged),
        (Some(tag), _) => Some(Kind::of_tag(tag)),
    }
}

/// Decodes a scalar as go-yaml does into an `interface{}`: resolution, tag checks and
/// `!!binary` decoding. Errors carry go-yaml's message.
pub(super) fn decode_scalar(s: &Scalar, schema: Schema) -> Result<Resolved<'_>, String> {
    let Some(tag) = decode_tag(s, schema) else {
        return Ok(Resolved::Str(&s.text));
    };
    let (rtag, value) = resolve(tag, &s.text, schema)?;
    if rtag == Kind::Binary {
        return decode_base64(&s.text)
            .map(Resolved::Binary)
            .ok_or_else(|| "!!binary value contains invalid base64 data".to_owned());
    }
    Ok(value)
}

/// go-yaml's `resolve(tag, in)`: the resolved tag and value, or go-yaml's
/// `cannot decode ...` message when an explicit tag does not fit the text.
pub(super) fn resolve(
    tag: Kind,
    text: &str,
    schema: Schema,
) -> Result<(Kind, Resolved<'_>), String> {
    if !tag.resolvable() {
        return Ok((tag, Resolved::Str(text)));
    }
    let (rtag, value) = resolve_text(tag, text, schema);
    if tag == Kind::Untagged || tag == rtag || tag == Kind::Str {
        return Ok((rtag, value));
    }
    if tag == Kind::Float
        && rtag == Kind::Int
        && let Resolved::Int(i) = value
    {
        // Go's float64(int64), rounding to nearest.
        #[allow(clippy::cast_precision_loss)]
        return Ok((Kind::Float, Resolved::Float(i as f64)));
    }
    Err(format!(
        "cannot decode {} `{}` as a {}",
        rtag.short(),
        text,
        tag.short()
    ))
}

/// The short tag go-yaml v3's `resolve("", text)` gives a plain scalar (`!!str`,
/// `!!int`, `!!timestamp`, ...).
pub(super) fn plain_tag_v3(text: &str) -> &'static str {
    resolve_text(Kind::Untagged, text, Schema::V3).0.short()
}

fn resolve_text(tag: Kind, text: &str, schema: Schema) -> (Kind, Resolved<'_>) {
    let hint = match text.as_bytes().first() {
        None => b'N',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => 0,
    };
    if hint != 0 && tag != Kind::Str {
        if let Some(found) = lookup(text, schema) {
            return found;
        }
        match hint {
            b'.' => {
                if let Some(f) = parse_float(text) {
                    return (Kind::Float, Resolved::Float(f));
                }
            }
            b'D' | b'S' => {
                if (tag == Kind::Untagged || tag == Kind::Timestamp)
                    && let Some(t) = Timestamp::parse(text)
                {
                    return match schema {
                        Schema::V3 => (Kind::Timestamp, Resolved::Timestamp(t)),
                        // v2 hands timestamps to an interface{} as their text.
                        Schema::V2 => (Kind::Timestamp, Resolved::Str(text)),
                    };
                }
                let plain: Cow<'_, str> = if text.contains('_') {
                    Cow::Owned(text.replace('_', ""))
                } else {
                    Cow::Borrowed(text)
                };
                if let Some(i) = parse_int(&plain) {
                    return (Kind::Int, Resolved::Int(i));
                }
                if let Some(u) = parse_uint(&plain) {
                    return (Kind::Int, Resolved::UInt(u));
                }
                if let Some(f) = parse_float(&plain) {
                    return (Kind::Float, Resolved::Float(f));
                }
            }
            _ => {}
        }
    }
    (Kind::Str, Resolved::Str(text))
}

/// go-yaml's `resolveMap`.
fn lookup(text: &str, schema: Schema) -> Option<(Kind, Resolved<'static>)> {
    let bool_v = |b| Some((Kind::Bool, Resolved::Bool(b)));
    let float_v = |f| Some((Kind::Float, Resolved::Float(f)));
    match text {
        "true" | "True" | "TRUE" => bool_v(true),
        "false" | "False" | "FALSE" => bool_v(false),
        "" | "~" | "null" | "Null" | "NULL" => Some((Kind::Null, Resolved::Null)),
        ".nan" | ".NaN" | ".NAN" => float_v(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => float_v(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => float_v(f64::NEG_INFINITY),
        _ if schema == Schema::V2 => match text {
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => bool_v(true),
            "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => bool_v(false),
            _ => None,
        },
        _ => None,
    }
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
/// It is also exactly what Go's `ParseFloat` accepts of a text starting with `.`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// `strconv.ParseFloat(s, 64)` for the decimal texts go-yaml hands it; `None` where Go
/// fails, including out of range (`1e400`).
fn parse_float(s: &str) -> Option<f64> {
    if !is_yaml_float(s) {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// `strconv.ParseUint(s, 0, 64)` (underscores already removed).
pub(super) fn parse_uint(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let (base, digits): (u32, &[u8]) = match b {
        [] => return None,
        [b'0', p, rest @ ..] if !rest.is_empty() && p.eq_ignore_ascii_case(&b'b') => (2, rest),
        [b'0', p, rest @ ..] if !rest.is_empty() && p.eq_ignore_ascii_case(&b'o') => (8, rest),
        [b'0', p, rest @ ..] if !rest.is_empty() && p.eq_ignore_ascii_case(&b'x') => (16, rest),
        [b'0', rest @ ..] => (8, rest),
        _ => (10, b),
    };
    let mut n: u64 = 0;
    for &c in digits {
        let d = char::from(c).to_digit(36)?;
        if d >= base {
            return None;
        }
        n = n.checked_mul(u64::from(base))?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// `strconv.ParseInt(s, 0, 64)` (underscores already removed).
pub(super) fn parse_int(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let u = parse_uint(rest)?;
    if neg {
        0i64.checked_sub_unsigned(u)
    } else {
        i64::try_from(u).ok()
    }
}

/// `base64.StdEncoding.DecodeString`: padding required, `\r` and `\n` ignored anywhere,
/// no trailing data after padding.
fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let chars: Vec<u8> = s.bytes().filter(|&c| c != b'\r' && c != b'\n').collect();
    if !chars.len().is_multiple_of(4) {
        return None;
    }
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(chars.len() / 4 * 3);
    let quads = chars.len() / 4;
    for (q, quad) in chars.chunks_exact(4).enumerate() {
        let pad = match quad {
            [_, _, b'=', b'='] => 2,
            [_, _, _, b'='] => 1,
            _ => 0,
        };
        if pad > 0 && q + 1 != quads {
            return None;
        }
        let mut n: u32 = 0;
        for &c in &quad[..4 - pad] {
            n = (n << 6) | value(c)?;
        }
        n <<= 6 * pad;
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    Some(out)
}

/// The string `encoding/json` makes of bytes: each byte that does not start a valid
/// UTF-8 sequence becomes U+FFFD.
pub(super) fn go_string_from_bytes(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let bytes = e.into_bytes();
            let mut out = String::with_capacity(bytes.len() + 2);
            let mut rest = bytes.as_slice();
            loop {
                match std::str::from_utf8(rest) {
                    Ok(s) => {
                        out.push_str(s);
                        return out;
                    }
                    Err(e) => {
                        let (valid, after) = rest.split_at(e.valid_up_to());
                        out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                        out.push('\u{FFFD}');
                        rest = after.get(1..).unwrap_or_default();
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v3(text: &str) -> Result<(Kind, Resolved<'_>), String> {
        resolve(Kind::Untagged, text, Schema::V3)
    }

    #[test]
    fn go_parse_int_base_zero() {
        assert_eq!(parse_int("0777"), Some(511));
        assert_eq!(parse_int("0o777"), Some(511));
        assert_eq!(parse_int("0O17"), Some(15));
        assert_eq!(parse_int("0x1F"), Some(31));
        assert_eq!(parse_int("-0x1F"), Some(-31));
        assert_eq!(parse_int("0b101"), Some(5));
        assert_eq!(parse_int("+12"), Some(12));
        assert_eq!(parse_int("0"), Some(0));
        assert_eq!(parse_int("-0"), Some(0));
        assert_eq!(parse_int("08"), None);
        assert_eq!(parse_int("0x"), None);
        assert_eq!(parse_int("+"), None);
        assert_eq!(parse_int("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_int("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_int("9223372036854775808"), None);
        assert_eq!(parse_uint("9223372036854775808"), Some(1 << 63));
        assert_eq!(parse_uint("18446744073709551616"), None);
        assert_eq!(parse_uint("-1"), None);
    }

    #[test]
    fn yaml_float_grammar() {
        for ok in ["1.5", ".5", "+.5", "1.", "1e3", "1E+3", "-1.5e-3", "08"] {
            assert!(is_yaml_float(ok), "{ok}");
        }
        for bad in [".", "e3", "1e", "1.5.5", "0x1p3", "inf", "1_0", "+", ".e3"] {
            assert!(!is_yaml_float(bad), "{bad}");
        }
        assert_eq!(parse_float("1e400"), None);
        assert_eq!(parse_float("1e-400"), Some(0.0));
    }

    #[test]
    fn resolves_like_go_yaml_v3() {
        assert_eq!(v3("0777"), Ok((Kind::Int, Resolved::Int(511))));
        assert_eq!(v3("08"), Ok((Kind::Float, Resolved::Float(8.0))));
        assert_eq!(v3("1_000"), Ok((Kind::Int, Resolved::Int(1000))));
        assert_eq!(v3("1e3"), Ok((Kind::Float, Resolved::Float(1000.0))));
        assert_eq!(v3("yes"), Ok((Kind::Str, Resolved::Str("yes"))));
        assert_eq!(v3("1:30"), Ok((Kind::Str, Resolved::Str("1:30"))));
        assert_eq!(v3("1e400"), Ok((Kind::Str, Resolved::Str("1e400"))));
        assert_eq!(v3("._5"), Ok((Kind::Str, Resolved::Str("._5"))));
        assert_eq!(
            v3("12345678901234567890"),
            Ok((Kind::Int, Resolved::UInt(12_345_678_901_234_567_890)))
        );
        assert_eq!(v3("~"), Ok((Kind::Null, Resolved::Null)));
        assert_eq!(v3(""), Ok((Kind::Null, Resolved::Null)));
    }

    #[test]
    fn yaml_1_1_booleans_only_in_v2() {
        for t in ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"] {
            assert_eq!(
                resolve(Kind::Untagged, t, Schema::V2).map(|r| r.1),
                Ok(Resolved::Bool(true))
            );
            assert_eq!(v3(t).map(|r| r.1), Ok(Resolved::Str(t)));
        }
        for t in ["n", "N", "no", "No", "NO", "off", "Off", "OFF"] {
            assert_eq!(
                resolve(Kind::Untagged, t, Schema::V2).map(|r| r.1),
                Ok(Resolved::Bool(false))
            );
        }
        assert_eq!(
            resolve(Kind::Untagged, "2001-12-14", Schema::V2),
            Ok((Kind::Timestamp, Resolved::Str("2001-12-14")))
        );
    }

    #[test]
    fn explicit_tags_check_the_text() {
        assert_eq!(
            resolve(Kind::Float, "1", Schema::V3),
            Ok((Kind::Float, Resolved::Float(1.0)))
        );
        assert_eq!(
            resolve(Kind::Int, "abc", Schema::V3),
            Err("cannot decode !!str `abc` as a !!int".to_owned())
        );
        assert_eq!(
            resolve(Kind::Float, "9223372036854775808", Schema::V3),
            Err("cannot decode !!int `9223372036854775808` as a !!float".to_owned())
        );
        assert_eq!(
            resolve(Kind::Int, "", Schema::V3),
            Err("cannot decode !!null `` as a !!int".to_owned())
        );
        assert_eq!(
            resolve(Kind::Timestamp, "2001", Schema::V3),
            Err("cannot decode !!int `2001` as a !!timestamp".to_owned())
        );
        assert_eq!(
            resolve(Kind::Str, "123", Schema::V3),
            Ok((Kind::Str, Resolved::Str("123")))
        );
        assert_eq!(
            resolve(Kind::Other, "123", Schema::V3),
            Ok((Kind::Other, Resolved::Str("123")))
        );
    }

    #[test]
    fn base64_like_go() {
        assert_eq!(decode_base64("aGVsbG8="), Some(b"hello".to_vec()));
        assert_eq!(decode_base64("aGVs\nbG8=\n"), Some(b"hello".to_vec()));
        assert_eq!(decode_base64("aGk="), Some(b"hi".to_vec()));
        assert_eq!(decode_base64("aA=="), Some(b"h".to_vec()));
        assert_eq!(decode_base64(""), Some(Vec::new()));
        assert_eq!(decode_base64("aGVsbG8"), None);
        assert_eq!(decode_base64("aA==aGk="), None);
        assert_eq!(decode_base64("a==="), None);
        assert_eq!(decode_base64("aA=x"), None);
        assert_eq!(decode_base64("%%%="), None);
        assert_eq!(decode_base64("gA=="), Some(vec![0x80]));
    }

    #[test]
    fn invalid_utf8_becomes_replacement_per_byte() {
        assert_eq!(go_string_from_bytes(vec![0x80]), "\u{FFFD}");
        assert_eq!(
            go_string_from_bytes(vec![b'a', 0xE2, 0x82, b'b']),
            "a\u{FFFD}\u{FFFD}b"
        );
        assert_eq!(go_string_from_bytes("ok✓".as_bytes().to_vec()), "ok✓");
    }
}
