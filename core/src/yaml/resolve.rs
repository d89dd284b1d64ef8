//! Scalar resolution: what each Go tool holds after decoding a document.
//!
//! * kustomize (kyaml): go-yaml v3 decodes the node into `map[string]interface{}`,
//!   `encoding/json` marshals it, and the JSON is read back with go-yaml v2. So: YAML 1.2
//!   core-ish scalars, timestamps become RFC 3339 strings, integral floats come back as
//!   integers, NaN/Inf and non-string keys of nested maps are errors.
//! * Helm values (sigs.k8s.io/yaml): go-yaml v2 (YAML 1.1: `yes`/`on`/`y` are booleans),
//!   keys converted to strings, then `encoding/json` into `interface{}`: every number is a
//!   `float64`.
//!
//! Both walk the tree with an explicit stack, so resolving does not recurse.

mod go;
mod kyaml;
mod timestamp;

use super::{
    Map, Node, NodeKind, Number, Pos, Scalar, ScalarStyle, Value, YamlError, YamlErrorKind,
};
use crate::go::number::{format_float, json_float};
use go::{Kind, Resolved, Schema};

/// The short tag go-yaml v3's resolver gives a plain scalar with this text (what a
/// `yaml.Node` decoded by go-yaml v3 carries in `Tag`).
pub(crate) fn go_v3_plain_tag(text: &str) -> &'static str {
    go::plain_tag_v3(text)
}

/// Resolves a document as kustomize v5.7.1 sees it (go-yaml v3, then a JSON round trip).
///
/// ```
/// use gitward::yaml::{parse_stream, resolve_kustomize, Number, ParseOptions, Value};
/// let doc = &parse_stream("a: 0777\nb: yes\nc: 1e3\n", &ParseOptions::kustomize())?[0];
/// let v = resolve_kustomize(doc)?;
/// assert_eq!(v.get("a"), Some(&Value::Number(Number::Int(511))));
/// assert_eq!(v.get("b"), Some(&Value::from("yes")));
/// assert_eq!(v.get("c"), Some(&Value::Number(Number::Int(1000))));
/// # Ok::<(), gitward::yaml::YamlError>(())
/// ```
///
/// # Errors
/// [`YamlErrorKind::Unsupported`] where kustomize fails: `.inf`/`.nan` (`json: unsupported
/// value: +Inf`), a non-string key below the top-level mapping (`json: unsupported type:
/// map[interface {}]interface {}`), a collection or null as a key, an explicit tag that
/// does not fit its text (`cannot decode !!str `abc` as a !!int`), invalid `!!binary`,
/// and timestamps whose zone RFC 3339 cannot print.
pub fn resolve_kustomize(node: &Node) -> Result<Value, YamlError> {
    fold(node, &Kustomize)
}

/// Resolves a Helm values document (go-yaml v2's YAML 1.1, keys made strings, then JSON:
/// every number a `float64`).
///
/// ```
/// use gitward::yaml::{parse_stream, resolve_helm_values, Number, ParseOptions, Value};
/// let doc = &parse_stream("a: 0777\nb: yes\ny: 1\n", &ParseOptions::helm_values())?[0];
/// let v = resolve_helm_values(doc)?;
/// assert_eq!(v.get("a"), Some(&Value::Number(Number::Float(511.0))));
/// assert_eq!(v.get("b"), Some(&Value::Bool(true)));
/// assert_eq!(v.get("true"), Some(&Value::Number(Number::Float(1.0))));
/// # Ok::<(), gitward::yaml::YamlError>(())
/// ```
///
/// # Errors
/// [`YamlErrorKind::Unsupported`] where Helm fails to load values: `.inf`/`.nan`, null,
/// collection and too-large (`uint64`) keys, explicit tags that do not fit their text,
/// invalid `!!binary`.
pub fn resolve_helm_values(node: &Node) -> Result<Value, YamlError> {
    fold(node, &HelmValues)
}

