//! Printing values as kustomize and Helm print them.
//!
//! Both tools print through `sigs.k8s.io/yaml` v1.6.0: kustomize v5.7.1's
//! `Resource.AsYAML` is `yaml.JSONToYAML(json.Marshal(object))` and Helm's `toYaml` is
//! `yaml.Marshal(value)`, which is the same thing. `JSONToYAML` decodes the JSON with
//! go-yaml v2 (`go.yaml.in/yaml/v2` v2.4.3, in both binaries) into `interface{}` and
//! encodes that with go-yaml v2. So the printed text is go-yaml v2's, seen through a
//! JSON round trip:
//!
//! * map keys in go-yaml v2's natural order (`a2` before `a10`, letters after
//!   non-letters), not byte order;
//! * strings quoted `"..."` when go-yaml v2's YAML 1.1 resolver would read them back as
//!   something else (`yes`, `on`, `~`, `0777`, `1_000`, `2001-12-14`, `1:30`, ...);
//!   otherwise the emitter's own choice of plain, `'...'`, `"..."` or `|` blocks, folded
//!   at 80 columns;
//! * floats as JSON prints them, read back by go-yaml v2: when the JSON text is an
//!   integer that fits `int64` or `uint64` it prints as that integer (`1000000`,
//!   `12345678901234567000`), otherwise as `strconv.FormatFloat(f, 'g', -1, 64)`
//!   (`1.5`, `1e+20`, `1.5e-05`);
//! * a raw U+0085 (NEL, which JSON leaves unescaped) is a line break to go-yaml's
//!   scanner and folds to a space.
//!
//! Some values make the Go side fail: NaN and infinities (`json: unsupported value`),
//! characters go-yaml's reader refuses (U+007F, C1 controls other than U+0085, U+FFFE,
//! U+FFFF), a map key containing U+0085 or whose JSON text is 1023 characters or more
//! (go-yaml's simple-key limit), nesting deeper than 10000. `try_emit_kustomize`
//! reports those; Helm's `toYaml` swallows the error and prints nothing, and so does
//! `emit_helm`.

mod go_resolve;
mod order;
mod writer;

use std::borrow::Cow;

use super::{Number, Value, YamlError, YamlErrorKind};
use crate::go::number::{format_float, json_float};
use writer::{Context, Scalar, Style, Writer};

/// go-yaml v2's flow-level limit, hit by the JSON text of deeply nested values.
const MAX_DEPTH: usize = 10_000;
/// go-yaml's scanner gives up on a simple key whose `:` is more than 1024 characters
/// after the key's start; for a JSON key `"..."` that is 1023 escaped characters.
const MAX_JSON_KEY_CHARS: usize = 1022;

/// How one tool prints: the string-quoting predicate and the map-key order.
///
/// Both profiles currently hold go-yaml v2's rules, because both tools print through
/// the same library; they are kept apart so that a tool-specific difference has a place.
struct Profile {
    /// Whether a string may be printed plain (it reads back as the same string).
    plain_ok: fn(&str) -> bool,
    /// The printing order of a map's keys, as indices into `keys`.
    key_order: fn(keys: &[&str]) -> Vec<usize>,
}

const KUSTOMIZE: Profile = Profile {
    plain_ok: go_resolve::plain_is_string,
    key_order: order::sorted_indices,
};

const HELM: Profile = Profile {
    plain_ok: go_resolve::plain_is_string,
    key_order: order::sorted_indices,
};

/// Prints one document as kustomize v5.7.1 does (`kubectl kustomize`), ending with a
/// newline; an empty map prints `{}\n`.
///
/// Values kustomize refuses to print (NaN or infinite floats, U+007F, C1 controls
/// other than U+0085, U+FFFE/U+FFFF, a key with U+0085 or of 1023 JSON characters and
/// more, nesting deeper than 10000) give an empty string; `try_emit_kustomize` in this
/// module says why.
pub fn emit_kustomize(v: &Value) -> String {
    try_emit_kustomize(v).unwrap_or_default()
}

/// Prints one document as kustomize v5.7.1 does, or the error kustomize would stop
/// with (a value that has no JSON or YAML form on the Go side).
pub fn try_emit_kustomize(v: &Value) -> Result<String, YamlError> {
    emit(v, &KUSTOMIZE)
}

