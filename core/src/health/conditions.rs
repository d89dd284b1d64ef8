//! kstatus' `GetObjectWithConditions`: `runtime.DefaultUnstructuredConverter.FromUnstructured`
//! of the whole object into `{status: {conditions: []{type, status, reason, message}}}`, with
//! the converter's rules and errors (`cannot restore struct from: string`, `unrecognized type:
//! string`, `cannot convert int64 to v1.ConditionStatus`).

use super::access::go_kind;
use crate::yaml::{Number, Value};

/// A condition as kstatus reads it (`BasicCondition`); missing or `null` fields are `""`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Condition<'a> {
    pub(crate) type_: &'a str,
    pub(crate) status: &'a str,
    pub(crate) reason: &'a str,
    pub(crate) message: &'a str,
}

/// The conditions of `obj`, or the converter's error text.
pub(crate) fn conditions(obj: &Value) -> Result<Vec<Condition<'_>>, String> {
    let Some(status) = present(obj.get("status")) else {
        return Ok(Vec::new());
    };
    let Value::Map(status) = status else {
        return Err(format!("cannot restore struct from: {}", go_kind(status)));
    };
    let Some(list) = present(status.get("conditions")) else {
        return Ok(Vec::new());
    };
    let Value::Seq(items) = list else {
        return Err(format!("cannot restore slice from {}", go_kind(list)));
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Some(item) = present(Some(item)) else {
            out.push(Condition::default());
            continue;
        };
        let Value::Map(m) = item else {
            return Err(format!("cannot restore struct from: {}", go_kind(item)));
        };
        out.push(Condition {
            type_: string(m.get("type"), "string")?,
            status: string(m.get("status"), "v1.ConditionStatus")?,
            reason: string(m.get("reason"), "string")?,
            message: string(m.get("message"), "string")?,
        });
    }
    Ok(out)
}

/// A value the converter sees (`null` is as good as missing).
fn present(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_null())
}

/// A `string`-kinded field: strings convert; an `int64` is convertible in Go's reflection
/// (to a rune) but refused by the converter; anything else is not convertible at all.
fn string<'a>(v: Option<&'a Value>, go_type: &str) -> Result<&'a str, String> {
    match present(v) {
        None => Ok(""),
        Some(Value::String(s)) => Ok(s),
        Some(Value::Number(Number::Int(_))) => Err(format!("cannot convert int64 to {go_type}")),
        Some(Value::Number(Number::UInt(_))) => Err(format!("cannot convert uint64 to {go_type}")),
        Some(_) => Err("unrecognized type: string".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_yaml_go_v2;

    fn err(yaml: &str) -> String {
        let v = parse_yaml_go_v2(yaml).expect("parses");
        conditions(&v).expect_err("fails")
    }

    #[test]
    fn converter_errors() {
        assert_eq!(err("status: x"), "cannot restore struct from: string");
        assert_eq!(err("status: [1]"), "cannot restore struct from: slice");
        assert_eq!(
            err("status: {conditions: {}}"),
            "cannot restore slice from map"
        );
        assert_eq!(
            err("status: {conditions: [1]}"),
            "cannot restore struct from: int64"
        );
        assert_eq!(
            err("status: {conditions: [{type: y}]}"),
            "unrecognized type: string"
        );
        assert_eq!(
            err("status: {conditions: [{status: 1}]}"),
            "cannot convert int64 to v1.ConditionStatus"
        );
    }

    #[test]
    fn nulls_are_zero_values() {
        let v = parse_yaml_go_v2("status: {conditions: [~, {type: ~, status: 'True'}]}")
            .expect("parses");
        let c = conditions(&v).expect("converts");
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].status, "True");
        assert_eq!(c[1].type_, "");
    }
}
