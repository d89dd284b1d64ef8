//! The parts of Go's `encoding/json` the JSON patch library leans on: the syntax checker
//! `json.Unmarshal` runs first (with its error texts), raw values (`json.RawMessage`),
//! string unquoting, `json.Compact` and the compaction `json.Marshal` applies to raw
//! messages (which escapes `<`, `>`, `&`, U+2028 and U+2029).
//!
//! Everything here but [`check_valid`] expects text that [`check_valid`] accepted.

/// `encoding/json`'s `maxNestingDepth`.
pub(super) const MAX_NESTING_DEPTH: usize = 10000;

/// What the Go scanner does with the next byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    BeginValueOrEmpty,
    BeginValue,
    BeginStringOrEmpty,
    BeginString,
    EndValue,
    EndTop,
    InString,
    InStringEsc,
    /// After `\u` and this many hex digits.
    InStringEscU(u8),
    Neg,
    One,
    Zero,
    Dot,
    Dot0,
    E,
    ESign,
    E0,
    /// Inside `true`, `false` or `null`, expecting byte `at` of the word next.
    Literal(&'static str, usize),
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Parse {
    ObjectKey,
    ObjectValue,
    ArrayValue,
}

/// Go's `scanner`, as `checkValid` drives it.
struct Scanner {
    step: State,
    parse: Vec<Parse>,
    end_top: bool,
    err: Option<String>,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Go's `quoteChar`: a byte as a quoted character literal (`'x'`, `'\n'`, `'\x00'`).
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => r"'\''".to_owned(),
        b'"' => "'\"'".to_owned(),
        _ => {
            // strconv.Quote(string(rune(c))), quotes swapped.
            let q = crate::go::strconv::quote(&char::from(c).to_string());
            let inner = q
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or(&q);
            format!("'{inner}'")
        }
    }
}

impl Scanner {
    fn new() -> Self {
        Scanner {
            step: State::BeginValue,
            parse: Vec::new(),
            end_top: false,
            err: None,
        }
    }

    /// Records a syntax error; returns `false` (the scan stops).
    fn error(&mut self, c: u8, context: &str) -> bool {
        self.step = State::Error;
        self.err = Some(format!("invalid character {} {context}", quote_char(c)));
        false
    }

    fn push(&mut self, c: u8, p: Parse) -> bool {
        self.parse.push(p);
        if self.parse.len() <= MAX_NESTING_DEPTH {
            true
        } else {
            self.error(c, "exceeded max depth")
        }
    }

    fn pop(&mut self) {
        self.parse.pop();
        if self.parse.is_empty() {
            self.step = State::EndTop;
            self.end_top = true;
        } else {
            self.step = State::EndValue;
        }
    }

    /// Feeds one byte; `false` on a syntax error.
    fn feed(&mut self, c: u8) -> bool {
        match self.step {
            State::BeginValueOrEmpty => {
                if is_space(c) {
                    return true;
                }
                if c == b']' {
                    return self.end_value(c);
                }
                self.begin_value(c)
            }
            State::BeginValue => self.begin_value(c),
            State::BeginStringOrEmpty => {
                if is_space(c) {
                    return true;
                }
                if c == b'}' {
                    if let Some(last) = self.parse.last_mut() {
                        *last = Parse::ObjectValue;
                    }
                    return self.end_value(c);
                }
                self.begin_string(c)
            }
            State::BeginString => self.begin_string(c),
            State::EndValue => self.end_value(c),
            State::EndTop => {
                if !is_space(c) {
                    // Go complains on the next call; checkValid sees it at eof at the
                    // latest.
                    self.error(c, "after top-level value");
                }
                true
            }
            State::InString => {
                if c == b'"' {
                    self.step = State::EndValue;
                    return true;
                }
                if c == b'\\' {
                    self.step = State::InStringEsc;
                    return true;
                }
                if c < 0x20 {
                    return self.error(c, "in string literal");
                }
                true
            }
            State::InStringEsc => match c {
                b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => {
                    self.step = State::InString;
                    true
                }
                b'u' => {
                    self.step = State::InStringEscU(0);
                    true
                }
                _ => self.error(c, "in string escape code"),
            },
            State::InStringEscU(n) => {
                if c.is_ascii_hexdigit() {
                    self.step = if n == 3 {
                        State::InString
                    } else {
                        State::InStringEscU(n + 1)
                    };
                    return true;
                }
                self.error(c, "in \\u hexadecimal character escape")
            }
            State::Neg => match c {
                b'0' => {
                    self.step = State::Zero;
                    true
                }
                b'1'..=b'9' => {
                    self.step = State::One;
                    true
                }
                _ => self.error(c, "in numeric literal"),
            },
            State::One => {
                if c.is_ascii_digit() {
                    return true;
                }
                self.zero(c)
            }
            State::Zero => self.zero(c),
            State::Dot => {
                if c.is_ascii_digit() {
                    self.step = State::Dot0;
                    return true;
                }
                self.error(c, "after decimal point in numeric literal")
            }
            State::Dot0 => {
                if c.is_ascii_digit() {
                    return true;
                }
                if c == b'e' || c == b'E' {
                    self.step = State::E;
                    return true;
                }
                self.end_value(c)
            }
            State::E => {
                if c == b'+' || c == b'-' {
                    self.step = State::ESign;
                    return true;
                }
                self.e_sign(c)
            }
            State::ESign => self.e_sign(c),
            State::E0 => {
                if c.is_ascii_digit() {
                    return true;
                }
                self.end_value(c)
            }
            State::Literal(word, at) => {
                let want = word.as_bytes().get(at).copied().unwrap_or(b'?');
                if c == want {
                    self.step = if at + 1 == word.len() {
                        State::EndValue
                    } else {
                        State::Literal(word, at + 1)
                    };
                    return true;
                }
                let ctx = format!("in literal {word} (expecting '{}')", char::from(want));
                self.error(c, &ctx)
            }
            State::Error => false,
        }
    }