/// Resolves a document as go-yaml v2 decodes it into an `interface{}`, before
/// `sigs.k8s.io/yaml` turns it into JSON: YAML 1.1 scalars, integers stay
/// [`Number::Int`] / [`Number::UInt`], floats (infinities and NaN too) [`Number::Float`],
/// keys made strings as `sigs.k8s.io/yaml` makes them. For decoding into a typed target,
/// whose `string` fields take numbers and booleans as their text.
///
/// ```
/// use gitward::yaml::{parse_stream, resolve_go_v2, Number, ParseOptions, Value};
/// let doc = &parse_stream("a: 12\nb: 1.0\nc: on\n", &ParseOptions::helm_values())?[0];
/// let v = resolve_go_v2(doc)?;
/// assert_eq!(v.get("a"), Some(&Value::Number(Number::Int(12))));
/// assert_eq!(v.get("b"), Some(&Value::Number(Number::Float(1.0))));
/// assert_eq!(v.get("c"), Some(&Value::Bool(true)));
/// # Ok::<(), gitward::yaml::YamlError>(())
/// ```
///
/// # Errors
/// As [`resolve_helm_values`], except that `.inf` and `.nan` are kept.
pub fn resolve_go_v2(node: &Node) -> Result<Value, YamlError> {
    fold(node, &GoV2)
}

/// Whether [`resolve_go_v2`] resolves `root` without an error and without an infinite or
/// NaN float (which `sigs.k8s.io/yaml` refuses to print as JSON unless it is bound for a
/// string): a caller that reads a few fields may then skip building the whole value.
pub(crate) fn go_v2_clean(root: &Node) -> bool {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match &n.kind {
            NodeKind::Scalar(s) => match go::decode_scalar(s, Schema::V2) {
                Ok(Resolved::Float(f)) if !f.is_finite() => return false,
                Ok(_) => {}
                Err(_) => return false,
            },
            NodeKind::Seq(items) => stack.extend(items.iter()),
            NodeKind::Map(pairs) => {
                for (k, v) in pairs {
                    // The keys `HelmValues::key` accepts.
                    let NodeKind::Scalar(ks) = &k.kind else {
                        return false;
                    };
                    match go::decode_scalar(ks, Schema::V2) {
                        Ok(Resolved::UInt(_) | Resolved::Null) | Err(_) => return false,
                        Ok(_) => {}
                    }
                    stack.push(v);
                }
            }
        }
    }
    true
}

/// The string a mapping key becomes in [`resolve_go_v2`]'s value.
pub(crate) fn go_v2_key(key: &Node, value: &Node) -> Result<String, YamlError> {
    HelmValues.key(key, value, false)
}

/// What differs between the two tools.
trait Profile {
    /// The value of a scalar in value position.
    fn scalar(&self, s: &Scalar, pos: Pos) -> Result<Value, YamlError>;
    /// The string a mapping key becomes; `top` is the document's root mapping, `value`
    /// the key's value (for error messages).
    fn key(&self, key: &Node, value: &Node, top: bool) -> Result<String, YamlError>;
}

fn unsupported(message: impl Into<String>, pos: Pos) -> YamlError {
    YamlError::new(YamlErrorKind::Unsupported, message, pos.line, pos.column)
}

/// `json: unsupported value: +Inf` and its siblings.
fn non_finite(f: f64, pos: Pos) -> YamlError {
    let name = if f.is_nan() {
        "NaN"
    } else if f > 0.0 {
        "+Inf"
    } else {
        "-Inf"
    };
    unsupported(format!("json: unsupported value: {name}"), pos)
}

fn invalid_key(key: &Node) -> YamlError {
    let what = match key.kind {
        NodeKind::Map(_) => "a mapping",
        NodeKind::Seq(_) => "a sequence",
        NodeKind::Scalar(_) => "a scalar",
    };
    unsupported(format!("invalid map key: {what}"), key.pos)
}

