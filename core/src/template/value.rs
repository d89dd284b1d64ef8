//! The executor's model of Go values: the dynamic types a Helm template sees, with Go's
//! type names, kinds, truthiness and `fmt` printing.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::gofmt;
use super::time::GoTime;
use crate::yaml::{Map as YMap, Number, Value};

/// A Masterminds semver version (`*semver.Version`): the shared [`crate::semver`] type.
pub use crate::semver::Version;

/// Element type of a slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elem {
    /// `[]interface {}`.
    Iface,
    /// `[]string`.
    Str,
    /// `[]int`.
    Int,
    /// `[][]interface {}`.
    List,
}

/// A slice. Slices are never mutated in place by template functions, so they are
/// shared immutably.
#[derive(Debug, Clone)]
pub struct List {
    /// Element type.
    pub elem: Elem,
    /// Named slice type (e.g. `common.VersionSet`), if any.
    pub named: Option<&'static str>,
    /// The items.
    pub items: Vec<Val>,
}

/// What kind of map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapKind {
    /// `map[string]interface {}`.
    Iface,
    /// `map[string]string`.
    Str,
    /// Helm's `common.Values` (a `map[string]interface {}` with methods).
    Values,
    /// Helm's `engine.files` (`map[string][]byte` with methods).
    Files,
}

impl MapKind {
    /// An entry as the Go map holds it: `engine.files` keeps each file's content as a
    /// string here, and as `[]byte` there (base64 in JSON, a list of numbers in `fmt`).
    pub fn entry<'a>(self, v: &'a Val) -> std::borrow::Cow<'a, Val> {
        match (self, v) {
            (MapKind::Files, Val::Str(s)) => {
                std::borrow::Cow::Owned(Val::Bytes(super::gostr_to_bytes(s).into()))
            }
            _ => std::borrow::Cow::Borrowed(v),
        }
    }
}

/// A map: shared and mutable, like a Go map (`set`, `unset`, `merge` mutate it).
#[derive(Debug)]
pub struct MapObj {
    /// The kind.
    pub kind: MapKind,
    /// Entries, in Go's sorted key order.
    pub entries: RefCell<BTreeMap<String, Val>>,
    /// A nil Go map (no entries; `null` in JSON).
    pub nil: bool,
}

/// A struct value (helm's Capabilities, KubeVersion, sprig's certificate, ...).
#[derive(Debug)]
pub struct StructVal {
    /// Go type name (`%T`).
    pub type_name: &'static str,
    /// Whether it is held by pointer.
    pub ptr: bool,
    /// Fields in declaration order.
    pub fields: Vec<(&'static str, Val)>,
    /// What `String()` returns, when the type has that method. Only the template's own
    /// printing of an action's value uses it (Helm's types have it on the pointer, which
    /// the functions `fmt` prints through do not see).
    pub display: Option<String>,
}

impl StructVal {
    /// The fields `encoding/json` writes, in order: exported ones only, under their JSON
    /// names, an `omitempty` one only when it is not empty.
    pub fn json_fields(&self) -> Vec<(&'static str, &Val)> {
        self.fields
            .iter()
            .filter(|(k, _)| k.starts_with(|c: char| c.is_ascii_uppercase()))
            .filter_map(|(k, v)| {
                let (name, omit_empty) = json_tag(self.type_name, k);
                let empty = matches!(v, Val::Str(s) if s.is_empty());
                (!(omit_empty && empty)).then_some((name, v))
            })
            .collect()
    }
}

/// The JSON name and `omitempty` of a struct field, from its Go tag.
fn json_tag(type_name: &str, field: &'static str) -> (&'static str, bool) {
    match (type_name, field) {
        ("version.BuildInfo", "Version") => ("version", true),
        ("version.BuildInfo", "GitCommit") => ("git_commit", true),
        ("version.BuildInfo", "GitTreeState") => ("git_tree_state", true),
        ("version.BuildInfo", "GoVersion") => ("go_version", true),
        ("version.BuildInfo", "KubeClientVersion") => ("kube_client_version", false),
        _ => (field, false),
    }
}

/// A Go value as the template executor sees it.
#[derive(Debug, Clone, Default)]
pub enum Val {
    /// An invalid `reflect.Value` (a missing map key after the pipeline): prints
    /// `<no value>`.
    #[default]
    Missing,
    /// A nil interface.
    Nil,
    /// `bool`.
    Bool(bool),
    /// `int`.
    Int(i64),
    /// `int64`.
    Int64(i64),
    /// `uint8`.
    Uint8(u8),
    /// `uint64`.
    Uint64(u64),
    /// `float64`.
    Float(f64),
    /// `complex128`.
    Complex(f64, f64),
    /// `string`.
    Str(Rc<str>),
    /// `[]byte`.
    Bytes(Rc<[u8]>),
    /// A slice.
    List(Rc<List>),
    /// A map.
    Map(Rc<MapObj>),
    /// `time.Time`.
    Time(GoTime),
    /// `time.Month` / `time.Weekday` and similar named ints with a `String()`.
    Enum(&'static str, i64, &'static str),
    /// `*semver.Version`.
    Semver(Rc<Version>),
    /// A struct or pointer to struct.
    Struct(Rc<StructVal>),
}

impl Val {
    /// A string value.
    pub fn str(s: impl Into<Rc<str>>) -> Val {
        Val::Str(s.into())
    }