/// Prints a value as Helm's `toYaml` does, before its trailing-newline trim; Helm prints
/// an empty string when the value cannot be marshalled (the same values kustomize
/// refuses, see [`emit_kustomize`]), and so does this.
pub fn emit_helm(v: &Value) -> String {
    emit(v, &HELM).unwrap_or_default()
}

fn unsupported(message: impl Into<String>) -> YamlError {
    YamlError::new(YamlErrorKind::Unsupported, message, 0, 0)
}

/// An open block collection.
enum Frame<'a> {
    Seq(std::slice::Iter<'a, Value>),
    Map {
        entries: Vec<(&'a str, &'a Value)>,
        next: usize,
    },
}

/// What to do after looking at the innermost open collection.
enum Step<'a> {
    Item(&'a Value),
    Entry(&'a str, &'a Value),
    Close,
}

fn emit(root: &Value, profile: &Profile) -> Result<String, YamlError> {
    let mut w = Writer::new();
    let mut stack: Vec<Frame<'_>> = Vec::new();
    node(&mut w, root, Context::default(), &mut stack, profile)?;
    loop {
        let step = match stack.last_mut() {
            None => break,
            Some(Frame::Seq(items)) => items.next().map_or(Step::Close, Step::Item),
            Some(Frame::Map { entries, next }) => match entries.get(*next) {
                Some(&(k, v)) => {
                    *next += 1;
                    Step::Entry(k, v)
                }
                None => Step::Close,
            },
        };
        match step {
            Step::Close => {
                w.end_block();
                stack.pop();
            }
            Step::Item(item) => {
                w.sequence_item();
                node(&mut w, item, Context::default(), &mut stack, profile)?;
            }
            Step::Entry(key, value) => {
                w.mapping_key_start();
                let key_scalar = Scalar::new(key, string_style(key, profile));
                if key_scalar.is_simple_key() {
                    w.set_context(Context {
                        mapping: true,
                        simple_key: true,
                    });
                    w.scalar(&key_scalar);
                    w.simple_value_indicator();
                } else {
                    w.complex_key_indicator();
                    w.set_context(Context {
                        mapping: true,
                        simple_key: false,
                    });
                    w.scalar(&key_scalar);
                    w.complex_value_indicator();
                }
                let context = Context {
                    mapping: true,
                    simple_key: false,
                };
                node(&mut w, value, context, &mut stack, profile)?;
            }
        }
    }
    Ok(w.finish())
}

/// Writes a scalar or an empty collection, or opens a block collection on `stack`.
fn node<'a>(
    w: &mut Writer,
    v: &'a Value,
    context: Context,
    stack: &mut Vec<Frame<'a>>,
    profile: &Profile,
) -> Result<(), YamlError> {
    w.set_context(context);
    match v {
        Value::Null => w.scalar(&Scalar::new("null", Style::Plain)),
        Value::Bool(b) => w.scalar(&Scalar::new(
            if *b { "true" } else { "false" },
            Style::Plain,
        )),
        Value::Number(n) => w.scalar(&Scalar::new(&number_text(*n)?, Style::Plain)),
        Value::String(s) => {
            let s = json_round_trip(s)?;
            w.scalar(&Scalar::new(&s, string_style(&s, profile)));
        }
        Value::Seq(items) => {
            check_depth(stack)?;
            if items.is_empty() {
                w.empty_collection(b'[', b']');
            } else {
                w.begin_block_sequence();
                stack.push(Frame::Seq(items.iter()));
            }
        }
        Value::Map(map) => {
            check_depth(stack)?;
            if map.is_empty() {
                w.empty_collection(b'{', b'}');
            } else {
                let keys: Vec<&str> = map.keys().map(String::as_str).collect();
                for k in &keys {
                    check_key(k)?;
                }
                let entries = (profile.key_order)(&keys)
                    .into_iter()
                    .filter_map(|i| map.get_index(i))
                    .map(|(k, v)| (k.as_str(), v))
                    .collect();
                w.begin_block_mapping();
                stack.push(Frame::Map { entries, next: 0 });
            }
        }
    }
    Ok(())
}