/// kustomize: go-yaml v3 into `map[string]interface{}`, JSON, go-yaml v2.
struct Kustomize;

impl Kustomize {
    fn decode<'a>(s: &'a Scalar, pos: Pos) -> Result<Resolved<'a>, YamlError> {
        go::decode_scalar(s, Schema::V3).map_err(|m| unsupported(m, pos))
    }
}

impl Profile for Kustomize {
    fn scalar(&self, s: &Scalar, pos: Pos) -> Result<Value, YamlError> {
        Ok(match Self::decode(s, pos)? {
            Resolved::Null => Value::Null,
            Resolved::Bool(b) => Value::Bool(b),
            Resolved::Int(i) => Value::Number(Number::Int(i)),
            Resolved::UInt(u) => Value::Number(Number::UInt(u)),
            Resolved::Float(f) => {
                Value::Number(json_round_trip(f).ok_or_else(|| non_finite(f, pos))?)
            }
            Resolved::Str(t) if s.style == ScalarStyle::Folded => {
                Value::String(kyaml::folded_round_trip(t).unwrap_or_else(|| t.to_owned()))
            }
            Resolved::Str(t) => Value::String(t.to_owned()),
            Resolved::Binary(bytes) => Value::String(go::go_string_from_bytes(bytes)),
            Resolved::Timestamp(t) => Value::String(t.to_json().map_err(|m| unsupported(m, pos))?),
        })
    }

    fn key(&self, key: &Node, _value: &Node, top: bool) -> Result<String, YamlError> {
        let NodeKind::Scalar(s) = &key.kind else {
            return Err(invalid_key(key));
        };
        if top {
            // The root mapping is decoded into map[string]interface{}: any scalar key
            // becomes its text (a null one is dropped by go-yaml; kustomize then fails).
            return match Self::decode(s, key.pos)? {
                Resolved::Null => Err(unsupported("null map key", key.pos)),
                Resolved::Binary(bytes) => Ok(go::go_string_from_bytes(bytes)),
                _ => Ok(s.text.clone()),
            };
        }
        // Below it, a mapping with any key not tagged !!str decodes to
        // map[interface{}]interface{}, which encoding/json refuses.
        let string_key = match go::decode_tag(s, Schema::V3) {
            None | Some(Kind::Str) => true,
            Some(Kind::Untagged) => go::resolve(Kind::Untagged, &s.text, Schema::V3)
                .is_ok_and(|(rtag, _)| rtag == Kind::Str),
            Some(_) => {
                // go-yaml fails on a tag that does not fit before JSON gets to refuse.
                Self::decode(s, key.pos)?;
                false
            }
        };
        if string_key {
            Ok(s.text.clone())
        } else {
            Err(unsupported(
                "json: unsupported type: map[interface {}]interface {}",
                key.pos,
            ))
        }
    }
}

/// A float64 after `encoding/json` printed it and go-yaml v2 read it back: texts without
/// `.` or exponent come back as integers when they fit.
pub(crate) fn json_round_trip(f: f64) -> Option<Number> {
    let text = json_float(f)?;
    if !text.contains(['.', 'e', 'E']) {
        if let Some(i) = go::parse_int(&text) {
            return Some(Number::Int(i));
        }
        if let Some(u) = go::parse_uint(&text) {
            return Some(Number::UInt(u));
        }
    }
    Some(Number::Float(f))
}

/// Helm values: go-yaml v2, sigs.k8s.io/yaml's key conversion, JSON into `interface{}`.
struct HelmValues;

impl HelmValues {
    /// go-yaml's errors read `yaml: <message>` (no line: they are raised while decoding).
    fn decode<'a>(s: &'a Scalar, pos: Pos) -> Result<Resolved<'a>, YamlError> {
        go::decode_scalar(s, Schema::V2)
            .map_err(|m| unsupported(m.clone(), pos).with_go_message(format!("yaml: {m}")))
    }

    /// `json.Marshal`'s refusal of NaN and infinities: no `yaml:` prefix, no line.
    fn non_finite(f: f64, pos: Pos) -> YamlError {
        let e = non_finite(f, pos);
        let text = e.message.clone();
        e.with_go_message(text)
    }
}