    /// A `[]interface {}`.
    pub fn list(items: Vec<Val>) -> Val {
        Val::List(Rc::new(List {
            elem: Elem::Iface,
            named: None,
            items,
        }))
    }

    /// A typed slice.
    pub fn typed_list(elem: Elem, items: Vec<Val>) -> Val {
        Val::List(Rc::new(List {
            elem,
            named: None,
            items,
        }))
    }

    /// A `[]string`.
    pub fn str_list(items: Vec<String>) -> Val {
        Val::typed_list(Elem::Str, items.into_iter().map(Val::str).collect())
    }

    /// A new map of a kind.
    pub fn map(kind: MapKind, entries: BTreeMap<String, Val>) -> Val {
        Val::Map(Rc::new(MapObj {
            kind,
            entries: RefCell::new(entries),
            nil: false,
        }))
    }

    /// A nil map of the kind (what an unset map field of a Go struct holds).
    pub fn nil_map(kind: MapKind) -> Val {
        Val::Map(Rc::new(MapObj {
            kind,
            entries: RefCell::new(BTreeMap::new()),
            nil: true,
        }))
    }

    /// A new `map[string]interface {}`.
    pub fn dict(entries: BTreeMap<String, Val>) -> Val {
        Val::map(MapKind::Iface, entries)
    }

    /// Missing → Nil (what an `interface{}` parameter receives).
    pub fn or_nil(self) -> Val {
        match self {
            Val::Missing => Val::Nil,
            v => v,
        }
    }

    /// Whether nil or missing.
    pub fn is_nil(&self) -> bool {
        matches!(self, Val::Missing | Val::Nil)
    }

    /// The string inside, if a Go string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Go's `%T`.
    pub fn type_name(&self) -> String {
        match self {
            Val::Missing | Val::Nil => "<nil>".into(),
            Val::Bool(_) => "bool".into(),
            Val::Int(_) => "int".into(),
            Val::Int64(_) => "int64".into(),
            Val::Uint8(_) => "uint8".into(),
            Val::Uint64(_) => "uint64".into(),
            Val::Float(_) => "float64".into(),
            Val::Complex(..) => "complex128".into(),
            Val::Str(_) => "string".into(),
            Val::Bytes(_) => "[]uint8".into(),
            Val::List(l) => match l.named {
                Some(n) => n.into(),
                None => match l.elem {
                    Elem::Iface => "[]interface {}".into(),
                    Elem::Str => "[]string".into(),
                    Elem::Int => "[]int".into(),
                    Elem::List => "[][]interface {}".into(),
                },
            },
            Val::Map(m) => match m.kind {
                MapKind::Iface => "map[string]interface {}".into(),
                MapKind::Str => "map[string]string".into(),
                MapKind::Values => "common.Values".into(),
                MapKind::Files => "engine.files".into(),
            },
            Val::Time(_) => "time.Time".into(),
            Val::Enum(t, _, _) => (*t).into(),
            Val::Semver(_) => "*semver.Version".into(),
            Val::Struct(s) => {
                if s.ptr {
                    format!("*{}", s.type_name)
                } else {
                    s.type_name.into()
                }
            }
        }
    }

