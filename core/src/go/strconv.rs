//! Go's `strconv` pieces the engines need: quoting and unquoting (`Quote`, `QuoteRune`,
//! `Unquote`, `%U`), number literal parsing as Go's parser and `ParseInt`/`ParseFloat`
//! read them, and `FormatFloat` for the `e E f F g G` verbs.

/// Go's `strconv.IsPrint` (= `unicode.IsPrint`).
pub(crate) fn is_print(c: char) -> bool {
    super::unicode::is_print(c)
}

/// Go's `strconv.Quote`.
pub(crate) fn quote(s: &str) -> String {
    quote_with(s.as_bytes(), '"', false)
}

/// Quotes bytes the way Go does (invalid UTF-8 bytes become `\xNN`).
pub(crate) fn quote_with(b: &[u8], q: char, ascii: bool) -> String {
    let mut out = String::with_capacity(b.len() + 2);
    out.push(q);
    let mut i = 0;
    while i < b.len() {
        let (c, w) = decode_rune(&b[i..]);
        if c == '\u{FFFD}' && w == 1 {
            out.push_str(&format!("\\x{:02x}", b[i]));
            i += 1;
            continue;
        }
        i += w;
        append_escaped_rune(&mut out, c, q, ascii);
    }
    out.push(q);
    out
}