/// Go's `%#v` of what go-yaml v2 decodes `node` to in an `interface{}`; `nested`: inside a
/// collection, where nil prints as `interface {}(nil)`.
fn go_sharp_v(node: &Node, nested: bool) -> String {
    use crate::go::strconv::{quote, quote_with};
    match &node.kind {
        NodeKind::Scalar(s) => match go::decode_scalar(s, Schema::V2) {
            Ok(Resolved::Null) if nested => "interface {}(nil)".to_owned(),
            Ok(Resolved::Null) => "<nil>".to_owned(),
            Ok(Resolved::Bool(b)) => b.to_string(),
            Ok(Resolved::Int(i)) => i.to_string(),
            Ok(Resolved::UInt(u)) => format!("{u:#x}"),
            Ok(Resolved::Float(f)) => format_float(f, b'g', -1, 64),
            Ok(Resolved::Str(t)) => quote(t),
            Ok(Resolved::Binary(bytes)) => quote_with(&bytes, '"', false),
            Ok(Resolved::Timestamp(_)) | Err(_) => quote(&s.text),
        },
        NodeKind::Seq(items) => {
            let parts: Vec<String> = items.iter().map(|x| go_sharp_v(x, true)).collect();
            format!("[]interface {{}}{{{}}}", parts.join(", "))
        }
        NodeKind::Map(pairs) => {
            // fmt prints map entries sorted by key; later duplicates win.
            let mut entries: Vec<((u8, f64), String, String)> = Vec::new();
            for (k, v) in pairs {
                // Keys of different types sort by type (the order of Go's type
                // descriptors in the binary: strings first in Helm's), numbers by value.
                #[allow(clippy::cast_precision_loss)]
                let rank = match &k.kind {
                    NodeKind::Scalar(s) => match go::decode_scalar(s, Schema::V2) {
                        Ok(Resolved::Int(i)) => (1, i as f64),
                        Ok(Resolved::UInt(u)) => (1, u as f64),
                        Ok(Resolved::Float(f)) => (2, f),
                        Ok(Resolved::Bool(b)) => (3, f64::from(u8::from(b))),
                        _ => (0, 0.0),
                    },
                    _ => (4, 0.0),
                };
                let key = go_sharp_v(k, true);
                let value = go_sharp_v(v, true);
                match entries.iter_mut().find(|e| e.1 == key) {
                    Some(e) => e.2 = value,
                    None => entries.push((rank, key, value)),
                }
            }
            entries.sort_by(|a, b| {
                (a.0.0.cmp(&b.0.0))
                    .then_with(|| a.0.1.total_cmp(&b.0.1))
                    .then_with(|| a.1.cmp(&b.1))
            });
            let parts: Vec<String> = entries
                .into_iter()
                .map(|(_, k, v)| format!("{k}:{v}"))
                .collect();
            format!("map[interface {{}}]interface {{}}{{{}}}", parts.join(", "))
        }
    }
}

impl Profile for HelmValues {
    fn scalar(&self, s: &Scalar, pos: Pos) -> Result<Value, YamlError> {
        let number = |f: f64| {
            if f.is_finite() {
                Ok(Value::Number(Number::Float(f)))
            } else {
                Err(Self::non_finite(f, pos))
            }
        };
        // Integers become float64 through JSON, rounding to nearest as Rust's `as` does.
        #[allow(clippy::cast_precision_loss)]
        match Self::decode(s, pos)? {
            Resolved::Null => Ok(Value::Null),
            Resolved::Bool(b) => Ok(Value::Bool(b)),
            Resolved::Int(i) => number(i as f64),
            Resolved::UInt(u) => number(u as f64),
            Resolved::Float(f) => number(f),
            Resolved::Str(t) => Ok(Value::String(t.to_owned())),
            Resolved::Binary(bytes) => Ok(Value::String(go::go_string_from_bytes(bytes))),
            Resolved::Timestamp(_) => Ok(Value::String(s.text.clone())),
        }
    }