fn check_depth(stack: &[Frame<'_>]) -> Result<(), YamlError> {
    if stack.len() >= MAX_DEPTH {
        return Err(unsupported(format!("exceeded max depth of {MAX_DEPTH}")));
    }
    Ok(())
}

/// The style go-yaml v2's encoder asks for (`stringv`): a literal block for text with a
/// newline, plain when the text reads back as itself, else double-quoted.
fn string_style(s: &str, profile: &Profile) -> Style {
    if s.contains('\n') {
        Style::Literal
    } else if (profile.plain_ok)(s) {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

/// A number as JSON prints it and go-yaml v2 reads and prints it back: integers as
/// they are, integral floats below 2^64 as integers, other floats in `%g` shortest form.
fn number_text(n: Number) -> Result<String, YamlError> {
    match n {
        Number::Int(i) => Ok(i.to_string()),
        Number::UInt(u) => Ok(u.to_string()),
        Number::Float(f) => {
            let json = json_float(f).ok_or_else(|| {
                unsupported(format!(
                    "json: unsupported value: {}",
                    format_float(f, b'g', -1, 64)
                ))
            })?;
            if let Ok(i) = json.parse::<i64>() {
                Ok(i.to_string())
            } else if let Ok(u) = json.parse::<u64>() {
                Ok(u.to_string())
            } else {
                Ok(format_float(f, b'g', -1, 64))
            }
        }
    }
}

/// Characters JSON leaves raw that go-yaml's reader refuses.
fn is_refused(c: char) -> bool {
    matches!(c, '\u{7F}'..='\u{84}' | '\u{86}'..='\u{9F}' | '\u{FFFE}' | '\u{FFFF}')
}

fn refused_error(c: char) -> YamlError {
    unsupported(format!(
        "yaml: control characters are not allowed (U+{:04X})",
        u32::from(c)
    ))
}

/// Checks a map key against go-yaml's reading of its JSON text `"key":`.
fn check_key(key: &str) -> Result<(), YamlError> {
    // A short key below U+007F can be neither refused nor too long (an escape is at
    // most 6 characters).
    if key.len() * 6 <= MAX_JSON_KEY_CHARS && key.bytes().all(|b| b < 0x7F) {
        return Ok(());
    }
    let mut json_chars = 0usize;
    for c in key.chars() {
        if is_refused(c) {
            return Err(refused_error(c));
        }
        if c == '\u{85}' {
            // A line break inside the key: the simple key spans two lines.
            return Err(unsupported(
                "yaml: did not find expected ',' or '}' (a line break in a map key)",
            ));
        }
        json_chars += json_escaped_len(c);
    }
    if json_chars > MAX_JSON_KEY_CHARS {
        return Err(unsupported(
            "yaml: did not find expected ',' or '}' (map key longer than 1024 characters)",
        ));
    }
    Ok(())
}

/// How many characters `encoding/json` writes for `c` inside a string.
fn json_escaped_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\u{8}' | '\u{c}' | '\n' | '\r' | '\t' => 2,
        '\0'..='\u{1f}' | '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => 6,
        _ => 1,
    }
}

/// A string value as go-yaml's scanner reads it back from its JSON text: everything
/// survives except a raw U+0085 (NEL), a line break to YAML, which folds like any
/// break in a double-quoted scalar (spaces around it dropped, a lone break becomes a
/// space, `n` breaks become `n - 1` newlines). `---` or `...` right after a NEL and
/// before a space or NEL is a document marker and an error.
fn json_round_trip(s: &str) -> Result<Cow<'_, str>, YamlError> {
    // Below U+007F nothing is refused or folded: most text never looks at a char.
    if s.bytes().all(|b| b < 0x7F) {
        return Ok(Cow::Borrowed(s));
    }
    if let Some(c) = s.chars().find(|&c| is_refused(c)) {
        return Err(refused_error(c));
    }
    if !s.contains('\u{85}') {
        return Ok(Cow::Borrowed(s));
    }
    const NEL: char = '\u{85}';
    let chars: Vec<char> = s.chars().collect();
    let is_json_blankz = |i: usize| matches!(chars.get(i), Some(' ' | '\u{85}'));
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut at_line_start = false;
    loop {
        if at_line_start {
            let marker = chars.get(i..i + 3);
            let is_marker =
                marker == Some(&['-', '-', '-'][..]) || marker == Some(&['.', '.', '.'][..]);
            if is_marker && is_json_blankz(i + 3) {
                return Err(unsupported(
                    "yaml: found unexpected document indicator while scanning a quoted scalar",
                ));
            }
        }
        while let Some(&c) = chars.get(i) {
            if c == ' ' || c == NEL {
                break;
            }
            out.push(c);
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let mut leading_blanks = false;
        let mut whitespaces = 0usize;
        let mut trailing_breaks = 0usize;
        while let Some(&c) = chars.get(i) {
            if c == ' ' {
                if !leading_blanks {
                    whitespaces += 1;
                }
                at_line_start = false;
            } else if c == NEL {
                if leading_blanks {
                    trailing_breaks += 1;
                } else {
                    whitespaces = 0;
                    leading_blanks = true;
                }
                at_line_start = true;
            } else {
                break;
            }
            i += 1;
        }
        if leading_blanks {
            if trailing_breaks == 0 {
                out.push(' ');
            } else {
                out.extend(std::iter::repeat_n('\n', trailing_breaks));
            }
        } else {
            out.extend(std::iter::repeat_n(' ', whitespaces));
        }
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::String(x.to_owned())
    }

    #[test]
    fn errors_name_the_go_failure() {
        let nan = Value::Number(Number::Float(f64::NAN));
        let err = try_emit_kustomize(&nan).err().map(|e| (e.kind, e.message));
        assert_eq!(
            err,
            Some((
                YamlErrorKind::Unsupported,
                "json: unsupported value: NaN".to_owned()
            ))
        );
        let del = try_emit_kustomize(&s("a\u{7f}")).err().map(|e| e.message);
        assert_eq!(
            del.as_deref(),
            Some("yaml: control characters are not allowed (U+007F)")
        );
        assert!(try_emit_kustomize(&s("a\u{85}... b")).is_err());
        assert!(try_emit_kustomize(&s("a\u{85} --- b")).is_ok());
    }

    #[test]
    fn nel_folds_like_a_line_break() {
        let cases = [
            ("a\u{85}b", "a b"),
            ("a \u{85}  b", "a b"),
            ("a\u{85}\u{85}\u{85}b", "a\n\nb"),
            ("\u{85}a", " a"),
            ("a\u{85}", "a "),
            ("a\u{85}---", "a ---"),
            ("a\u{85}--x", "a --x"),
        ];
        for (input, want) in cases {
            assert_eq!(
                json_round_trip(input).ok().as_deref(),
                Some(want),
                "{input:?}"
            );
        }
    }

    #[test]
    fn json_key_length_counts_escapes() {
        assert!(check_key(&"k".repeat(1022)).is_ok());
        assert!(check_key(&"k".repeat(1023)).is_err());
        assert!(check_key(&format!("{}&", "k".repeat(1016))).is_ok());
        assert!(check_key(&format!("{}\t", "k".repeat(1020))).is_ok());
        assert!(check_key(&format!("{}\u{1}", "k".repeat(1017))).is_err());
    }

    #[test]
    fn floats_take_the_json_round_trip() {
        let text = |f: f64| number_text(Number::Float(f)).ok();
        assert_eq!(text(1e6).as_deref(), Some("1000000"));
        assert_eq!(text(-0.0).as_deref(), Some("0"));
        assert_eq!(text(1e20).as_deref(), Some("1e+20"));
        assert_eq!(
            text(1.8446744073709552e19).as_deref(),
            Some("1.8446744073709552e+19")
        );
        assert_eq!(
            text(9.223372036854776e18).as_deref(),
            Some("9223372036854776000")
        );
        assert_eq!(
            text(-9.223372036854776e18).as_deref(),
            Some("-9.223372036854776e+18")
        );
        assert_eq!(text(1e-7).as_deref(), Some("1e-07"));
        assert_eq!(text(0.1).as_deref(), Some("0.1"));
        assert_eq!(text(f64::INFINITY), None);
    }
}
