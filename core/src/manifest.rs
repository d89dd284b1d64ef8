//! Manifests read as Flux reads them: `k8s.io/apimachinery/pkg/util/yaml.NewYAMLOrJSONDecoder`
//! (apimachinery v0.30) decoding each document into an `unstructured.Unstructured`.
//!
//! * A text whose first non-space character (within its first 2,048 bytes) is `{` is a JSON
//!   stream (Go's `json.Decoder`: values one after the other); anything else is YAML.
//! * YAML is cut into documents at lines starting with `---` (only spaces or a comment may
//!   follow; anything else is `invalid Yaml document separator`), and each document is read
//!   by `sigs.k8s.io/yaml` (go-yaml v2, YAML 1.1 scalars: `yes`/`on`/`y` are booleans), printed
//!   as JSON and read back.
//! * Numbers are then what `k8s.io/apimachinery/pkg/util/json` makes of the JSON text: an
//!   `int64` when the text is an integer without fraction or exponent that fits, else a
//!   `float64`. So YAML `3.0` becomes the integer 3, while `3.0` in a JSON stream stays a float.
//! * Empty documents (`null`, comments only) are skipped; every other document must be a
//!   mapping whose `kind` is a non-empty string (and whose `apiVersion` has at most one `/`),
//!   as `unstructured.UnstructuredJSONScheme` requires.
//!
//! ```
//! use gitward::manifest::read_manifests;
//! use gitward::yaml::{Number, Value};
//! let objs = read_manifests("kind: A\nnum: 3.0\nb: yes\n---\n# empty\n---\nkind: B\n")?;
//! assert_eq!(objs.len(), 2);
//! assert_eq!(objs[0].get("num"), Some(&Value::Number(Number::Int(3))));
//! // YAML 1.1: the key `n` is the boolean false, which becomes the key "false".
//! assert_eq!(read_manifests("kind: A\nn: 1\n")?[0].get("false"), Some(&Value::Number(Number::Int(1))));
//! assert_eq!(objs[0].get("b"), Some(&Value::Bool(true)));
//! let json = read_manifests(r#"{"kind": "A", "n": 3.0} {"kind": "B"}"#)?;
//! assert_eq!(json[0].get("n"), Some(&Value::Number(Number::Float(3.0))));
//! # Ok::<(), gitward::manifest::ManifestError>(())
//! ```

use crate::yaml::{Map, Number, Value, YamlError};

/// How far into the text the decoder looks for a leading `{` (Flux passes 2048).
const SNIFF_BYTES: usize = 2048;
/// `encoding/json`'s nesting limit.
const MAX_JSON_DEPTH: usize = 10_000;

/// Why a manifest stream could not be read. `Display` words it as the Go decoder does
/// (the document number is not part of Go's message).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// A line starting with `---` has something other than a comment after it.
    #[error("invalid Yaml document separator: {0}")]
    Separator(String),
    /// A YAML document does not parse (go-yaml's words).
    #[error("error converting YAML to JSON: {0}")]
    Yaml(String),
    /// A JSON stream does not parse.
    #[error("json: offset {offset}: {message}")]
    Json {
        /// Byte offset in the text.
        offset: usize,
        /// What is wrong.
        message: String,
    },
    /// A document is not a mapping (`json: cannot unmarshal string into Go value of type
    /// map[string]interface {}`).
    #[error("json: cannot unmarshal {found} into Go value of type map[string]interface {{}}")]
    NotAnObject {
        /// The JSON type found (`string`, `array`, `number`, `bool`).
        found: &'static str,
    },
    /// A value JSON cannot hold (`.inf`, `.nan`).
    #[error("error converting YAML to JSON: json: unsupported value: {0}")]
    Unsupported(String),
    /// A document has no `kind` (or its `apiVersion` has more than one `/`).
    #[error("Object 'Kind' is missing in '{0}'")]
    MissingKind(String),
}

