//! apimachinery's `unstructured` accessors (`NestedFieldNoCopy`, `NestedInt64`, `NestedString`,
//! `NestedSlice`) and kstatus' `GetIntField`/`GetStringField`, with their errors worded as Go
//! words them (`.metadata.generation accessor error: 2 is of the type float64, expected int64`).

use crate::go::number::format_float;
use crate::yaml::{Number, Value};

/// An accessor error: a value on the path has another type than the accessor needs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path} accessor error: {value} is of the type {found}, expected {expected}")]
pub struct AccessorError {
    /// The JSON path up to the offending value (`.metadata.generation`).
    pub path: String,
    /// The value as Go's `%v` prints it.
    pub value: String,
    /// Its Go type as `%T` prints it (`float64`, `map[string]interface {}`).
    pub found: &'static str,
    /// The type the accessor wanted (`int64`, `string`, `[]interface{}`,
    /// `map[string]interface{}`).
    pub expected: &'static str,
}

fn json_path(fields: &[&str]) -> String {
    format!(".{}", fields.join("."))
}

fn accessor_error(fields: &[&str], v: &Value, expected: &'static str) -> AccessorError {
    AccessorError {
        path: json_path(fields),
        value: go_v(v),
        found: go_type(v),
        expected,
    }
}

/// `NestedFieldNoCopy`: `Ok(None)` when a key is missing or a value on the way is `null`.
pub(crate) fn nested<'a>(
    obj: &'a Value,
    fields: &[&str],
) -> Result<Option<&'a Value>, AccessorError> {
    let mut val = obj;
    for (i, field) in fields.iter().enumerate() {
        match val {
            Value::Null => return Ok(None),
            Value::Map(m) => match m.get(*field) {
                Some(v) => val = v,
                None => return Ok(None),
            },
            other => {
                return Err(accessor_error(
                    &fields[..=i],
                    other,
                    "map[string]interface{}",
                ));
            }
        }
    }
    Ok(Some(val))
}

/// `NestedInt64`: found only for an `int64` (a `null` or any other type is an error).
pub(crate) fn nested_int64(obj: &Value, fields: &[&str]) -> Result<Option<i64>, AccessorError> {
    match nested(obj, fields)? {
        None => Ok(None),
        Some(Value::Number(Number::Int(i))) => Ok(Some(*i)),
        Some(v) => Err(accessor_error(fields, v, "int64")),
    }
}

/// `NestedString`.
pub(crate) fn nested_string<'a>(
    obj: &'a Value,
    fields: &[&str],
) -> Result<Option<&'a str>, AccessorError> {
    match nested(obj, fields)? {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(accessor_error(fields, v, "string")),
    }
}

/// `NestedSlice` (without the copy).
pub(crate) fn nested_slice<'a>(
    obj: &'a Value,
    fields: &[&str],
) -> Result<Option<&'a [Value]>, AccessorError> {
    match nested(obj, fields)? {
        None => Ok(None),
        Some(Value::Seq(s)) => Ok(Some(s)),
        Some(v) => Err(accessor_error(fields, v, "[]interface{}")),
    }
}

/// apimachinery's `getNestedString`: the string, or `""` when missing or not a string.
pub(crate) fn get_nested_string<'a>(obj: &'a Value, fields: &[&str]) -> &'a str {
    nested_string(obj, fields).ok().flatten().unwrap_or("")
}

/// kstatus' `GetIntField`: the `int64` at the path, else the default (silently).
pub(crate) fn int_field(obj: &Value, fields: &[&str], default: i64) -> i64 {
    match nested(obj, fields) {
        Ok(Some(Value::Number(Number::Int(i)))) => *i,
        _ => default,
    }
}

/// kstatus' `GetStringField`: the string at the path, else the default.
pub(crate) fn string_field<'a>(obj: &'a Value, fields: &[&str], default: &'a str) -> &'a str {
    match nested(obj, fields) {
        Ok(Some(Value::String(s))) => s,
        _ => default,
    }
}

/// Go's `%T` of a decoded JSON value.
pub(crate) fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(Number::Int(_)) => "int64",
        Value::Number(Number::UInt(_)) => "uint64",
        Value::Number(Number::Float(_)) => "float64",
        Value::String(_) => "string",
        Value::Seq(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
    }
}

/// Go's `reflect.Kind` name of a decoded JSON value (the converter's errors use it).
pub(crate) fn go_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "invalid",
        Value::Bool(_) => "bool",
        Value::Number(Number::Int(_)) => "int64",
        Value::Number(Number::UInt(_)) => "uint64",
        Value::Number(Number::Float(_)) => "float64",
        Value::String(_) => "string",
        Value::Seq(_) => "slice",
        Value::Map(_) => "map",
    }
}

/// Go's `%v` of a decoded JSON value: `map[a:1 b:[x y]]` (keys sorted), `<nil>`, floats in
/// `%g` shortest form (`1e+06`).
pub(crate) fn go_v(v: &Value) -> String {
    let mut out = String::new();
    // An explicit stack: no recursion on input depth.
    enum Item<'a> {
        Val(&'a Value),
        Text(&'static str),
        Key(&'a str),
    }
    let mut stack = vec![Item::Val(v)];
    while let Some(item) = stack.pop() {
        match item {
            Item::Text(t) => out.push_str(t),
            Item::Key(k) => {
                out.push_str(k);
                out.push(':');
            }
            Item::Val(v) => match v {
                Value::Null => out.push_str("<nil>"),
                Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Value::Number(Number::Int(i)) => out.push_str(&i.to_string()),
                Value::Number(Number::UInt(u)) => out.push_str(&u.to_string()),
                Value::Number(Number::Float(f)) => out.push_str(&format_float(*f, b'g', -1, 64)),
                Value::String(s) => out.push_str(s),
                Value::Seq(items) => {
                    out.push('[');
                    stack.push(Item::Text("]"));
                    for (i, item) in items.iter().enumerate().rev() {
                        stack.push(Item::Val(item));
                        if i > 0 {
                            stack.push(Item::Text(" "));
                        }
                    }
                }
                Value::Map(m) => {
                    out.push_str("map[");
                    stack.push(Item::Text("]"));
                    let mut keys: Vec<&String> = m.keys().collect();
                    keys.sort();
                    for (i, k) in keys.iter().enumerate().rev() {
                        if let Some(val) = m.get(k.as_str()) {
                            stack.push(Item::Val(val));
                        }
                        stack.push(Item::Key(k));
                        if i > 0 {
                            stack.push(Item::Text(" "));
                        }
                    }
                }
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_yaml_go_v2;

    #[test]
    fn go_formatting() {
        let v =
            parse_yaml_go_v2("{b: [1, 2.5, ~, x], a: {c: true}, f: 1000000.0}").expect("parses");
        assert_eq!(go_v(&v), "map[a:map[c:true] b:[1 2.5 <nil> x] f:1e+06]");
    }

    #[test]
    fn accessor_errors_as_go_words_them() {
        let v = parse_yaml_go_v2("metadata: {generation: 2.0}\nstatus: x\n").expect("parses");
        let e = nested_int64(&v, &["metadata", "generation"]).expect_err("float");
        assert_eq!(
            e.to_string(),
            ".metadata.generation accessor error: 2 is of the type float64, expected int64"
        );
        let e = nested_int64(&v, &["status", "observedGeneration"]).expect_err("string");
        assert_eq!(
            e.to_string(),
            // NestedFieldNoCopy names the path up to the field it could not look up in.
            ".status.observedGeneration accessor error: x is of the type string, expected map[string]interface{}"
        );
    }
}