    fn begin_value(&mut self, c: u8) -> bool {
        if is_space(c) {
            return true;
        }
        match c {
            b'{' => {
                self.step = State::BeginStringOrEmpty;
                self.push(c, Parse::ObjectKey)
            }
            b'[' => {
                self.step = State::BeginValueOrEmpty;
                self.push(c, Parse::ArrayValue)
            }
            b'"' => {
                self.step = State::InString;
                true
            }
            b'-' => {
                self.step = State::Neg;
                true
            }
            b'0' => {
                self.step = State::Zero;
                true
            }
            b't' => {
                self.step = State::Literal("true", 1);
                true
            }
            b'f' => {
                self.step = State::Literal("false", 1);
                true
            }
            b'n' => {
                self.step = State::Literal("null", 1);
                true
            }
            b'1'..=b'9' => {
                self.step = State::One;
                true
            }
            _ => self.error(c, "looking for beginning of value"),
        }
    }

    fn begin_string(&mut self, c: u8) -> bool {
        if is_space(c) {
            return true;
        }
        if c == b'"' {
            self.step = State::InString;
            return true;
        }
        self.error(c, "looking for beginning of object key string")
    }

    fn zero(&mut self, c: u8) -> bool {
        if c == b'.' {
            self.step = State::Dot;
            return true;
        }
        if c == b'e' || c == b'E' {
            self.step = State::E;
            return true;
        }
        self.end_value(c)
    }

    fn e_sign(&mut self, c: u8) -> bool {
        if c.is_ascii_digit() {
            self.step = State::E0;
            return true;
        }
        self.error(c, "in exponent of numeric literal")
    }

    fn end_value(&mut self, c: u8) -> bool {
        let Some(&ps) = self.parse.last() else {
            self.step = State::EndTop;
            self.end_top = true;
            return self.feed(c);
        };
        if is_space(c) {
            self.step = State::EndValue;
            return true;
        }
        match ps {
            Parse::ObjectKey => {
                if c == b':' {
                    if let Some(last) = self.parse.last_mut() {
                        *last = Parse::ObjectValue;
                    }
                    self.step = State::BeginValue;
                    return true;
                }
                self.error(c, "after object key")
            }
            Parse::ObjectValue => {
                if c == b',' {
                    if let Some(last) = self.parse.last_mut() {
                        *last = Parse::ObjectKey;
                    }
                    self.step = State::BeginString;
                    return true;
                }
                if c == b'}' {
                    self.pop();
                    return true;
                }
                self.error(c, "after object key:value pair")
            }
            Parse::ArrayValue => {
                if c == b',' {
                    self.step = State::BeginValue;
                    return true;
                }
                if c == b']' {
                    self.pop();
                    return true;
                }
                self.error(c, "after array element")
            }
        }
    }

    /// Go's `scanner.eof`.
    fn eof(&mut self) -> Result<(), String> {
        if let Some(e) = &self.err {
            return Err(e.clone());
        }
        if self.end_top {
            return Ok(());
        }
        self.feed(b' ');
        if self.end_top {
            return Ok(());
        }
        Err(self
            .err
            .clone()
            .unwrap_or_else(|| "unexpected end of JSON input".to_owned()))
    }
}