    /// `reflect.Kind` name (sprig's `kindOf`).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Val::Missing | Val::Nil => "invalid",
            Val::Bool(_) => "bool",
            Val::Int(_) => "int",
            Val::Int64(_) | Val::Enum(..) => "int64",
            Val::Uint8(_) => "uint8",
            Val::Uint64(_) => "uint64",
            Val::Float(_) => "float64",
            Val::Complex(..) => "complex128",
            Val::Str(_) => "string",
            Val::Bytes(_) | Val::List(_) => "slice",
            Val::Map(_) => "map",
            Val::Time(_) => "struct",
            Val::Semver(_) => "ptr",
            Val::Struct(s) => {
                if s.ptr {
                    "ptr"
                } else {
                    "struct"
                }
            }
        }
    }

    /// Go's template truth (`isTrue`).
    pub fn truth(&self) -> bool {
        match self {
            Val::Missing | Val::Nil => false,
            Val::Bool(b) => *b,
            Val::Int(i) | Val::Int64(i) => *i != 0,
            Val::Enum(_, i, _) => *i != 0,
            Val::Uint8(i) => *i != 0,
            Val::Uint64(i) => *i != 0,
            Val::Float(f) => *f != 0.0,
            Val::Complex(a, b) => *a != 0.0 || *b != 0.0,
            Val::Str(s) => !s.is_empty(),
            Val::Bytes(b) => !b.is_empty(),
            Val::List(l) => !l.items.is_empty(),
            Val::Map(m) => !m.entries.borrow().is_empty(),
            Val::Time(_) | Val::Semver(_) | Val::Struct(_) => true,
        }
    }

    /// Whether `len` is zero (or the value has no length).
    pub fn is_empty(&self) -> bool {
        self.len().unwrap_or(0) == 0
    }

    /// Length for `len`-like functions, if the value has one.
    pub fn len(&self) -> Option<usize> {
        match self {
            Val::Str(s) => Some(go_len(s)),
            Val::Bytes(b) => Some(b.len()),
            Val::List(l) => Some(l.items.len()),
            Val::Map(m) => Some(m.entries.borrow().len()),
            _ => None,
        }
    }

    /// Converts from the YAML/JSON model. Maps become `map[string]interface {}`.
    pub fn from_value(v: &Value) -> Val {
        match v {
            Value::Null => Val::Nil,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(Number::Int(i)) => Val::Int64(*i),
            Value::Number(Number::UInt(u)) => Val::Uint64(*u),
            Value::Number(Number::Float(f)) => Val::Float(*f),
            Value::String(s) => Val::str(s.as_str()),
            Value::Seq(s) => Val::list(s.iter().map(Val::from_value).collect()),
            Value::Map(m) => Val::dict(
                m.iter()
                    .map(|(k, v)| (k.clone(), Val::from_value(v)))
                    .collect(),
            ),
        }
    }

    /// Converts to the YAML/JSON model the way `encoding/json` would see it (used by
    /// `toYaml`). `None` when the value cannot be marshalled.
    pub fn to_value(&self) -> Option<Value> {
        self.to_value_depth(0)
    }

    fn to_value_depth(&self, depth: usize) -> Option<Value> {
        if depth > 200 {
            return None;
        }
        Some(match self {
            Val::Missing | Val::Nil => Value::Null,
            Val::Bool(b) => Value::Bool(*b),
            Val::Int(i) | Val::Int64(i) | Val::Enum(_, i, _) => Value::Number(Number::Int(*i)),
            Val::Uint8(u) => Value::Number(Number::Int(*u as i64)),
            Val::Uint64(u) => Value::Number(Number::UInt(*u)),
            Val::Float(f) => {
                if !f.is_finite() {
                    return None;
                }
                Value::Number(Number::Float(*f))
            }
            Val::Complex(..) => return None,
            Val::Str(s) => Value::String(s.to_string()),
            Val::Bytes(b) => Value::String(super::funcs::encoding::b64enc(b)),
            Val::List(l) => Value::Seq(
                l.items
                    .iter()
                    .map(|v| v.to_value_depth(depth + 1))
                    .collect::<Option<Vec<_>>>()?,
            ),
            Val::Map(m) if m.nil => Value::Null,
            Val::Map(m) => {
                let mut out = YMap::default();
                for (k, v) in m.entries.borrow().iter() {
                    let v = m.kind.entry(v);
                    out.insert(k.clone(), v.to_value_depth(depth + 1)?);
                }
                Value::Map(out)
            }
            Val::Time(t) => Value::String(time_json(t).ok()?),
            Val::Semver(v) => Value::String(v.to_string()),
            Val::Struct(s) => {
                let mut out = YMap::default();
                for (k, v) in s.json_fields() {
                    out.insert(k.to_string(), v.to_value_depth(depth + 1)?);
                }
                Value::Map(out)
            }
        })
    }
}

/// `time.Time.MarshalJSON`'s text: RFC 3339 with nanoseconds, refused when the year is
/// not four digits or the zone hour is 24 or more (Go's strict RFC 3339 check; the error
/// is Go's message).
pub(crate) fn time_json(t: &super::time::GoTime) -> Result<String, &'static str> {
    let s = t.format(super::time::RFC3339_NANO);
    let b = s.as_bytes();
    if b.get(4) != Some(&b'-') {
        return Err("Time.MarshalJSON: year outside of range [0,9999]");
    }
    if !s.ends_with('Z') {
        let n = b.len();
        let num2 = |i: usize| {
            u32::from(b[i].wrapping_sub(b'0')) * 10 + u32::from(b[i + 1].wrapping_sub(b'0'))
        };
        if n < 6 || b[n - 6].is_ascii_digit() || num2(n - 5) >= 24 {
            return Err("Time.MarshalJSON: timezone hour outside of range [0,23]");
        }
    }
    Ok(s)
}

/// The length in Go bytes of an engine string (raw bytes carried as private-use
/// characters count one byte each).
pub fn go_len(s: &str) -> usize {
    if !s.chars().any(|c| c as u32 >= 0x10FF00) {
        return s.len();
    }
    s.chars()
        .map(|c| {
            if (0x10FF00..0x110000).contains(&(c as u32)) {
                1
            } else {
                c.len_utf8()
            }
        })
        .sum()
}

/// Go's `fmt.Sprint` of one value with `%v`.
pub fn sprint_v(v: &Val) -> String {
    let mut s = String::new();
    write_v(&mut s, v, false, 0);
    s
}

/// Writes `%v` (or `%#v` when `sharp`) as Go's `fmt` does: of a `Sprint` argument when
/// `depth` is 0, of an element inside a collection otherwise.
pub fn write_v(out: &mut String, v: &Val, sharp: bool, depth: usize) {
    gofmt::write_value(out, v, sharp, depth);
}
