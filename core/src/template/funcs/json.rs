//! Go's `encoding/json` for template values: `Marshal` (sorted keys, HTML escaping,
//! Go float format) and `Unmarshal` into `interface{}` (numbers are float64).

use std::collections::BTreeMap;

use crate::go::strconv;
use crate::template::value::{MapKind, Val};

/// Marshal options.
#[derive(Clone, Copy)]
pub(crate) struct Opts {
    pub escape_html: bool,
    pub indent: bool,
}

/// `json.Marshal` (or `MarshalIndent(v, "", "  ")`).
pub(crate) fn marshal(v: &Val, o: Opts) -> Result<String, String> {
    let mut out = String::new();
    enc(&mut out, v, o, 0)?;
    Ok(out)
}

fn enc_str(out: &mut String, st: &str, o: Opts) {
    let bytes = super::gostr_to_bytes(st);
    out.push('"');
    let mut i = 0;
    while i < bytes.len() {
        let (c, w) = strconv::decode_rune(&bytes[i..]);
        if c == '\u{FFFD}' && w == 1 {
            out.push_str("\\ufffd");
            i += 1;
            continue;
        }
        i += w;
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '<' | '>' | '&' if o.escape_html => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn newline(out: &mut String, o: Opts, depth: usize) {
    if o.indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
}

fn enc(out: &mut String, v: &Val, o: Opts, depth: usize) -> Result<(), String> {
    if depth > 1000 {
        return Err("json: unsupported value: encountered a cycle".into());
    }
    match v {
        Val::Missing | Val::Nil => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Int(i) | Val::Int64(i) | Val::Enum(_, i, _) => out.push_str(&i.to_string()),
        Val::Uint8(u) => out.push_str(&u.to_string()),
        Val::Uint64(u) => out.push_str(&u.to_string()),
        Val::Float(f) => {
            if !f.is_finite() {
                return Err(format!(
                    "json: unsupported value: {}",
                    strconv::format_float(*f, 'g', -1)
                ));
            }
            out.push_str(&strconv::json_float(*f));
        }
        Val::Complex(..) => return Err("json: unsupported type: complex128".into()),
        Val::Str(s) => enc_str(out, s, o),
        Val::Bytes(b) => {
            out.push('"');
            out.push_str(&super::encoding::b64enc(b));
            out.push('"');
        }
        Val::Time(t) => {
            let text = crate::template::value::time_json(t)
                .map_err(|e| format!("json: error calling MarshalJSON for type time.Time: {e}"))?;
            out.push('"');
            out.push_str(&text);
            out.push('"');
        }
        Val::Semver(s) => enc_str(out, &s.to_string(), o),
        Val::List(l) => {
            if l.items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, x) in l.items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, o, depth + 1);
                enc(out, x, o, depth + 1)?;
            }
            newline(out, o, depth);
            out.push(']');
        }
        Val::Map(m) if m.nil => out.push_str("null"),
        Val::Map(m) => {
            let entries = m.entries.borrow();
            if entries.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, x)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, o, depth + 1);
                enc_str(out, k, o);
                out.push(':');
                if o.indent {
                    out.push(' ');
                }
                if m.kind == MapKind::Files
                    && let Val::Str(s) = x
                {
                    let b = super::gostr_to_bytes(s);
                    enc(out, &Val::Bytes(b.into()), o, depth + 1)?;
                    continue;
                }
                enc(out, x, o, depth + 1)?;
            }
            newline(out, o, depth);
            out.push('}');
        }
        Val::Struct(s) => {
            out.push('{');
            let fields = s.json_fields();
            for (i, (k, x)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, o, depth + 1);
                enc_str(out, k, o);
                out.push(':');
                if o.indent {
                    out.push(' ');
                }
                enc(out, x, o, depth + 1)?;
            }
            if !fields.is_empty() {
                newline(out, o, depth);
            }
            out.push('}');
        }
    }
    Ok(())
}

/// `json.Unmarshal` into `interface{}`.
pub(crate) fn unmarshal(text: &str) -> Result<Val, String> {
    let b = text.as_bytes();
    let mut p = P { b, i: 0 };
    p.ws();
    if p.i >= b.len() {
        return Err("unexpected end of JSON input".into());
    }
    let v = p.value(0)?;
    p.ws();
    if p.i < b.len() {
        return Err(format!(
            "invalid character {} after top-level value",
            quote_char(b[p.i])
        ));
    }
    Ok(v)
}

fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        c if (0x20..0x7f).contains(&c) => format!("'{}'", c as char),
        c => format!("'\\x{c:02x}'"),
    }
}

struct P<'a> {
    b: &'a [u8],
    i: usize,
}

