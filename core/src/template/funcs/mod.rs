//! The function table: Go's builtins, Sprig v3.3.0 (as Helm exposes it) and Helm's own
//! functions, each with its Go signature (the executor checks arguments the way Go's
//! reflection-based caller does).

use crate::go::strconv;
use std::collections::HashMap;
use std::sync::OnceLock;

use super::Env;
use super::error::TemplateError;
use super::value::{MapKind, Val};

pub(crate) mod builtin;
pub(crate) mod crypto;
pub(crate) mod dates;
pub(crate) mod encoding;
pub(crate) mod helm;
pub(crate) mod json;
pub(crate) mod methods;
pub(crate) mod regex;
pub(crate) mod semver;
pub(crate) mod sprig;
#[rustfmt::skip]
pub(crate) mod xstrings;

/// A Go parameter type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PT {
    /// `interface {}`.
    Any,
    /// `reflect.Value` (builtins): missing values stay missing.
    RV,
    /// `string`.
    Str,
    /// `int`.
    Int,
    /// `uint32`.
    U32,
    /// `float64`.
    Float,
    /// `bool`.
    Bool,
    /// `map[string]interface {}`.
    Map,
    /// `[]interface {}`.
    List,
    /// `time.Time`.
    Time,
    /// `sprig.certificate`.
    Cert,
}

impl PT {
    /// Go's spelling of the type.
    pub fn go_name(self) -> &'static str {
        match self {
            PT::Any => "interface {}",
            PT::RV => "reflect.Value",
            PT::Str => "string",
            PT::Int => "int",
            PT::U32 => "uint32",
            PT::Float => "float64",
            PT::Bool => "bool",
            PT::Map => "map[string]interface {}",
            PT::List => "[]interface {}",
            PT::Time => "time.Time",
            PT::Cert => "sprig.certificate",
        }
    }
}

/// A function's error (Go's returned error or recovered panic).
#[derive(Debug)]
pub(crate) struct FnError {
    pub message: String,
    /// `fail`/`required`: (location, message); location filled in by the caller when empty.
    pub user: Option<(String, String)>,
    /// A resource limit error that must not be wrapped.
    pub limit: bool,
}

impl FnError {
    pub fn msg(m: impl Into<String>) -> FnError {
        FnError {
            message: m.into(),
            user: None,
            limit: false,
        }
    }

    pub fn limit(m: impl Into<String>) -> FnError {
        FnError {
            message: m.into(),
            user: None,
            limit: true,
        }
    }

    pub fn user(m: impl Into<String>) -> FnError {
        let m = m.into();
        FnError {
            message: m.clone(),
            user: Some((String::new(), m)),
            limit: false,
        }
    }

    pub fn wrap(e: TemplateError) -> FnError {
        match e {
            TemplateError::Parse(m) => FnError::msg(m),
            TemplateError::Exec { message, user } => FnError {
                message,
                user,
                limit: false,
            },
            TemplateError::Limit(m) => FnError::limit(m),
        }
    }
}

pub(crate) type FnResult = Result<Val, FnError>;

/// Context handed to functions.
pub(crate) struct Cx<'e> {
    pub env: &'e Env,
}

impl Cx<'_> {
    /// Random bytes from the caller's source.
    pub fn random(&mut self, n: usize) -> Vec<u8> {
        let mut b = vec![0u8; n];
        (self.env.random)(&mut b);
        b
    }

    /// A uniform random number in `0..n` (n > 0).
    pub fn rand_below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let b = self.random(8);
            let mut a = [0u8; 8];
            a.copy_from_slice(&b);
            let v = u64::from_le_bytes(a);
            if v < zone {
                return v % n;
            }
        }
    }

    /// The current time.
    pub fn now(&self) -> super::time::GoTime {
        let (s, n) = (self.env.now)();
        super::time::GoTime::utc(s, n)
    }
}