    fn key(&self, key: &Node, value: &Node, _top: bool) -> Result<String, YamlError> {
        let NodeKind::Scalar(s) = &key.kind else {
            // go-yaml refuses a collection as a key while decoding.
            let e = invalid_key(key);
            let text = format!("yaml: invalid map key: {}", go_sharp_v(key, false));
            return Err(e.with_go_message(text));
        };
        // sigs.k8s.io/yaml's own messages: no `yaml:` prefix, no line.
        let refuse = |message: String| {
            let e = unsupported(message.clone(), key.pos);
            e.with_go_message(format!("{message}, value: {}", go_sharp_v(value, false)))
        };
        match Self::decode(s, key.pos)? {
            Resolved::Str(t) => Ok(t.to_owned()),
            Resolved::Timestamp(_) => Ok(s.text.clone()),
            Resolved::Binary(bytes) => Ok(go::go_string_from_bytes(bytes)),
            Resolved::Int(i) => Ok(i.to_string()),
            Resolved::Bool(b) => Ok(b.to_string()),
            // sigs.k8s.io/yaml prints float keys as float32 'g'.
            Resolved::Float(f) => Ok(match format_float(f, b'g', -1, 32).as_str() {
                "+Inf" => ".inf".to_owned(),
                "-Inf" => "-.inf".to_owned(),
                "NaN" => ".nan".to_owned(),
                other => other.to_owned(),
            }),
            Resolved::UInt(u) => Err(refuse(format!(
                "unsupported map key of type: uint64, key: {u:#x}"
            ))),
            Resolved::Null => Err(refuse(
                "unsupported map key of type: %!s(<nil>), key: <nil>".to_owned(),
            )),
        }
    }
}

/// go-yaml v2 into `interface{}`, keys as `sigs.k8s.io/yaml` converts them.
struct GoV2;

impl Profile for GoV2 {
    fn scalar(&self, s: &Scalar, pos: Pos) -> Result<Value, YamlError> {
        Ok(match HelmValues::decode(s, pos)? {
            Resolved::Int(i) => Value::Number(Number::Int(i)),
            Resolved::UInt(u) => Value::Number(Number::UInt(u)),
            Resolved::Float(f) => Value::Number(Number::Float(f)),
            _ => return HelmValues.scalar(s, pos),
        })
    }

    fn key(&self, key: &Node, value: &Node, top: bool) -> Result<String, YamlError> {
        HelmValues.key(key, value, top)
    }
}

/// An open collection while folding.
enum Frame<'a> {
    Seq {
        items: std::slice::Iter<'a, Node>,
        out: Vec<Value>,
    },
    Map {
        pairs: std::slice::Iter<'a, (Node, Node)>,
        out: Map,
        top: bool,
        key: String,
    },
}

/// A node's value if it is a scalar, else an open frame for it.
fn enter<'a>(
    node: &'a Node,
    top: bool,
    p: &impl Profile,
) -> Result<Result<Value, Frame<'a>>, YamlError> {
    Ok(match &node.kind {
        NodeKind::Scalar(s) => Ok(p.scalar(s, node.pos)?),
        NodeKind::Seq(items) => Err(Frame::Seq {
            items: items.iter(),
            out: Vec::with_capacity(items.len()),
        }),
        NodeKind::Map(pairs) => Err(Frame::Map {
            pairs: pairs.iter(),
            out: Map::with_capacity_and_hasher(pairs.len(), Default::default()),
            top,
            key: String::new(),
        }),
    })
}

