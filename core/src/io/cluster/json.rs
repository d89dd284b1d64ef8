//! Conversions between the crate's [`Value`] and `serde_json::Value` (the wire form).

use crate::yaml::{Map, Number, Value};

/// A [`Value`] as JSON. Non-finite floats (which manifests cannot hold) become null.
pub fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(Number::Int(i)) => serde_json::Value::from(*i),
        Value::Number(Number::UInt(u)) => serde_json::Value::from(*u),
        Value::Number(Number::Float(f)) => serde_json::Number::from_f64(*f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Seq(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Map(m) => {
            serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// JSON as a [`Value`]: integers that fit stay `int64` (as apimachinery decodes them).
pub fn from_json(v: serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(Number::Int(i))
            } else if let Some(u) = n.as_u64() {
                Value::Number(Number::UInt(u))
            } else {
                Value::Number(Number::Float(n.as_f64().unwrap_or(0.0)))
            }
        }
        serde_json::Value::String(s) => Value::String(s),
        serde_json::Value::Array(items) => Value::Seq(items.into_iter().map(from_json).collect()),
        serde_json::Value::Object(m) => Value::Map(
            m.into_iter()
                .map(|(k, v)| (k, from_json(v)))
                .collect::<Map>(),
        ),
    }
}