pub(crate) type Imp = fn(&mut Cx<'_>, Vec<Val>) -> FnResult;

/// How a function is implemented.
pub(crate) enum Builtin {
    Fn(Imp),
    And,
    Or,
    Call,
    Include,
    Tpl,
}

/// A function: its Go signature and implementation.
pub(crate) struct FnDef {
    pub params: &'static [PT],
    pub variadic: bool,
    pub imp: Builtin,
}

/// Looks a function up by name.
pub(crate) fn lookup(name: &str) -> Option<&'static FnDef> {
    static TABLE: OnceLock<HashMap<&'static str, FnDef>> = OnceLock::new();
    TABLE.get_or_init(build_table).get(name)
}

/// Whether `name` is a function templates can call.
pub fn has_function(name: &str) -> bool {
    lookup(name).is_some()
}

fn build_table() -> HashMap<&'static str, FnDef> {
    let mut t: HashMap<&'static str, FnDef> = HashMap::new();
    let mut add = |name: &'static str, params: &'static [PT], variadic: bool, imp: Builtin| {
        t.insert(
            name,
            FnDef {
                params,
                variadic,
                imp,
            },
        );
    };
    use PT::*;
    // Go builtins.
    add("and", &[RV, RV], true, Builtin::And);
    add("or", &[RV, RV], true, Builtin::Or);
    add("call", &[RV, RV], true, Builtin::Call);
    add("not", &[RV], false, Builtin::Fn(builtin::not));
    add("len", &[RV], false, Builtin::Fn(builtin::len));
    add("index", &[RV, RV], true, Builtin::Fn(builtin::index));
    add("print", &[Any], true, Builtin::Fn(builtin::print));
    add("printf", &[Str, Any], true, Builtin::Fn(builtin::printf));
    add("println", &[Any], true, Builtin::Fn(builtin::println));
    add("html", &[Any], true, Builtin::Fn(builtin::html));
    add("js", &[Any], true, Builtin::Fn(builtin::js));
    add("urlquery", &[Any], true, Builtin::Fn(builtin::urlquery));
    add("eq", &[RV, RV], true, Builtin::Fn(builtin::eq));
    add("ne", &[RV, RV], false, Builtin::Fn(builtin::ne));
    add("lt", &[RV, RV], false, Builtin::Fn(builtin::lt));
    add("le", &[RV, RV], false, Builtin::Fn(builtin::le));
    add("gt", &[RV, RV], false, Builtin::Fn(builtin::gt));
    add("ge", &[RV, RV], false, Builtin::Fn(builtin::ge));
    // Helm.
    add("include", &[Str, Any], false, Builtin::Include);
    add("tpl", &[Str, Any], false, Builtin::Tpl);
    add("required", &[Str, Any], false, Builtin::Fn(helm::required));
    add("fail", &[Str], false, Builtin::Fn(helm::fail));
    add(
        "lookup",
        &[Str, Str, Str, Str],
        false,
        Builtin::Fn(helm::lookup),
    );
    add("toToml", &[Any], false, Builtin::Fn(helm::to_toml));
    add("fromToml", &[Str], false, Builtin::Fn(helm::from_toml));
    add("toYaml", &[Any], false, Builtin::Fn(helm::to_yaml));
    add("mustToYaml", &[Any], false, Builtin::Fn(helm::must_to_yaml));
    add(
        "toYamlPretty",
        &[Any],
        false,
        Builtin::Fn(helm::to_yaml_pretty),
    );
    add("fromYaml", &[Str], false, Builtin::Fn(helm::from_yaml));
    add(
        "fromYamlArray",
        &[Str],
        false,
        Builtin::Fn(helm::from_yaml_array),
    );
    add("toJson", &[Any], false, Builtin::Fn(helm::to_json));
    add("mustToJson", &[Any], false, Builtin::Fn(helm::must_to_json));
    add("fromJson", &[Str], false, Builtin::Fn(helm::from_json));
    add(
        "fromJsonArray",
        &[Str],
        false,
        Builtin::Fn(helm::from_json_array),
    );
    add(
        "getHostByName",
        &[Str],
        false,
        Builtin::Fn(helm::get_host_by_name),
    );
    sprig::register(&mut add);
    helm::register_json(&mut add);
    encoding::register(&mut add);
    dates::register(&mut add);
    regex::register(&mut add);
    semver::register(&mut add);
    crypto::register(&mut add);
    t
}