/// Resolves a tree bottom-up without recursion. Later map entries win over earlier ones
/// with the same resulting key, in the earlier one's place.
fn fold(root: &Node, p: &impl Profile) -> Result<Value, YamlError> {
    let mut stack = Vec::new();
    let mut done = match enter(root, true, p)? {
        Ok(value) => return Ok(value),
        Err(frame) => {
            stack.push(frame);
            None
        }
    };
    loop {
        if let Some(value) = done.take() {
            match stack.last_mut() {
                None => return Ok(value),
                Some(Frame::Seq { out, .. }) => out.push(value),
                Some(Frame::Map { out, key, .. }) => {
                    out.insert(std::mem::take(key), value);
                }
            }
        }
        let next = match stack.last_mut() {
            None => return Ok(Value::Null),
            Some(Frame::Seq { items, .. }) => items.next(),
            Some(Frame::Map {
                pairs, top, key, ..
            }) => match pairs.next() {
                Some((k, v)) => {
                    *key = p.key(k, v, *top)?;
                    Some(v)
                }
                None => None,
            },
        };
        match next {
            Some(child) => match enter(child, false, p)? {
                Ok(value) => done = Some(value),
                Err(frame) => stack.push(frame),
            },
            None => {
                done = match stack.pop() {
                    Some(Frame::Seq { out, .. }) => Some(Value::Seq(out)),
                    Some(Frame::Map { out, .. }) => Some(Value::Map(out)),
                    None => None,
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{ParseOptions, parse_stream};

    fn kustomize(text: &str) -> Result<Value, YamlError> {
        let docs = parse_stream(text, &ParseOptions::kustomize())?;
        resolve_kustomize(&docs[0])
    }

    fn helm(text: &str) -> Result<Value, YamlError> {
        let docs = parse_stream(text, &ParseOptions::helm_values())?;
        resolve_helm_values(&docs[0])
    }

    #[test]
    fn json_round_trip_turns_integral_floats_into_ints() {
        assert_eq!(json_round_trip(1000.0), Some(Number::Int(1000)));
        assert_eq!(json_round_trip(-0.0), Some(Number::Int(0)));
        assert_eq!(json_round_trip(1.5), Some(Number::Float(1.5)));
        assert_eq!(json_round_trip(1e20), Some(Number::Float(1e20)));
        assert_eq!(json_round_trip(1e21), Some(Number::Float(1e21)));
        // JSON prints 9.3e18 as 9300000000000000000, which only fits a uint64.
        assert_eq!(
            json_round_trip(9.3e18),
            Some(Number::UInt(9_300_000_000_000_000_000))
        );
        // 2^63 prints as its shortest digits, 9223372036854776000.
        assert_eq!(
            json_round_trip(9_223_372_036_854_775_808.0),
            Some(Number::UInt(9_223_372_036_854_776_000))
        );
        assert_eq!(json_round_trip(f64::NAN), None);
    }

    #[test]
    fn resolution_does_not_recurse() {
        // 5000 nested sequences, built by hand (the parser would refuse them).
        let mut node = Node {
            kind: NodeKind::Scalar(Scalar {
                text: "1".into(),
                style: crate::yaml::ScalarStyle::Plain,
                tag: None,
            }),
            pos: Pos::default(),
            tag: None,
        };
        for _ in 0..5000 {
            node = Node {
                kind: NodeKind::Seq(vec![node]),
                pos: Pos::default(),
                tag: None,
            };
        }
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                resolve_helm_values(&node).map(|v| {
                    let mut depth = 0;
                    let mut cur = &v;
                    while let Value::Seq(items) = cur {
                        depth += 1;
                        cur = &items[0];
                    }
                    // Tear down iteratively too: the test stack is small.
                    let mut v = v;
                    while let Value::Seq(mut items) = v {
                        v = items.pop().unwrap_or_default();
                    }
                    let mut n = node;
                    while let NodeKind::Seq(mut items) = n.kind {
                        n = items.pop().expect("one child");
                    }
                    depth
                })
            })
            .expect("spawn");
        assert_eq!(handle.join().expect("no stack overflow"), Ok(5000));
    }

    #[test]
    fn top_level_keys_keep_their_text_in_kustomize() {
        let v = kustomize("1: a\n0x10: b\ntrue: c\n").expect("valid");
        let keys: Vec<&str> = v
            .as_map()
            .expect("map")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["1", "0x10", "true"]);
        let err = kustomize("spec:\n  1: a\n").expect_err("nested int key");
        assert_eq!(err.kind, YamlErrorKind::Unsupported);
        assert_eq!((err.line, err.column), (2, 3));
    }

    #[test]
    fn helm_keys_are_stringified_like_sigs_yaml() {
        let v = helm("m: {1: a, 1.5: b, 0.1: c, true: d, y: e, 1e3: f, 3.14159265358979: g, 0x10: h, 1000000.0: i, -0.0: j, .inf: k}\n")
            .expect("valid");
        let m = v.get("m").and_then(Value::as_map).expect("map");
        let keys: Vec<&str> = m.keys().map(String::as_str).collect();
        // `true` and `y` are the same key; the later one wins in the earlier one's place.
        assert_eq!(
            keys,
            [
                "1",
                "1.5",
                "0.1",
                "true",
                "1000",
                "3.1415927",
                "16",
                "1e+06",
                "-0",
                ".inf"
            ]
        );
        assert_eq!(m.get("true"), Some(&Value::from("e")));
    }

    /// Helm prints these as Go does: go-yaml's own failures as `yaml: ...` without a
    /// line, sigs.k8s.io/yaml's and encoding/json's without a prefix, values in `%#v`.
    #[test]
    fn helm_errors_read_as_go_prints_them() {
        let cases = [
            ("a: .inf\n", "json: unsupported value: +Inf"),
            ("b: {c: .nan}\n", "json: unsupported value: NaN"),
            (
                "a: !!int abc\n",
                "yaml: cannot decode !!str `abc` as a !!int",
            ),
            (
                "a: !!binary \"###\"\n",
                "yaml: !!binary value contains invalid base64 data",
            ),
            (
                "? [1, a, ~, {b: 2, a: [x]}]\n: x\n",
                "yaml: invalid map key: []interface {}{1, \"a\", interface {}(nil), map[interface {}]interface {}{\"a\":[]interface {}{\"x\"}, \"b\":2}}",
            ),
            (
                "~: [1, 2.5, 1e6, ~, true]\n",
                "unsupported map key of type: %!s(<nil>), key: <nil>, value: []interface {}{1, 2.5, 1e+06, interface {}(nil), true}",
            ),
            (
                "a:\n  18446744073709551615: {z: 1, 10: 3, 9: 2}\n",
                "unsupported map key of type: uint64, key: 0xffffffffffffffff, value: map[interface {}]interface {}{\"z\":1, 9:2, 10:3}",
            ),
            (
                "~: ~\n",
                "unsupported map key of type: %!s(<nil>), key: <nil>, value: <nil>",
            ),
        ];
        for (text, want) in cases {
            let e = helm(text).expect_err(text);
            assert_eq!(e.go_text(), want, "{text}");
        }
    }

    #[test]
    fn go_v2_keeps_number_types() {
        let docs = parse_stream(
            "a: 7\nb: 18446744073709551615\nc: 2.0\nd: .inf\ne: [0x10]\n",
            &ParseOptions::helm_values(),
        )
        .expect("valid");
        let v = resolve_go_v2(&docs[0]).expect("valid");
        assert_eq!(v.get("a"), Some(&Value::Number(Number::Int(7))));
        assert_eq!(v.get("b"), Some(&Value::Number(Number::UInt(u64::MAX))));
        assert_eq!(v.get("c"), Some(&Value::Number(Number::Float(2.0))));
        assert_eq!(
            v.get("d"),
            Some(&Value::Number(Number::Float(f64::INFINITY)))
        );
        assert_eq!(
            v.get("e"),
            Some(&Value::Seq(vec![Value::Number(Number::Int(16))]))
        );
    }
}
