//! The data model that both Go tools work on after their JSON round trip.
//!
//! kustomize (kyaml) and Helm (sigs.k8s.io/yaml) both pass every object through
//! `encoding/json`, so what survives a parse is JSON data: null, booleans, numbers,
//! strings, sequences and string-keyed maps. Numbers keep the distinction Go keeps:
//! `int64`, `uint64` (go-yaml v3 decodes big positive integers as `uint64`) and `float64`.

use indexmap::IndexMap;

/// A string-keyed map that keeps insertion order (emitters sort on output).
///
/// Hashed with foldhash (randomly seeded per process, so crafted keys cannot force
/// collisions), which is several times cheaper than the standard SipHash on the short keys
/// of Kubernetes objects. The order is the insertion order whatever the hasher, so the
/// output does not depend on it. Make one with `Map::default()` (`Map::default()` exists only
/// for the standard hasher).
pub type Map = IndexMap<String, Value, MapHasher>;

/// The hasher of [`Map`].
pub type MapHasher = foldhash::fast::RandomState;

/// A number as Go holds it after decoding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// A Go `int64` (or `int`).
    Int(i64),
    /// A Go `uint64` (go-yaml v3 uses it for integers above `i64::MAX`).
    UInt(u64),
    /// A Go `float64`.
    Float(f64),
}

/// A JSON-like value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// A sequence.
    Seq(Vec<Value>),
    /// A map with string keys.
    Map(Map),
}

impl Value {
    /// The map inside, if this is a map.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The mutable map inside, if this is a map.
    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The string inside, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The sequence inside, if this is a sequence.
    pub fn as_seq(&self) -> Option<&[Value]> {
        match self {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// Looks up a key in a map; `None` for a missing key or a non-map.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(key))
    }

    /// Follows a path of map keys.
    pub fn get_path(&self, path: &[&str]) -> Option<&Value> {
        path.iter().try_fold(self, |v, k| v.get(k))
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Number(Number::Int(n))
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(Number::Float(n))
    }
}