impl P<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn eof(&self) -> String {
        "unexpected end of JSON input".into()
    }

    fn value(&mut self, depth: usize) -> Result<Val, String> {
        if depth > 10000 {
            return Err("exceeded max depth".into());
        }
        self.ws();
        let Some(&c) = self.b.get(self.i) else {
            return Err(self.eof());
        };
        match c {
            b'{' => {
                self.i += 1;
                let mut m = BTreeMap::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Val::dict(m));
                }
                loop {
                    self.ws();
                    match self.b.get(self.i) {
                        None => return Err(self.eof()),
                        Some(b'"') => {}
                        Some(&c) => {
                            return Err(format!(
                                "invalid character {} looking for beginning of object key string",
                                quote_char(c)
                            ));
                        }
                    }
                    let k = self.string()?;
                    self.ws();
                    match self.b.get(self.i) {
                        None => return Err(self.eof()),
                        Some(b':') => self.i += 1,
                        Some(&c) => {
                            return Err(format!(
                                "invalid character {} after object key",
                                quote_char(c)
                            ));
                        }
                    }
                    let v = self.value(depth + 1)?;
                    m.insert(k, v);
                    self.ws();
                    match self.b.get(self.i) {
                        None => return Err(self.eof()),
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Val::dict(m));
                        }
                        Some(&c) => {
                            return Err(format!(
                                "invalid character {} after object key:value pair",
                                quote_char(c)
                            ));
                        }
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut v = vec![];
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Val::list(v));
                }
                loop {
                    v.push(self.value(depth + 1)?);
                    self.ws();
                    match self.b.get(self.i) {
                        None => return Err(self.eof()),
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Val::list(v));
                        }
                        Some(&c) => {
                            return Err(format!(
                                "invalid character {} after array element",
                                quote_char(c)
                            ));
                        }
                    }
                }
            }
            b'"' => Ok(Val::str(self.string()?)),
            b't' => self.lit("true", Val::Bool(true)),
            b'f' => self.lit("false", Val::Bool(false)),
            b'n' => self.lit("null", Val::Nil),
            b'-' | b'0'..=b'9' => self.number(),
            c => Err(format!(
                "invalid character {} looking for beginning of value",
                quote_char(c)
            )),
        }
    }

    fn lit(&mut self, word: &str, v: Val) -> Result<Val, String> {
        for (k, w) in word.bytes().enumerate() {
            match self.b.get(self.i + k) {
                None => return Err(self.eof()),
                Some(&c) if c != w => {
                    return Err(format!(
                        "invalid character {} in literal {} (expecting {})",
                        quote_char(c),
                        word,
                        quote_char(w)
                    ));
                }
                _ => {}
            }
        }
        self.i += word.len();
        Ok(v)
    }

    fn number(&mut self) -> Result<Val, String> {
        let start = self.i;
        if self.b[self.i] == b'-' {
            self.i += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.i < p.b.len() && p.b[p.i].is_ascii_digit() {
                p.i += 1;
            }
            p.i - s
        };
        match self.b.get(self.i) {
            None => return Err(self.eof()),
            Some(b'0') => self.i += 1,
            Some(c) if c.is_ascii_digit() => {
                digits(self);
            }
            Some(&c) => {
                return Err(format!(
                    "invalid character {} in numeric literal",
                    quote_char(c)
                ));
            }
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return match self.b.get(self.i) {
                    None => Err(self.eof()),
                    Some(&c) => Err(format!(
                        "invalid character {} after decimal point in numeric literal",
                        quote_char(c)
                    )),
                };
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return match self.b.get(self.i) {
                    None => Err(self.eof()),
                    Some(&c) => Err(format!(
                        "invalid character {} in exponent of numeric literal",
                        quote_char(c)
                    )),
                };
            }
        }
        let text = std::str::from_utf8(&self.b[start..self.i]).unwrap_or("0");
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Val::Float(f)),
            _ => Err(format!(
                "json: cannot unmarshal number {text} into Go value of type float64"
            )),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.i += 1; // opening quote
        let mut out: Vec<u8> = vec![];
        loop {
            let Some(&c) = self.b.get(self.i) else {
                return Err(self.eof());
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(super::bytes_to_gostr(&out));
                }
                b'\\' => {
                    self.i += 1;
                    let Some(&e) = self.b.get(self.i) else {
                        return Err(self.eof());
                    };
                    self.i += 1;
                    match e {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let mut cp = self.hex4()?;
                            if (0xD800..0xDC00).contains(&cp)
                                && self.b.get(self.i) == Some(&b'\\')
                                && self.b.get(self.i + 1) == Some(&b'u')
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                } else {
                                    self.i = save;
                                }
                            }
                            let ch = char::from_u32(cp).unwrap_or('\u{FFFD}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        c => {
                            return Err(format!(
                                "invalid character {} in string escape code",
                                quote_char(c)
                            ));
                        }
                    }
                }
                c if c < 0x20 => {
                    return Err(format!(
                        "invalid character {} in string literal",
                        quote_char(c)
                    ));
                }
                c => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        if self.i + 4 > self.b.len() {
            return Err(self.eof());
        }
        let s = std::str::from_utf8(&self.b[self.i..self.i + 4]).map_err(|e| e.to_string())?;
        let v = u32::from_str_radix(s, 16)
            .map_err(|_| "invalid character in \\u hexadecimal character escape".to_string())?;
        self.i += 4;
        Ok(v)
    }
}
