//! `sigs.k8s.io/yaml.Unmarshal` into a Go struct (`Chart.yaml` into `chart.Metadata`, a
//! manifest's head into `SimpleHead`, ...).
//!
//! Before printing the YAML as JSON, `sigs.k8s.io/yaml` walks it alongside the target type
//! and turns a number or a boolean bound for a `string` (a struct field, a map element or
//! a slice element) into its text: an integer in decimal, a float as
//! `strconv.FormatFloat(f, 'g', -1, 32)`, `true` / `false`. So `version: 1.10` in
//! `Chart.yaml` is the string `"1.1"`, and `helm.sh/hook-weight: 5` is `"5"`. What is not
//! coerced goes through JSON: every number a `float64`, and infinities or NaN an error.

use crate::go::number::format_float;
use crate::yaml::{Number, Value};

/// The shape of a Go target type, as far as the coercion cares.
pub(crate) enum Target {
    /// A `string`.
    Str,
    /// A struct: its fields' JSON names (matched case-insensitively, as `encoding/json`
    /// does) and types.
    Fields(&'static [(&'static str, Target)]),
    /// A `map[string]T`.
    MapOf(&'static Target),
    /// A `[]T`.
    SliceOf(&'static Target),
    /// Anything else (`bool`, `interface{}`, a type with its own JSON decoding).
    Any,
}

/// The text a number or boolean bound for a `string` becomes.
fn scalar_text(v: &Value) -> Option<String> {
    Some(match v {
        Value::Bool(b) => b.to_string(),
        Value::Number(Number::Int(i)) => i.to_string(),
        Value::Number(Number::UInt(u)) => u.to_string(),
        Value::Number(Number::Float(f)) => format_float(*f, b'g', -1, 32),
        _ => return None,
    })
}

fn field<'a>(fields: &'a [(&'static str, Target)], key: &str) -> Option<&'a Target> {
    fields
        .iter()
        .find(|(n, _)| *n == key)
        .or_else(|| fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(key)))
        .map(|(_, t)| t)
}

/// `convertToJSONableObject` with a target, then the JSON number model: what is left of
/// the numbers becomes `float64`.
fn coerce(v: Value, target: Option<&Target>) -> Value {
    match v {
        Value::Map(m) => Value::Map(
            m.into_iter()
                .map(|(k, x)| {
                    let t = match target {
                        Some(Target::Fields(fs)) => field(fs, &k),
                        Some(Target::MapOf(t)) => Some(*t),
                        _ => None,
                    };
                    (k, coerce(x, t))
                })
                .collect(),
        ),
        Value::Seq(items) => {
            let t = match target {
                Some(Target::SliceOf(t)) => Some(*t),
                _ => None,
            };
            Value::Seq(items.into_iter().map(|x| coerce(x, t)).collect())
        }
        v => match (target, scalar_text(&v)) {
            (Some(Target::Str), Some(s)) => Value::String(s),
            // JSON into interface{}: integers are float64 too.
            #[allow(clippy::cast_precision_loss)]
            _ => match v {
                Value::Number(Number::Int(i)) => Value::Number(Number::Float(i as f64)),
                Value::Number(Number::UInt(u)) => Value::Number(Number::Float(u as f64)),
                v => v,
            },
        },
    }
}

/// Only the first half of `convertToJSONableObject`: numbers and booleans bound for a
/// `string` become text, everything else is left as it is (for decoders that take
/// integers and floats alike, as `encoding/json` does for typed fields).
pub(crate) fn coerce_strings(v: &Value, target: &Target) -> Value {
    match (v, target) {
        (Value::Map(m), Target::Fields(_) | Target::MapOf(_)) => Value::Map(
            m.iter()
                .map(|(k, x)| {
                    let t = match target {
                        Target::Fields(fs) => field(fs, k),
                        Target::MapOf(t) => Some(*t),
                        _ => None,
                    };
                    let x = match t {
                        Some(t) => coerce_strings(x, t),
                        None => x.clone(),
                    };
                    (k.clone(), x)
                })
                .collect(),
        ),
        (Value::Seq(items), Target::SliceOf(t)) => {
            Value::Seq(items.iter().map(|x| coerce_strings(x, t)).collect())
        }
        (v, Target::Str) => scalar_text(v).map_or_else(|| v.clone(), Value::String),
        (v, _) => v.clone(),
    }
}

/// `json.Marshal`'s refusal of a non-finite float, the first one in its (sorted-key) order.
fn non_finite(v: &Value) -> Option<&'static str> {
    match v {
        Value::Number(Number::Float(f)) if f.is_nan() => Some("NaN"),
        Value::Number(Number::Float(f)) if f.is_infinite() => {
            Some(if *f > 0.0 { "+Inf" } else { "-Inf" })
        }
        Value::Seq(items) => items.iter().find_map(non_finite),
        Value::Map(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            keys.into_iter().find_map(|k| non_finite(&m[k]))
        }
        _ => None,
    }
}

/// The JSON `sigs.k8s.io/yaml.Unmarshal` hands to `encoding/json` for a target of shape
/// `target`, read back as a value (first document only). Errors are its text
/// (`error converting YAML to JSON: ...`).
pub(crate) fn yaml_to_json_for(text: &str, target: &Target) -> Result<Value, String> {
    let v = crate::yaml::parse_yaml_go_v2(text).map_err(|e| super::chart::yaml_error_text(&e))?;
    value_to_json_for(v, target)
}

/// [`yaml_to_json_for`] of an already parsed first document (`None`: an empty text).
pub(crate) fn node_to_json_for(
    doc: Option<&crate::yaml::Node>,
    target: &Target,
) -> Result<Value, String> {
    let v = match doc {
        None => Value::Null,
        Some(d) => crate::yaml::resolve_go_v2(d).map_err(|e| super::chart::yaml_error_text(&e))?,
    };
    value_to_json_for(v, target)
}

fn value_to_json_for(v: Value, target: &Target) -> Result<Value, String> {
    let v = coerce(v, Some(target));
    match non_finite(&v) {
        Some(name) => Err(format!(
            "error converting YAML to JSON: json: unsupported value: {name}"
        )),
        None => Ok(v),
    }
}

/// The text a scalar node bound for a `string` field becomes (`None` for an empty
/// value, [`None`] outer when it is no scalar or does not resolve).
pub(crate) fn string_field(node: &crate::yaml::Node) -> Option<Option<String>> {
    if !matches!(node.kind, crate::yaml::NodeKind::Scalar(_)) {
        return None;
    }
    match crate::yaml::resolve_go_v2(node).ok()? {
        Value::Null => Some(None),
        Value::String(s) => Some(Some(s)),
        v => scalar_text(&v).map(Some),
    }
}

/// `convertToJSONableObject` for a value already decoded as go-yaml v2 decodes it: what
/// `sigs.k8s.io/yaml` hands to `encoding/json` for a target of shape `target`.
pub(crate) fn json_for(v: Value, target: &Target) -> Result<Value, String> {
    let v = coerce(v, Some(target));
    match non_finite(&v) {
        Some(name) => Err(format!(
            "error converting YAML to JSON: json: unsupported value: {name}"
        )),
        None => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static HEAD: Target = Target::Fields(&[
        ("name", Target::Str),
        ("tags", Target::SliceOf(&Target::Str)),
        ("annotations", Target::MapOf(&Target::Str)),
        ("enabled", Target::Any),
    ]);

    fn get<'a>(v: &'a Value, k: &str) -> &'a Value {
        v.get(k).unwrap()
    }

    #[test]
    fn numbers_and_booleans_bound_for_strings_become_text() {
        let v = yaml_to_json_for(
            "Name: 12\ntags: [1.10, on, 1e3, 0x1F, 1234567.0, 12345678901234567890]\nannotations: {a: 5, b: -1.0, c: yes}\nenabled: 1\nother: 2\n",
            &HEAD,
        )
        .unwrap();
        assert_eq!(get(&v, "Name"), &Value::from("12"));
        let tags: Vec<&str> = get(&v, "tags")
            .as_seq()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(
            tags,
            [
                "1.1",
                "true",
                "1000",
                "31",
                "1.234567e+06",
                "12345678901234567890"
            ]
        );
        let a = get(&v, "annotations");
        assert_eq!(get(a, "a"), &Value::from("5"));
        assert_eq!(get(a, "b"), &Value::from("-1"));
        assert_eq!(get(a, "c"), &Value::from("true"));
        // Not bound for a string: a JSON number.
        assert_eq!(get(&v, "enabled"), &Value::Number(Number::Float(1.0)));
        assert_eq!(get(&v, "other"), &Value::Number(Number::Float(2.0)));
    }

    #[test]
    fn non_finite_floats_fail_unless_coerced() {
        let v = yaml_to_json_for("name: .inf\n", &HEAD).unwrap();
        assert_eq!(get(&v, "name"), &Value::from("+Inf"));
        assert_eq!(
            yaml_to_json_for("b: [1, -.inf]\na: .nan\n", &HEAD).unwrap_err(),
            "error converting YAML to JSON: json: unsupported value: NaN"
        );
    }
}
