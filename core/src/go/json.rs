//! Go's `encoding/json` output for [`Value`]s: what `json.Marshal` and `json.MarshalIndent`
//! print (map keys sorted bytewise, `<`, `>` and `&` escaped as `\u003c`, `\u003e`,
//! `\u0026`, floats in Go's shortest form). kustomize hashes generated objects from it and
//! Helm's `toJson` prints it.
//!
//! ```
//! use gitward::yaml::parse_kustomize_docs;
//! let v = &parse_kustomize_docs("b: [1, 2.5]\na: <x>\n").unwrap()[0];
//! assert_eq!(gitward::go::json::to_string(v).unwrap(), r#"{"a":"\u003cx\u003e","b":[1,2.5]}"#);
//! ```

use crate::yaml::{Number, Value};

/// A value that `encoding/json` refuses to print.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("json: unsupported value: {value}")]
pub struct JsonError {
    /// The value as Go names it (`NaN`, `+Inf`, `-Inf`).
    pub value: String,
}

/// How to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct JsonOptions {
    /// Escape `<`, `>` and `&` (Go's default for `json.Marshal`).
    pub escape_html: bool,
    /// Indent unit for `MarshalIndent`; `None` prints compactly.
    pub indent: Option<&'static str>,
}

impl Default for JsonOptions {
    fn default() -> Self {
        JsonOptions {
            escape_html: true,
            indent: None,
        }
    }
}

impl JsonOptions {
    /// `json.MarshalIndent(v, "", indent)`.
    pub fn indented(indent: &'static str) -> Self {
        JsonOptions {
            indent: Some(indent),
            ..Self::default()
        }
    }
    /// No HTML escaping (`SetEscapeHTML(false)`, as Sprig's `toRawJson`).
    pub fn raw() -> Self {
        JsonOptions {
            escape_html: false,
            ..Self::default()
        }
    }
}

/// `json.Marshal(v)`.
pub fn to_string(v: &Value) -> Result<String, JsonError> {
    to_string_with(v, JsonOptions::default())
}

/// Prints `v` with the given options.
pub fn to_string_with(v: &Value, opts: JsonOptions) -> Result<String, JsonError> {
    let mut out = String::new();
    write_value(&mut out, v, opts, 0)?;
    Ok(out)
}

fn newline(out: &mut String, opts: JsonOptions, depth: usize) {
    if let Some(ind) = opts.indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(ind);
        }
    }
}

fn write_value(
    out: &mut String,
    v: &Value,
    opts: JsonOptions,
    depth: usize,
) -> Result<(), JsonError> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(*n)?),
        Value::String(s) => write_str(out, s, opts.escape_html),
        Value::Seq(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, opts, depth + 1);
                write_value(out, item, opts, depth + 1)?;
            }
            newline(out, opts, depth);
            out.push(']');
        }
        Value::Map(m) => {
            if m.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, opts, depth + 1);
                write_str(out, k, opts.escape_html);
                out.push(':');
                if opts.indent.is_some() {
                    out.push(' ');
                }
                if let Some(val) = m.get(k) {
                    write_value(out, val, opts, depth + 1)?;
                }
            }
            newline(out, opts, depth);
            out.push('}');
        }
    }
    Ok(())
}

/// A number as `encoding/json` prints it.
pub fn number(n: Number) -> Result<String, JsonError> {
    match n {
        Number::Int(i) => Ok(i.to_string()),
        Number::UInt(u) => Ok(u.to_string()),
        Number::Float(f) => float(f),
    }
}

/// A float64 as `encoding/json` prints it: `'f'` form between 1e-6 and 1e21, `'e'` form
/// (with a one-digit negative exponent where Go cleans it up) outside.
pub fn float(f: f64) -> Result<String, JsonError> {
    if f.is_nan() {
        return Err(JsonError {
            value: "NaN".into(),
        });
    }
    if f.is_infinite() {
        return Err(JsonError {
            value: if f > 0.0 { "+Inf" } else { "-Inf" }.into(),
        });
    }
    Ok(crate::go::number::json_float(f).unwrap_or_default())
}

/// The JSON type of a value as `encoding/json` names it in its errors (`cannot unmarshal
/// string into ...`).
pub fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
    }
}

/// Appends `s` as a JSON string literal.
pub fn write_str(out: &mut String, s: &str, escape_html: bool) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xf] as char);
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xf] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Map;

    #[test]
    fn escapes_like_go() {
        let mut s = String::new();
        write_str(&mut s, "a\"b\\c\n\t\u{1}<&>\u{2028}é", true);
        assert_eq!(s, r#""a\"b\\c\n\t\u0001\u003c\u0026\u003e\u2028é""#);
        let mut s = String::new();
        write_str(&mut s, "<&>", false);
        assert_eq!(s, r#""<&>""#);
    }

    #[test]
    fn sorts_keys_and_indents() {
        let mut m = Map::default();
        m.insert("b".into(), Value::Seq(vec![Value::from(1i64), Value::Null]));
        m.insert("a".into(), Value::Map(Map::default()));
        let v = Value::Map(m);
        assert_eq!(to_string(&v).expect("ok"), r#"{"a":{},"b":[1,null]}"#);
        assert_eq!(
            to_string_with(&v, JsonOptions::indented("  ")).expect("ok"),
            "{\n  \"a\": {},\n  \"b\": [\n    1,\n    null\n  ]\n}"
        );
    }

    #[test]
    fn refuses_non_finite_floats() {
        assert_eq!(
            to_string(&Value::from(f64::INFINITY))
                .expect_err("inf")
                .to_string(),
            "json: unsupported value: +Inf"
        );
    }
}