/// Reads every object of a manifest stream (YAML documents or a JSON stream), in order,
/// skipping empty documents. See the module documentation for the exact rules.
///
/// # Errors
/// The first document that cannot be read ends the stream with an error, as it ends
/// Flux's decoding loop.
pub fn read_manifests(text: &str) -> Result<Vec<Value>, ManifestError> {
    let mut out = Vec::new();
    if looks_like_json(text) {
        let mut p = JsonParser {
            s: text.as_bytes(),
            i: 0,
        };
        loop {
            p.skip_ws();
            if p.i >= p.s.len() {
                break;
            }
            let start = p.i;
            let v = p.value()?;
            let raw = text.get(start..p.i).unwrap_or_default();
            push_object(&mut out, v, raw)?;
        }
    } else {
        for chunk in yaml_chunks(text)? {
            let v = crate::yaml::parse_yaml_go_v2(&chunk)
                .map_err(|e| ManifestError::Yaml(yaml_message(&e)))?;
            if v.is_null() {
                continue;
            }
            let v = json_round_trip(v)?;
            let raw = crate::go::json::to_string(&v).unwrap_or_default();
            push_object(&mut out, v, &raw)?;
        }
    }
    Ok(out)
}

fn yaml_message(e: &YamlError) -> String {
    e.go_message.clone().unwrap_or_else(|| e.to_string())
}

/// `hasJSONPrefix` over the first [`SNIFF_BYTES`] bytes: the first non-space (Go's
/// `unicode.IsSpace`, the same set as Rust's `char::is_whitespace`) is `{`.
fn looks_like_json(text: &str) -> bool {
    let mut end = text.len().min(SNIFF_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end]
        .trim_start_matches(char::is_whitespace)
        .starts_with('{')
}

/// Checks a decoded document as `UnstructuredJSONScheme.Decode` does and keeps it.
fn push_object(out: &mut Vec<Value>, v: Value, raw: &str) -> Result<(), ManifestError> {
    let map = match v {
        Value::Map(m) => m,
        other => {
            return Err(ManifestError::NotAnObject {
                found: crate::go::json::kind_name(&other),
            });
        }
    };
    let obj = Value::Map(map);
    let gk = crate::health::group_kind(&obj);
    if gk.kind.is_empty() {
        return Err(ManifestError::MissingKind(raw.to_string()));
    }
    out.push(obj);
    Ok(())
}

/// The documents of a YAML stream as apimachinery's `YAMLReader` cuts them: lines (`\r\n`
/// read as `\n`), a document ends at a line starting with `---`.
fn yaml_chunks(text: &str) -> Result<Vec<String>, ManifestError> {
    let mut chunks = Vec::new();
    let mut buf = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (line, next) = match rest.find('\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        rest = next;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(after) = line.strip_prefix("---") {
            let trimmed = after.trim_matches(char::is_whitespace);
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                return Err(ManifestError::Separator(trimmed.to_string()));
            }
            if !buf.is_empty() {
                chunks.push(std::mem::take(&mut buf));
            }
            continue;
        }
        buf.push_str(line);
        buf.push('\n');
    }
    if !buf.is_empty() {
        chunks.push(buf);
    }
    Ok(chunks)
}

/// What survives `json.Marshal` and apimachinery's int-preserving `json.Unmarshal`:
/// integral floats that print without exponent and fit become `int64`, big unsigned
/// integers become `float64`, NaN and infinities are refused.
fn json_round_trip(v: Value) -> Result<Value, ManifestError> {
    Ok(match v {
        Value::Number(n) => Value::Number(json_number(n)?),
        Value::Seq(items) => Value::Seq(
            items
                .into_iter()
                .map(json_round_trip)
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => {
            let mut out = Map::with_capacity_and_hasher(m.len(), Default::default());
            for (k, v) in m {
                out.insert(k, json_round_trip(v)?);
            }
            Value::Map(out)
        }
        other => other,
    })
}

fn json_number(n: Number) -> Result<Number, ManifestError> {
    Ok(match n {
        Number::Int(i) => Number::Int(i),
        Number::UInt(u) => match i64::try_from(u) {
            Ok(i) => Number::Int(i),
            Err(_) => Number::Float(u as f64),
        },
        Number::Float(f) => {
            let text = crate::go::json::float(f)
                .map_err(|e| ManifestError::Unsupported(e.value.clone()))?;
            preserve_int(&text).unwrap_or(Number::Float(f))
        }
    })
}

/// `strconv.ParseInt(text, 10, 64)` as the int-preserving decoder tries it first.
fn preserve_int(text: &str) -> Option<Number> {
    if text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return None;
    }
    text.parse::<i64>().ok().map(Number::Int)
}

/// A JSON reader with Go's `encoding/json` grammar and apimachinery's number rule, with an
/// explicit stack (no recursion on nesting).
struct JsonParser<'a> {
    s: &'a [u8],
    i: usize,
}

