//! A small decoder with Go `encoding/json` semantics for kustomize's configuration types:
//! field names match exactly or case-insensitively, unknown fields are an error
//! (`DisallowUnknownFields`), `null` leaves a field at its zero value, and type mismatches
//! are worded as Go words them.

use std::collections::BTreeMap;

use crate::yaml::{Map, Number, Value};

/// A decoding failure, worded as Go's `encoding/json` words it.
pub(crate) type DecodeError = String;

/// The fields of one JSON object, matched against a Go struct's field names.
pub(crate) struct Fields<'a> {
    /// Go struct name, for messages (`Kustomization`, `Patch`, ...).
    ty: &'static str,
    found: BTreeMap<&'static str, &'a Value>,
}

fn mismatch(v: &Value, ty: &str, field: &str, want: &str) -> DecodeError {
    let what = match v {
        Value::Number(n) => format!("number {}", crate::go::json::number(*n).unwrap_or_default()),
        other => crate::go::json::kind_name(other).to_owned(),
    };
    format!("json: cannot unmarshal {what} into Go struct field {ty}.{field} of type {want}")
}

impl<'a> Fields<'a> {
    /// Matches the keys of `v` (which must be an object or null) against `known`;
    /// an unknown key is an error.
    pub(crate) fn new(
        v: &'a Value,
        ty: &'static str,
        known: &[&'static str],
    ) -> Result<Self, DecodeError> {
        Self::decode(v, ty, known, true)
    }

    /// Like [`Fields::new`], ignoring unknown keys (Go's default `json.Unmarshal`).
    pub(crate) fn lenient(
        v: &'a Value,
        ty: &'static str,
        known: &[&'static str],
    ) -> Result<Self, DecodeError> {
        Self::decode(v, ty, known, false)
    }

    fn decode(
        v: &'a Value,
        ty: &'static str,
        known: &[&'static str],
        strict: bool,
    ) -> Result<Self, DecodeError> {
        let mut found = BTreeMap::new();
        let m: &Map = match v {
            Value::Map(m) => m,
            Value::Null => return Ok(Fields { ty, found }),
            other => {
                return Err(format!(
                    "json: cannot unmarshal {} into Go value of type types.{ty}",
                    crate::go::json::kind_name(other)
                ));
            }
        };
        for (k, val) in m {
            let name = known
                .iter()
                .find(|n| **n == k.as_str())
                .or_else(|| known.iter().find(|n| n.eq_ignore_ascii_case(k)));
            match name {
                Some(n) => {
                    found.insert(*n, val);
                }
                None if strict => return Err(format!("json: unknown field \"{k}\"")),
                None => {}
            }
        }
        Ok(Fields { ty, found })
    }

    /// The raw value of a field (absent or null → `None`).
    pub(crate) fn raw(&self, name: &str) -> Option<&'a Value> {
        self.found.get(name).copied().filter(|v| !v.is_null())
    }

    /// A `string` field.
    pub(crate) fn string(&self, name: &str) -> Result<String, DecodeError> {
        match self.raw(name) {
            None => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(v) => Err(mismatch(v, self.ty, name, "string")),
        }
    }

    /// A `bool` field.
    pub(crate) fn boolean(&self, name: &str) -> Result<bool, DecodeError> {
        match self.raw(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => Err(mismatch(v, self.ty, name, "bool")),
        }
    }

    /// An integer field.
    pub(crate) fn int(&self, name: &str) -> Result<i64, DecodeError> {
        match self.raw(name) {
            None => Ok(0),
            Some(v @ Value::Number(n)) => match *n {
                Number::Int(i) => Ok(i),
                Number::UInt(u) => {
                    i64::try_from(u).map_err(|_| mismatch(v, self.ty, name, "int64"))
                }
                Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Ok(f as i64),
                Number::Float(_) => Err(mismatch(v, self.ty, name, "int64")),
            },
            Some(v) => Err(mismatch(v, self.ty, name, "int64")),
        }
    }

    /// A `[]string` field.
    pub(crate) fn strings(&self, name: &str) -> Result<Vec<String>, DecodeError> {
        match self.raw(name) {
            None => Ok(Vec::new()),
            Some(Value::Seq(items)) => items
                .iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s.clone()),
                    Value::Null => Ok(String::new()),
                    other => Err(mismatch(other, self.ty, name, "string")),
                })
                .collect(),
            Some(v) => Err(mismatch(v, self.ty, name, "[]string")),
        }
    }

    /// A `map[string]string` field, in key order of the source.
    pub(crate) fn string_map(&self, name: &str) -> Result<Vec<(String, String)>, DecodeError> {
        match self.raw(name) {
            None => Ok(Vec::new()),
            Some(Value::Map(m)) => m
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k.clone(), s.clone())),
                    Value::Null => Ok((k.clone(), String::new())),
                    other => Err(mismatch(other, self.ty, name, "string")),
                })
                .collect(),
            Some(v) => Err(mismatch(v, self.ty, name, "map[string]string")),
        }
    }

    /// A `map[string]bool` field.
    pub(crate) fn bool_map(&self, name: &str) -> Result<Vec<(String, bool)>, DecodeError> {
        match self.raw(name) {
            None => Ok(Vec::new()),
            Some(Value::Map(m)) => m
                .iter()
                .map(|(k, v)| match v {
                    Value::Bool(b) => Ok((k.clone(), *b)),
                    Value::Null => Ok((k.clone(), false)),
                    other => Err(mismatch(other, self.ty, name, "bool")),
                })
                .collect(),
            Some(v) => Err(mismatch(v, self.ty, name, "map[string]bool")),
        }
    }

    /// A `[]T` field decoded element by element.
    pub(crate) fn list<T>(
        &self,
        name: &str,
        f: impl Fn(&'a Value) -> Result<T, DecodeError>,
    ) -> Result<Vec<T>, DecodeError> {
        match self.raw(name) {
            None => Ok(Vec::new()),
            Some(Value::Seq(items)) => items.iter().map(f).collect(),
            Some(v) => Err(mismatch(v, self.ty, name, "array")),
        }
    }

    /// A `*T` field.
    pub(crate) fn opt<T>(
        &self,
        name: &str,
        f: impl Fn(&'a Value) -> Result<T, DecodeError>,
    ) -> Result<Option<T>, DecodeError> {
        self.raw(name).map(f).transpose()
    }
}