fn append_escaped_rune(out: &mut String, c: char, q: char, ascii: bool) {
    if c == q || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if ascii {
        if c.is_ascii() && is_print(c) {
            out.push(c);
            return;
        }
    } else if is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => {
            out.push_str(&format!("\\x{:02x}", c as u32));
        }
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// Decodes one UTF-8 rune; invalid input gives (U+FFFD, 1).
pub(crate) fn decode_rune(b: &[u8]) -> (char, usize) {
    if b.is_empty() {
        return ('\u{FFFD}', 0);
    }
    let n = match b[0] {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return ('\u{FFFD}', 1),
    };
    if b.len() < n {
        return ('\u{FFFD}', 1);
    }
    match std::str::from_utf8(&b[..n]) {
        Ok(s) => match s.chars().next() {
            Some(c) => (c, n),
            None => ('\u{FFFD}', 1),
        },
        Err(_) => ('\u{FFFD}', 1),
    }
}

/// `%#U` of a rune: `U+0041 'A'`.
pub(crate) fn sharp_u(c: char) -> String {
    if is_print(c) {
        format!("U+{:04X} '{}'", c as u32, c)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

/// Go's `strconv.UnquoteChar`: decodes one (possibly escaped) character.
pub(crate) fn unquote_char(s: &str, quote: char) -> Result<(char, &str), String> {
    let bad = || "invalid syntax".to_string();
    let mut it = s.chars();
    let c = it.next().ok_or_else(bad)?;
    if c == quote && (quote == '\'' || quote == '"') {
        return Err(bad());
    }
    if c != '\\' {
        return Ok((c, it.as_str()));
    }
    let e = it.next().ok_or_else(bad)?;
    let rest = it.as_str();
    let simple = match e {
        'a' => Some('\x07'),
        'b' => Some('\x08'),
        'f' => Some('\x0c'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\x0b'),
        '\\' => Some('\\'),
        '\'' | '"' => {
            if e != quote {
                return Err(bad());
            }
            Some(e)
        }
        _ => None,
    };
    if let Some(c) = simple {
        return Ok((c, rest));
    }
    let hexn = match e {
        'x' => 2,
        'u' => 4,
        'U' => 8,
        '0'..='7' => {
            if rest.len() < 2 || !rest.is_char_boundary(2) {
                return Err(bad());
            }
            let digits = format!("{}{}", e, &rest[..2]);
            let v = u32::from_str_radix(&digits, 8).map_err(|_| bad())?;
            if v > 255 {
                return Err(bad());
            }
            let c = char::from_u32(v).ok_or_else(bad)?;
            return Ok((c, &rest[2..]));
        }
        _ => return Err(bad()),
    };
    if rest.len() < hexn || !rest.is_char_boundary(hexn) {
        return Err(bad());
    }
    let v = u32::from_str_radix(&rest[..hexn], 16).map_err(|_| bad())?;
    let c = char::from_u32(v).ok_or_else(bad)?;
    Ok((c, &rest[hexn..]))
}

/// Go's `strconv.Unquote` for `"…"`, `` `…` `` and `'…'`. Note: `\x` escapes above
/// 0x7f produce the code point, not a raw byte (good enough for template names and
/// strings).
pub(crate) fn unquote(s: &str) -> Result<String, String> {
    let bad = || "invalid syntax".to_string();
    if s.len() < 2 {
        return Err(bad());
    }
    let q = s.as_bytes()[0];
    if q != s.as_bytes()[s.len() - 1] {
        return Err(bad());
    }
    let body = &s[1..s.len() - 1];
    match q {
        b'`' => {
            if body.contains('`') {
                return Err(bad());
            }
            Ok(body.replace('\r', ""))
        }
        b'"' | b'\'' => {
            let quote = q as char;
            let mut out = String::new();
            let mut rest = body;
            while !rest.is_empty() {
                let (c, r) = unquote_char(rest, quote)?;
                out.push(c);
                rest = r;
                if quote == '\'' && !rest.is_empty() {
                    return Err(bad());
                }
            }
            Ok(out)
        }
        _ => Err(bad()),
    }
}

fn strip_underscores(s: &str, base_prefixed: bool) -> Option<String> {
    if !s.contains('_') {
        return Some(s.to_string());
    }
    if !base_prefixed {
        // Underscores are only allowed with base 0 and a valid literal.
    }
    // Validate: underscores must separate digits (Go's underscoreOK).
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    if !b.is_empty() && (b[0] == b'-' || b[0] == b'+') {
        i = 1;
    }
    let mut hex = false;
    if b.len() - i >= 2 && b[i] == b'0' {
        let c = b[i + 1].to_ascii_lowercase();
        if c == b'x' || c == b'o' || c == b'b' {
            hex = c == b'x';
            i += 2;
            saw = b'0';
        }
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return None;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return None;
            }
            saw = b'!';
        }
        i += 1;
    }
    if saw == b'_' {
        return None;
    }
    Some(s.replace('_', ""))
}

/// Go's `strconv.ParseUint(s, 0, 64)`.
pub(crate) fn parse_go_uint(s: &str) -> Option<u64> {
    if s.starts_with(['+', '-']) {
        return None;
    }
    let s = strip_underscores(s, true)?;
    let (digits, radix) = split_base(&s);
    if digits.is_empty() {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

fn split_base(s: &str) -> (&str, u32) {
    let l = s.to_ascii_lowercase();
    if l.starts_with("0x") {
        (&s[2..], 16)
    } else if l.starts_with("0o") {
        (&s[2..], 8)
    } else if l.starts_with("0b") {
        (&s[2..], 2)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
pub(crate) fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let u = parse_go_uint(body)?;
    if neg {
        if u > (i64::MAX as u64) + 1 {
            return None;
        }
        Some((u as i64).wrapping_neg())
    } else {
        i64::try_from(u).ok()
    }
}

/// Go's `strconv.ParseInt(s, base, 64)` for an explicit base (no prefixes, no underscores).
pub(crate) fn parse_int_base(s: &str, base: u32) -> Option<i64> {
    if s.is_empty() || s.contains('_') || s.starts_with('+') && s.len() == 1 {
        return None;
    }
    i64::from_str_radix(s, base).ok()
}

/// Go's `strconv.ParseFloat(s, 64)` (decimal and hex forms, underscores, inf/nan).
pub(crate) fn parse_go_float(s: &str) -> Option<f64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let v = match lower.as_str() {
        "inf" | "infinity" => Some(f64::INFINITY),
        "nan" => Some(f64::NAN),
        _ => {
            let clean = if body.contains('_') {
                strip_underscores(body, true)?
            } else {
                body.to_string()
            };
            if clean.len() > 2 && clean[..2].eq_ignore_ascii_case("0x") {
                parse_hex_float(&clean[2..])
            } else {
                if clean.is_empty()
                    || !clean.bytes().all(|c| {
                        c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-')
                    })
                {
                    return None;
                }
                if !clean.bytes().any(|c| c.is_ascii_digit()) {
                    return None;
                }
                clean.parse::<f64>().ok()
            }
        }
    }?;
    Some(if neg { -v } else { v })
}

fn parse_hex_float(s: &str) -> Option<f64> {
    let (mant, exp) = match s.find(['p', 'P']) {
        Some(i) => (&s[..i], s[i + 1..].parse::<i32>().ok()?),
        None => (s, 0),
    };
    let (ip, fp) = match mant.find('.') {
        Some(i) => (&mant[..i], &mant[i + 1..]),
        None => (mant, ""),
    };
    if ip.is_empty() && fp.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in ip.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in fp.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    Some(v * 2f64.powi(exp))
}

/// Decimal digits of a float: `0.d1d2d3… × 10^dp`.
struct Digits {
    d: Vec<u8>,
    dp: i32,
}

fn shortest_digits(f: f64) -> Digits {
    let s = format!("{:e}", f.abs());
    digits_from_exp(&s)
}

fn digits_from_exp(s: &str) -> Digits {
    let (m, e) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i32 = e.parse().unwrap_or(0);
    let d: Vec<u8> = m.bytes().filter(|c| c.is_ascii_digit()).collect();
    if d.iter().all(|&c| c == b'0') {
        return Digits { d: vec![], dp: 0 };
    }
    // strip trailing zeros
    let mut d = d;
    while d.last() == Some(&b'0') {
        d.pop();
    }
    Digits { d, dp: exp + 1 }
}

fn fixed_sig_digits(f: f64, n: usize) -> Digits {
    // n significant digits, correctly rounded.
    let s = format!("{:.*e}", n.saturating_sub(1), f.abs());
    digits_from_exp(&s)
}

fn fmt_e(neg: bool, d: &Digits, prec: i32, fmt: char) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let first = d.d.first().copied().unwrap_or(b'0');
    out.push(first as char);
    if prec > 0 {
        out.push('.');
        let mut i = 1usize;
        let m = (d.d.len()).min(prec as usize + 1);
        if i < m {
            out.push_str(std::str::from_utf8(&d.d[i..m]).unwrap_or(""));
            i = m;
        }
        while i <= prec as usize {
            out.push('0');
            i += 1;
        }
    }
    out.push(fmt);
    let mut exp = d.dp - 1;
    if d.d.is_empty() {
        exp = 0;
    }
    if exp < 0 {
        out.push('-');
        exp = -exp;
    } else {
        out.push('+');
    }
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
    out
}

fn fmt_f(neg: bool, d: &Digits, prec: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if d.dp > 0 {
        let m = (d.d.len()).min(d.dp as usize);
        out.push_str(std::str::from_utf8(&d.d[..m]).unwrap_or(""));
        for _ in m..d.dp as usize {
            out.push('0');
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            let j = d.dp + i - 1;
            let c = if j >= 0 && (j as usize) < d.d.len() {
                d.d[j as usize]
            } else {
                b'0'
            };
            out.push(c as char);
        }
    }
    out
}

/// Go's `strconv.FormatFloat(f, fmt, prec, 64)` for fmt in `e E f F g G`.
pub(crate) fn format_float(f: f64, fmt: char, prec: i32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let neg = f.is_sign_negative();
    let shortest = prec < 0;
    let mut prec = prec;
    let digs;
    if shortest {
        digs = shortest_digits(f);
        prec = match fmt {
            'e' | 'E' => (digs.d.len() as i32 - 1).max(0),
            'f' | 'F' => (digs.d.len() as i32 - digs.dp).max(0),
            _ => digs.d.len() as i32,
        };
    } else {
        match fmt {
            'e' | 'E' => digs = fixed_sig_digits(f, prec as usize + 1),
            'f' | 'F' => {
                let s = format!("{:.*}", prec as usize, f.abs());
                let (ip, fp) = s.split_once('.').unwrap_or((&s, ""));
                let mut all: Vec<u8> = ip.bytes().chain(fp.bytes()).collect();
                let mut dp = ip.len() as i32;
                while all.first() == Some(&b'0') {
                    all.remove(0);
                    dp -= 1;
                }
                while all.last() == Some(&b'0') {
                    all.pop();
                }
                if all.is_empty() {
                    dp = 0;
                }
                digs = Digits { d: all, dp };
            }
            _ => {
                if prec == 0 {
                    prec = 1;
                }
                digs = fixed_sig_digits(f, prec as usize);
            }
        }
    }
    match fmt {
        'e' | 'E' => fmt_e(neg, &digs, prec, fmt),
        'f' | 'F' => fmt_f(neg, &digs, prec),
        _ => {
            let mut eprec = prec;
            let nd = digs.d.len() as i32;
            if eprec > nd && nd >= digs.dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = digs.dp - 1;
            let e = if fmt == 'G' { 'E' } else { 'e' };
            if digs.d.is_empty() {
                // zero
                return if neg { "-0".into() } else { "0".into() };
            }
            if exp < -4 || exp >= eprec {
                let mut p = prec;
                if p > nd {
                    p = nd;
                }
                return fmt_e(neg, &digs, p - 1, e);
            }
            let mut p = prec;
            if p > digs.dp {
                p = nd;
            }
            fmt_f(neg, &digs, (p - digs.dp).max(0))
        }
    }
}

/// `%v` of a float64 (strconv 'g', shortest).
pub(crate) fn float_v(f: f64) -> String {
    format_float(f, 'g', -1)
}

/// encoding/json's float formatting.
pub(crate) fn json_float(f: f64) -> String {
    let abs = f.abs();
    let mut fmt = 'f';
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        fmt = 'e';
    }
    let mut s = format_float(f, fmt, -1);
    if fmt == 'e' {
        // clean up e-09 to e-9
        let n = s.len();
        if n >= 4
            && s.as_bytes()[n - 4] == b'e'
            && s.as_bytes()[n - 3] == b'-'
            && s.as_bytes()[n - 2] == b'0'
        {
            s.remove(n - 2);
        }
    }
    s
}

#[cfg(test)]
mod fuzz_regressions {
    /// An octal escape followed by a multi-byte character (found by `cargo fuzz`).
    #[test]
    fn octal_escape_before_multibyte_char() {
        assert!(super::unquote("\"\\0\u{fffd}00\"").is_err());
        assert!(super::unquote("\"\\0é\"").is_err());
        assert_eq!(super::unquote("\"\\101\"").as_deref(), Ok("A"));
    }
}