enum Frame {
    Seq(Vec<Value>),
    Map(Map, String),
}

impl JsonParser<'_> {
    fn err(&self, message: impl Into<String>) -> ManifestError {
        ManifestError::Json {
            offset: self.i,
            message: message.into(),
        }
    }

    fn skip_ws(&mut self) {
        while self
            .s
            .get(self.i)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn unexpected(&self, context: &str) -> ManifestError {
        match self.peek() {
            None => self.err("unexpected end of JSON input"),
            Some(b) => {
                let c = self.s[self.i..]
                    .utf8_chunks()
                    .next()
                    .and_then(|c| c.valid().chars().next())
                    .unwrap_or(char::from(b));
                self.err(format!("invalid character {c:?} {context}"))
            }
        }
    }

    /// One complete value.
    fn value(&mut self) -> Result<Value, ManifestError> {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            self.skip_ws();
            // Read a value start; containers push a frame and continue.
            let mut done = match self.peek() {
                Some(b'{') => {
                    self.i += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.i += 1;
                        Value::Map(Map::default())
                    } else {
                        let key = self.key()?;
                        stack.push(Frame::Map(Map::default(), key));
                        self.check_depth(stack.len())?;
                        continue;
                    }
                }
                Some(b'[') => {
                    self.i += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.i += 1;
                        Value::Seq(Vec::new())
                    } else {
                        stack.push(Frame::Seq(Vec::new()));
                        self.check_depth(stack.len())?;
                        continue;
                    }
                }
                Some(b'"') => Value::String(self.string()?),
                Some(b't') => self.literal("true", Value::Bool(true))?,
                Some(b'f') => self.literal("false", Value::Bool(false))?,
                Some(b'n') => self.literal("null", Value::Null)?,
                Some(b'-' | b'0'..=b'9') => self.number()?,
                _ => return Err(self.unexpected("looking for beginning of value")),
            };
            // Attach finished values to their parents, closing containers as they end.
            loop {
                let Some(top) = stack.last_mut() else {
                    return Ok(done);
                };
                self.skip_ws();
                match top {
                    Frame::Seq(items) => {
                        items.push(done);
                        match self.peek() {
                            Some(b',') => {
                                self.i += 1;
                                break;
                            }
                            Some(b']') => {
                                self.i += 1;
                                let Some(Frame::Seq(items)) = stack.pop() else {
                                    return Err(self.err("internal: frame"));
                                };
                                done = Value::Seq(items);
                            }
                            _ => return Err(self.unexpected("after array element")),
                        }
                    }
                    Frame::Map(map, key) => {
                        map.insert(std::mem::take(key), done);
                        match self.peek() {
                            Some(b',') => {
                                self.i += 1;
                                self.skip_ws();
                                *key = self.key()?;
                                break;
                            }
                            Some(b'}') => {
                                self.i += 1;
                                let Some(Frame::Map(map, _)) = stack.pop() else {
                                    return Err(self.err("internal: frame"));
                                };
                                done = Value::Map(map);
                            }
                            _ => return Err(self.unexpected("after object key:value pair")),
                        }
                    }
                }
            }
        }
    }

    fn check_depth(&self, depth: usize) -> Result<(), ManifestError> {
        if depth > MAX_JSON_DEPTH {
            return Err(self.err("exceeded max depth"));
        }
        Ok(())
    }

    /// `"key"` and the `:` after it.
    fn key(&mut self) -> Result<String, ManifestError> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("looking for beginning of object key string"));
        }
        let k = self.string()?;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.unexpected("after object key"));
        }
        self.i += 1;
        Ok(k)
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, ManifestError> {
        for &b in word.as_bytes() {
            if self.peek() != Some(b) {
                return Err(
                    self.unexpected(&format!("in literal {word} (expecting {:?})", b as char))
                );
            }
            self.i += 1;
        }
        Ok(v)
    }

    fn number(&mut self) -> Result<Value, ManifestError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.unexpected("in numeric literal")),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.unexpected("after decimal point in numeric literal"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.unexpected("in exponent of numeric literal"));
            }
            self.digits();
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or_default();
        if let Some(n) = preserve_int(text) {
            return Ok(Value::Number(n));
        }
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Number(Number::Float(f))),
            _ => Err(self.err(format!(
                "json: cannot unmarshal number {text} into Go value of type float64"
            ))),
        }
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.s.get(self.i..self.i + 4)?;
        let h = std::str::from_utf8(h).ok()?;
        let v = u32::from_str_radix(h, 16).ok()?;
        if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.i += 4;
        Some(v)
    }

    fn string(&mut self) -> Result<String, ManifestError> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let Some(b) = self.peek() else {
                return Err(self.err("unexpected end of JSON input"));
            };
            match b {
                b'"' => {
                    self.i += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.i += 1;
                    let Some(e) = self.peek() else {
                        return Err(self.err("unexpected end of JSON input"));
                    };
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let Some(u) = self.hex4() else {
                                return Err(self.unexpected("in \\u hexadecimal character escape"));
                            };
                            out.push(self.utf16(u));
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.unexpected("in string escape code"));
                        }
                    }
                }
                0..=0x1f => return Err(self.unexpected("in string literal")),
                _ => {
                    let start = self.i;
                    while self
                        .peek()
                        .is_some_and(|b| b != b'"' && b != b'\\' && b >= 0x20)
                    {
                        self.i += 1;
                    }
                    out.push_str(&String::from_utf8_lossy(&self.s[start..self.i]));
                }
            }
        }
    }

    /// A `\uXXXX` escape, joined with a following low surrogate; lone surrogates are
    /// U+FFFD as in Go.
    fn utf16(&mut self, u: u32) -> char {
        if (0xD800..0xDC00).contains(&u) {
            let save = self.i;
            if self.s.get(self.i..self.i + 2) == Some(b"\\u") {
                self.i += 2;
                if let Some(lo) = self.hex4()
                    && (0xDC00..0xE000).contains(&lo)
                {
                    let c = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                    return char::from_u32(c).unwrap_or('\u{FFFD}');
                }
            }
            self.i = save;
            return '\u{FFFD}';
        }
        char::from_u32(u).unwrap_or('\u{FFFD}')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }

    #[test]
    fn yaml_numbers_are_int_preserving_after_json() {
        let v = &read_manifests(
            "kind: A\na: 3.0\nb: 3e0\nc: 010\nd: 0x10\ne: 1_0\nf: 2.5\ng: 99999999999999999999\n",
        )
        .expect("reads")[0];
        assert_eq!(v.get("a"), Some(&int(3)));
        assert_eq!(v.get("b"), Some(&int(3)));
        assert_eq!(v.get("c"), Some(&int(8)));
        assert_eq!(v.get("d"), Some(&int(16)));
        assert_eq!(v.get("e"), Some(&int(10)));
        assert_eq!(v.get("f"), Some(&Value::Number(Number::Float(2.5))));
        assert!(matches!(v.get("g"), Some(Value::Number(Number::Float(_)))));
    }

    #[test]
    fn json_stream_keeps_floats() {
        let v = read_manifests("\n {\"kind\":\"A\",\"g\":2.0,\"i\":-0,\"s\":\"\\ud83d\\ude00\\ud800\"}\n{\"kind\":\"B\"}")
            .expect("reads");
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].get("g"), Some(&Value::Number(Number::Float(2.0))));
        assert_eq!(v[0].get("i"), Some(&int(0)));
        assert_eq!(v[0].get("s"), Some(&Value::from("\u{1F600}\u{FFFD}")));
    }

    #[test]
    fn separators_and_empty_documents() {
        let v =
            read_manifests("# c\n---\nkind: A\r\n--- # x\n\n---\nkind: B\n...\n").expect("reads");
        assert_eq!(v.len(), 2);
        assert_eq!(
            read_manifests("kind: A\n--- x\nkind: B\n"),
            Err(ManifestError::Separator("x".into()))
        );
    }

    #[test]
    fn kind_is_required() {
        assert!(matches!(
            read_manifests("apiVersion: v1\n"),
            Err(ManifestError::MissingKind(_))
        ));
        assert!(matches!(
            read_manifests("kind: A\napiVersion: a/b/c\n"),
            Err(ManifestError::MissingKind(_))
        ));
        assert!(matches!(
            read_manifests("- a\n"),
            Err(ManifestError::NotAnObject { found: "array" })
        ));
        assert!(read_manifests("{\"kind\": \"A\"} [1]").is_err());
        assert!(read_manifests("{\"kind\": \"A\",}").is_err());
    }
}