/// Go's `checkValid`: `Ok` when `data` is one JSON value (with surrounding space), else
/// the `SyntaxError` text (`invalid character 'x' looking for beginning of value`,
/// `unexpected end of JSON input`, ...).
pub(super) fn check_valid(data: &[u8]) -> Result<(), String> {
    let mut s = Scanner::new();
    for &c in data {
        if !s.feed(c) {
            return Err(s.err.unwrap_or_default());
        }
        if s.step == State::Error {
            // The complaint about a byte after the top-level value.
            return Err(s.err.unwrap_or_default());
        }
    }
    s.eof()
}

/// The JSON type of a (valid) raw value as Go names it in `cannot unmarshal X into ...`.
pub(super) fn kind_of(raw: &str) -> &'static str {
    match raw.as_bytes().first() {
        Some(b'{') => "object",
        Some(b'[') => "array",
        Some(b'"') => "string",
        Some(b't' | b'f') => "bool",
        Some(b'n') => "null",
        _ => "number",
    }
}

fn skip_space(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|&c| is_space(c)) {
        i += 1;
    }
    i
}

/// The end of the string literal starting at `i` (just past its closing quote).
fn string_end(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while let Some(&c) = b.get(j) {
        match c {
            b'"' => return j + 1,
            b'\\' => j += 2,
            _ => j += 1,
        }
    }
    b.len()
}

/// The end of the value starting at `i` (no recursion: brackets are counted).
fn value_end(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(b'"') => string_end(b, i),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while let Some(&c) = b.get(j) {
                match c {
                    b'"' => {
                        j = string_end(b, j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            b.len()
        }
        _ => {
            let mut j = i;
            while b
                .get(j)
                .is_some_and(|&c| !matches!(c, b',' | b']' | b'}' | b':') && !is_space(c))
            {
                j += 1;
            }
            j
        }
    }
}

/// The raw text of a whole (valid) document, without surrounding space.
pub(super) fn trim(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_ascii() && is_space(c as u8))
}

/// The members of a (valid) object literal: unquoted keys and raw values, in order
/// (duplicates kept; Go's decoding into a map keeps the last).
pub(super) fn object_members(text: &str) -> Vec<(String, &str)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = skip_space(b, 1);
    while let Some(&c) = b.get(i) {
        if c != b'"' {
            break;
        }
        let kend = string_end(b, i);
        let key = unquote(text.get(i..kend).unwrap_or(""));
        i = skip_space(b, kend);
        i = skip_space(b, i + 1); // ':'
        let vend = value_end(b, i);
        out.push((key, text.get(i..vend).unwrap_or("")));
        i = skip_space(b, vend);
        if b.get(i) == Some(&b',') {
            i = skip_space(b, i + 1);
        }
    }
    out
}

/// The raw elements of a (valid) array literal.
pub(super) fn array_items(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = skip_space(b, 1);
    while let Some(&c) = b.get(i) {
        if c == b']' {
            break;
        }
        let vend = value_end(b, i);
        out.push(text.get(i..vend).unwrap_or(""));
        i = skip_space(b, vend);
        if b.get(i) == Some(&b',') {
            i = skip_space(b, i + 1);
        }
    }
    out
}

fn hex4(b: &[u8]) -> Option<u32> {
    let s = std::str::from_utf8(b.get(..4)?).ok()?;
    if !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// Go's `unquote` of a (valid) string literal: escapes decoded, a `\u` surrogate that
/// does not pair becomes U+FFFD.
pub(super) fn unquote(lit: &str) -> String {
    let inner = lit
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(lit);
    if !inner.contains('\\') {
        return inner.to_owned();
    }
    let b = inner.as_bytes();
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    let mut start = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        out.push_str(inner.get(start..i).unwrap_or(""));
        let esc = b.get(i + 1).copied().unwrap_or(b'\\');
        i += 2;
        match esc {
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let r = hex4(b.get(i..).unwrap_or(&[])).unwrap_or(0xFFFD);
                i += 4;
                let c = if (0xD800..0xE000).contains(&r) {
                    // A surrogate: only a high one followed by an escaped low one pairs.
                    let low = (b.get(i) == Some(&b'\\') && b.get(i + 1) == Some(&b'u'))
                        .then(|| hex4(b.get(i + 2..).unwrap_or(&[])))
                        .flatten();
                    match low {
                        Some(lo) if r < 0xDC00 && (0xDC00..0xE000).contains(&lo) => {
                            i += 6;
                            char::from_u32(0x10000 + ((r - 0xD800) << 10) + (lo - 0xDC00))
                        }
                        _ => None,
                    }
                } else {
                    char::from_u32(r)
                };
                out.push(c.unwrap_or('\u{FFFD}'));
            }
            other => out.push(char::from(other)),
        }
        start = i;
    }
    out.push_str(inner.get(start..).unwrap_or(""));
    out
}