/// Registration callback type used by the function modules.
pub(crate) type Add<'a> = dyn FnMut(&'static str, &'static [PT], bool, Builtin) + 'a;

// ---- shared helpers -------------------------------------------------------------------

/// The string inside a value known to be a Go string (validated by the caller).
pub(crate) fn s(v: &Val) -> &str {
    v.as_str().unwrap_or("")
}

/// An `int` argument (validated by the caller).
pub(crate) fn i(v: &Val) -> i64 {
    match v {
        Val::Int(i) | Val::Int64(i) => *i,
        _ => 0,
    }
}

/// Go's float→int64 conversion as amd64 performs it (out of range → MinInt64).
pub(crate) fn f2i(f: f64) -> i64 {
    if f.is_nan() || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

fn trim_zero_decimal(s: &str) -> &str {
    // cast's trimZeroDecimal: "1.000" -> "1"
    let mut found_zero = false;
    let b = s.as_bytes();
    for i in (0..b.len()).rev() {
        match b[i] {
            b'.' => {
                if found_zero {
                    return &s[..i];
                }
                return s;
            }
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// `cast.ToInt64`.
pub(crate) fn to_int64(v: &Val) -> i64 {
    match v {
        Val::Int(i) | Val::Int64(i) => *i,
        Val::Enum(_, i, _) => *i,
        Val::Uint8(u) => *u as i64,
        Val::Uint64(u) => *u as i64,
        Val::Float(f) => f2i(*f),
        Val::Bool(b) => i64::from(*b),
        Val::Str(s) => strconv::parse_go_int(trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

/// `cast.ToFloat64`.
pub(crate) fn to_float64(v: &Val) -> f64 {
    match v {
        Val::Int(i) | Val::Int64(i) => *i as f64,
        Val::Enum(_, i, _) => *i as f64,
        Val::Uint8(u) => *u as f64,
        Val::Uint64(u) => *u as f64,
        Val::Float(f) => *f,
        Val::Bool(b) => f64::from(u8::from(*b)),
        Val::Str(s) => strconv::parse_go_float(s)
            .filter(|_| !s.contains('_') && !s.to_ascii_lowercase().starts_with("0x"))
            .unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Sprig's `strval`.
pub(crate) fn strval(v: &Val) -> String {
    match v {
        Val::Str(s) => s.to_string(),
        Val::Bytes(b) => bytes_to_gostr(b),
        v => super::value::sprint_v(v),
    }
}

/// Sprig's `empty`.
pub(crate) fn empty(v: &Val) -> bool {
    match v {
        Val::Time(_) | Val::Struct(_) => false,
        v => !v.truth(),
    }
}

/// The private-use code point base that carries bytes which are not valid UTF-8.
const RAW_BASE: u32 = 0x10FF00;

/// Converts Go string bytes to the engine's string form (invalid UTF-8 bytes are kept
/// as private-use code points so they survive to the output).
pub fn bytes_to_gostr(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let mut out = String::with_capacity(b.len());
            let mut i = 0;
            while i < b.len() {
                let (c, w) = strconv::decode_rune(&b[i..]);
                if c == '\u{FFFD}' && w == 1 && !b[i..].starts_with("\u{FFFD}".as_bytes()) {
                    out.push(char::from_u32(RAW_BASE + b[i] as u32).unwrap_or('\u{FFFD}'));
                    i += 1;
                } else {
                    out.push(c);
                    i += w.max(1);
                }
            }
            out
        }
    }
}

/// The Go bytes of an engine string (inverse of [`bytes_to_gostr`]).
pub fn gostr_to_bytes(s: &str) -> Vec<u8> {
    if !s.chars().any(|c| (c as u32) >= RAW_BASE) {
        return s.as_bytes().to_vec();
    }
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        let cp = c as u32;
        if (RAW_BASE..RAW_BASE + 256).contains(&cp) {
            out.push((cp - RAW_BASE) as u8);
        } else {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    out
}

/// Go's `reflect.DeepEqual` on template values.
pub(crate) fn deep_equal(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Missing | Val::Nil, Val::Missing | Val::Nil) => true,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        (Val::Int(x), Val::Int(y)) | (Val::Int64(x), Val::Int64(y)) => x == y,
        (Val::Uint8(x), Val::Uint8(y)) => x == y,
        (Val::Uint64(x), Val::Uint64(y)) => x == y,
        (Val::Float(x), Val::Float(y)) => x == y,
        (Val::Complex(a1, b1), Val::Complex(a2, b2)) => a1 == a2 && b1 == b2,
        (Val::Str(x), Val::Str(y)) => x == y,
        (Val::Bytes(x), Val::Bytes(y)) => x == y,
        (Val::List(x), Val::List(y)) => {
            x.elem == y.elem
                && x.named == y.named
                && x.items.len() == y.items.len()
                && x.items
                    .iter()
                    .zip(y.items.iter())
                    .all(|(p, q)| deep_equal(p, q))
        }
        (Val::Map(x), Val::Map(y)) => {
            if std::rc::Rc::ptr_eq(x, y) {
                return true;
            }
            let (xe, ye) = (x.entries.borrow(), y.entries.borrow());
            x.kind == y.kind
                && x.nil == y.nil
                && xe.len() == ye.len()
                && xe
                    .iter()
                    .all(|(k, v)| ye.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        (Val::Time(x), Val::Time(y)) => x == y,
        (Val::Enum(t1, x, _), Val::Enum(t2, y, _)) => t1 == t2 && x == y,
        (Val::Semver(x), Val::Semver(y)) => x == y,
        (Val::Struct(x), Val::Struct(y)) => std::rc::Rc::ptr_eq(x, y),
        _ => false,
    }
}

/// A deep copy (maps are new objects).
pub(crate) fn deep_copy(v: &Val) -> Val {
    match v {
        Val::Map(m) if m.nil => Val::nil_map(m.kind),
        Val::Map(m) => Val::map(
            m.kind,
            m.entries
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), deep_copy(v)))
                .collect(),
        ),
        Val::List(l) => Val::List(std::rc::Rc::new(super::value::List {
            elem: l.elem,
            named: l.named,
            items: l.items.iter().map(deep_copy).collect(),
        })),
        v => v.clone(),
    }
}

/// Items of a slice-kind value (`None` when not a slice).
pub(crate) fn slice_items(v: &Val) -> Option<Vec<Val>> {
    match v {
        Val::List(l) => Some(l.items.clone()),
        Val::Bytes(b) => Some(b.iter().map(|x| Val::Uint8(*x)).collect()),
        _ => None,
    }
}

/// The map inside a `map[string]interface {}` argument (nil map → empty).
pub(crate) fn map_entries(v: &Val) -> std::collections::BTreeMap<String, Val> {
    match v {
        Val::Map(m) => m.entries.borrow().clone(),
        _ => Default::default(),
    }
}

/// Whether a value is a string-keyed map of interface values.
pub(crate) fn is_iface_map(v: &Val) -> bool {
    matches!(v, Val::Map(m) if matches!(m.kind, MapKind::Iface | MapKind::Values))
}

/// Go's `runtime error: invalid memory address or nil pointer dereference`.
pub(crate) fn nil_deref() -> FnError {
    FnError::msg("runtime error: invalid memory address or nil pointer dereference")
}