/// `json.Compact` (`escape` false) or the compaction `json.Marshal` applies to a raw
/// message (`escape` true: `<`, `>`, `&`, U+2028 and U+2029 escaped) of valid JSON.
pub(super) fn compact(text: &str, escape: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else if c.is_ascii() && is_space(c as u8) {
            continue;
        }
        match c {
            '<' | '>' | '&' if escape => out.push_str(&format!("\\u00{:x}", c as u32)),
            '\u{2028}' | '\u{2029}' if escape => out.push_str(&format!("\\u{:x}", c as u32)),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_as_go_words_them() {
        for (text, want) in [
            ("", "unexpected end of JSON input"),
            ("[", "unexpected end of JSON input"),
            (
                "[1,]",
                "invalid character ']' looking for beginning of value",
            ),
            (
                "{a:1}",
                "invalid character 'a' looking for beginning of object key string",
            ),
            ("{\"a\" 1}", "invalid character '1' after object key"),
            (
                "{\"a\":1 2}",
                "invalid character '2' after object key:value pair",
            ),
            ("[1 2]", "invalid character '2' after array element"),
            ("[1] x", "invalid character 'x' after top-level value"),
            ("[1]x", "invalid character 'x' after top-level value"),
            ("\"a\nb\"", "invalid character '\\n' in string literal"),
            ("\"\\x\"", "invalid character 'x' in string escape code"),
            (
                "\"\\u12g4\"",
                "invalid character 'g' in \\u hexadecimal character escape",
            ),
            ("-x", "invalid character 'x' in numeric literal"),
            (
                "1.x",
                "invalid character 'x' after decimal point in numeric literal",
            ),
            (
                "1ex",
                "invalid character 'x' in exponent of numeric literal",
            ),
            ("01", "invalid character '1' after top-level value"),
            (
                "tru",
                "invalid character ' ' in literal true (expecting 'e')",
            ),
            (
                "trux",
                "invalid character 'x' in literal true (expecting 'e')",
            ),
            (
                "nul",
                "invalid character ' ' in literal null (expecting 'l')",
            ),
            ("-", "invalid character ' ' in numeric literal"),
            (
                "1.",
                "invalid character ' ' after decimal point in numeric literal",
            ),
            ("1e", "invalid character ' ' in exponent of numeric literal"),
            (
                "fals e",
                "invalid character ' ' in literal false (expecting 'e')",
            ),
            (
                "'a'",
                "invalid character '\\'' looking for beginning of value",
            ),
            (
                "[\u{1}]",
                "invalid character '\\x01' looking for beginning of value",
            ),
            (
                "[\u{e9}]",
                "invalid character 'Ã' looking for beginning of value",
            ),
        ] {
            assert_eq!(
                check_valid(text.as_bytes()),
                Err(want.to_owned()),
                "{text:?}"
            );
        }
        assert_eq!(check_valid(b" [1, {\"a\": [true, null]}] \n"), Ok(()));
        let deep = "[".repeat(MAX_NESTING_DEPTH + 1);
        assert_eq!(
            check_valid(deep.as_bytes()),
            Err("invalid character '[' exceeded max depth".to_owned())
        );
    }

    #[test]
    fn raw_members_unquote_compact() {
        let text = r#"{ "a" : [1, "x,]"] , "b\u0041": {"c": null}, "a": 2 }"#;
        assert_eq!(
            object_members(text),
            vec![
                ("a".to_owned(), r#"[1, "x,]"]"#),
                ("bA".to_owned(), r#"{"c": null}"#),
                ("a".to_owned(), "2")
            ]
        );
        assert_eq!(
            array_items(r#"[ 1 , "]" ,{}, [ ] ]"#),
            vec!["1", "\"]\"", "{}", "[ ]"]
        );
        assert_eq!(array_items("[ ]"), Vec::<&str>::new());
        assert_eq!(
            unquote(r#""\ud83d\ude00 \ud800x \udc00 \/\n""#),
            "😀 \u{fffd}x \u{fffd} /\n"
        );
        assert_eq!(
            compact("{ \"a <\\\" &\" : [ 1 ] }", false),
            "{\"a <\\\" &\":[1]}"
        );
        assert_eq!(
            compact("{ \"a <\\\" &\u{2028}\" : [ 1 ] }", true),
            "{\"a \\u003c\\\" \\u0026\\u2028\":[1]}"
        );
    }
}
